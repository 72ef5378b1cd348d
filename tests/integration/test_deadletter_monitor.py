"""A Faust agent of the project, consuming and producing through a real Kafka."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from broker.settings import Settings
from broker.topology import Topology
from tests.processes import MareProcess, mare_env

pytestmark = pytest.mark.integration


async def _send_dead_letters(bootstrap: str, topic: str, code: str, count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for _ in range(count):
            await producer.send(
                topic,
                b"payload",
                key=code.encode(),
                headers=[("mare_error_code", code.encode()), ("mare_region", b"paca")],
            )
        await producer.flush()
    finally:
        await producer.stop()


async def _alerts(bootstrap: str, topic: str, expected: int) -> list[dict[str, object]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    found: list[dict[str, object]] = []
    try:
        async with asyncio.timeout(60):
            while len(found) < expected:
                batch = await consumer.getmany(timeout_ms=500)
                found += [json.loads(r.value) for rs in batch.values() for r in rs if r.value]
        await asyncio.sleep(1.0)  # anything more than expected would show up now
        batch = await consumer.getmany(timeout_ms=500)
        found += [json.loads(r.value) for rs in batch.values() for r in rs if r.value]
    finally:
        await consumer.stop()
    return found


async def test_monitor_alerts_on_first_tenth_and_hundredth_dead_letter_across_restarts(
    settings: Settings, fresh_topics: Topology, kafka_bootstrap: str
) -> None:
    env = mare_env(settings)
    deadletter, alerts = fresh_topics.deadletter.name, fresh_topics.operator_alerts.name

    worker = MareProcess(["worker"], env)
    try:
        await asyncio.to_thread(worker.wait_for, "worker_ready")
        await _send_dead_letters(kafka_bootstrap, deadletter, "SIRET_INVALID", 10)
        first_run = await _alerts(kafka_bootstrap, alerts, 2)
    finally:
        worker.stop()

    restarted = MareProcess(["worker"], env)
    try:
        await asyncio.to_thread(restarted.wait_for, "worker_ready")
        await _send_dead_letters(kafka_bootstrap, deadletter, "SIRET_INVALID", 90)
        both_runs = await _alerts(kafka_bootstrap, alerts, 3)
    finally:
        restarted.stop()

    assert [a["count"] for a in first_run] == [1, 10]
    assert [a["count"] for a in both_runs] == [1, 10, 100]
    assert {a["error_code"] for a in both_runs} == {"SIRET_INVALID"}
    assert {a["region"] for a in both_runs} == {"paca"}
