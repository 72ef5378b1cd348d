package eu.mare.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * Checks the MARE shared test vectors with Apache Avro for Java.
 *
 * <p>For every {@code schemas/vectors/<Type>.v<N>.json}: parse {@code schemas/avro/<Type>.v<N>.avsc}
 * on its own, read the JSON with Avro's JSON decoder, encode it with {@code BinaryMessageEncoder}
 * (Avro Single Object Encoding) and compare with the {@code .bin} written by Python; decode the
 * {@code .bin} with {@code BinaryMessageDecoder} as its own version and as the current version of
 * its type (older writer schema registered); compare Java's {@code parsingFingerprint64} of every
 * schema with {@code fingerprints.json}. Prints one line per failure and a closing
 * {@code N passed, M failed} line; exits 1 on any failure.
 *
 * <p>Usage: {@code java -cp ... eu.mare.interop.VectorCheck <schemas/avro> <schemas/vectors>}
 */
public final class VectorCheck {
  private static final Pattern STEM = Pattern.compile("^([A-Z][A-Za-z0-9]*)\\.v([1-9][0-9]*)$");

  private int passed;
  private int failed;

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: VectorCheck <schema dir> <vector dir>");
      System.exit(2);
    }
    VectorCheck check = new VectorCheck();
    check.run(Paths.get(args[0]), Paths.get(args[1]));
    System.out.println(check.passed + " passed, " + check.failed + " failed");
    System.exit(check.failed == 0 && check.passed > 0 ? 0 : 1);
  }

  private void run(Path schemaDir, Path vectorDir) throws IOException {
    Map<String, Schema> schemas = new TreeMap<>();
    Map<String, Integer> newest = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(schemaDir, "*.avsc")) {
      for (Path file : files) {
        String stem = file.getFileName().toString().replaceFirst("\\.avsc$", "");
        Matcher m = STEM.matcher(stem);
        if (!m.matches()) {
          fail(stem, "schema file name is not <Type>.v<N>.avsc");
          continue;
        }
        // A fresh parser per file: each file must stand alone, as partners use them.
        schemas.put(stem, new Schema.Parser().parse(file.toFile()));
        newest.merge(m.group(1), Integer.parseInt(m.group(2)), Math::max);
      }
    }
    checkFingerprints(schemas, vectorDir.resolve("fingerprints.json"));

    List<String> stems = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(vectorDir, "*.json")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (!name.equals("fingerprints.json")) {
          stems.add(name.replaceFirst("\\.json$", ""));
        }
      }
    }
    stems.sort(String::compareTo);
    for (String stem : schemas.keySet()) {
      if (!stems.contains(stem)) {
        fail(stem, "no test vector for this schema");
      }
    }
    for (String stem : stems) {
      Schema writer = schemas.get(stem);
      if (writer == null) {
        fail(stem, "vector without a schema file");
        continue;
      }
      Matcher m = STEM.matcher(stem);
      m.matches();
      Schema current = schemas.get(m.group(1) + ".v" + newest.get(m.group(1)));
      checkVector(stem, writer, current, vectorDir);
    }
  }

  private void checkFingerprints(Map<String, Schema> schemas, Path manifest) throws IOException {
    JsonNode ours = new ObjectMapper().readTree(manifest.toFile());
    for (Map.Entry<String, Schema> entry : schemas.entrySet()) {
      long java = SchemaNormalization.parsingFingerprint64(entry.getValue());
      String javaHex = String.format("%016x", java);
      JsonNode python = ours.get(entry.getKey());
      System.out.println(
          "fingerprint " + entry.getKey() + " java=" + javaHex + " python="
              + (python == null ? "missing" : python.asText()));
      check(
          python != null && python.asText().equals(javaHex),
          entry.getKey(),
          "parsingFingerprint64 " + javaHex + " differs from Python's");
    }
  }

  private void checkVector(String stem, Schema writer, Schema current, Path vectorDir)
      throws IOException {
    String json = Files.readString(vectorDir.resolve(stem + ".json"), StandardCharsets.UTF_8);
    byte[] expected = Files.readAllBytes(vectorDir.resolve(stem + ".bin"));
    GenericRecord fromJson;
    try {
      fromJson = new GenericDatumReader<GenericRecord>(writer)
          .read(null, DecoderFactory.get().jsonDecoder(writer, json));
    } catch (IOException | RuntimeException e) {
      fail(stem, "JSON vector does not decode: " + e);
      return;
    }

    BinaryMessageEncoder<GenericRecord> encoder =
        new BinaryMessageEncoder<>(GenericData.get(), writer);
    ByteBuffer encoded = encoder.encode(fromJson);
    byte[] actual = new byte[encoded.remaining()];
    encoded.get(actual);
    check(Arrays.equals(expected, actual), stem, "Java's SOE bytes differ from the .bin");

    BinaryMessageDecoder<GenericRecord> own = new BinaryMessageDecoder<>(GenericData.get(), writer);
    GenericRecord decoded = own.decode(expected);
    check(fromJson.equals(decoded), stem, ".bin decoded with its schema differs from the JSON");

    BinaryMessageDecoder<GenericRecord> upgrading =
        new BinaryMessageDecoder<>(GenericData.get(), current);
    upgrading.addSchema(writer);
    GenericRecord resolved = upgrading.decode(expected);
    GenericRecord expectedResolved = new GenericDatumReader<GenericRecord>(writer, current)
        .read(null, DecoderFactory.get().jsonDecoder(writer, json));
    check(
        expectedResolved.equals(resolved),
        stem,
        ".bin read as " + current.getFullName() + " current version differs from the JSON");
    if (writer != current) {
      check(
          resolved.getSchema().equals(current),
          stem,
          "the older version did not resolve to the current schema");
    }
  }

  private void check(boolean ok, String stem, String message) {
    if (ok) {
      passed++;
    } else {
      fail(stem, message);
    }
  }

  private void fail(String stem, String message) {
    failed++;
    System.out.println("FAIL " + stem + ": " + message);
  }
}
