"""A partner agency's Kafka client, as an integration test plays it: plain aiokafka, SOE bytes,
CloudEvents headers, read_committed consumers; and, as an independent client, librdkafka
(confluent-kafka), the C client most non-Java partner stacks are built on."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition

from broker.cloudevents import headers_for
from broker.codec import Codec
from broker.models import WireModel

CODEC = Codec.default()


@dataclass(frozen=True)
class Received:
    topic: str
    key: bytes | None
    event: WireModel
    headers: dict[str, bytes]


async def publish(
    bootstrap: str, records: Iterable[tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]]
) -> None:
    """Produce raw records (topic, key, value, headers) with acks=all."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for topic, key, value, headers in records:
            await producer.send(topic, value, key=key, headers=headers)
        await producer.flush()
    finally:
        await producer.stop()


def as_record(
    topic: str, key: str, event: WireModel
) -> tuple[str, bytes, bytes, list[tuple[str, bytes]]]:
    return topic, key.encode(), CODEC.encode(event), headers_for(event)


class Reader:
    """Reads committed records from topics, decoding every value."""

    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        self.consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            isolation_level="read_committed",
        )
        self.received: list[Received] = []

    async def __aenter__(self) -> Reader:
        await self.consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.consumer.stop()

    async def poll(self, timeout_ms: int = 300) -> None:
        batch = await self.consumer.getmany(timeout_ms=timeout_ms)
        for records in batch.values():
            for r in records:
                self.received.append(
                    Received(r.topic, r.key, CODEC.decode(r.value), {k: v for k, v in r.headers})
                )

    async def until(
        self, done: Callable[[list[Received]], bool], within: float = 90.0, settle: float = 1.5
    ) -> list[Received]:
        """Poll until ``done`` holds, then a little longer so extra records would show."""
        async with asyncio.timeout(within):
            while not done(self.received):
                await self.poll()
        loop = asyncio.get_running_loop()
        end = loop.time() + settle
        while loop.time() < end:
            await self.poll(200)
        return self.received

    def by_topic(self) -> dict[str, list[WireModel]]:
        grouped: dict[str, list[WireModel]] = defaultdict(list)
        for r in self.received:
            grouped[r.topic].append(r.event)
        return grouped


def read_all_with_librdkafka(
    bootstrap: str, topics: list[str], within: float = 60.0
) -> list[tuple[str, bytes | None, dict[str, bytes]]]:
    """Every committed record of ``topics`` as librdkafka reads it (read_committed, from the
    beginning): topic, key and headers of each, in log order per partition.

    Reads until every partition's position reaches its high watermark, which read_committed
    reaches once no transaction is open; fails rather than return less after ``within``.
    """
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"librdkafka-reader-{uuid.uuid4().hex[:8]}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    try:
        metadata = consumer.list_topics(timeout=10)
        partitions = [
            TopicPartition(topic, p, OFFSET_BEGINNING)
            for topic in topics
            for p in metadata.topics[topic].partitions
        ]
        consumer.assign(partitions)
        ends = {
            (tp.topic, tp.partition): consumer.get_watermark_offsets(tp, timeout=10)[1]
            for tp in partitions
        }
        read: list[tuple[str, bytes | None, dict[str, bytes]]] = []
        deadline = time.monotonic() + within
        while True:
            for message in consumer.consume(500, timeout=0.5):
                if message.error():
                    raise KafkaException(message.error())
                headers = {k: v for k, v in message.headers() or [] if v is not None}
                read.append((message.topic(), message.key(), headers))
            positions = consumer.position(partitions)
            behind = [
                tp
                for tp in positions
                if ends[(tp.topic, tp.partition)] > 0 and tp.offset < ends[(tp.topic, tp.partition)]
            ]
            if not behind:
                return read
            if time.monotonic() > deadline:
                raise AssertionError(f"librdkafka did not reach the end of {behind}")
    finally:
        consumer.close()
