#!/usr/bin/env bash
# Prove the wire contract with Apache Avro for Java: the test vectors in schemas/vectors,
# written by Python (scripts/make_vectors.py), must be byte-identical to what Java's
# BinaryMessageEncoder writes, decode with BinaryMessageDecoder, and every schema's
# fingerprint must equal Java's SchemaNormalization.parsingFingerprint64.
# Needs Java 17+ and Maven (Maven Central for the first build). Exit code: Java's.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pom="$root/interop/java/pom.xml"
mvn -q -B -Dstyle.color=never -f "$pom" package
target="$root/interop/java/target"
exec java -cp "$target/mare-avro-interop.jar:$target/lib/*" eu.mare.interop.VectorCheck \
  "$root/schemas/avro" "$root/schemas/vectors"
