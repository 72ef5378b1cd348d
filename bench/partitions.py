"""What partition counts cost: the throughput rounds of ``bench/pipeline.py`` by topic layout.

A layout is the number of partitions of each inbound topic and of each topic the network
writes (outbound, acknowledgements, internal state). Every fetch lists each partition its
consumer reads, and every partition a transaction writes gets a commit marker, so the broker's
CPU per event depends on both. Layouts take turns, round after round, on one broker; each
prints its median events/s and CPU per input event, in the pipeline's loop and in the broker.

    python bench/partitions.py                       # 6/3 (the former layout), 3/1, 1/1
    python bench/partitions.py --layouts 3/1,3/3 --rounds 5

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
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import broker.topology as topology_module
from bench.pipeline import Round, broker, drop_namespaces, measure_round, us_per_record
from bench.workload import build_workload
from broker.logs import configure_logging

Layout = tuple[int, int]


@contextlib.contextmanager
def layout(inbound: int, written: int) -> Iterator[None]:
    """Topics of namespaces first built meanwhile get these partition counts (topic specs are
    built once per namespace, and every round has a namespace of its own)."""
    saved = topology_module.STANDARD_PARTITIONS, topology_module.NETWORK_WRITTEN_PARTITIONS
    topology_module.STANDARD_PARTITIONS = inbound
    topology_module.NETWORK_WRITTEN_PARTITIONS = written
    try:
        yield
    finally:
        topology_module.STANDARD_PARTITIONS, topology_module.NETWORK_WRITTEN_PARTITIONS = saved


def parse_layouts(text: str) -> list[Layout]:
    layouts = []
    for part in text.split(","):
        inbound, _, written = part.strip().partition("/")
        if not (inbound.isdigit() and written.isdigit() and int(inbound) and int(written)):
            raise argparse.ArgumentTypeError(
                f"{part!r}: a layout is INBOUND/WRITTEN, two positive partition counts"
            )
        layouts.append((int(inbound), int(written)))
    return layouts


async def compare(
    bootstrap: str, broker_pid: int | None, layouts: list[Layout], events: int, rounds: int
) -> None:
    workload = build_workload(events)
    gc.collect()
    gc.freeze()
    measured: dict[Layout, list[Round]] = {each: [] for each in layouts}
    with tempfile.TemporaryDirectory() as tmp:
        for round_no in range(1, rounds + 1):
            for each in layouts:
                with layout(*each):
                    measured[each].append(
                        await measure_round(bootstrap, broker_pid, workload, Path(tmp))
                    )
                print(f"  round {round_no}, {each[0]}/{each[1]}: done", flush=True)
        print(
            f"median of {rounds} rounds of {events:,} events; partitions per inbound topic / "
            "per topic the network writes:"
        )
        for (inbound, written), runs in measured.items():
            loop = [us_per_record(r.pipeline_cpu, "self", events) or 0.0 for r in runs]
            brokers = [us_per_record(r.pipeline_cpu, "broker", events) for r in runs]
            known = [b for b in brokers if b is not None]
            broker_text = f" + {statistics.median(known):.0f} µs in the broker" if known else ""
            rate = statistics.median(r.pipeline for r in runs)
            print(
                f"  {inbound}/{written}: pipeline {rate:,.0f} events/s; "
                f"CPU per event {statistics.median(loop):.0f} µs in the loop"
                f"{broker_text} (broker by round: {', '.join(f'{b:.0f}' for b in known)})"
            )
        await drop_namespaces(bootstrap, [r.topology for runs in measured.values() for r in runs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--layouts",
        type=parse_layouts,
        default=parse_layouts("6/3,3/1,1/1"),
        help="comma-separated INBOUND/WRITTEN partition counts (default 6/3,3/1,1/1)",
    )
    parser.add_argument("--events", type=int, default=10_000, help="input events per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per layout (median)")
    parser.add_argument("--kafka-version", default=os.environ.get("MARE_KAFKA_VERSION", "4.4.0"))
    args = parser.parse_args()
    configure_logging("console", "warning")
    logging.getLogger("aiokafka").setLevel(logging.ERROR)  # leader elections of new topics
    with broker(args.kafka_version) as (bootstrap, broker_pid):
        asyncio.run(compare(bootstrap, broker_pid, args.layouts, args.events, args.rounds))


if __name__ == "__main__":
    main()
