"""The managed Apache Kafka: really started, really stopped, data really kept."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from broker.local_kafka import LocalKafka
from broker.settings import Settings
from tests.conftest import kafka_version
from tests.processes import java_pids_under, wait_until

pytestmark = pytest.mark.integration

CACHE = Settings().cache_dir


async def _produce(
    bootstrap: str,
    topic: str,
    count: int,
    *,
    partitions: int = 1,
    replication: int = 1,
    create: bool = True,
) -> None:
    if create:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            if topic not in await admin.list_topics():
                await admin.create_topics([NewTopic(topic, partitions, replication)])
        finally:
            await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for i in range(count):
            await producer.send(topic, f"record-{i}".encode(), key=str(i).encode())
        await producer.flush()
    finally:
        await producer.stop()


async def _read_all(bootstrap: str, topic: str, partition: int = 0) -> list[bytes]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, partition)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        end = (await consumer.end_offsets([tp]))[tp]
        values: list[bytes] = []
        while await consumer.position(tp) < end:
            batch = await consumer.getmany(tp, timeout_ms=2000)
            values += [r.value for r in batch.get(tp, []) if r.value is not None]
        return values
    finally:
        await consumer.stop()


def test_killing_the_parent_with_sigkill_leaves_no_broker_behind(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from broker.local_kafka import LocalKafka\n"
        f"k = LocalKafka({kafka_version()!r}, Path({str(tmp_path)!r}), Path({str(CACHE)!r}))\n"
        "k.start()\n"
        "print('READY', k.pids[0], flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    line = ""
    for line in parent.stdout:
        if line.startswith("READY"):
            break
    assert line.startswith("READY"), line
    assert java_pids_under(tmp_path) == [int(line.split()[1])]

    parent.send_signal(signal.SIGKILL)
    parent.wait(10)

    assert wait_until(lambda: not java_pids_under(tmp_path), timeout=60), java_pids_under(tmp_path)


async def test_data_survives_a_broker_restart_on_the_same_ports(tmp_path: Path) -> None:
    kafka = LocalKafka(kafka_version(), tmp_path, CACHE)
    first = kafka.start()
    try:
        await _produce(first, "survivor", 50)
    finally:
        kafka.stop()
    assert not java_pids_under(tmp_path)

    second = kafka.start()
    try:
        assert second == first
        values = await _read_all(second, "survivor")
    finally:
        kafka.stop()

    assert values == [f"record-{i}".encode() for i in range(50)]


async def _wait_for_new_leader(bootstrap: str, topic: str, killed: int) -> None:
    """The controller moves leadership off a killed node within seconds; wait for it."""
    async with asyncio.timeout(60):
        while True:
            admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
            try:
                await admin.start()
                described = await admin.describe_topics([topic])
            except KafkaError:  # metadata may still name the dead node for a moment
                described = None
            finally:
                await admin.close()
            leaders = {p["leader"] for p in described[0]["partitions"]} if described else {-1}
            if killed not in leaders and -1 not in leaders:
                return
            await asyncio.sleep(0.5)


async def test_three_nodes_lose_no_acked_record_when_a_leader_is_killed(tmp_path: Path) -> None:
    kafka = LocalKafka(kafka_version(), tmp_path, CACHE, nodes=3, heap="384m")
    bootstrap = kafka.start()
    try:
        await _produce(bootstrap, "resilient", 200, replication=3)
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics(["resilient"])
        finally:
            await admin.close()
        partition = described[0]["partitions"][0]
        assert len(partition["replicas"]) == 3
        killed = partition["leader"]
        kafka.kill_node(killed)
        survivors = ",".join(
            address for i, address in enumerate(bootstrap.split(","), start=1) if i != killed
        )
        await _wait_for_new_leader(survivors, "resilient", killed)

        await _produce(survivors, "resilient", 200, replication=3, create=False)
        values = await _read_all(survivors, "resilient")
    finally:
        kafka.stop()

    assert len(values) == 400
