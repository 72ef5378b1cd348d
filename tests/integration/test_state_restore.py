"""A loop rebuilds its state from every partition its state topic has, whatever the topology
says today: a network created with other partition counts keeps them (Kafka never takes
partitions away), and keeps its state."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import ConsumerRecord

from broker.processor import BatchOutput, TransactionalLoop
from broker.settings import Settings
from broker.topology import Kind, Topology

pytestmark = pytest.mark.integration


class RememberingHandler:
    """A handler that only remembers what the changelog told it."""

    def __init__(self) -> None:
        self.state: dict[str, bytes | None] = {}

    def reset(self) -> None:
        self.state = {}

    def restore(self, key: str, value: bytes | None) -> None:
        self.state[key] = value

    def process(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> BatchOutput:
        return BatchOutput()

    def idle(self) -> BatchOutput:
        return BatchOutput()


async def test_state_is_restored_from_every_partition_of_an_older_wider_topic(
    settings: Settings, kafka_bootstrap: str
) -> None:
    topology = Topology(settings.topic_namespace)
    state_topic = topology.seen_events.name
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        wider = topology.seen_events.partitions + 2
        await admin.create_topics([NewTopic(state_topic, wider, 1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for partition in range(wider):
            await producer.send_and_wait(
                state_topic,
                f"fact-{partition}".encode(),
                key=f"p{partition}".encode(),
                partition=partition,
            )
    finally:
        await producer.stop()
    handler = RememberingHandler()
    loop = TransactionalLoop(
        settings,
        kafka_bootstrap,
        name="restore",
        group_id=f"{settings.app_id}-restore",
        topics=[topology.inbound("paca", Kind.OFFER).name],
        handler=handler,
        state_topic=state_topic,
    )

    await loop.restore_state()

    assert handler.state == {f"p{p}": f"fact-{p}".encode() for p in range(wider)}
