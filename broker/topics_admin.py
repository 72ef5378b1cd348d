"""Create and inspect the topology's topics on a cluster; idempotent by design."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from broker.topology import TopicSpec

TopicStatus = Literal["created", "exists", "mismatch"]


@dataclass(frozen=True)
class TopicReport:
    spec: TopicSpec
    status: TopicStatus
    partitions: int | None
    detail: str = ""


async def cluster_size(admin: AIOKafkaAdminClient) -> int:
    meta = await admin.describe_cluster()
    return len(meta.get("brokers", []))


async def existing_partitions(admin: AIOKafkaAdminClient) -> dict[str, int]:
    """Partition count of every topic on the cluster."""
    names = await admin.list_topics()
    if not names:
        return {}
    described = await admin.describe_topics(list(names))
    return {t["topic"]: len(t["partitions"]) for t in described if not t.get("error_code")}


async def ensure_topics(
    admin: AIOKafkaAdminClient,
    specs: Sequence[TopicSpec],
    replication: int | None = None,
    on_topic: Callable[[TopicReport], None] | None = None,
) -> list[TopicReport]:
    """Create the missing topics; report existing ones whose partition count differs.

    A partition count is never changed on an existing topic: that would move keys to other
    partitions and break per-entity order, so it is reported for an operator to decide.
    """
    rf = replication or min(3, await cluster_size(admin))
    present = await existing_partitions(admin)
    missing = [s for s in specs if s.name not in present]
    if missing:
        await admin.create_topics(
            [NewTopic(s.name, s.partitions, rf, topic_configs=s.config()) for s in missing]
        )
    reports = []
    for spec in specs:
        if spec.name not in present:
            report = TopicReport(spec, "created", spec.partitions)
        elif present[spec.name] != spec.partitions:
            report = TopicReport(
                spec,
                "mismatch",
                present[spec.name],
                f"has {present[spec.name]} partitions, topology says {spec.partitions}",
            )
        else:
            report = TopicReport(spec, "exists", present[spec.name])
        reports.append(report)
        if on_topic:
            on_topic(report)
    return reports


async def topic_configs(
    admin: AIOKafkaAdminClient, names: Sequence[str]
) -> dict[str, dict[str, str]]:
    """cleanup.policy, retention.ms and min.insync.replicas of each named topic."""
    if not names:
        return {}
    wanted = {"cleanup.policy", "retention.ms", "min.insync.replicas"}
    responses = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    )
    configs: dict[str, dict[str, str]] = {}
    for response in responses:
        for resource in response.resources:
            _err, _msg, _type, name, entries = resource[:5]
            configs[name] = {e[0]: e[1] for e in entries if e[0] in wanted}
    return configs
