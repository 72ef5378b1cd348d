"""A transactional batch loop on aiokafka: consume → decide → produce, effectively once.

Each batch is one Kafka transaction holding everything it caused: the outputs, the state
changes (a compacted changelog topic) and the consumed offsets. A worker killed mid-batch
leaves an aborted transaction that ``read_committed`` consumers never see; on restart the
state is rebuilt from the changelog and consumption resumes from the last committed batch,
so nothing is lost and nothing is emitted twice. Faust's ``exactly_once`` is not relied on:
measured on Kafka 4.4, it sends to topics the app does not consume outside any transaction.

The loop is generic; what it decides belongs to a ``BatchHandler`` built on a pure core.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import structlog
from aiokafka import (
    AIOKafkaConsumer,
    AIOKafkaProducer,
    ConsumerRebalanceListener,
    TopicPartition,
)
from aiokafka.producer import sender as aiokafka_sender
from aiokafka.producer.message_accumulator import BatchBuilder
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata

from broker import kafka_clients
from broker.partitioning import murmur2
from broker.settings import Settings

log = structlog.get_logger(__name__)

# After a commit, the broker writes transaction markers before it accepts the next
# transaction's partitions (CONCURRENT_TRANSACTIONS, KAFKA-5477); aiokafka then waits a
# fixed 20 ms before retrying. Markers take a few milliseconds here, and a loop commits
# back to back, so that wait was most of the per-batch latency: retry after 2 ms instead.
aiokafka_sender.BACKOFF_OVERRIDE = 0.002

SLICE_SIZE = 100
"""Records decided between two yields to the event loop, by default."""


def fetch_options(wait_ms: int) -> dict[str, int]:
    """aiokafka consumer options: 0, a fetch returns as soon as a record arrives (aiokafka's
    default); above 0, the broker holds each fetch until it fills (1 MiB) or ``wait_ms`` passes.

    aiokafka encodes every fetch request and decodes every response, one entry per
    partition, in Python. A consumer that keeps up with a steady stream fetches for each
    arriving record, which a wait spares; an idle one then fetches every ``wait_ms``.
    """
    if wait_ms == 0:
        return {"fetch_min_bytes": 1, "fetch_max_wait_ms": 500}
    return {"fetch_min_bytes": 1024 * 1024, "fetch_max_wait_ms": wait_ms}


def _next_offsets(
    batch: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]],
) -> dict[TopicPartition, OffsetAndMetadata]:
    """The offsets to commit once a batch's outputs are committed: after its last records."""
    return {tp: OffsetAndMetadata(rs[-1].offset + 1, "") for tp, rs in batch.items() if rs}


class Send(NamedTuple):
    """One record to produce inside the batch's transaction (a tuple: there are many)."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass
class BatchOutput:
    sends: list[Send] = field(default_factory=list)
    state: list[tuple[str, bytes | None]] = field(default_factory=list)  # None deletes

    def __bool__(self) -> bool:
        return bool(self.sends or self.state)

    def extend(self, other: BatchOutput) -> None:
        self.sends += other.sends
        self.state += other.state


class BatchHandler(Protocol):
    """The decisions of one loop; the loop owns Kafka, the handler owns the logic."""

    def reset(self) -> None:
        """Forget all state: it is about to be rebuilt from the changelog."""

    def restore(self, key: str, value: bytes | None) -> None:
        """Fold one changelog record into the state."""

    def process(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> BatchOutput:
        """Decide a batch; update the state in memory and return what to send and store."""

    def idle(self) -> BatchOutput:
        """Called when no record arrived: timers (deadlines passing in wall-clock time)."""


@dataclass
class LoopStats:
    batches: int = 0
    records: int = 0
    sends: int = 0
    restarts: int = 0


class _RestoreOnAssign(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, loop: TransactionalLoop) -> None:
        self._loop = loop

    async def on_partitions_revoked(self, revoked: object) -> None:
        # The offsets of revoked partitions must be committed before another worker reads on.
        await self._loop.settle()

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        self._loop.assigned = frozenset(assigned)
        await self._loop.restore_state(self._loop.assigned)


class TransactionalLoop:
    """Run a handler over ``topics`` as consumer group ``group_id``, one transaction a batch.

    ``commit_interval_s`` is the shortest time between two batches (0: as soon as records
    arrive); ``slice_size`` how many records are decided between two yields to the event loop.

    ``state_copartitioned``: the state topic is keyed and partitioned as the loop's single
    input topic, so state partition *p* holds the state of what input partition *p* carries;
    a worker then restores, and acts on, only the state of the input partitions it was
    assigned. Otherwise every worker restores the whole state topic.

    ``follow_state``: after each restore, keep reading the state topic and fold the records
    whose key it selects, as other workers commit them: what every worker must know of every
    partition (which region published an offer) reaches them all in the time of a fetch.
    """

    def __init__(
        self,
        settings: Settings,
        bootstrap: str,
        *,
        name: str,
        group_id: str,
        topics: Sequence[str],
        handler: BatchHandler,
        state_topic: str | None = None,
        max_batch: int = 2000,
        poll_ms: int = 20,
        idle_every_s: float = 1.0,
        slice_size: int = SLICE_SIZE,
        commit_interval_s: float = 0.0,
        state_copartitioned: bool = False,
        follow_state: Callable[[str], bool] | None = None,
    ) -> None:
        if state_copartitioned and len(topics) != 1:
            raise ValueError("co-partitioned state needs exactly one input topic")
        self.settings, self.bootstrap, self.name = settings, bootstrap, name
        self.group_id, self.topics, self.handler = group_id, list(topics), handler
        self.state_topic = state_topic
        self.state_copartitioned = state_copartitioned
        self.follow_state = follow_state
        self._following: asyncio.Task[None] | None = None
        self.max_batch, self.poll_ms = max_batch, poll_ms
        self.idle_every_s, self.slice_size = idle_every_s, slice_size
        self.commit_interval_s = commit_interval_s
        self.stats = LoopStats()
        self.ready = asyncio.Event()
        self._committing: asyncio.Task[None] | None = None
        self.restorations = 0  # state rebuilds so far: each rebalance adds one
        self.assigned: frozenset[TopicPartition] = frozenset()  # input partitions read now
        self._stopping = False
        self._log = log.bind(loop=name)

    @property
    def transactional_id(self) -> str:
        """Stable per worker, so a restarted worker fences its previous incarnation."""
        return f"{self.settings.app_id}.{self.name}.{self.settings.worker_id}"

    async def restore_state(self, assigned: Iterable[TopicPartition] = ()) -> None:
        """Rebuild the handler's state from the committed changelog: all of it, or, with
        co-partitioned state, the partitions of the ``assigned`` input partitions. With
        ``follow_state``, keep reading it afterwards."""
        self.restorations += 1
        await self._stop_following()
        self.handler.reset()
        if not self.state_topic:
            return
        wanted = sorted({tp.partition for tp in assigned})
        if self.state_copartitioned and not wanted:
            self._log.info("state_restored", records=0, topic=self.state_topic, partitions=[])
            return
        consumer = kafka_clients.consumer(
            self.settings,
            self.bootstrap,
            group_id=None,
            **fetch_options(self.settings.fetch_wait_ms),
        )
        await consumer.start()
        restored = 0
        try:
            # The topic's own partitions, not the topology's count: a network created with
            # other counts keeps them (Kafka never takes partitions away).
            partitions = (
                wanted
                if self.state_copartitioned
                else sorted(await consumer._client._wait_on_metadata(self.state_topic))
            )
            tps = [TopicPartition(self.state_topic, p) for p in partitions]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            pending = {tp for tp in tps if ends[tp] > 0}
            while pending:
                batch = await consumer.getmany(*pending, timeout_ms=500, max_records=10_000)
                for records in batch.values():
                    for record in records:
                        if record.key is not None:
                            self.handler.restore(record.key.decode(), record.value)
                            restored += 1
                for tp in list(pending):
                    if await consumer.position(tp) >= ends[tp]:
                        pending.discard(tp)
        except BaseException:
            await consumer.stop()
            raise
        # The restored state lives as long as the worker: keep it out of every collection.
        gc.collect()
        gc.freeze()
        self._log.info(
            "state_restored", records=restored, topic=self.state_topic, partitions=list(partitions)
        )
        if self.follow_state is None:
            await consumer.stop()
        else:
            self._following = asyncio.create_task(self._follow(consumer, self.follow_state))

    async def _follow(self, consumer: AIOKafkaConsumer, keep: Callable[[str], bool]) -> None:
        """Fold into the handler the state records committed after the restore that ``keep``
        selects: the other workers' too, so facts every worker needs reach them all."""
        followed = 0
        try:
            while True:
                batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
                for records in batch.values():
                    for record in records:
                        if record.key is not None and keep(key := record.key.decode()):
                            self.handler.restore(key, record.value)
                            followed += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the loop goes on; its next restore follows again
            self._log.error("state_follow_failed", error=repr(exc), followed=followed)
        finally:
            await consumer.stop()

    async def _stop_following(self) -> None:
        following, self._following = self._following, None
        if following is not None:
            following.cancel()
            await asyncio.gather(following, return_exceptions=True)

    async def run_forever(self) -> None:
        """Run until stopped or cancelled; after a Kafka failure, rebuild and resume where
        committed."""
        while not self._stopping:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # restarted: the aborted batch is redone from the changelog
                self.stats.restarts += 1
                self._log.error("loop_failed", error=repr(exc), restarts=self.stats.restarts)
                await asyncio.sleep(min(10.0, 0.5 * self.stats.restarts))

    async def run_once(self) -> None:
        consumer = kafka_clients.consumer(
            self.settings,
            self.bootstrap,
            group_id=self.group_id,
            max_poll_records=self.max_batch,
            session_timeout_ms=int(self.settings.session_timeout_s * 1000),
            rebalance_timeout_ms=int(self.settings.rebalance_timeout_s * 1000),
            heartbeat_interval_ms=int(min(3.0, self.settings.session_timeout_s / 3) * 1000),
            **fetch_options(self.settings.fetch_wait_ms),
        )
        producer = kafka_clients.producer(
            self.settings,
            self.bootstrap,
            transactional_id=self.transactional_id,
            # A batch of events fans out to megabytes: fewer, larger requests.
            max_batch_size=1024 * 1024,
            max_request_size=16 * 1024 * 1024,
            compression_type=None
            if self.settings.compression == "none"
            else self.settings.compression,
            # The next transaction waits for the previous one's markers
            # (CONCURRENT_TRANSACTIONS): retry that quickly, not after the default 100 ms.
            retry_backoff_ms=5,
        )
        await producer.start()
        try:
            consumer.subscribe(self.topics, listener=_RestoreOnAssign(self))
            await consumer.start()
            try:
                await self._consume(consumer, producer)
            finally:
                await self._stop_following()
                await consumer.stop()
        finally:
            self.ready.clear()
            with contextlib.suppress(Exception):
                await producer.stop()

    async def _produce(
        self, producer: AIOKafkaProducer, output: BatchOutput
    ) -> list[asyncio.Future[object]]:
        """Append every record to a batch per partition, hand the batches over, and return
        the futures of their delivery.

        One ``send`` per record costs more Python than the decisions themselves when an event
        fans out; batch builders cost a fraction. Partitions are chosen as the default
        partitioner chooses them (murmur2 of the key), so a key keeps its partition.
        """
        batches: dict[tuple[str, int], BatchBuilder] = {}
        partitions_of: dict[str, list[int]] = {}
        hashes: dict[bytes, int] = {}
        pending = []
        sends = list(output.sends)
        if self.state_topic:
            sends += [Send(self.state_topic, k.encode(), v) for k, v in output.state]
        for send in sends:
            partitions = partitions_of.get(send.topic)
            if partitions is None:
                await producer.client._wait_on_metadata(send.topic)
                found = producer.client.cluster.partitions_for_topic(send.topic)
                partitions = partitions_of[send.topic] = sorted(found)
            if len(partitions) == 1:
                tp = (send.topic, partitions[0])
            else:
                key = send.key or b""
                hashed = hashes.get(key)
                if hashed is None:
                    hashed = hashes[key] = murmur2(key) & 0x7FFFFFFF
                tp = (send.topic, partitions[hashed % len(partitions)])
            builder = batches.get(tp)
            if builder is None:
                builder = batches[tp] = producer.create_batch()
            headers = list(send.headers)
            if (
                builder.append(timestamp=None, key=send.key, value=send.value, headers=headers)
                is None
            ):
                pending.append(await producer.send_batch(builder, tp[0], partition=tp[1]))
                builder = batches[tp] = producer.create_batch()
                builder.append(timestamp=None, key=send.key, value=send.value, headers=headers)
        for (topic, partition), builder in batches.items():
            pending.append(await producer.send_batch(builder, topic, partition=partition))
        return pending

    async def _consume(self, consumer: AIOKafkaConsumer, producer: AIOKafkaProducer) -> None:
        """Decide batch N+1 while batch N's transaction is on its way to the broker.

        Transactions stay strictly in order: batch N+1's begins only after batch N's commit
        succeeded. Deciding yields to the event loop between slices, so the bytes of the
        transaction in flight keep moving. The consumer keeps fetching meanwhile, and what
        arrived while batch N committed joins batch N+1 before it starts: a record waits for
        at most the transaction in flight, then its own. If a commit fails, the
        decided-but-unsent batch is dropped with the loop, and the restart rebuilds the state
        from the changelog.
        """
        clock = asyncio.get_running_loop().time
        idle_since = last_batch = clock()
        self._log.info("loop_started", topics=len(self.topics), group_id=self.group_id)
        try:
            while not self._stopping:
                if (wait := last_batch + self.commit_interval_s - clock()) > 0:
                    await asyncio.sleep(wait)
                batch = await consumer.getmany(timeout_ms=self.poll_ms, max_records=self.max_batch)
                if consumer.assignment() and not self.ready.is_set():
                    self.ready.set()
                    self._log.info("loop_ready", partitions=len(consumer.assignment()))
                records = [r for rs in batch.values() for r in rs]
                restorations = self.restorations
                now = clock()
                if records:
                    last_batch = now
                    output = await self._decide(records)
                elif now - idle_since >= self.idle_every_s:
                    idle_since = now
                    await self.settle()
                    output = self.handler.idle()
                else:
                    continue
                offsets = _next_offsets(batch)
                if self._committing is not None:
                    await self.settle()
                    room = self.max_batch - len(records)
                    arrived = await consumer.getmany(timeout_ms=0, max_records=max(1, room))
                    if more := [r for rs in arrived.values() for r in rs]:
                        output.extend(await self._decide(more))
                        offsets.update(_next_offsets(arrived))
                        records += more
                if self.restorations != restorations:
                    # A rebalance while deciding restored the state and rewound the consumer
                    # to the committed offsets: what was decided before it is decided again.
                    continue
                if not records and not output:
                    continue
                self._committing = asyncio.create_task(
                    self._commit(producer, output, offsets, records)
                )
        finally:
            await self.settle()

    async def _decide(self, records: list[ConsumerRecord[bytes, bytes]]) -> BatchOutput:
        """Decide in slices, yielding between them so the transaction in flight moves on."""
        output = BatchOutput()
        for start in range(0, len(records), self.slice_size):
            output.extend(self.handler.process(records[start : start + self.slice_size]))
            await asyncio.sleep(0)
        return output

    def stop(self) -> None:
        """Finish the batch in hand, commit it, and return from ``run_once``."""
        self._stopping = True

    async def settle(self) -> None:
        """Wait for the transaction in flight, if any; its failure surfaces here."""
        committing, self._committing = self._committing, None
        if committing is not None:
            await committing

    async def _commit(
        self,
        producer: AIOKafkaProducer,
        output: BatchOutput,
        offsets: dict[TopicPartition, OffsetAndMetadata],
        records: list[ConsumerRecord[bytes, bytes]],
    ) -> None:
        clock = asyncio.get_running_loop().time
        started = clock()
        async with producer.transaction():
            delivered = await self._produce(producer, output)
            queued = clock()
            if offsets:
                # While the batches are on their way: the offsets' two round trips overlap
                # the produce request, and the commit still waits for every batch.
                await producer.send_offsets_to_transaction(offsets, self.group_id)
            offsets_sent = clock()
            await asyncio.gather(*delivered)
            produced = clock()
        # The oldest record's age once its outputs are committed: the lag a partner sees.
        oldest = min((r.timestamp for r in records), default=None)
        self._log.debug(
            "batch_committed",
            records=len(records),
            sends=len(output.sends),
            produce_ms=round((produced - started) * 1000, 1),  # the offsets' time included
            offsets_ms=round((offsets_sent - queued) * 1000, 1),
            commit_ms=round((clock() - produced) * 1000, 1),
            oldest_age_ms=None if oldest is None else round(time.time() * 1000 - oldest),
        )
        self.stats.batches += 1
        self.stats.records += len(records)
        self.stats.sends += len(output.sends)
