"""A worker killed with SIGKILL mid-stream: nothing lost, nothing delivered twice, clocks right,
as aiokafka and librdkafka read it."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from broker.models import Acknowledgement, AckStatus, OfferDelivery, SlaBreached
from broker.regions import region_keys
from broker.settings import Settings
from broker.topology import Kind, Topology
from tests import factories as f
from tests.integration.test_network import all_outbound, start_worker
from tests.partner import Reader, as_record, publish, read_all_with_librdkafka

pytestmark = pytest.mark.integration

OFFERS = 300


def offers_from_every_region() -> list:  # type: ignore[type-arg]
    regions = list(region_keys())
    offers = []
    for i in range(OFFERS):
        source = regions[i % len(regions)]
        others = [r for r in regions if r != source]
        offers.append(
            f.an_offer(source_region=source, target_regions=[others[i % 4], others[(i + 1) % 4]])
        )
    return offers


async def test_a_killed_worker_restarts_with_nothing_lost_or_duplicated_and_clocks_intact(
    settings: Settings, fresh_topics: Topology, kafka_bootstrap: str
) -> None:
    t = fresh_topics
    offers = offers_from_every_region()
    records = [
        as_record(t.inbound(o.source_region, Kind.OFFER).name, o.offer_id, o) for o in offers
    ]

    worker = start_worker(settings)
    async with Reader(kafka_bootstrap, all_outbound(t)) as reader:
        try:
            for start in range(0, OFFERS, 25):
                await publish(kafka_bootstrap, records[start : start + 25])
                await reader.poll(50)
                if start == 100:
                    await reader.until(
                        lambda got: any(isinstance(r.event, OfferDelivery) for r in got), settle=0
                    )
                    worker.kill()  # mid-stream, no clean-up
        finally:
            worker.stop()
        assert worker.proc.returncode == -9

        restarted = start_worker(settings)
        try:
            got = await reader.until(
                lambda got: sum(isinstance(r.event, OfferDelivery) for r in got) >= 2 * OFFERS,
                within=180,
                settle=3.0,
            )
            deliveries = Counter(
                (r.event.offer.offer_id, r.event.destination_region)
                for r in got
                if isinstance(r.event, OfferDelivery)
            )
            statuses = Counter(
                (a.acknowledged_event_id, a.status, a.region)
                for a in (r.event for r in got)
                if isinstance(a, Acknowledgement)
            )

            # Event time jumps 49 hours: every employer is still uncontacted.
            late = f.an_offer(
                source_region="paca",
                target_regions=["corse"],
                occurred_at=offers[0].occurred_at + timedelta(hours=49),
            )
            await publish(
                kafka_bootstrap,
                [as_record(t.inbound("paca", Kind.OFFER).name, late.offer_id, late)],
            )
            got = await reader.until(
                lambda got: sum(isinstance(r.event, SlaBreached) for r in got) >= 4 * OFFERS,
                within=120,
                settle=3.0,
            )
        finally:
            restarted.stop()
        got = await reader.until(lambda got: True, settle=2.0)  # all the worker wrote

    # An independent client, librdkafka, reads exactly what aiokafka read: every committed
    # record once, nothing of the transaction the kill aborted.
    topics = all_outbound(t)
    independent = await asyncio.to_thread(read_all_with_librdkafka, kafka_bootstrap, topics)
    by_librdkafka = Counter((topic, headers["ce_id"]) for topic, _, headers in independent)
    assert by_librdkafka == Counter((r.topic, r.headers["ce_id"]) for r in got)
    assert set(by_librdkafka.values()) == {1}

    expected = {(o.offer_id, d) for o in offers for d in o.target_regions}
    assert set(deliveries) == expected
    assert set(deliveries.values()) == {1}, "a delivery was written twice"
    for offer in offers:
        assert statuses[(offer.event_id, AckStatus.RECEIVED, offer.source_region)] == 1
        for destination in offer.target_regions:
            assert statuses[(offer.event_id, AckStatus.DELIVERED, destination)] == 1
    breaches = Counter(
        (r.topic, r.event.offer_id, r.event.destination_region)
        for r in got
        if isinstance(r.event, SlaBreached)
    )
    assert set(breaches.values()) == {1}, "a breach was emitted twice"
    assert {(o, d) for _, o, d in breaches} == expected
    assert len(breaches) == 2 * len(expected)  # to the offer's region and to the destination
