"""Two workers in one consumer group: each SLA clock runs in exactly one of them."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from agents.acknowledger import DeliveryNotice, acknowledger_loop, subject_key
from broker.models import SlaBreached
from broker.settings import Settings
from broker.topology import Topology
from tests.partner import Reader, publish

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
        for loop in (first, second):
            loop.stop()
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    breaches = [(x.topic, x.event) for x in got if isinstance(x.event, SlaBreached)]
    assert sorted(topic for topic, _ in breaches) == sorted(
        [t.acks_out("corse").name, t.acks_out("paca").name]
    ), "one breach to each region, from one worker"
    assert {b.offer_id for _, b in breaches} == {notice.subject_id}


async def _until(done: object, what: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not done():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.1)
