"""Two workers in one consumer group: each SLA clock runs in exactly one of them, and a
referral reaches the region of an offer the other worker took in."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import TopicPartition

from agents.acknowledger import DeliveryNotice, acknowledger_loop, subject_key
from agents.pipeline import pipeline_loop
from broker.models import DeadLetter, OfferDelivery, ReferralDelivery, SlaBreached
from broker.partitioning import murmur2
from broker.processor import TransactionalLoop
from broker.settings import Settings
from broker.topology import Kind, TopicSpec, Topology
from tests import factories as f
from tests.partner import Reader, as_record, publish

pytestmark = pytest.mark.integration

# When the employer-contact deadline passes: after both workers restored their state.
DUE_IN = timedelta(seconds=20)


async def test_a_second_worker_does_not_run_the_clocks_of_subjects_it_does_not_read(
    settings: Settings, fresh_topics: Topology, kafka_bootstrap: str
) -> None:
    t = fresh_topics
    now = datetime.now(UTC)
    notice = DeliveryNotice(
        kind="OFFER",
        subject_id="paca-offer-scale-1",
        origin_region="paca",
        original_event_id=uuid.uuid4(),
        published_at=now - timedelta(hours=48) + DUE_IN,
        destinations=("corse",),
        occurred_at=now,
    )
    first = acknowledger_loop(settings, kafka_bootstrap)
    second = acknowledger_loop(
        settings.model_copy(update={"worker_id": f"{settings.worker_id}-b"}), kafka_bootstrap
    )
    running = [asyncio.create_task(first.run_forever())]
    try:
        acks = [t.acks_out("paca").name, t.acks_out("corse").name]
        async with Reader(kafka_bootstrap, acks) as r:
            await asyncio.wait_for(first.ready.wait(), 60)
            key = subject_key(notice.kind, notice.subject_id)
            await publish(
                kafka_bootstrap,
                [
                    (
                        t.sla_input.name,
                        key.encode(),
                        notice.model_dump_json().encode(),
                        [("content-type", b"application/json")],
                    )
                ],
            )
            await _until(lambda: first.stats.records >= 1, "the first worker read the notice")
            # The second worker joins: both restore their state in the rebalance.
            restored = first.restorations
            running.append(asyncio.create_task(second.run_forever()))
            await _until(
                lambda: first.restorations > restored and second.restorations >= 1,
                "both workers restored their state",
            )
            assert datetime.now(UTC) < notice.published_at + timedelta(hours=48), "too slow"

            got = await r.until(
                lambda got: sum(isinstance(x.event, SlaBreached) for x in got) >= 2,
                within=60,
                settle=5.0,  # several idle ticks of both workers
            )
    finally:
        await _stop((first, second), running)

    breaches = [(x.topic, x.event) for x in got if isinstance(x.event, SlaBreached)]
    assert sorted(topic for topic, _ in breaches) == sorted(
        [t.acks_out("corse").name, t.acks_out("paca").name]
    ), "one breach to each region, from one worker"
    assert {b.offer_id for _, b in breaches} == {notice.subject_id}


async def test_a_referral_reaches_the_region_of_an_offer_the_other_worker_took_in(
    settings: Settings, fresh_topics: Topology, kafka_bootstrap: str
) -> None:
    t = fresh_topics
    first = pipeline_loop(settings, kafka_bootstrap)
    second = pipeline_loop(
        settings.model_copy(update={"worker_id": f"{settings.worker_id}-b"}), kafka_bootstrap
    )
    running = [asyncio.create_task(loop.run_forever()) for loop in (first, second)]
    inbound = {
        TopicPartition(spec.name, p) for spec in t.inbound_topics() for p in range(spec.partitions)
    }
    try:
        await _until(
            lambda: (
                first.assigned | second.assigned == inbound
                and not first.assigned & second.assigned
                and first.ready.is_set()
                and second.ready.is_set()
            ),
            "the two workers share the inbound partitions",
        )
        # An offer from Provence read by the first worker; a referral from Liguria naming it,
        # with no target region, read by the second.
        offers, referrals = t.inbound("paca", Kind.OFFER), t.inbound("liguria", Kind.REFERRAL)
        offer = _keyed_for(first, offers, lambda: f.an_offer(target_regions=["corse"]))
        referral = _keyed_for(
            second, referrals, lambda: f.a_referral(offer_id=offer.offer_id, target_regions=[])
        )
        watched = [t.outbound("corse", Kind.OFFER).name, t.outbound("paca", Kind.REFERRAL).name]
        async with Reader(kafka_bootstrap, [*watched, t.deadletter.name]) as reader:
            await publish(kafka_bootstrap, [as_record(offers.name, offer.offer_id, offer)])
            await reader.until(
                lambda got: any(isinstance(r.event, OfferDelivery) for r in got), settle=1.0
            )
            record = as_record(referrals.name, referral.referral_id, referral)
            await publish(kafka_bootstrap, [record])
            got = await reader.until(
                lambda got: any(isinstance(r.event, (ReferralDelivery, DeadLetter)) for r in got)
            )
    finally:
        await _stop((first, second), running)

    letters = [r.event for r in got if isinstance(r.event, DeadLetter)]
    assert letters == []
    [delivery] = [r.event for r in got if isinstance(r.event, ReferralDelivery)]
    assert delivery.destination_region == "paca"
    assert delivery.original.referral_id == referral.referral_id


def _keyed_for(loop: TransactionalLoop, spec: TopicSpec, make: Any) -> Any:
    """An event from ``make`` whose key lands in a partition of ``spec`` that ``loop`` reads."""
    for _ in range(1000):
        event = make()
        partition = (murmur2(getattr(event, spec.key).encode()) & 0x7FFFFFFF) % spec.partitions
        if TopicPartition(spec.name, partition) in loop.assigned:
            return event
    raise AssertionError(f"no key of {spec.name} lands in a partition of {loop.name}")


async def _stop(loops: tuple[TransactionalLoop, ...], running: list[asyncio.Task[None]]) -> None:
    for loop in loops:
        loop.stop()
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)


async def _until(done: Callable[[], bool], what: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.1)
