"""A partner agency's Kafka client, as an integration test plays it: plain aiokafka, SOE bytes,
CloudEvents headers, read_committed consumers."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

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
