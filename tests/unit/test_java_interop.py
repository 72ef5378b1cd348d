"""Apache Avro for Java agrees with us: same SOE bytes, same fingerprints (scripts/java_interop.sh).

Needs Java and Maven (and Maven Central on the first build); skipped, with the reason, when
they are missing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "java_interop.sh"


@pytest.mark.skipif(
    shutil.which("mvn") is None or shutil.which("java") is None,
    reason="Java interop needs `mvn` and `java` on PATH (apt-get install maven openjdk-17-jdk)",
)
def test_java_avro_reads_and_writes_our_vectors_byte_for_byte() -> None:
    run = subprocess.run(
        ["bash", str(SCRIPT)], capture_output=True, text=True, timeout=600, check=False
    )

    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    assert run.returncode == 0, run.stdout + run.stderr
    assert summary.endswith(" passed, 0 failed"), summary
