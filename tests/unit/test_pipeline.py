"""The pipeline core, record by record: every input ends in exactly one outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agents.acknowledger import DeliveryNotice
from agents.ingest import InboundRecord
from agents.pipeline import NetworkMemory, PipelineContext, PipelineResult, handle
from agents.router import shipped_rules
from broker.cloudevents import headers_for
from broker.codec import Codec
from broker.models import (
    Acknowledgement,
    AckStatus,
    DeadLetter,
    JobOffer,
    OfferDelivery,
    TranslatedField,
)
from broker.topology import Topology
from tests.factories import NOW, a_referral, an_ack, an_offer
from tests.fakes import FakeClock

pytestmark = pytest.mark.unit

TOPOLOGY = Topology("mare")
CODEC = Codec.default()


def no_translation(_event: object, _destination: str) -> list[TranslatedField]:
    return []


CLOCK = FakeClock(NOW)
CTX = PipelineContext(TOPOLOGY, CODEC, shipped_rules(), no_translation)


def on_topic(topic: str, value: bytes | None, offset: int = 0) -> InboundRecord:
    return InboundRecord(topic, 0, offset, 0, b"key", value)


def test_an_offer_is_acknowledged_and_delivered_to_every_other_region() -> None:
    offer = an_offer(source_region="paca")

    result = handle(
        on_topic("mare.paca.offer.in", CODEC.encode(offer)), CTX, NetworkMemory(), CLOCK
    )

    assert result.outcome == "accepted"
    deliveries = [e for e in result.emits if isinstance(e.event, OfferDelivery)]
    assert sorted(e.topic for e in deliveries) == [
        "mare.corse.offer.out",
        "mare.liguria.offer.out",
        "mare.sardegna.offer.out",
        "mare.toscana.offer.out",
    ]
    acks = [
        e.event
        for e in result.emits
        if isinstance(e.event, Acknowledgement) and e.topic == "mare.paca.ack.out"
    ]
    assert [a.status for a in acks].count(AckStatus.RECEIVED) == 1
    assert sorted(a.region for a in acks if a.status == AckStatus.DELIVERED) == [
        "corse",
        "liguria",
        "sardegna",
        "toscana",
    ]
    assert all(e.key == offer.offer_id for e in result.emits if e.topic != "mare.internal.sla")
    assert result.remember[f"offer:{offer.offer_id}"] == "paca"


def test_a_delivered_offer_tells_the_sender_its_48_hour_deadline() -> None:
    offer = an_offer(source_region="toscana", target_regions=["paca"])

    result = handle(
        on_topic("mare.toscana.offer.in", CODEC.encode(offer)), CTX, NetworkMemory(), CLOCK
    )

    delivered = next(
        e.event
        for e in result.emits
        if isinstance(e.event, Acknowledgement) and e.event.status == AckStatus.DELIVERED
    )
    assert isinstance(delivered, Acknowledgement)
    assert delivered.deadline == offer.occurred_at + timedelta(hours=48)


def test_the_same_event_twice_is_a_counted_duplicate_with_nothing_emitted() -> None:
    memory = NetworkMemory()
    raw = CODEC.encode(an_offer())
    first = handle(on_topic("mare.paca.offer.in", raw), CTX, memory, CLOCK)
    for key, value in first.remember.items():
        memory.apply(key, value)

    again = handle(on_topic("mare.paca.offer.in", raw, offset=1), CTX, memory, CLOCK)

    assert again.outcome == "duplicate"
    assert again.emits == []


def test_an_offer_published_in_another_regions_name_is_rejected_and_the_topic_owner_told() -> None:
    spoofed = an_offer(source_region="toscana")

    result = handle(
        on_topic("mare.paca.offer.in", CODEC.encode(spoofed)), CTX, NetworkMemory(), CLOCK
    )

    assert result.outcome == "rejected"
    assert result.error_code == "SOURCE_REGION_MISMATCH"
    letter = next(e.event for e in result.emits if e.topic == "mare.deadletter")
    assert isinstance(letter, DeadLetter)
    assert letter.fields == ["source_region"]
    assert letter.language == "fr"
    rejected = next(e.event for e in result.emits if e.topic == "mare.paca.ack.out")
    assert isinstance(rejected, Acknowledgement)
    assert rejected.status == AckStatus.REJECTED
    assert rejected.reason_code == "SOURCE_REGION_MISMATCH"


def test_a_referral_on_the_offer_topic_is_rejected_as_the_wrong_kind() -> None:
    referral = a_referral(source_region="paca")

    result = handle(
        on_topic("mare.paca.offer.in", CODEC.encode(referral)), CTX, NetworkMemory(), CLOCK
    )

    assert result.error_code == "KIND_MISMATCH"


def test_garbage_goes_to_the_dead_letter_topic_only() -> None:
    result = handle(on_topic("mare.liguria.offer.in", b"\x00garbage"), CTX, NetworkMemory(), CLOCK)

    assert result.outcome == "rejected"
    assert [e.topic for e in result.emits] == ["mare.deadletter"]
    letter = result.emits[0].event
    assert isinstance(letter, DeadLetter)
    assert letter.original_value == b"\x00garbage"
    assert letter.language == "it"


def test_an_agency_acknowledgement_is_handed_to_the_acknowledger_keyed_by_subject() -> None:
    ack = an_ack(
        source_region="toscana",
        source_agency="cpi-firenze",
        region="toscana",
        status="EMPLOYER_CONTACTED",
        subject_id="paca-offer-9",
    )

    result = handle(on_topic("mare.toscana.ack.in", CODEC.encode(ack)), CTX, NetworkMemory(), CLOCK)

    assert [(e.topic, e.key) for e in result.emits] == [("mare.internal.sla", "OFFER:paca-offer-9")]


def test_a_referral_for_a_known_offer_reaches_the_offers_region() -> None:
    memory = NetworkMemory(offer_owner={"corse-offer-7": "corse"})
    referral = a_referral(source_region="liguria", offer_id="corse-offer-7", target_regions=[])

    result = handle(
        on_topic("mare.liguria.referral.in", CODEC.encode(referral)), CTX, memory, CLOCK
    )

    assert [e.topic for e in result.emits if e.topic.endswith(".out") and "ack" not in e.topic] == [
        "mare.corse.referral.out"
    ]


def test_deliveries_and_acknowledgements_have_the_same_ids_on_replay() -> None:
    raw = CODEC.encode(an_offer())

    first = handle(on_topic("mare.paca.offer.in", raw), CTX, NetworkMemory(), CLOCK)
    replay = handle(on_topic("mare.paca.offer.in", raw, 5), CTX, NetworkMemory(), CLOCK)

    def ids(result: PipelineResult) -> list[object]:
        return [e.event.event_id for e in result.emits if not isinstance(e.event, DeliveryNotice)]

    assert ids(first) == ids(replay)
    assert [e.event for e in first.emits if isinstance(e.event, DeliveryNotice)] == [
        e.event for e in replay.emits if isinstance(e.event, DeliveryNotice)
    ]


def test_every_emitted_event_encodes_and_decodes() -> None:
    result = handle(
        on_topic("mare.paca.offer.in", CODEC.encode(an_offer())), CTX, NetworkMemory(), CLOCK
    )

    notices = [e.event for e in result.emits if isinstance(e.event, DeliveryNotice)]
    for emit in result.emits:
        if not isinstance(emit.event, DeliveryNotice):
            assert CODEC.decode(CODEC.encode(emit.event)) == emit.event
    assert [n.destinations for n in notices] == [("corse", "liguria", "sardegna", "toscana")]
    assert isinstance(CODEC.decode(CODEC.encode(an_offer())), JobOffer)


def test_cloudevent_headers_naming_another_event_are_rejected() -> None:
    offer = an_offer()
    other = an_offer()
    record = InboundRecord(
        "mare.paca.offer.in", 0, 0, 0, b"k", CODEC.encode(offer), tuple(headers_for(other))
    )

    result = handle(record, CTX, NetworkMemory(), CLOCK)

    assert result.error_code == "CLOUDEVENT_HEADERS_INVALID"


def test_matching_cloudevent_headers_are_accepted() -> None:
    offer = an_offer()
    record = InboundRecord(
        "mare.paca.offer.in", 0, 0, 0, b"k", CODEC.encode(offer), tuple(headers_for(offer))
    )

    assert handle(record, CTX, NetworkMemory(), CLOCK).outcome == "accepted"


def test_a_refused_agency_acknowledgement_is_answered_with_a_rejection() -> None:
    spoofed = an_ack(
        source_region="liguria",
        source_agency="cpi-genova",
        region="liguria",
        status="EMPLOYER_CONTACTED",
    )

    result = handle(
        on_topic("mare.toscana.ack.in", CODEC.encode(spoofed)), CTX, NetworkMemory(), CLOCK
    )

    told = [e.event for e in result.emits if e.topic == "mare.toscana.ack.out"]
    assert [(a.status, a.reason_code) for a in told if isinstance(a, Acknowledgement)] == [
        (AckStatus.REJECTED, "SOURCE_REGION_MISMATCH")
    ]


def test_each_refused_record_gets_its_own_rejection_id() -> None:
    raw = CODEC.encode(an_offer(source_region="toscana"))

    first = handle(on_topic("mare.paca.offer.in", raw, offset=1), CTX, NetworkMemory(), CLOCK)
    again = handle(on_topic("mare.paca.offer.in", raw, offset=2), CTX, NetworkMemory(), CLOCK)
    replay = handle(on_topic("mare.paca.offer.in", raw, offset=1), CTX, NetworkMemory(), CLOCK)

    ids = [
        [e.event.event_id for e in r.emits if isinstance(e.event, Acknowledgement)]
        for r in (first, again, replay)
    ]
    assert ids[0] != ids[1]
    assert ids[0] == ids[2]


def test_everything_the_pipeline_builds_without_validation_is_valid() -> None:
    offer = an_offer(source_region="paca")

    result = handle(
        on_topic("mare.paca.offer.in", CODEC.encode(offer)), CTX, NetworkMemory(), CLOCK
    )

    for emit in result.emits:
        event = emit.event
        assert type(event).model_validate(event.model_dump()) == event


def test_confluent_framed_events_are_accepted_once_their_schema_id_is_registered() -> None:
    from agents.pipeline import codec_for
    from broker.settings import Settings

    codec = codec_for(Settings(confluent_schema_ids={42: "JobOffer.v2"}))
    ctx = PipelineContext(TOPOLOGY, codec, shipped_rules(), no_translation)
    offer = an_offer()
    framed = codec.encode_confluent(offer, 42)

    assert (
        handle(on_topic("mare.paca.offer.in", framed), ctx, NetworkMemory(), CLOCK).outcome
        == "accepted"
    )
    assert (
        handle(on_topic("mare.paca.offer.in", framed), CTX, NetworkMemory(), CLOCK).error_code
        == "SCHEMA_UNKNOWN"
    )


def test_remembered_event_ids_are_found_again_and_nothing_else() -> None:
    memory = NetworkMemory()
    offer = an_offer()
    memory.apply(f"seen:{offer.event_id}", "1")

    assert offer.event_id in memory.seen
    assert an_offer().event_id not in memory.seen
    assert str(offer.event_id) not in memory.seen  # ids are UUIDs, never their text
    assert len(memory.seen) == 1
