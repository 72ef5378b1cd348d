"""The `mare` command as a newcomer uses it, against real Kafka processes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from broker.settings import Settings
from broker.topology import Kind, Topology
from tests.conftest import kafka_version
from tests.integration.test_managed_kafka import _produce, _read_all
from tests.processes import MareProcess, java_pids_under, mare_env

pytestmark = pytest.mark.integration


def _mare(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from broker.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_mare_up_starts_kafka_and_agents_stops_cleanly_and_finds_its_data_again(
    tmp_path: Path, namespace: str
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        topic_namespace=namespace,
        app_id=namespace,
        kafka_version=kafka_version(),
    )
    env = mare_env(settings, MARE_KAFKA_VERSION=kafka_version())
    inbound = Topology(namespace).inbound("paca", Kind.OFFER)

    first = MareProcess(["up"], env)
    try:
        ready = first.wait_for("kafka_ready")
        first.wait_for("worker_ready")
        bootstrap = str(ready["bootstrap"])
        asyncio.run(_produce(bootstrap, inbound.name, 5, partitions=inbound.partitions))
        assert first.interrupt() == 0
    finally:
        first.stop()
    assert not java_pids_under(tmp_path), "a Kafka JVM outlived `mare up`"

    second = MareProcess(["up"], env)
    try:
        restarted = str(second.wait_for("kafka_ready")["bootstrap"])
        second.wait_for("worker_ready")
        kept = [
            value
            for partition in range(inbound.partitions)
            for value in asyncio.run(_read_all(restarted, inbound.name, partition))
        ]
        assert sorted(kept) == sorted(f"record-{i}".encode() for i in range(5))
        assert second.interrupt() == 0
    finally:
        second.stop()
    assert not java_pids_under(tmp_path)


def test_doctor_reports_the_external_cluster_capabilities(settings: Settings) -> None:
    result = _mare(["doctor"], mare_env(settings))

    generation = "4.x" if kafka_version().startswith("4") else "3.x"
    assert f"Apache Kafka {generation}" in result.stdout, result.stdout + result.stderr
    for capability in ("idempotent producer", "transactions", "offsets by time"):
        line = next(row for row in result.stdout.splitlines() if capability in row)
        assert "yes" in line, line
    assert "missing" in result.stdout  # this namespace's topics were never created
    assert result.returncode == 1


def test_doctor_names_the_managed_version_and_topics_after_kafka_start(
    tmp_path: Path, namespace: str
) -> None:
    settings = Settings(data_dir=tmp_path, topic_namespace=namespace)
    env = mare_env(settings, MARE_KAFKA_VERSION=kafka_version())
    started = _mare(["kafka", "start"], env)
    assert started.returncode == 0, started.stderr
    try:
        assert _mare(["kafka", "status"], env).returncode == 0
        created = _mare(["topics", "create"], env)
        assert created.returncode == 0, created.stderr
        assert "created" in created.stdout
        assert "created" not in _mare(["topics", "create"], env).stdout  # idempotent

        doctor = _mare(["doctor"], env)

        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        assert f"Apache Kafka {kafka_version()} (managed)" in doctor.stdout
        assert f"{namespace}.deadletter" in doctor.stdout
    finally:
        _mare(["kafka", "stop"], env)
    assert _mare(["kafka", "status"], env).returncode == 1
    assert not java_pids_under(tmp_path)


def test_worker_without_a_cluster_says_how_to_get_one(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)

    result = _mare(["worker"], mare_env(settings))

    assert result.returncode == 2
    assert "MARE_BOOTSTRAP_SERVERS" in result.stderr
    assert "mare up" in result.stderr
