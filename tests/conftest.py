"""Shared fixtures: a real Apache Kafka for the integration tests, a fresh namespace per test.

The broker is the managed Kafka (``MARE_KAFKA_VERSION``, default 4.4.0) started once per
session, or the cluster named by ``MARE_KAFKA_BOOTSTRAP``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from broker.local_kafka import LocalKafka
from broker.settings import Settings
from broker.topology import Topology
from broker.worker import create_all_topics
from tests.fakes import FakeClock


def kafka_version() -> str:
    return os.environ.get("MARE_KAFKA_VERSION", "4.4.0")


def pytest_report_header(config: pytest.Config) -> str:
    external = os.environ.get("MARE_KAFKA_BOOTSTRAP")
    if external:
        return f"kafka: external cluster at {external}"
    return f"kafka: managed Apache Kafka {kafka_version()} (MARE_KAFKA_VERSION)"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test without the unit or integration mark: `make test` runs each mark in its
    own step, so an unmarked test would silently run in neither."""
    unmarked = [
        item.nodeid
        for item in items
        if not {"unit", "integration"} & {mark.name for mark in item.iter_markers()}
    ]
    if unmarked:
        raise pytest.UsageError(
            f"{len(unmarked)} tests have neither the unit nor the integration mark: "
            + ", ".join(unmarked[:5])
        )


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap servers of the session's real Kafka broker."""
    external = os.environ.get("MARE_KAFKA_BOOTSTRAP")
    if external:
        yield external
        return
    settings = Settings()
    kafka = LocalKafka(
        kafka_version(),
        tmp_path_factory.mktemp("kafka"),
        settings.cache_dir,
        heap="768m",
        jvm_options=settings.kafka_jvm_args,
    )
    kafka.start()
    try:
        yield kafka.bootstrap
    finally:
        kafka.stop()


@pytest.fixture
def namespace() -> str:
    """A topic namespace of this test's own, so tests never see each other's events."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def settings(kafka_bootstrap: str, namespace: str, tmp_path: Path) -> Settings:
    return Settings(
        bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
        app_id=f"{namespace}-app",
        worker_id=f"{namespace}-worker",
        data_dir=tmp_path / "data",
        log_format="json",
    )


@pytest.fixture
def topology(namespace: str) -> Topology:
    return Topology(namespace)


@pytest.fixture
async def fresh_topics(settings: Settings, kafka_bootstrap: str) -> Topology:
    """Every topic of the topology created under this test's namespace."""
    await create_all_topics(settings, kafka_bootstrap)
    return Topology(settings.topic_namespace)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
