"""Avro framing of MARE events: bytes on Kafka ⇄ validated pydantic models.

Every value is Avro *Single Object Encoding* (Avro specification: ``C3 01``, the schema's
8-byte CRC-64-AVRO fingerprint little-endian, then the binary body), so a record names its
own schema without a registry server. Partners behind a Confluent Schema Registry may send
the Confluent framing instead (``00``, a 4-byte big-endian schema id, the body), once the
operator maps their ids to our schema files (``schema_ids`` / ``register_confluent_id``).

Any published version of a type is accepted and resolved to the current one (Avro schema
resolution), so producers upgrade at their own pace. Every failure is a ``RejectedEvent`` with
a stable code (``broker.errors``): framing errors here, rule violations from the models.
"""

from __future__ import annotations

import io
import json
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastavro import parse_schema, schemaless_reader, schemaless_writer
from pydantic import ValidationError

from broker.errors import (
    BodyMalformed,
    MagicUnknown,
    SchemaRegistryInvalid,
    SchemaUnknown,
    Truncated,
    ValueEmpty,
)
from broker.fingerprints import SOE_MAGIC, fingerprint, soe_header
from broker.models import WIRE_MODELS, WireModel
from broker.regions import regions
from broker.validation import rejection_from

DEFAULT_SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas" / "avro"
"""``schemas/avro`` at the top of the repository: the wire contract partners read."""

CONFLUENT_MAGIC = 0x00
_SOE_HEADER_SIZE = 10
_CONFLUENT_HEADER_SIZE = 5
_STEM = re.compile(r"^(?P<type>[A-Z][A-Za-z0-9]*)\.v(?P<version>[1-9][0-9]*)$")


@dataclass(frozen=True)
class SchemaVersion:
    """One published schema file, parsed once."""

    type_name: str
    version: int
    stem: str
    schema: dict[str, Any]
    parsed: Any
    fingerprint: int
    header: bytes

    @property
    def fingerprint_hex(self) -> str:
        """The fingerprint as Java prints ``parsingFingerprint64`` in hex (big-endian)."""
        return f"{self.fingerprint:016x}"


def load_schema(path: Path) -> SchemaVersion:
    """Parse one ``<Type>.v<N>.avsc`` file, standing alone (its own named types only)."""
    match = _STEM.match(path.name.removesuffix(".avsc"))
    if match is None:
        raise SchemaRegistryInvalid(f"{path.name}: not named <Type>.v<N>.avsc")
    try:
        schema = json.loads(path.read_text("utf-8"))
        parsed = parse_schema(schema, named_schemas={})
    except (ValueError, KeyError, TypeError) as exc:
        raise SchemaRegistryInvalid(f"{path.name}: {exc}") from exc
    type_name = match["type"]
    if not isinstance(schema, dict) or schema.get("name") != type_name:
        raise SchemaRegistryInvalid(f"{path.name}: the top record is not named {type_name}")
    value = fingerprint(schema)
    return SchemaVersion(
        type_name=type_name,
        version=int(match["version"]),
        stem=path.name.removesuffix(".avsc"),
        schema=schema,
        parsed=parsed,
        fingerprint=value,
        header=soe_header(value),
    )


class Codec:
    """Encodes models to Single Object Encoding and decodes SOE or Confluent framed values.

    ``schema_dir`` holds the ``.avsc`` files (default: the repository's ``schemas/avro``);
    ``schema_ids`` maps Confluent schema ids to file stems such as ``"JobOffer.v1"``.
    """

    def __init__(
        self,
        schema_dir: Path | None = None,
        *,
        schema_ids: Mapping[int, str] | None = None,
        models: tuple[type[WireModel], ...] = WIRE_MODELS,
    ) -> None:
        self.schema_dir = schema_dir or DEFAULT_SCHEMA_DIR
        paths = sorted(self.schema_dir.glob("*.avsc"))
        if not paths:
            raise SchemaRegistryInvalid(f"no .avsc file in {self.schema_dir}")
        self.versions: dict[str, SchemaVersion] = {}
        self._by_fingerprint: dict[bytes, SchemaVersion] = {}
        self.current: dict[str, SchemaVersion] = {}
        for path in paths:
            version = load_schema(path)
            key = version.header[2:]
            if key in self._by_fingerprint:
                other = self._by_fingerprint[key].stem
                raise SchemaRegistryInvalid(f"{version.stem} and {other} share a fingerprint")
            self.versions[version.stem] = version
            self._by_fingerprint[key] = version
            newest = self.current.get(version.type_name)
            if newest is None or version.version > newest.version:
                self.current[version.type_name] = version
        self.models: dict[str, type[WireModel]] = {}
        for model in models:
            current = self.current.get(model.__name__)
            if current is None:
                raise SchemaRegistryInvalid(f"no schema file for {model.__name__}")
            if current.version != model.schema_version:
                raise SchemaRegistryInvalid(
                    f"{model.__name__} is v{model.schema_version} but the newest file is "
                    f"{current.stem}: run scripts/generate_schemas.py"
                )
            self.models[model.__name__] = model
        self._confluent: dict[int, SchemaVersion] = {}
        for schema_id, stem in (schema_ids or {}).items():
            self.register_confluent_id(schema_id, stem)

    @classmethod
    def default(cls) -> Codec:
        """The codec of the shipped schemas, built once per process."""
        return _default_codec()

    # -- registry ------------------------------------------------------------------------

    def register_confluent_id(self, schema_id: int, stem: str) -> None:
        """Accept Confluent-framed values with ``schema_id`` as written with schema ``stem``."""
        if stem not in self.versions:
            raise SchemaRegistryInvalid(f"no schema {stem!r}; known: {sorted(self.versions)}")
        if not 0 <= schema_id <= 0xFFFFFFFF:
            raise SchemaRegistryInvalid(f"Confluent schema id {schema_id} is not 4 bytes")
        self._confluent[schema_id] = self.versions[stem]

    def schema_of(self, type_name: str) -> SchemaVersion:
        """The current schema version of a type."""
        try:
            return self.current[type_name]
        except KeyError:
            raise SchemaUnknown(f"no schema for type {type_name!r}") from None

    # -- encoding ------------------------------------------------------------------------

    def encode(self, event: WireModel) -> bytes:
        """Single Object Encoding of an event with the current schema of its type."""
        return self.encode_record(type(event).__name__, event.model_dump())

    def encode_record(self, type_name: str, record: Mapping[str, Any]) -> bytes:
        """Single Object Encoding of a plain record, without model validation.

        For tools and tests that must write what a careless partner would (a bad SIRET in a
        well-formed body); the network itself encodes models with ``encode``.
        """
        version = self.schema_of(type_name)
        out = io.BytesIO()
        out.write(version.header)
        schemaless_writer(out, version.parsed, record)
        return out.getvalue()

    def encode_confluent(self, event: WireModel, schema_id: int) -> bytes:
        """Confluent framing of an event, as a Schema Registry client would write it."""
        version = self._confluent.get(schema_id)
        if version is None or version.type_name != type(event).__name__:
            raise SchemaUnknown(f"Confluent schema id {schema_id} is not {type(event).__name__}")
        out = io.BytesIO()
        out.write(struct.pack(">bI", CONFLUENT_MAGIC, schema_id))
        schemaless_writer(out, version.parsed, event.model_dump())
        return out.getvalue()

    # -- decoding ------------------------------------------------------------------------

    def writer_of(self, raw: bytes | None) -> tuple[SchemaVersion, int]:
        """The schema a value was written with, and where its body starts (framing only)."""
        if not raw:
            raise ValueEmpty("the record has no value (empty or tombstone)")
        if raw[0] == SOE_MAGIC[0]:
            if len(raw) < 2:
                raise Truncated("the value ends inside the Single Object Encoding marker")
            if raw[1] != SOE_MAGIC[1]:
                raise MagicUnknown(f"C3 followed by {raw[1]:02X}, not the SOE marker C3 01")
            if len(raw) < _SOE_HEADER_SIZE:
                raise Truncated(
                    f"the value ends inside the 8-byte fingerprint ({len(raw)} bytes in all)"
                )
            version = self._by_fingerprint.get(raw[2:_SOE_HEADER_SIZE])
            if version is None:
                printed = int.from_bytes(raw[2:_SOE_HEADER_SIZE], "little")
                raise SchemaUnknown(f"no published MARE schema has fingerprint {printed:016x}")
            return version, _SOE_HEADER_SIZE
        if raw[0] == CONFLUENT_MAGIC:
            if len(raw) < _CONFLUENT_HEADER_SIZE:
                raise Truncated("the value ends inside the Confluent 4-byte schema id")
            (schema_id,) = struct.unpack_from(">I", raw, 1)
            version = self._confluent.get(schema_id)
            if version is None:
                raise SchemaUnknown(f"Confluent schema id {schema_id} is not registered here")
            return version, _CONFLUENT_HEADER_SIZE
        raise MagicUnknown(
            f"the value starts with {raw[:2].hex(' ').upper()}: neither Avro Single Object "
            "Encoding (C3 01) nor Confluent framing (00)"
        )

    def type_of(self, raw: bytes | None) -> str:
        """The event type a value claims, read from its header alone (no body decoding)."""
        return self.writer_of(raw)[0].type_name

    def decode_record(self, raw: bytes | None) -> tuple[str, dict[str, Any]]:
        """``(type name, record)`` resolved to the type's current schema, without validation."""
        writer, start = self.writer_of(raw)
        assert raw is not None
        reader = self.current[writer.type_name]
        stream = io.BytesIO(raw)
        stream.seek(start)
        try:
            if writer is reader:
                record = schemaless_reader(stream, writer.parsed, None)
            else:
                record = schemaless_reader(stream, writer.parsed, reader.parsed)
        except EOFError as exc:
            raise Truncated(
                f"the {writer.stem} body ends early: {exc}", event_type=writer.type_name
            ) from exc
        except Exception as exc:  # fastavro signals a bad body with many exception types
            raise BodyMalformed(
                f"the body does not decode as {writer.stem}: {type(exc).__name__}: {exc}",
                event_type=writer.type_name,
            ) from exc
        if stream.tell() != len(raw):
            raise BodyMalformed(
                f"{len(raw) - stream.tell()} bytes follow the end of the {writer.stem} body",
                event_type=writer.type_name,
            )
        if not isinstance(record, dict):
            raise BodyMalformed(f"{writer.stem} did not decode to a record")
        return writer.type_name, record

    def decode(self, raw: bytes | None) -> WireModel:
        """The validated model of a value; a ``RejectedEvent`` with its code otherwise."""
        type_name, record = self.decode_record(raw)
        model = self.models.get(type_name)
        if model is None:
            raise SchemaUnknown(f"type {type_name} has a schema but no model here")
        try:
            return model.model_validate(record)
        except ValidationError as exc:
            region = record.get("source_region")
            raise rejection_from(
                exc,
                event_type=type_name,
                source_region=region if isinstance(region, str) and region in regions() else None,
            ) from None


@cache
def _default_codec() -> Codec:
    return Codec()
