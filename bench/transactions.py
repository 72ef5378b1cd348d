"""What one Kafka transaction costs, by the number of partitions it touches.

The network commits one transaction per batch, and every partition a transaction writes gets
a commit marker. This prints, side by side on one managed broker, for transactions of the
same records spread over 1, 6, 20 and 60 partitions: transactions per second from one
aiokafka producer, and the CPU each transaction costs the broker and the client.

    python bench/transactions.py                    # managed Kafka 4.4.0
    python bench/transactions.py --records 200 --transactions 300

Figures are printed, never asserted: this machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.cpu import own_cpu_s, process_cpu_s
from broker import processor  # noqa: F401  (the network's transaction retry backoff)
from broker.local_kafka import LocalKafka
from broker.settings import Settings

PARTITION_COUNTS = (1, 6, 20, 60)
WARM_UP = 20


async def measure(
    bootstrap: str, broker_pid: int, records: int, transactions: int, rounds: int
) -> None:
    tag = uuid.uuid4().hex[:8]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(f"txn{p}-{tag}", p, 1) for p in PARTITION_COUNTS])
    finally:
        await admin.close()
    value = b"x" * 400
    results: dict[int, list[tuple[float, float, float]]] = {p: [] for p in PARTITION_COUNTS}
    for _ in range(rounds):
        for partitions in PARTITION_COUNTS:
            topic = f"txn{partitions}-{tag}"
            results[partitions].append(
                await one_round(
                    bootstrap, broker_pid, topic, partitions, value, records, transactions
                )
            )
    print(
        f"{records} records of {len(value)} bytes per transaction, {transactions} transactions, "
        f"median of {rounds} interleaved rounds"
    )
    print(f"{'partitions':>10}  {'txn/s':>7}  {'broker CPU/txn':>14}  {'client CPU/txn':>14}")
    for partitions, rows in results.items():
        rate, broker_ms, client_ms = (
            statistics.median(column) for column in zip(*rows, strict=True)
        )
        print(f"{partitions:>10}  {rate:>7.1f}  {broker_ms:>11.2f} ms  {client_ms:>11.2f} ms")


async def one_round(
    bootstrap: str,
    broker_pid: int,
    topic: str,
    partitions: int,
    value: bytes,
    records: int,
    transactions: int,
) -> tuple[float, float, float]:
    """Transactions per second, broker and client CPU milliseconds per transaction."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, transactional_id=f"{topic}-bench", linger_ms=0
    )
    await producer.start()
    try:

        async def one_transaction() -> None:
            async with producer.transaction():
                for i in range(records):
                    await producer.send(topic, value, partition=i % partitions)

        for _ in range(WARM_UP):
            await one_transaction()
        broker0, client0, started = process_cpu_s(broker_pid), own_cpu_s(), time.perf_counter()
        for _ in range(transactions):
            await one_transaction()
        elapsed = time.perf_counter() - started
    finally:
        await producer.stop()
    return (
        transactions / elapsed,
        (process_cpu_s(broker_pid) - broker0) * 1000 / transactions,
        (own_cpu_s() - client0) * 1000 / transactions,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=50, help="records per transaction")
    parser.add_argument("--transactions", type=int, default=200, help="timed transactions")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--kafka-version", default=os.environ.get("MARE_KAFKA_VERSION", "4.4.0"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mare-bench-") as data:
        settings = Settings()
        kafka = LocalKafka(
            args.kafka_version,
            Path(data),
            settings.cache_dir,
            heap="1g",
            jvm_options=settings.kafka_jvm_args,
        )
        kafka.start()
        try:
            print(f"broker: {kafka.bootstrap} (Kafka {args.kafka_version}, pid {kafka.pids[0]})")
            asyncio.run(
                measure(
                    kafka.bootstrap, kafka.pids[0], args.records, args.transactions, args.rounds
                )
            )
        finally:
            kafka.stop()


if __name__ == "__main__":
    main()
