"""CPU per event of the worker's decisions, without a broker, beside the plain relay's work.

    .venv/bin/python bench/decisions.py --events 5000 --rounds 5

The records of ``bench/workload.py`` go through the handlers the worker's loops call, in
the slices the loop hands them over in (``SLICE_SIZE``), with no Kafka around them:

- **relay**: ``bench/relay.py``'s decode → change a field → encode of each record, the work
  of the plain and transactional relays (one output per input);
- **pipeline**: ``PipelineHandler.process``: ingest, route, translate, the encoded deliveries
  and acknowledgements, the state records;
- **acknowledger**: ``AcknowledgerHandler.process`` of what the pipeline wrote to the
  acknowledger's input (the delivery notices that start the SLA clocks).

Each round runs all three over the same records with fresh handlers (nothing is a duplicate),
so machine noise hits them alike; figures are medians over the rounds, in process CPU time.
At a given rate, a worker needs this much CPU for its decisions alone, before any Kafka
client work: at 1,000 events/s, 500 µs per event is half a vCPU.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiokafka.structs import ConsumerRecord

from agents.acknowledger import AcknowledgerHandler
from agents.pipeline import PipelineContext, PipelineHandler
from agents.router import shipped_rules
from agents.translator import localize
from bench.relay import relayed
from bench.workload import build_workload
from broker.clock import SystemClock
from broker.codec import Codec
from broker.processor import SLICE_SIZE, BatchOutput
from broker.topology import Topology

Records = list[ConsumerRecord[bytes, bytes]]


def consumer_records(
    items: Sequence[tuple[str, bytes | None, bytes | None, list[tuple[str, bytes]]]],
) -> Records:
    """Records as aiokafka hands them to a loop: topic, key, value and headers."""
    now = int(time.time() * 1000)
    return [
        ConsumerRecord(
            topic, 0, offset, now, 0, key, value, None, len(key or b""), len(value or b""), headers
        )
        for offset, (topic, key, value, headers) in enumerate(items)
    ]


def cpu_us_per_record(work: Callable[[Records], object], records: Records) -> float:
    """Process CPU time of ``work`` over ``records`` in slices, per record, in µs."""
    started = time.process_time()
    for start in range(0, len(records), SLICE_SIZE):
        work(records[start : start + SLICE_SIZE])
    return (time.process_time() - started) * 1e6 / len(records)


def one_round(
    topology: Topology, codec: Codec, inputs: Records
) -> tuple[float, float, float, float]:
    """µs per record of the relay, µs per event of the pipeline and of the acknowledger, and
    records the pipeline wrote per event."""
    relay_us = cpu_us_per_record(lambda rs: [relayed(r.value) for r in rs], inputs)

    pipeline = PipelineHandler(
        PipelineContext(topology, codec, shipped_rules(), localize), SystemClock()
    )
    output = BatchOutput()
    pipeline_us = cpu_us_per_record(lambda rs: output.extend(pipeline.process(rs)), inputs)
    if pipeline.counts["accepted"] != len(inputs):
        raise SystemExit(f"not every event was accepted: {pipeline.counts}")

    sla = topology.sla_input.name
    notices = consumer_records(
        [(s.topic, s.key, s.value, list(s.headers)) for s in output.sends if s.topic == sla]
    )
    acknowledger = AcknowledgerHandler(topology, codec, SystemClock())
    ack_us = cpu_us_per_record(acknowledger.process, notices) * len(notices) / len(inputs)
    return relay_us, pipeline_us, ack_us, len(output.sends) / len(inputs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5_000, help="input events per round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median)")
    args = parser.parse_args()

    topology = Topology("decisions")
    codec = Codec.default()
    workload = build_workload(args.events)
    print(f"workload: {workload.describe()}")
    inputs = consumer_records(
        [(i.inbound_topic(topology), i.key, i.value, i.headers) for i in workload.items]
    )
    gc.collect()
    gc.freeze()  # the workload is long-lived, as a loop's batch is not: keep it out of the GC

    rounds = []
    for round_no in range(1, args.rounds + 1):
        rounds.append(one_round(topology, codec, inputs))
        relay_us, pipeline_us, ack_us, _ = rounds[-1]
        print(
            f"  round {round_no}: relay {relay_us:6.1f} µs/record, pipeline "
            f"{pipeline_us:6.1f} µs/event, acknowledger {ack_us:6.1f} µs/event"
        )
        gc.collect()

    relay, pipe, ack, written = (statistics.median(r[i] for r in rounds) for i in range(4))
    print(f"relay (decode, change a field, encode): {relay:.1f} µs per record")
    print(
        f"pipeline (ingest, route, translate, deliver + acknowledge): {pipe:.1f} µs per event "
        f"({written:.1f} records written per event)"
    )
    print(f"acknowledger (its notices, SLA clocks started): {ack:.1f} µs per event")
    print(
        f"decisions per event / relay per record: {(pipe + ack) / relay:.1f}; at 1,000 events/s "
        f"the decisions alone take {(pipe + ack) / 10:.0f} % of a vCPU"
    )


if __name__ == "__main__":
    main()
