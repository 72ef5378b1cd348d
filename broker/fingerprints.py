"""Schema fingerprints the way the Avro specification and Java's ``SchemaNormalization``
compute them, so a partner's ``BinaryMessageEncoder`` and ours name a schema alike.

The fingerprint is the CRC-64-AVRO (Rabin) of the schema's Parsing Canonical Form (PCF), and
the PCF must be the *fully resolved* one: every named type written out in full at its first
occurrence. Two Python shortcuts get this wrong: ``fastavro.parse_schema(named_schemas=...)``
leaves types defined in another file as bare names, and avro-python's ``Schema.fingerprint()``
keeps ``logicalType`` attributes that the PCF strips. Our schema files are self-contained, and
``tests/unit/test_fingerprints.py`` plus ``scripts/java_interop.sh`` check the result against
Apache Avro for Java.
"""

from __future__ import annotations

from typing import Any

from fastavro.schema import to_parsing_canonical_form

SOE_MAGIC = b"\xc3\x01"
"""Avro Single Object Encoding marker: C3 01, then the 8-byte fingerprint (little-endian)."""

_EMPTY = 0xC15D213AA4D7A795
"""CRC-64-AVRO of nothing, the seed of the Avro specification's fingerprint algorithm."""


def _table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (_EMPTY & -(fp & 1))
        table.append(fp)
    return tuple(table)


_TABLE = _table()


def crc64_avro(data: bytes) -> int:
    """The 64-bit Rabin fingerprint of the Avro specification ("Schema Fingerprints")."""
    fp = _EMPTY
    for byte in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ byte) & 0xFF]
    return fp


def parsing_canonical_form(schema: dict[str, Any] | list[Any] | str) -> str:
    """The Parsing Canonical Form of a self-contained schema (its JSON as written in the file)."""
    form: str = to_parsing_canonical_form(schema)
    return form


def fingerprint(schema: dict[str, Any] | list[Any] | str) -> int:
    """CRC-64-AVRO of the Parsing Canonical Form: Java's ``parsingFingerprint64``, unsigned."""
    return crc64_avro(parsing_canonical_form(schema).encode("utf-8"))


def soe_header(fingerprint_value: int) -> bytes:
    """The 10-byte Single Object Encoding header for a schema fingerprint."""
    return SOE_MAGIC + fingerprint_value.to_bytes(8, "little")
