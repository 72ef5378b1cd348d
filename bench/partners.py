"""The partner agencies of the latency benchmark, on librdkafka (confluent-kafka).

Partners plug in with their own clients; most stacks outside Java (Python, Go, .NET, Node)
are built on librdkafka, whose protocol work runs in C threads. On a machine the benchmark
shares with the broker and the system under test, that keeps the load generator's own CPU
from deciding the figures it measures. The producer partitions keys with murmur2, as the
partner guide asks; the reader reads with ``isolation.level=read_committed``.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any

from confluent_kafka import Consumer, KafkaException, Producer


class DeliveryReader:
    """Reads the outbound topics in a thread of its own; notes when each key first arrives.

    ``seen`` maps a key to the ``time.perf_counter()`` of its first delivery; ``arrived`` is
    set, on the event loop that started the reader, after each first delivery.
    """

    def __init__(self, bootstrap: str, topics: Sequence[str], group_id: str) -> None:
        self.seen: dict[bytes, float] = {}
        self.arrived = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._stopping = threading.Event()
        self._assigned = threading.Event()
        self._failure: BaseException | None = None
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": group_id,
                "auto.offset.reset": "latest",
                "isolation.level": "read_committed",
                "enable.auto.commit": False,
            }
        )
        self._consumer.subscribe(list(topics), on_assign=lambda _, __: self._assigned.set())
        self._thread = threading.Thread(target=self._read, name="delivery-reader", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            while not self._stopping.is_set():
                # poll, not consume: consume waits to fill its batch, which would add latency.
                message = self._consumer.poll(0.05)
                if message is None:
                    continue
                now = time.perf_counter()
                if message.error():
                    raise KafkaException(message.error())
                key = message.key()
                if key is not None and key not in self.seen:
                    self.seen[key] = now
                    self._loop.call_soon_threadsafe(self.arrived.set)
        except BaseException as exc:
            self._failure = exc
            self._loop.call_soon_threadsafe(self.arrived.set)
        finally:
            self._consumer.close()

    async def assigned(self, within: float = 60.0) -> None:
        """Until the group gave the reader its partitions (the clock starts after)."""
        if not await asyncio.to_thread(self._assigned.wait, within):
            raise RuntimeError("the delivery reader got no partitions")
        self.check()

    def check(self) -> None:
        if self._failure is not None:
            raise RuntimeError("the delivery reader failed") from self._failure

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(30)


def producer(bootstrap: str) -> Producer:
    """A partner's producer: acks=all, idempotent, no linger (each event as it happens)."""
    return Producer(
        {
            "bootstrap.servers": bootstrap,
            "acks": "all",
            "enable.idempotence": True,
            "linger.ms": 0,
            "partitioner": "murmur2_random",
        }
    )


async def publish_at_rate(
    partner: Producer, records: Sequence[tuple[str, bytes, bytes, Any]], rate: int
) -> dict[bytes, float]:
    """Publish ``(topic, key, value, headers)`` one by one at ``rate`` per second; the send
    time of each key. Fails if the broker refused any record."""
    sent: dict[bytes, float] = {}
    failures: list[str] = []

    def delivered(error: Any, _message: Any) -> None:
        if error is not None:
            failures.append(str(error))

    start = time.perf_counter()
    for i, (topic, key, value, headers) in enumerate(records):
        due = start + i / rate
        if (pause := due - time.perf_counter()) > 0:
            await asyncio.sleep(pause)
        sent[key] = time.perf_counter()
        partner.produce(topic, value, key, headers=headers, on_delivery=delivered)
        partner.poll(0)
    remaining = await asyncio.to_thread(partner.flush, 60)
    if remaining or failures:
        raise RuntimeError(f"{remaining} records unsent, {len(failures)} refused: {failures[:3]}")
    return sent


def group_id(namespace: str) -> str:
    return f"{namespace}-latency-{uuid.uuid4().hex[:6]}"
