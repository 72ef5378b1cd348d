"""``mare doctor``: is the cluster reachable, which Kafka is it, can it do what we rely on?

Kafka does not announce its release on the wire, so for an external cluster the version is
inferred from the API versions it advertises (KIP-896 removed old request versions in 4.0:
a Fetch floor of v4 means 4.x); the managed broker's exact release is known.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from aiokafka.client import AIOKafkaClient

from broker import kafka_clients
from broker.settings import Settings
from broker.topics_admin import existing_partitions, topic_configs
from broker.topology import Topology

_PRODUCE, _FETCH, _LIST_OFFSETS, _INIT_PRODUCER_ID, _SHARE_GROUP_HEARTBEAT = 0, 1, 2, 22, 76


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class TopicRow:
    name: str
    present: bool
    partitions: int | None
    expected_partitions: int
    config: dict[str, str]


@dataclass
class DoctorReport:
    bootstrap: str
    checks: list[Check] = field(default_factory=list)
    topics: list[TopicRow] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(c.ok for c in self.checks) and all(t.present for t in self.topics)


def describe_version(versions: dict[int, tuple[int, int]]) -> str:
    """The Kafka generation its advertised API versions reveal (Fetch floor v4 → 4.x)."""
    fetch_min, fetch_max = versions.get(_FETCH, (0, 0))
    produce_max = versions.get(_PRODUCE, (0, 0))[1]
    generation = "4.x" if fetch_min >= 4 else "3.x or older"
    share = ", share groups" if _SHARE_GROUP_HEARTBEAT in versions else ""
    return f"Apache Kafka {generation} (Produce v{produce_max}, Fetch v{fetch_max}{share})"


async def api_versions(settings: Settings, bootstrap: str) -> dict[int, tuple[int, int]]:
    client = AIOKafkaClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=10000,
        **kafka_clients.security_options(settings),
    )
    await client.bootstrap()
    try:
        node = next(iter(client.cluster.brokers())).nodeId
        conn = await client._get_conn(node)
        return dict(conn._versions)
    finally:
        await client.close()


async def transactions_work(settings: Settings, bootstrap: str) -> str:
    """Initialise a transactional producer and commit an empty transaction."""
    producer = kafka_clients.producer(
        settings, bootstrap, transactional_id=f"mare-doctor-{uuid.uuid4()}"
    )
    await producer.start()
    try:
        await producer.begin_transaction()
        await producer.commit_transaction()
    finally:
        await producer.stop()
    return "InitProducerId and an empty transaction committed"


async def diagnose(settings: Settings, bootstrap: str, managed_version: str | None) -> DoctorReport:
    report = DoctorReport(bootstrap)
    try:
        versions = await api_versions(settings, bootstrap)
    except Exception as exc:  # reported, not raised: the doctor explains failures
        report.checks.append(Check("connectivity", False, f"{bootstrap}: {exc!r}"))
        return report
    admin = kafka_clients.admin(settings, bootstrap)
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
        brokers = cluster.get("brokers", [])
        report.checks.append(
            Check(
                "connectivity",
                True,
                f"{len(brokers)} broker(s), controller {cluster.get('controller_id')}",
            )
        )
        detail = describe_version(versions)
        if managed_version:
            detail = f"Apache Kafka {managed_version} (managed); " + detail.split(" (", 1)[1][:-1]
        report.checks.append(Check("version", True, detail))
        report.checks.append(
            Check(
                "idempotent producer",
                _INIT_PRODUCER_ID in versions,
                "InitProducerId supported"
                if _INIT_PRODUCER_ID in versions
                else "no InitProducerId",
            )
        )
        try:
            report.checks.append(
                Check("transactions", True, await transactions_work(settings, bootstrap))
            )
        except Exception as exc:  # reported: a cluster without a transaction coordinator
            report.checks.append(Check("transactions", False, repr(exc)))
        list_offsets = versions.get(_LIST_OFFSETS, (0, 0))[1]
        report.checks.append(
            Check("offsets by time", list_offsets >= 1, f"ListOffsets v{list_offsets}")
        )
        present = await existing_partitions(admin)
        specs = Topology(settings.topic_namespace).all_topics()
        configs = await topic_configs(admin, [s.name for s in specs if s.name in present])
        report.topics = [
            TopicRow(
                s.name,
                s.name in present,
                present.get(s.name),
                s.partitions,
                configs.get(s.name, {}),
            )
            for s in specs
        ]
    finally:
        await admin.close()
    return report
