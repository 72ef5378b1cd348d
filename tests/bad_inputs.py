"""A corpus of inputs the network must refuse, each with the code it must be refused with.

Reused twice: the unit test feeds each value to the codec; the integration tests produce
each record to a real broker and expect a dead letter with ``expected_code`` (and nothing on
the output topics). ``region_hint`` is the region of the inbound topic the record is sent to.
Values are built with the shipped schemas, so the corpus follows the contract as it evolves.
"""

from __future__ import annotations

import copy
import io
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

from fastavro import parse_schema, schemaless_writer

from broker.cloudevents import headers_for
from broker.codec import Codec
from broker.models import WireModel
from tests import factories as f


@dataclass(frozen=True)
class BadInput:
    """One refused Kafka record and the rejection code it must get."""

    name: str
    key: bytes | None
    value: bytes
    expected_code: str
    region_hint: str | None = "paca"
    headers: list[tuple[str, bytes | None]] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"BadInput({self.name}, {self.expected_code})"


def _codec() -> Codec:
    return Codec.default()


def _valid(event: WireModel) -> bytes:
    return _codec().encode(event)


def _record(type_name: str, record: dict[str, Any]) -> bytes:
    """Plain Avro bytes of a record that skips validation, as a careless partner writes it."""
    return _codec().encode_record(type_name, record)


def _with_schema_tweak(
    type_name: str, record: dict[str, Any], tweak: Callable[[dict[str, Any]], None]
) -> bytes:
    """A body written with a tweaked copy of the current schema, behind the *real* header.

    This is how a producer with a stale or hand-edited schema file corrupts a body while
    keeping a known fingerprint.
    """
    current = _codec().schema_of(type_name)
    schema = copy.deepcopy(current.schema)
    tweak(schema)
    out = io.BytesIO()
    out.write(current.header)
    schemaless_writer(out, parse_schema(schema, named_schemas={}), record)
    return out.getvalue()


def _retype(field_name: str, avro_type: Any) -> Callable[[dict[str, Any]], None]:
    def tweak(schema: dict[str, Any]) -> None:
        for entry in schema["fields"]:
            if entry["name"] == field_name:
                entry["type"] = avro_type

    return tweak


def _offer_dump(**overrides: Any) -> dict[str, Any]:
    return {**f.an_offer().model_dump(), **overrides}


def _referral_dump(**overrides: Any) -> dict[str, Any]:
    return {**f.a_referral().model_dump(), **overrides}


def build_bad_inputs() -> list[BadInput]:
    """Build the corpus (after the codec and schemas are loadable)."""
    offer = f.an_offer()
    offer_bytes = _valid(offer)
    offer_key = offer.offer_id.encode()
    offer_headers: list[tuple[str, bytes | None]] = list(headers_for(offer))
    italian = f.an_offer(source_region="liguria")
    fixed_ack = f.an_ack(event_id=UUID(int=1), acknowledged_event_id=UUID(int=2))
    unknown_fingerprint = b"\xc3\x01" + bytes.fromhex("0123456789abcdef") + offer_bytes[10:]
    consent_expired = f.a_consent(f.NOW - timedelta(days=400), expires_at=f.NOW - timedelta(days=1))

    def bad(
        name: str,
        value: bytes,
        code: str,
        *,
        key: bytes | None = offer_key,
        region_hint: str | None = "paca",
        headers: list[tuple[str, bytes | None]] | None = None,
    ) -> BadInput:
        return BadInput(name, key, value, code, region_hint, headers or [])

    def record(
        name: str, type_name: str, dump: dict[str, Any], code: str, region_hint: str
    ) -> BadInput:
        key = str(dump.get("offer_id") or dump.get("candidate_pseudonym") or "").encode()
        return BadInput(name, key or None, _record(type_name, dump), code, region_hint, [])

    return [
        # -- framing -------------------------------------------------------------------------
        bad("empty_value", b"", "VALUE_EMPTY"),
        bad("plain_text", b"hello, world", "MAGIC_UNKNOWN", key=None),
        bad("json_instead_of_avro", b'{"offer_id": "paca-1"}', "MAGIC_UNKNOWN"),
        bad("soe_marker_wrong_second_byte", b"\xc3\x02" + offer_bytes[2:], "MAGIC_UNKNOWN"),
        bad("random_binary", bytes(range(0x80, 0xC0)), "MAGIC_UNKNOWN"),
        bad("soe_marker_alone", b"\xc3", "TRUNCATED"),
        bad("truncated_fingerprint", offer_bytes[:6], "TRUNCATED"),
        bad("truncated_body", offer_bytes[: len(offer_bytes) // 2], "TRUNCATED"),
        bad("header_without_body", offer_bytes[:10], "TRUNCATED"),
        bad("confluent_truncated_id", b"\x00\x00\x01", "TRUNCATED"),
        bad("unknown_fingerprint", unknown_fingerprint, "SCHEMA_UNKNOWN"),
        bad(
            "confluent_unregistered_id",
            struct.pack(">bI", 0, 999_999) + offer_bytes[10:],
            "SCHEMA_UNKNOWN",
        ),
        bad("trailing_bytes", offer_bytes + b"\x00\x02", "BODY_MALFORMED"),
        bad(
            "string_not_utf8",
            _with_schema_tweak(
                "JobOffer", _offer_dump(job_title=b"\xff\xfe chef"), _retype("job_title", "bytes")
            ),
            "BODY_MALFORMED",
        ),
        bad(
            "enum_index_out_of_range",
            _with_schema_tweak("JobOffer", _offer_dump(sector=99), _retype("sector", "int")),
            "BODY_MALFORMED",
        ),
        bad(
            "event_id_not_a_uuid",
            _with_schema_tweak(
                "JobOffer", _offer_dump(event_id="not-a-uuid"), _retype("event_id", "string")
            ),
            "BODY_MALFORMED",
        ),
        bad(
            "offer_header_on_an_acknowledgement_body",
            offer_bytes[:10] + _valid(fixed_ack)[10:],
            "BODY_MALFORMED",
        ),
        # -- contract rules on a well-formed body ------------------------------------------
        record(
            "siret_bad_check_digit",
            "JobOffer",
            _offer_dump(employer_id=f.INVALID_SIRET),
            "SIRET_INVALID",
            "paca",
        ),
        record(
            "siret_with_spaces",
            "JobOffer",
            _offer_dump(employer_id="123 456 782 00010"),
            "SIRET_INVALID",
            "paca",
        ),
        record(
            "partita_iva_bad_check_digit",
            "JobOffer",
            {**italian.model_dump(), "employer_id": f.INVALID_PARTITA_IVA},
            "PARTITA_IVA_INVALID",
            "liguria",
        ),
        record(
            "siret_for_an_italian_region",
            "JobOffer",
            {
                **italian.model_dump(),
                "employer_id_scheme": "SIRET",
                "employer_id": f.VALID_SIRETS[0],
            },
            "EMPLOYER_SCHEME_MISMATCH",
            "liguria",
        ),
        record(
            "fixed_term_without_duration",
            "JobOffer",
            _offer_dump(contract=f.a_contract("FR", code="CDD", duration_months=None)),
            "DURATION_REQUIRED",
            "paca",
        ),
        record(
            "unknown_contract_code",
            "JobOffer",
            _offer_dump(contract=f.a_contract("FR", code="CDX")),
            "CONTRACT_CODE_UNKNOWN",
            "paca",
        ),
        record(
            "job_title_too_long",
            "JobOffer",
            _offer_dump(job_title="Cuisinier " * 21),
            "TEXT_TOO_LONG",
            "paca",
        ),
        record(
            "description_too_long",
            "JobOffer",
            _offer_dump(description="x" * 10_001),
            "TEXT_TOO_LONG",
            "paca",
        ),
        record("job_title_blank", "JobOffer", _offer_dump(job_title="   "), "TEXT_EMPTY", "paca"),
        record(
            "unknown_source_region",
            "JobOffer",
            _offer_dump(source_region="provence"),
            "REGION_UNKNOWN",
            "paca",
        ),
        record(
            "nuts_of_another_region",
            "JobOffer",
            _offer_dump(place=f.a_place("paca", nuts2="ITC3")),
            "NUTS_MISMATCH",
            "paca",
        ),
        record(
            "italian_municipality_code_in_france",
            "JobOffer",
            _offer_dump(place=f.a_place("paca", municipality_code="010025")),
            "MUNICIPALITY_CODE_INVALID",
            "paca",
        ),
        record(
            "valid_until_before_publication",
            "JobOffer",
            _offer_dump(valid_until=f.NOW.date()),
            "DATES_OUT_OF_ORDER",
            "paca",
        ),
        record(
            "consent_expired",
            "CandidateReferral",
            _referral_dump(consent=consent_expired),
            "CONSENT_EXPIRED",
            "liguria",
        ),
        record(
            "no_consent_for_cross_border",
            "CandidateReferral",
            _referral_dump(consent=f.a_consent(purposes=["MATCHING"])),
            "CONSENT_MISSING",
            "liguria",
        ),
        record(
            "pseudonym_is_an_email",
            "CandidateReferral",
            _referral_dump(candidate_pseudonym="mario.rossi@example.it"),
            "PSEUDONYM_INVALID",
            "liguria",
        ),
        record(
            "mobility_request_without_link",
            "MobilityRequest",
            {**f.a_mobility_request().model_dump(), "offer_id": None, "referral_id": None},
            "LINK_MISSING",
            "sardegna",
        ),
        BadInput(
            "siret_invalid_with_cloudevents_headers",
            offer_key,
            _record("JobOffer", _offer_dump(employer_id=f.INVALID_SIRET)),
            "SIRET_INVALID",
            "paca",
            offer_headers,
        ),
    ]


BAD_INPUTS: list[BadInput] = build_bad_inputs()
"""Every refused input with the code it must be refused with."""
