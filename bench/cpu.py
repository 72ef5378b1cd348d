"""CPU accounting for the benchmarks: what each process used while a figure was measured.

On the project's 2-vCPU machines the broker, the worker and the benchmark's partner clients
share the same two vCPUs, so a figure means little without who used them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

Snapshot = dict[str, float | None]


def process_cpu_s(pid: int) -> float:
    """User plus system CPU seconds of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    times = os.times()
    return times.user + times.system


def snapshot(**pids: int | Sequence[int] | None) -> Snapshot:
    """CPU seconds so far of this process (``self``) and of each named pid, or the sum over
    a named group of pids (None: not here)."""
    totals: Snapshot = {"self": own_cpu_s()}
    for name, pid in pids.items():
        if pid is None:
            totals[name] = None
        elif isinstance(pid, int):
            totals[name] = process_cpu_s(pid)
        else:
            totals[name] = sum(process_cpu_s(p) for p in pid)
    return totals


def pin(pid: int, cpus: set[int]) -> None:
    """Keep every thread of a process on ``cpus`` (Linux); threads it starts later inherit it."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        os.sched_setaffinity(int(task.name), cpus)


def used(before: Snapshot, after: Snapshot) -> Snapshot:
    """CPU seconds each process used between two snapshots."""
    deltas: Snapshot = {}
    for name, start in before.items():
        end = after[name]
        deltas[name] = None if start is None or end is None else end - start
    return deltas
