"""CPU accounting for the benchmarks: what each process used while a figure was measured.

On the project's 2-vCPU machines the broker, the worker and the benchmark's partner clients
share the same two vCPUs, so a figure means little without who used them.
"""

from __future__ import annotations

import os
from pathlib import Path


def process_cpu_s(pid: int) -> float:
    """User plus system CPU seconds of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    times = os.times()
    return times.user + times.system
