"""The baselines of the pipeline benchmark: relays that copy inbound records outward.

Each record is decoded, one field changed, encoded again and sent, one output per input: the
least any consume-and-produce process does. Two relays, to tell apart what the machine, what
the transactions and what the network's own decisions cost:

- **plain**: a plain aiokafka batch loop (``getmany`` → relay → send, acks=all, idempotent,
  one await per batch), no transactions: the raw ceiling;
- **transactional**: the same records through the network's ``TransactionalLoop``, one Kafka
  transaction per batch with its consumed offsets, exactly as the pipeline runs, with no
  decision in it.

The throughput rounds of ``bench/pipeline.py`` call :func:`plain_relay` in process. For the
latency runs a relay runs as its own process, as the worker does:

    python bench/relay.py --bootstrap 127.0.0.1:9092 --namespace lat1234 --transactional

It prints ``ready`` once its partitions are assigned, and runs until terminated.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import signal
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from fastavro import schemaless_reader, schemaless_writer

from broker.codec import Codec
from broker.logs import configure_logging
from broker.processor import BatchOutput, Send, TransactionalLoop, fetch_options
from broker.settings import Settings
from broker.topology import Topology

CODEC = Codec.default()
_VERSIONS = {version.header: version for version in CODEC.versions.values()}


def relayed(value: bytes) -> bytes:
    """Decode a partner's value, change one field, encode it again."""
    version = _VERSIONS[value[:10]]
    body: dict[str, Any] = schemaless_reader(  # type: ignore[assignment]
        io.BytesIO(value[10:]), version.parsed, None
    )
    body["source_agency"] = "relayed"
    out = io.BytesIO()
    out.write(value[:10])
    schemaless_writer(out, version.parsed, body)
    return out.getvalue()


def outbound_of(topology: Topology) -> Callable[[str], str]:
    """Where a relay writes what it read on an inbound topic: the outbound topic of the same
    region and kind, which the benchmark's partner reader consumes."""
    names: dict[str, str] = {}

    def destination(inbound: str) -> str:
        name = names.get(inbound)
        if name is None:
            region, kind = topology.region_of_topic(inbound), topology.kind_of_topic(inbound)
            assert region is not None, inbound
            assert kind is not None, inbound
            name = names[inbound] = topology.outbound(region, kind).name
        return name

    return destination


def settings_for(bootstrap: str, namespace: str, data_dir: Path | None = None) -> Settings:
    """Settings of a benchmark's network (or relay) of its own, in ``namespace``."""
    settings = Settings(
        bootstrap_servers=bootstrap,
        topic_namespace=namespace,
        app_id=namespace,
        worker_id=f"{namespace}-w",
        log_level="warning",
    )
    return settings if data_dir is None else settings.model_copy(update={"data_dir": data_dir})


async def plain_relay(
    bootstrap: str,
    topics: Sequence[str],
    destination: Callable[[str], str],
    *,
    total: int | None = None,
    ready: Callable[[], None] = lambda: None,
    linger_ms: int = 5,
) -> float:
    """Relay until ``total`` records went out (forever if None); records per second, timed
    from the first batch. Fetches as the network's loops do (``MARE_FETCH_WAIT_MS``)."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=f"relay-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
        max_poll_records=2000,
        **fetch_options(Settings().fetch_wait_ms),
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=linger_ms,
        max_batch_size=256 * 1024,
        enable_idempotence=True,
    )
    await producer.start()
    await consumer.start()
    done, started, announced = 0, 0.0, False
    try:
        while total is None or done < total:
            batch = await consumer.getmany(timeout_ms=20, max_records=2000)
            if not announced and consumer.assignment():
                announced = True
                ready()
            if not batch:
                continue
            started = started or time.perf_counter()
            futures = []
            for records in batch.values():
                for record in records:
                    assert record.value is not None
                    out = destination(record.topic)
                    value = relayed(record.value)
                    futures.append(await producer.send(out, value, key=record.key))
            await asyncio.gather(*futures)
            done += len(futures)
    finally:
        await consumer.stop()
        await producer.stop()
    return done / (time.perf_counter() - started)


class RelayHandler:
    """The transactional relay's decisions: one output per input, no state."""

    def __init__(self, destination: Callable[[str], str]) -> None:
        self.destination = destination

    def reset(self) -> None:
        pass

    def restore(self, key: str, value: bytes | None) -> None:
        pass

    def idle(self) -> BatchOutput:
        return BatchOutput()

    def process(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> BatchOutput:
        return BatchOutput(
            [
                Send(self.destination(r.topic), r.key, relayed(r.value))
                for r in records
                if r.value is not None
            ]
        )


def transactional_relay(bootstrap: str, namespace: str) -> TransactionalLoop:
    topology = Topology(namespace)
    return TransactionalLoop(
        settings_for(bootstrap, namespace),
        bootstrap,
        name="relay",
        group_id=f"{namespace}-relay",
        topics=[spec.name for spec in topology.inbound_topics()],
        handler=RelayHandler(outbound_of(topology)),
    )


async def serve(bootstrap: str, namespace: str, transactional: bool) -> None:
    """Relay the namespace's inbound topics until SIGTERM; print ``ready`` once assigned."""
    serving = asyncio.current_task()
    assert serving is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, serving.cancel)

    def announce() -> None:
        print("ready", flush=True)

    topology = Topology(namespace)
    with contextlib.suppress(asyncio.CancelledError):
        if not transactional:
            topics = [spec.name for spec in topology.inbound_topics()]
            destination = outbound_of(topology)
            await plain_relay(bootstrap, topics, destination, ready=announce, linger_ms=0)
            return
        loop = transactional_relay(bootstrap, namespace)
        running = asyncio.create_task(loop.run_forever())
        await loop.ready.wait()
        announce()
        await running


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    parser.add_argument("--namespace", required=True, help="topic namespace to relay")
    parser.add_argument(
        "--transactional", action="store_true", help="one Kafka transaction per batch"
    )
    args = parser.parse_args()
    configure_logging("console", "warning")
    asyncio.run(serve(args.bootstrap, args.namespace, args.transactional))


if __name__ == "__main__":
    main()
