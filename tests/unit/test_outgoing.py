"""The hot-path encoder writes byte for byte what the codec and the CloudEvents binding write."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.acknowledger import DeliveryNotice
from agents.ingest import InboundRecord
from agents.pipeline import NetworkMemory, PipelineContext, handle
from agents.router import shipped_rules
from agents.translator import localize
from broker.cloudevents import headers_for
from broker.codec import Codec
from broker.models import AckStatus, DeadlineKind, WireModel
from broker.outgoing import OutgoingEncoder, SplicedRecord
from broker.topology import Topology
from tests.factories import (
    NOW,
    a_dead_letter,
    a_mobility_request,
    a_referral,
    an_ack,
    an_offer,
    an_sla_breach,
)
from tests.fakes import FakeClock

pytestmark = pytest.mark.unit

CODEC = Codec.default()
CTX = PipelineContext(Topology("mare"), CODEC, shipped_rules(), localize)
ACK_ENCODER = OutgoingEncoder(CODEC)  # shared by the examples below: its kept groups are reused


def emitted(event: WireModel, topic: str) -> list[tuple[WireModel, bytes | None]]:
    """What the pipeline emits for a partner's event, with the body the encoder may splice."""
    raw = CODEC.encode(event)
    record = InboundRecord(topic, 0, 7, 0, b"key", raw, tuple(headers_for(event)))
    result = handle(record, CTX, NetworkMemory(), FakeClock(NOW))
    body = OutgoingEncoder(CODEC).original_body(raw)
    return [(e.event, body) for e in result.emits if not isinstance(e.event, DeliveryNotice)]


def assert_same_bytes(encoder: OutgoingEncoder, event: WireModel, body: bytes | None) -> None:
    assert encoder.encode(event, body) == CODEC.encode(event)
    assert encoder.headers(event) == tuple(headers_for(event))


@pytest.mark.parametrize(
    ("event", "topic"),
    [
        (an_offer(source_region="paca"), "mare.paca.offer.in"),
        (an_offer(source_region="toscana", target_regions=["corse"]), "mare.toscana.offer.in"),
        (a_referral(source_region="liguria"), "mare.liguria.referral.in"),
        (a_mobility_request(source_region="sardegna"), "mare.sardegna.mobility.in"),
    ],
    ids=["offer-to-all", "offer-to-one", "referral", "mobility"],
)
def test_everything_the_pipeline_emits_is_encoded_as_the_codec_encodes_it(
    event: WireModel, topic: str
) -> None:
    encoder = OutgoingEncoder(CODEC)
    outputs = emitted(event, topic)

    assert len(outputs) >= 3  # RECEIVED, then a delivery and its DELIVERED ack at least
    for output, body in outputs:
        assert_same_bytes(encoder, output, body)
    for output, _ in outputs:  # again, now from what the encoder keeps
        assert_same_bytes(encoder, output, None)


def test_a_rejection_and_its_dead_letter_are_encoded_as_the_codec_encodes_them() -> None:
    encoder = OutgoingEncoder(CODEC)
    spoofed = an_offer(source_region="corse")

    outputs = emitted(spoofed, "mare.paca.offer.in")

    assert {type(e).__name__ for e, _ in outputs} == {"DeadLetter", "Acknowledgement"}
    for output, body in outputs:
        assert_same_bytes(encoder, output, body)


def test_breaches_dead_letters_and_agency_acks_are_encoded_as_the_codec_encodes_them() -> None:
    encoder = OutgoingEncoder(CODEC)
    for event in (an_sla_breach(), a_dead_letter(), an_ack(), an_ack(reason="«raison»")):
        assert_same_bytes(encoder, event, None)


@settings(max_examples=200, deadline=None)
@given(
    status=st.sampled_from(list(AckStatus)),
    region=st.sampled_from(["paca", "corse", "toscana", "sardegna", "liguria"]),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 30),
    deadline=st.booleans(),
    reason=st.none() | st.text(min_size=1, max_size=40).filter(str.strip),
)
def test_acknowledgements_share_encoded_groups_without_mixing_their_values(
    status: AckStatus, region: str, minutes: int, deadline: bool, reason: str | None
) -> None:
    encoder = ACK_ENCODER
    fields: dict[str, Any] = {
        "status": status,
        "region": region,
        "occurred_at": NOW + timedelta(minutes=minutes),
        "reason": reason,
        "reason_code": None if reason is None else "SIRET_INVALID",
    }
    if status is AckStatus.REJECTED:
        fields["reason_code"] = "SIRET_INVALID"
    if status is AckStatus.DEADLINE_EXTENDED:
        fields["extended_until"] = NOW + timedelta(days=30, minutes=minutes)
    if deadline:
        fields["deadline"] = NOW + timedelta(hours=48, minutes=minutes)
        fields["deadline_kind"] = DeadlineKind.EMPLOYER_CONTACT_48H
    ack = an_ack(**fields)

    assert encoder.encode(ack) == CODEC.encode(ack)


def test_groups_must_cover_the_fields_in_schema_order() -> None:
    schema = CODEC.current["Acknowledgement"].schema
    names = [f["name"] for f in schema["fields"]]

    with pytest.raises(ValueError, match="do not cover"):
        SplicedRecord(schema, [((names[1], names[0], *names[2:]), "reuse")])


def test_only_a_uuid_field_is_written_from_its_text() -> None:
    schema = CODEC.current["Acknowledgement"].schema
    names = tuple(f["name"] for f in schema["fields"])

    with pytest.raises(ValueError, match="not one uuid field"):
        SplicedRecord(schema, [(names[:2], "uuid"), (names[2:], "each")])
    with pytest.raises(ValueError, match="not one uuid field"):
        SplicedRecord(schema, [(names[:2], "each"), (names[2:3], "uuid"), (names[3:], "each")])


def test_kept_groups_are_forgotten_past_their_bound() -> None:
    schema = CODEC.current["Acknowledgement"].schema
    names = tuple(f["name"] for f in schema["fields"])
    spliced = SplicedRecord(schema, [(names[:1], "uuid"), (names[1:], "reuse")], kept=2)
    acks = [an_ack(region=region) for region in ("paca", "corse", "toscana")]

    for ack in acks * 2:
        assert spliced.encode(ack.__dict__) == CODEC.encode(ack)[10:]
