"""Fingerprints the way Java computes them: CRC-64-AVRO of the fully resolved canonical form.

``scripts/java_interop.sh`` proves equality with Java's ``parsingFingerprint64``; these tests
pin the algorithm and show the two Python shortcuts that would give other values.
"""

from __future__ import annotations

import json
from typing import Any

import avro.schema
import fastavro
import pytest
from fastavro.schema import fingerprint as fastavro_fingerprint
from fastavro.schema import to_parsing_canonical_form
from hypothesis import given
from hypothesis import strategies as st

from broker.codec import DEFAULT_SCHEMA_DIR
from broker.fingerprints import crc64_avro, fingerprint, parsing_canonical_form, soe_header

pytestmark = pytest.mark.unit

WITH_LOGICAL_TYPES_AND_NAMED_REUSE: dict[str, Any] = {
    "type": "record",
    "name": "Sample",
    "namespace": "eu.mare",
    "doc": "dropped by the canonical form",
    "fields": [
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}, "doc": "x"},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {
            "name": "home",
            "type": {"type": "enum", "name": "Country", "symbols": ["FR", "IT"], "default": "FR"},
        },
        {"name": "work", "type": ["null", "Country"], "default": None},
    ],
}


def test_crc64_avro_matches_the_specifications_value_for_int() -> None:
    assert crc64_avro(b'"int"') == 0x7275D51A3F395C8F


@given(data=st.binary(max_size=300))
def test_crc64_avro_agrees_with_fastavros_rabin(data: bytes) -> None:
    text = data.decode("latin-1")

    expected = fastavro_fingerprint(text, "CRC-64-AVRO")

    assert crc64_avro(text.encode("utf-8")).to_bytes(8, "little").hex() == expected


def test_canonical_form_strips_docs_defaults_and_logical_types_and_expands_names_once() -> None:
    assert parsing_canonical_form(WITH_LOGICAL_TYPES_AND_NAMED_REUSE) == (
        '{"name":"eu.mare.Sample","type":"record","fields":['
        '{"name":"id","type":"string"},'
        '{"name":"at","type":"long"},'
        '{"name":"home","type":{"name":"eu.mare.Country","type":"enum","symbols":["FR","IT"]}},'
        '{"name":"work","type":["null","eu.mare.Country"]}]}'
    )


def test_avro_pythons_own_fingerprint_keeps_logical_types_and_differs() -> None:
    """The trap the ARCHITECTURE guide warns about: not the Java value."""
    parsed = avro.schema.parse(json.dumps(WITH_LOGICAL_TYPES_AND_NAMED_REUSE))

    theirs = int.from_bytes(parsed.fingerprint(), "little")

    assert '{"type":"string"}' in parsed.canonical_form
    assert theirs != fingerprint(WITH_LOGICAL_TYPES_AND_NAMED_REUSE)


def test_parsing_with_named_schemas_from_another_file_leaves_bare_names() -> None:
    """The other trap: a type defined in another file is not expanded, so the form differs."""
    named: dict[str, Any] = {}
    fastavro.parse_schema(
        {"type": "enum", "name": "eu.mare.Country", "symbols": ["FR", "IT"]}, named_schemas=named
    )
    split = {"type": "record", "name": "eu.mare.X", "fields": [{"name": "c", "type": "Country"}]}
    inline = {
        "type": "record",
        "name": "eu.mare.X",
        "fields": [
            {"name": "c", "type": {"type": "enum", "name": "Country", "symbols": ["FR", "IT"]}}
        ],
    }

    bare = to_parsing_canonical_form(fastavro.parse_schema(split, named_schemas=named))

    assert bare.endswith('"type":"eu.mare.Country"}]}')
    assert crc64_avro(bare.encode()) != fingerprint(inline)


def test_the_soe_header_is_the_marker_and_the_little_endian_fingerprint() -> None:
    assert soe_header(0x0102030405060708) == b"\xc3\x01\x08\x07\x06\x05\x04\x03\x02\x01"


def test_shipped_fingerprints_are_the_published_manifest() -> None:
    manifest = json.loads((DEFAULT_SCHEMA_DIR.parent / "vectors" / "fingerprints.json").read_text())

    for path in DEFAULT_SCHEMA_DIR.glob("*.avsc"):
        stem = path.name.removesuffix(".avsc")
        assert manifest[stem] == f"{fingerprint(json.loads(path.read_text())):016x}"
