"""Throughput and latency of the network's throughput path, beside a plain aiokafka loop.

First throughput: both loops run on the same broker over the same records, in interleaved
rounds, in this process:

- **plain**: the raw ceiling, a plain aiokafka consume-and-produce loop (``getmany`` → Avro
  decode → change a field → Avro encode → send, one flush per batch, acks=all, idempotent);
- **pipeline**: ingest → route → translate → deliver + acknowledge, the network's transactional
  loop (one Kafka transaction per batch, validation, dedupe, fan-out to every destination).

Then end-to-end latency at fixed offered rates through one real ``mare worker`` process: from
the partner's send to the first localized delivery read by a read_committed consumer, after
an unreported warm-up at the highest rate. The first seconds of a new worker, and of a broker
whose JVM is still compiling, measure start-up, not the network: a freshly started broker
answers several times slower than one that has carried traffic for a few minutes.

    python bench/pipeline.py                        # managed Kafka 4.4.0
    MARE_KAFKA_BOOTSTRAP=host:9092 python bench/pipeline.py --events 50000

Figures are printed, never asserted: this machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from agents.pipeline import pipeline_loop
from bench import partners
from bench.cpu import Snapshot, pin, snapshot, used
from bench.relay import plain_relay, settings_for
from bench.workload import Workload, build_workload
from broker.local_kafka import LocalKafka
from broker.logs import configure_logging
from broker.settings import Settings
from broker.topology import DELIVERED_KINDS, Topology
from broker.worker import create_all_topics


@contextmanager
def broker(version: str) -> Iterator[tuple[str, int | None]]:
    """Bootstrap servers, and the broker's pid when it runs here."""
    external = os.environ.get("MARE_KAFKA_BOOTSTRAP")
    if external:
        yield external, None
        return
    with tempfile.TemporaryDirectory(prefix="mare-bench-") as data:
        settings = Settings()
        kafka = LocalKafka(
            version, Path(data), settings.cache_dir, heap="1g", jvm_options=settings.kafka_jvm_args
        )
        kafka.start()
        try:
            yield kafka.bootstrap, kafka.pids[0]
        finally:
            kafka.stop()


async def preload(settings: Settings, bootstrap: str, workload: Workload) -> Topology:
    """Create the namespace's topics and publish the workload into its inbound topics."""
    await create_all_topics(settings, bootstrap)
    topology = Topology(settings.topic_namespace)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(f"{topology.namespace}.bench.sink", 6, 1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
        enable_idempotence=True,
    )
    await producer.start()
    try:
        for item in workload.items:
            await producer.send(
                item.inbound_topic(topology), item.value, key=item.key, headers=item.headers
            )
        await producer.flush()
    finally:
        await producer.stop()
    return topology


async def drop_namespace(bootstrap: str, topology: Topology) -> None:
    """Delete the topics of a namespace the benchmark is done with."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = [t for t in await admin.list_topics() if t.startswith(f"{topology.namespace}.")]
        await admin.delete_topics(names)
    finally:
        await admin.close()


async def plain_round(bootstrap: str, topology: Topology, total: int) -> float:
    """The raw ceiling: decode, change a field, encode, send; records per second."""
    sink = f"{topology.namespace}.bench.sink"
    topics = [t.name for t in topology.inbound_topics()]
    return await plain_relay(bootstrap, topics, lambda _: sink, total=total)


async def pipeline_round(settings: Settings, bootstrap: str, total: int) -> tuple[float, int]:
    """The network's throughput path over the same records; inputs per second and sends."""
    loop = pipeline_loop(settings, bootstrap)
    task = asyncio.create_task(loop.run_once())
    try:
        # Timed from the assignment (state restored), as the plain loop from its first batch.
        while not loop.ready.is_set():
            await _still_running(task)
        started = time.perf_counter()
        while loop.stats.records < total:
            await _still_running(task)
        elapsed = time.perf_counter() - started
    finally:
        loop.stop()
        await asyncio.gather(task, return_exceptions=True)
    return total / elapsed, loop.stats.sends


async def _still_running(task: asyncio.Task[None]) -> None:
    """Yield to the loop under test; surface its failure instead of waiting forever."""
    await asyncio.sleep(0.005)
    if task.done():
        task.result()
        raise RuntimeError("the pipeline loop stopped")


@dataclass(frozen=True)
class Round:
    """One interleaved round: both loops over the same records, and what each cost."""

    topology: Topology
    plain: float  # records per second
    pipeline: float  # input events per second
    sends: int  # records the pipeline wrote
    plain_cpu: Snapshot  # CPU seconds, this process's ("self") and the broker's
    pipeline_cpu: Snapshot


def us_per_record(cpu: Snapshot, who: str, records: int) -> float | None:
    """Microseconds of CPU per input record, or None if ``who`` is not measured here."""
    seconds = cpu[who]
    return None if seconds is None else seconds * 1e6 / records


async def measure_round(
    bootstrap: str, broker_pid: int | None, workload: Workload, tmp: Path
) -> Round:
    """Publish the workload into a namespace of its own, then run the plain loop and the
    pipeline over it, one after the other, with the CPU each used."""
    total = len(workload.items)
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    settings = settings_for(bootstrap, namespace, tmp / namespace)
    topology = await preload(settings, bootstrap, workload)
    before = snapshot(broker=broker_pid)
    plain = await plain_round(bootstrap, topology, total)
    between = snapshot(broker=broker_pid)
    pipeline, sends = await pipeline_round(settings, bootstrap, total)
    after = snapshot(broker=broker_pid)
    return Round(topology, plain, pipeline, sends, used(before, between), used(between, after))


async def throughput(
    bootstrap: str, broker_pid: int | None, workload: Workload, rounds: int, tmp: Path
) -> list[Topology]:
    """Interleaved rounds of both loops; prints the figures, returns the rounds' topologies.

    Each round also prints the CPU each loop cost per input record: this process's (the
    loop's Python) and the broker's.
    """
    total = len(workload.items)
    # Every round has topics of its own, dropped only once everything is measured: the broker
    # deletes a dropped topic's files a minute later (file.delete.delay.ms), which would slow
    # whatever runs then.
    measured = []
    for round_no in range(1, rounds + 1):
        r = await measure_round(bootstrap, broker_pid, workload, tmp)
        measured.append(r)
        print(
            f"  round {round_no}: plain {r.plain:>9,.0f} rec/s   "
            f"pipeline {r.pipeline:>9,.0f} events/s   ratio {r.pipeline / r.plain:.3f}"
        )
        print(
            f"    CPU per input record: plain {_cpu_per(r.plain_cpu, total)}, "
            f"pipeline {_cpu_per(r.pipeline_cpu, total)}"
        )
    p = statistics.median(r.plain for r in measured)
    q = statistics.median(r.pipeline for r in measured)
    sends = measured[-1].sends
    print(f"plain aiokafka loop (raw ceiling): {p:,.0f} records/s (median of {rounds})")
    print(
        f"pipeline ingest→route→translate→deliver+ack: {q:,.0f} events/s "
        f"(median of {rounds}; {sends / total:.1f} records written per input event)"
    )
    # Each round measures both loops side by side: its ratio is the figure; the machine's
    # speed swings between rounds, and the two medians may come from different rounds.
    ratios = [r.pipeline / r.plain for r in measured]
    print(
        f"ratio pipeline / plain: {statistics.median(ratios):.3f}, the median of the rounds' "
        f"({', '.join(f'{x:.3f}' for x in ratios)}); {q / p:.3f} of the median rates  "
        "(target >= 0.25)"
    )
    return [r.topology for r in measured]


def _cpu_per(cpu: Snapshot, records: int) -> str:
    loop = f"{us_per_record(cpu, 'self', records) or 0:.0f} µs in the loop"
    broker = us_per_record(cpu, "broker", records)
    return loop if broker is None else f"{loop} + {broker:.0f} µs in the broker"


async def drop_namespaces(bootstrap: str, topologies: list[Topology]) -> None:
    for topology in topologies:
        await drop_namespace(bootstrap, topology)


SYSTEMS = ("plain relay", "transactional relay", "pipeline")
IDLE_S = 5.0  # each system's CPU is measured this long with no event, before its load
"""What the latency runs measure, one after the other on the same broker with the same events:
the two relays of ``bench/relay.py`` (what this machine and its transactions cost), then the
network's throughput path in a real ``mare worker``."""


async def latency(
    bootstrap: str,
    broker_pid: int | None,
    rates: list[int],
    seconds: float,
    warm_up_s: float,
    tmp: Path,
    systems: list[str],
    workers: int = 1,
    pinned: bool = False,
) -> list[Topology]:
    """Offered load at each rate through each of ``systems`` (of ``SYSTEMS``), one after the
    other; delivery latency p50/p99.

    ``workers``: how many ``mare worker`` processes run the pipeline (one consumer group).
    ``pinned``: the system under test gets vCPUs of its own (one per process, the last ones),
    and the broker and the partner clients the others, as when Kafka runs on hosts of its own.

    A warm-up phase at the highest rate comes first for each system and is not reported: the
    first seconds of a new process and of a freshly started broker (whose JVM is still
    compiling) measure start-up, not the network. Returns the namespaces used, to drop once
    everything is measured.
    """
    phases = [("warm-up", max(rates), warm_up_s)] + [(f"{r:,}", r, seconds) for r in rates]
    needed = sum(int(rate * secs) for _, rate, secs in phases)
    # The throughput rounds' mix of offers, referrals and mobility requests, each with at
    # least one destination region, so each has a first delivery to time.
    workload = build_workload(needed + 100, seed=11)
    events = [item for item in workload.items if item.fan_out > 0]
    # This process plays the partners: what the throughput rounds left behind, and the
    # events, must not cost it garbage-collector pauses that would count as latency.
    gc.collect()
    gc.freeze()
    print(
        "end-to-end latency, from the partner's send to the first delivery read by a "
        f"read_committed consumer, after a {warm_up_s:g} s warm-up at {max(rates):,} events/s; "
        f"CPU in % of one vCPU ({os.cpu_count()} vCPUs"
        + (f"; {workers} pipeline workers" if workers > 1 else "")
        + ("; the system under test on vCPUs of its own" if pinned else "")
        + "):"
    )
    topologies, results = [], {}
    for system in systems:
        namespace = f"lat{uuid.uuid4().hex[:8]}"
        settings = settings_for(bootstrap, namespace, tmp / namespace)
        await create_all_topics(settings, bootstrap)
        topology = Topology(namespace)
        topologies.append(topology)
        async with _running(system, settings, bootstrap, workers) as pids:
            with _pinned(pids, broker_pid) if pinned else contextlib.nullcontext():
                results[system] = await _offer_load(
                    system, pids, bootstrap, broker_pid, topology, workload.regions, events, phases
                )
    at_target = {system: p99s["1,000"] for system, p99s in results.items() if "1,000" in p99s}
    if at_target:
        print(
            "p99 at 1,000 events/s: "
            + ", ".join(f"{system} {p99:.1f} ms" for system, p99 in at_target.items())
            + " (target: pipeline < 100 ms)"
        )
    return topologies


@contextlib.asynccontextmanager
async def _running(
    system: str, settings: Settings, bootstrap: str, workers: int = 1
) -> AsyncIterator[list[int]]:
    """Start a system under test as a process of its own (the pipeline: ``workers`` of them,
    one consumer group); their pids, once all consume."""
    if system == "pipeline":
        from tests.processes import MareProcess, mare_env

        processes = [
            MareProcess(
                ["worker"],
                mare_env(
                    settings.model_copy(
                        update={"worker_id": f"mare-{n}", "data_dir": settings.data_dir / str(n)}
                    ),
                    MARE_LOG_LEVEL="info",
                    MARE_LOG_FORMAT="json",
                ),
            )
            for n in range(1, workers + 1)
        ]
        try:
            for process in processes:
                await asyncio.to_thread(_wait_loops, process)
            if workers > 1:
                # Each worker that joins rebalances the group: give the last rebalance its time.
                await asyncio.sleep(settings.rebalance_timeout_s)
            yield [process.proc.pid for process in processes]
        finally:
            for process in processes:
                process.stop()
        return
    argv = [sys.executable, str(Path(__file__).with_name("relay.py"))]
    argv += ["--bootstrap", bootstrap, "--namespace", settings.topic_namespace]
    if system == "transactional relay":
        argv.append("--transactional")
    relay = _RelayProcess(argv)
    try:
        await asyncio.to_thread(relay.wait_ready, system)
        yield [relay.proc.pid]
    finally:
        relay.stop()


@contextmanager
def _pinned(pids: list[int], broker_pid: int | None) -> Iterator[None]:
    """The processes under test on the last vCPUs, one each; the broker and this process (the
    partner clients) on the others; everything back on every vCPU afterwards."""
    every = sorted(os.sched_getaffinity(0))
    if len(pids) >= len(every):
        raise ValueError(f"{len(pids)} processes to pin leave no vCPU of {len(every)} to Kafka")
    others = set(every[: len(every) - len(pids)])
    rest = [pid for pid in (broker_pid, os.getpid()) if pid is not None]
    for cpu, pid in zip(every[len(others) :], pids, strict=True):
        pin(pid, {cpu})
    for pid in rest:
        pin(pid, others)
    try:
        yield
    finally:
        for pid in rest:
            pin(pid, set(every))


class _RelayProcess:
    """A ``bench/relay.py`` process; everything it prints is read, so it never blocks."""

    def __init__(self, argv: list[str]) -> None:
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            if line.strip() == "ready":
                self.ready.set()

    def wait_ready(self, name: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start:\n" + "\n".join(self.lines[-20:]))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(30)


async def _offer_load(
    system: str,
    pids: list[int],
    bootstrap: str,
    broker_pid: int | None,
    topology: Topology,
    regions: tuple[str, ...],
    events: list[Any],
    phases: list[tuple[str, int, float]],
) -> dict[str, float]:
    """Publish each phase's events at its rate as partners would and read the deliveries as
    partners would (``bench/partners.py``); print each reported phase, and return its p99 by
    rate label."""
    p99s = {}
    outbound = [topology.outbound(r, k).name for r in regions for k in DELIVERED_KINDS]
    reader = partners.DeliveryReader(bootstrap, outbound, partners.group_id(topology.namespace))
    producer = partners.producer(bootstrap)
    try:
        await reader.assigned()
        await asyncio.sleep(2.0)  # the reader's positions (latest), before the clock starts
        before = snapshot(system=pids, broker=broker_pid)
        await asyncio.sleep(IDLE_S)
        _report_idle(system, used(before, snapshot(system=pids, broker=broker_pid)))
        position = 0
        for label, rate, secs in phases:
            phase = events[position : position + int(rate * secs)]
            position += len(phase)
            records = [(i.inbound_topic(topology), i.key, i.value, i.headers) for i in phase]
            before = snapshot(system=pids, broker=broker_pid)
            started = time.perf_counter()
            sent = await partners.publish_at_rate(producer, records, rate)
            await _until_seen(sent, reader, timeout_s=60.0)
            if label == "warm-up":
                continue
            cpu = used(before, snapshot(system=pids, broker=broker_pid))
            p99 = _report(system, label, sent, reader.seen, cpu, time.perf_counter() - started)
            if p99 is not None:
                p99s[label] = p99
    finally:
        reader.stop()
    return p99s


async def _until_seen(
    sent: dict[bytes, float], reader: partners.DeliveryReader, timeout_s: float
) -> None:
    """Until every sent event was delivered, or the timeout."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout_s):
            while any(key not in reader.seen for key in sent):
                reader.arrived.clear()
                await reader.arrived.wait()
                reader.check()


def _shares(cpu: Snapshot, elapsed: float) -> tuple[dict[str, float], str]:
    """Each process's CPU in % of one vCPU over ``elapsed``, and the broker's as a phrase
    (empty when the broker does not run here)."""
    share = {name: 0.0 if s is None else s * 100 / elapsed for name, s in cpu.items()}
    broker = "" if cpu["broker"] is None else f", broker {share['broker']:.0f} %"
    return share, broker


def _report_idle(system: str, cpu: Snapshot) -> None:
    """What a system and the broker cost while no event arrives: a network waits most of
    the time."""
    share, broker = _shares(cpu, IDLE_S)
    print(f"  {system:<19} idle for {IDLE_S:.0f} s: CPU {system} {share['system']:.1f} %{broker}")


def _report(
    system: str,
    label: str,
    sent: dict[bytes, float],
    seen: dict[bytes, float],
    cpu: Snapshot,
    elapsed: float,
) -> float | None:
    """Print a phase's latencies and who used the CPU meanwhile (a latency figure on a
    machine the processes share means little without it); its p99."""
    latencies = sorted((seen[k] - sent[k]) * 1000 for k in sent if k in seen)
    missing = len(sent) - len(latencies)
    if missing:
        print(f"  {system} at {label} events/s: {missing} of {len(sent)} events not delivered")
    if not latencies:
        return None
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    share, broker = _shares(cpu, elapsed)
    print(
        f"  {system:<19} at {label:>5} events/s: p50 {p50:7.1f} ms, p99 {p99:7.1f} ms "
        f"({len(latencies):,} events; CPU: {system} {share['system']:.0f} %{broker}, "
        f"partner clients {share['self']:.0f} %)"
    )
    return p99


def _wait_loops(worker: Any, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(
            e.get("event") == "loop_ready" and e.get("loop") == "pipeline" for e in worker.events()
        ):
            return
        if worker.proc.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError("worker not ready:\n" + "\n".join(worker.lines[-20:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="input events per round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument(
        "--rates",
        default="250,1000",
        help="offered rates (events/s) for the latency runs, comma-separated",
    )
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help=f"what the latency runs measure, comma-separated, of: {', '.join(SYSTEMS)}",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="pipeline worker processes in the latency runs (one consumer group); their CPU "
        "is reported summed",
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="latency runs with each process under test on a vCPU of its own and the broker "
        "and partner clients on the others (Linux)",
    )
    parser.add_argument("--skip-throughput", action="store_true", help="latency only")
    parser.add_argument("--skip-latency", action="store_true", help="throughput only")
    parser.add_argument("--latency-seconds", type=float, default=10.0, help="per rate")
    parser.add_argument(
        "--warm-up-seconds",
        type=float,
        default=10.0,
        help="unreported warm-up at the highest rate before the latency runs",
    )
    parser.add_argument("--kafka-version", default=os.environ.get("MARE_KAFKA_VERSION", "4.4.0"))
    args = parser.parse_args()
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if unknown := set(systems) - set(SYSTEMS):
        parser.error(f"--systems: unknown {sorted(unknown)}; choose from {', '.join(SYSTEMS)}")
    if args.workers < 1:
        parser.error("--workers: at least 1")
    if args.pin and args.workers >= (usable := len(os.sched_getaffinity(0))):
        parser.error(f"--pin: {args.workers} workers leave no vCPU of {usable} to Kafka")

    configure_logging("console", "warning")
    logging.getLogger("aiokafka").setLevel(logging.ERROR)  # leader elections of new topics
    workload = build_workload(args.events)
    print(f"workload: {workload.describe()}")
    gc.collect()
    gc.freeze()  # the workload is long-lived: keep it out of every collection
    with (
        broker(args.kafka_version) as (bootstrap, broker_pid),
        tempfile.TemporaryDirectory() as tmp,
    ):
        where = "external" if os.environ.get("MARE_KAFKA_BOOTSTRAP") else args.kafka_version
        print(f"broker: {bootstrap} (Kafka {where})")
        measured: list[Topology] = []
        if not args.skip_throughput:
            measured = asyncio.run(
                throughput(bootstrap, broker_pid, workload, args.rounds, Path(tmp))
            )
        rates = [int(r) for r in args.rates.split(",") if r]
        if rates and not args.skip_latency:
            measured += asyncio.run(
                latency(
                    bootstrap,
                    broker_pid,
                    rates,
                    args.latency_seconds,
                    args.warm_up_seconds,
                    Path(tmp),
                    systems,
                    args.workers,
                    args.pin,
                )
            )
        asyncio.run(drop_namespaces(bootstrap, measured))


if __name__ == "__main__":
    main()
