"""Avro framing: Single Object Encoding out, SOE of any version or Confluent framing in."""

from __future__ import annotations

import io
import shutil
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from fastavro import schemaless_writer
from hypothesis import given, settings
from hypothesis import strategies as st

from broker.codec import DEFAULT_SCHEMA_DIR, Codec
from broker.errors import RejectedEvent, SchemaRegistryInvalid, SiretInvalid
from broker.fingerprints import fingerprint
from broker.models import JobOffer, Telework
from tests import factories as f

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def codec() -> Codec:
    return Codec.default()


def v1_bytes(codec: Codec, offer: JobOffer) -> bytes:
    """The offer as a partner still on JobOffer.v1 encodes it."""
    v1 = codec.versions["JobOffer.v1"]
    record = {k: v for k, v in offer.model_dump().items() if k != "telework"}
    out = io.BytesIO()
    out.write(v1.header)
    schemaless_writer(out, v1.parsed, record)
    return out.getvalue()


def test_encoded_event_is_single_object_encoding_of_the_current_schema(codec: Codec) -> None:
    raw = codec.encode(f.an_offer())

    current = codec.schema_of("JobOffer")
    assert raw[:2] == b"\xc3\x01"
    assert int.from_bytes(raw[2:10], "little") == fingerprint(current.schema)
    assert current.stem == "JobOffer.v2"


def test_decoded_event_equals_the_encoded_one(codec: Codec) -> None:
    offer = f.an_offer(telework="HYBRID")

    assert codec.decode(codec.encode(offer)) == offer


def test_a_v1_offer_is_read_as_the_current_model(codec: Codec) -> None:
    offer = f.an_offer(telework=Telework.REMOTE)

    decoded = codec.decode(v1_bytes(codec, offer))

    assert isinstance(decoded, JobOffer)
    assert decoded.telework is None
    assert decoded == offer.model_copy(update={"telework": None})


def test_type_of_reads_only_the_header(codec: Codec) -> None:
    raw = codec.encode(f.a_referral())

    assert codec.type_of(raw) == "CandidateReferral"
    assert codec.type_of(raw[:10] + b"garbage") == "CandidateReferral"
    assert codec.type_of(v1_bytes(codec, f.an_offer())) == "JobOffer"


def test_decode_record_skips_validation(codec: Codec) -> None:
    raw = codec.encode_record(
        "JobOffer", {**f.an_offer().model_dump(), "employer_id": f.INVALID_SIRET}
    )

    type_name, record = codec.decode_record(raw)

    assert type_name == "JobOffer"
    assert record["employer_id"] == f.INVALID_SIRET
    with pytest.raises(SiretInvalid):
        codec.decode(raw)


def test_decode_record_resolves_an_old_version_to_the_current_schema(codec: Codec) -> None:
    _, record = codec.decode_record(v1_bytes(codec, f.an_offer()))

    assert record["telework"] is None


def test_confluent_framing_is_accepted_once_its_schema_id_is_registered() -> None:
    codec = Codec(schema_ids={7: "JobOffer.v2"})
    offer = f.an_offer()
    raw = codec.encode_confluent(offer, 7)

    assert raw[:5] == b"\x00\x00\x00\x00\x07"
    assert codec.decode(raw) == offer
    assert codec.type_of(raw) == "JobOffer"


def test_confluent_framing_of_an_old_version_is_resolved_too() -> None:
    codec = Codec()
    codec.register_confluent_id(1001, "JobOffer.v1")
    offer = f.an_offer()

    raw = struct.pack(">bI", 0, 1001) + v1_bytes(codec, offer)[10:]

    assert codec.decode(raw) == offer.model_copy(update={"telework": None})


def test_unregistered_confluent_id_is_schema_unknown(codec: Codec) -> None:
    raw = struct.pack(">bI", 0, 7) + codec.encode(f.an_offer())[10:]

    with pytest.raises(RejectedEvent) as caught:
        codec.decode(raw)

    assert caught.value.code == "SCHEMA_UNKNOWN"


def test_registering_an_unknown_schema_is_refused() -> None:
    with pytest.raises(SchemaRegistryInvalid):
        Codec(schema_ids={1: "JobOffer.v9"})


def test_a_rejection_keeps_every_violation_and_the_first_rule_decides_its_code(
    codec: Codec,
) -> None:
    record = {
        **f.an_offer().model_dump(),
        "job_title": "x" * 201,
        "description": " ",
        "place": {**f.a_place("paca"), "nuts2": "ITC3"},
    }

    with pytest.raises(RejectedEvent) as caught:
        codec.decode(codec.encode_record("JobOffer", record))

    error = caught.value
    assert error.code == "TEXT_TOO_LONG"
    assert [(v.field, v.code) for v in error.violations] == [
        ("job_title", "TEXT_TOO_LONG"),
        ("description", "TEXT_EMPTY"),
        ("place.nuts2", "NUTS_MISMATCH"),
    ]
    assert error.fields == ["job_title", "description", "place.nuts2"]
    assert error.source_region == "paca"
    assert error.event_type == "JobOffer"


def test_a_rejection_names_no_source_region_when_the_region_is_unknown(codec: Codec) -> None:
    record = {**f.an_offer().model_dump(), "source_region": "bretagne"}

    with pytest.raises(RejectedEvent) as caught:
        codec.decode(codec.encode_record("JobOffer", record))

    assert caught.value.code == "REGION_UNKNOWN"
    assert caught.value.source_region is None


def test_the_default_codec_is_built_once() -> None:
    assert Codec.default() is Codec.default()
    assert Codec.default().schema_dir == DEFAULT_SCHEMA_DIR


def test_a_schema_directory_behind_the_models_is_refused(tmp_path: Path) -> None:
    for path in DEFAULT_SCHEMA_DIR.glob("*.avsc"):
        if path.name != "JobOffer.v2.avsc":
            shutil.copy(path, tmp_path)

    with pytest.raises(SchemaRegistryInvalid, match="JobOffer is v2"):
        Codec(tmp_path)


def test_two_files_with_one_fingerprint_are_refused(tmp_path: Path) -> None:
    for path in DEFAULT_SCHEMA_DIR.glob("*.avsc"):
        shutil.copy(path, tmp_path)
    shutil.copy(tmp_path / "JobOffer.v1.avsc", tmp_path / "JobOffer.v3.avsc")

    with pytest.raises(SchemaRegistryInvalid, match="share a fingerprint"):
        Codec(tmp_path)


def _outcome(decode: Callable[[], object]) -> str:
    """'decoded', 'violations' for a rule rejection, or the framing rejection's code."""
    try:
        decode()
    except RejectedEvent as error:
        return "violations" if error.violations else error.code
    return "decoded"


@settings(max_examples=300)
@given(tail=st.binary(max_size=200))
def test_any_body_behind_a_known_header_decodes_or_is_rejected_with_a_code(tail: bytes) -> None:
    codec = Codec.default()
    header = codec.schema_of("JobOffer").header

    outcome = _outcome(lambda: codec.decode(header + tail))

    assert outcome in {"decoded", "TRUNCATED", "BODY_MALFORMED", "violations"}


@settings(max_examples=300)
@given(value=st.binary(max_size=64))
def test_any_bytes_decode_or_are_rejected_with_a_code(value: bytes) -> None:
    outcome = _outcome(lambda: Codec.default().decode(value))

    assert outcome == "decoded" or outcome.isupper()


@settings(max_examples=100)
@given(cut=st.integers(min_value=0, max_value=10_000))
def test_any_truncation_of_a_valid_event_is_rejected(cut: int) -> None:
    codec = Codec.default()
    raw = codec.encode(f.an_offer())
    cut = cut % len(raw)

    with pytest.raises(RejectedEvent) as caught:
        codec.decode(raw[:cut])

    assert caught.value.code in {"VALUE_EMPTY", "TRUNCATED", "BODY_MALFORMED"}
