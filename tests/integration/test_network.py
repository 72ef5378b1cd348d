"""The five-region network on a real Kafka, driven as partner agencies drive it.

A worker (`mare worker`, event-time clock) runs the pipeline and the acknowledger; the test
publishes into inbound topics and reads every outbound and acknowledgement topic with
read_committed consumers, as the regions' agencies do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest

from broker.models import (
    Acknowledgement,
    AckStatus,
    DeadLetter,
    MobilityRequestDelivery,
    OfferDelivery,
    ReferralDelivery,
    SlaBreached,
    TranslationQuality,
)
from broker.regions import region_keys
from broker.settings import Settings
from broker.topology import Kind, Topology
from tests import factories as f
from tests.bad_inputs import BAD_INPUTS
from tests.partner import CODEC, Reader, Received, as_record, publish
from tests.processes import MareProcess, mare_env

pytestmark = pytest.mark.integration


def start_worker(settings: Settings) -> MareProcess:
    worker = MareProcess(["worker"], mare_env(settings, MARE_CLOCK="event"))
    worker.wait_for("worker_ready")
    _wait_loops_ready(worker)
    return worker


def _wait_loops_ready(worker: MareProcess, timeout: float = 90.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = {e.get("loop") for e in worker.events() if e.get("event") == "loop_ready"}
        if {"pipeline", "acknowledger"} <= ready:
            return
        time.sleep(0.2)
    raise AssertionError("loops not ready:\n" + "\n".join(worker.lines[-30:]))


@pytest.fixture
def worker(settings: Settings, fresh_topics: Topology) -> Iterator[MareProcess]:
    process = start_worker(settings)
    yield process
    process.stop()


def all_outbound(topology: Topology) -> list[str]:
    names = [
        topology.outbound(r, k).name
        for r in region_keys()
        for k in (Kind.OFFER, Kind.REFERRAL, Kind.MOBILITY)
    ]
    return [*names, *(topology.acks_out(r).name for r in region_keys()), topology.deadletter.name]


def acks(received: list[Received], topic: str) -> list[Acknowledgement]:
    return [r.event for r in received if r.topic == topic and isinstance(r.event, Acknowledgement)]


def count(received: list[Received], kind: type) -> int:
    return sum(isinstance(r.event, kind) for r in received)


async def test_five_regions_exchange_offers_referrals_and_requests_with_acks(
    worker: MareProcess, fresh_topics: Topology, kafka_bootstrap: str
) -> None:
    t = fresh_topics
    paca_offer = f.an_offer(source_region="paca")  # everywhere else
    corse_offer = f.an_offer(source_region="corse", target_regions=["toscana"])
    toscana_offer = f.an_offer(source_region="toscana")
    home_only = f.an_offer(source_region="liguria", cross_border=False)
    offers = [paca_offer, corse_offer, toscana_offer, home_only]
    await publish(
        kafka_bootstrap,
        [as_record(t.inbound(o.source_region, Kind.OFFER).name, o.offer_id, o) for o in offers],
    )
    async with Reader(kafka_bootstrap, all_outbound(t)) as reader:
        await reader.until(lambda got: count(got, OfferDelivery) >= 6)

        genoa_referral = f.a_referral(
            source_region="liguria", offer_id=corse_offer.offer_id, target_regions=[]
        )
        sardinian = f.a_referral(source_region="sardegna", target_regions=["paca"])
        request = f.a_mobility_request(source_region="sardegna", destination_region="corse")
        await publish(
            kafka_bootstrap,
            [
                as_record(
                    t.inbound("liguria", Kind.REFERRAL).name,
                    genoa_referral.referral_id,
                    genoa_referral,
                ),
                as_record(
                    t.inbound("sardegna", Kind.REFERRAL).name, sardinian.referral_id, sardinian
                ),
                as_record(t.inbound("sardegna", Kind.MOBILITY).name, request.request_id, request),
            ],
        )
        got = await reader.until(
            lambda got: (
                count(got, ReferralDelivery) >= 2 and count(got, MobilityRequestDelivery) >= 1
            )
        )

    topics = {r.topic for r in got}
    deliveries = [r for r in got if isinstance(r.event, OfferDelivery)]
    assert sorted(
        (d.event.offer.offer_id, d.event.destination_region) for d in deliveries
    ) == sorted(
        [(paca_offer.offer_id, r) for r in ("corse", "liguria", "sardegna", "toscana")]
        + [(corse_offer.offer_id, "toscana")]
        + [(toscana_offer.offer_id, r) for r in ("corse", "liguria", "paca", "sardegna")]
    )
    for d in deliveries:
        assert d.topic == t.outbound(d.event.destination_region, Kind.OFFER).name
        assert d.key == d.event.offer.offer_id.encode()
        assert d.headers["ce_type"].startswith(b"eu.mare.OfferDelivery")
    to_tuscany = next(
        d.event
        for d in deliveries
        if d.event.offer.offer_id == paca_offer.offer_id and d.event.destination_region == "toscana"
    )
    assert to_tuscany.language == "it"
    assert to_tuscany.offer == paca_offer  # free text verbatim, with its language tag
    occupation = next(x for x in to_tuscany.localization if x.field.startswith("occupation"))
    assert occupation.quality in (TranslationQuality.EXACT, TranslationQuality.APPROXIMATE)
    assert "CP2011" in f"{occupation.value} {occupation.note}"
    to_corsica = next(
        d.event
        for d in deliveries
        if d.event.offer.offer_id == paca_offer.offer_id and d.event.destination_region == "corse"
    )
    assert to_corsica.language == "fr"

    referrals = [r for r in got if isinstance(r.event, ReferralDelivery)]
    assert sorted((r.topic, r.event.referral.referral_id) for r in referrals) == sorted(
        [
            (t.outbound("corse", Kind.REFERRAL).name, genoa_referral.referral_id),
            (t.outbound("paca", Kind.REFERRAL).name, sardinian.referral_id),
        ]
    )
    mobility = [r for r in got if isinstance(r.event, MobilityRequestDelivery)]
    assert [(r.topic, r.event.request.request_id) for r in mobility] == [
        (t.outbound("corse", Kind.MOBILITY).name, request.request_id)
    ]

    for offer, destinations in (
        (paca_offer, 4),
        (corse_offer, 1),
        (toscana_offer, 4),
        (home_only, 0),
    ):
        mine = [
            a
            for a in acks(got, t.acks_out(offer.source_region).name)
            if a.acknowledged_event_id == offer.event_id
        ]
        assert Counter(a.status for a in mine) == Counter(
            {AckStatus.RECEIVED: 1, AckStatus.DELIVERED: destinations}
        ), offer.source_region
    assert t.outbound("liguria", Kind.OFFER).name in topics  # from PACA and Tuscany
    assert not [r for r in got if r.topic == t.deadletter.name]


async def test_duplicates_are_suppressed_and_bad_input_is_dead_lettered_with_a_reason(
    worker: MareProcess, fresh_topics: Topology, kafka_bootstrap: str
) -> None:
    t = fresh_topics
    offer = f.an_offer(source_region="corse", target_regions=["sardegna"])
    record = as_record(t.inbound("corse", Kind.OFFER).name, offer.offer_id, offer)
    spoofed = f.an_offer(source_region="toscana")
    bad_records = []
    for bad in BAD_INPUTS:
        try:
            kind = {"CandidateReferral": Kind.REFERRAL, "MobilityRequest": Kind.MOBILITY}.get(
                CODEC.type_of(bad.value), Kind.OFFER
            )
        except Exception:  # undecodable on purpose: sent where offers go
            kind = Kind.OFFER
        region = bad.region_hint or "paca"
        bad_records.append(
            (
                t.inbound(region, kind).name,
                bad.key,
                bad.value,
                [(k, v) for k, v in bad.headers if v is not None],
            )
        )

    await publish(
        kafka_bootstrap,
        [
            record,
            record,
            record,  # a producer retrying, then an operator replaying
            as_record(t.inbound("paca", Kind.OFFER).name, spoofed.offer_id, spoofed),
            *bad_records,
        ],
    )
    expected_letters = len(BAD_INPUTS) + 1
    async with Reader(kafka_bootstrap, all_outbound(t)) as reader:
        got = await reader.until(
            lambda got: (
                count(got, DeadLetter) >= expected_letters and count(got, OfferDelivery) >= 1
            )
        )

    assert count(got, OfferDelivery) == 1
    received = [a for a in acks(got, t.acks_out("corse").name) if a.status == AckStatus.RECEIVED]
    assert len(received) == 1
    letters = [r.event for r in got if isinstance(r.event, DeadLetter)]
    assert len(letters) == expected_letters
    codes = Counter(letter.error_code for letter in letters)
    assert codes == Counter([b.expected_code for b in BAD_INPUTS] + ["SOURCE_REGION_MISMATCH"])
    spoof = next(letter for letter in letters if letter.error_code == "SOURCE_REGION_MISMATCH")
    assert spoof.fields == ["source_region"]
    assert spoof.language == "fr"
    assert spoof.message_local != spoof.message_en
    consent = next(letter for letter in letters if letter.error_code == "CONSENT_MISSING")
    assert consent.language == "it"
    assert consent.original_topic == t.inbound("liguria", Kind.REFERRAL).name
    told = [a for a in acks(got, t.acks_out("liguria").name) if a.status == AckStatus.REJECTED]
    assert "CONSENT_MISSING" in {a.reason_code for a in told}
    told_paca = acks(got, t.acks_out("paca").name)
    assert any(a.reason_code == "SOURCE_REGION_MISMATCH" for a in told_paca)


async def test_agency_acks_are_relayed_and_an_uncontacted_employer_breaches_after_48_hours(
    worker: MareProcess, fresh_topics: Topology, kafka_bootstrap: str
) -> None:
    t = fresh_topics
    offer = f.an_offer(source_region="paca", target_regions=["toscana", "liguria"])
    await publish(
        kafka_bootstrap, [as_record(t.inbound("paca", Kind.OFFER).name, offer.offer_id, offer)]
    )
    contacted = f.an_ack(
        source_region="toscana",
        source_agency="cpi-livorno",
        region="toscana",
        status="EMPLOYER_CONTACTED",
        subject_id=offer.offer_id,
        acknowledged_event_id=offer.event_id,
        correlation_id=offer.event_id,
        occurred_at=offer.occurred_at + timedelta(hours=20),
    )
    async with Reader(kafka_bootstrap, all_outbound(t)) as reader:
        await reader.until(lambda got: count(got, OfferDelivery) >= 2)
        await publish(
            kafka_bootstrap,
            [as_record(t.inbound("toscana", Kind.ACK).name, offer.offer_id, contacted)],
        )
        await reader.until(
            lambda got: (
                contacted.event_id in {a.event_id for a in acks(got, t.acks_out("paca").name)}
            )
        )
        assert count(reader.received, SlaBreached) == 0

        # Event time moves on: another region publishes two days and one hour later.
        later = f.an_offer(
            source_region="corse",
            target_regions=["sardegna"],
            occurred_at=offer.occurred_at + timedelta(hours=49),
        )
        await publish(
            kafka_bootstrap, [as_record(t.inbound("corse", Kind.OFFER).name, later.offer_id, later)]
        )
        got = await reader.until(lambda got: count(got, SlaBreached) >= 2)

    relayed = next(
        a for a in acks(got, t.acks_out("paca").name) if a.event_id == contacted.event_id
    )
    assert relayed.correlation_id == offer.event_id
    breaches = [
        (r.topic, r.event.destination_region, r.event.deadline_kind)
        for r in got
        if isinstance(r.event, SlaBreached)
    ]
    assert sorted(breaches) == sorted(
        [
            (t.acks_out("paca").name, "liguria", "EMPLOYER_CONTACT_48H"),
            (t.acks_out("liguria").name, "liguria", "EMPLOYER_CONTACT_48H"),
        ]
    )
