"""Every topic of the network, named in one place.

``mare topics create``, the Faust app, the stream processors and the AsyncAPI document all
read :func:`all_topics`; no other module spells a topic name. Regions come from the region
registry, so a sixth partner region adds its topics without a code change.

Per region and partner-published kind, an inbound topic (partners produce) and an outbound
topic (the region's agencies consume what the network delivers to them, already localized);
per region an acknowledgement topic back to the senders; one dead-letter topic; internal
topics for deduplication, SLA clocks and their state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import cache, wraps
from typing import Any, TypeVar, cast

from broker.regions import region_keys

SpecMethod = TypeVar("SpecMethod", bound=Callable[..., "TopicSpec"])


class Kind(StrEnum):
    """What partners publish on an inbound topic."""

    OFFER = "offer"
    REFERRAL = "referral"
    MOBILITY = "mobility"
    ACK = "ack"


# Which field keys the records of each kind: one entity's events stay in order.
_KEYS = {
    Kind.OFFER: "offer_id",
    Kind.REFERRAL: "referral_id",
    Kind.MOBILITY: "request_id",
    Kind.ACK: "subject_id",
}

DELIVERED_KINDS = (Kind.OFFER, Kind.REFERRAL, Kind.MOBILITY)
INBOUND_RETENTION = timedelta(days=30)
# Dedupe window and offer index: longer than any replay, as long as offers usually stay open.
STATE_RETENTION = timedelta(days=90)
# Partitions are the unit of parallelism, and each costs: every fetch lists every partition
# its consumer reads (aiokafka has no incremental fetch sessions), and every partition a
# transaction writes gets a commit marker before the next transaction may start: the broker's
# CPU per event grows with both counts. One partition carries thousands of events per second,
# far beyond what a region publishes; the twenty inbound topics (three partitions each) leave
# room for sixty consumers in the network's group, and an agency reads its region's outbound
# topic with one consumer.
STANDARD_PARTITIONS = 3
NETWORK_WRITTEN_PARTITIONS = 1


@dataclass(frozen=True)
class TopicSpec:
    """A topic with the settings ``mare topics create`` gives it."""

    name: str
    partitions: int
    key: str  # the field that keys records, so one entity's events stay in order
    description: str
    retention: timedelta | None = None
    compacted: bool = False
    internal: bool = False

    def config(self) -> dict[str, str]:
        """Kafka topic configs: cleanup policy and retention."""
        config: dict[str, str] = {}
        if self.compacted:
            config["cleanup.policy"] = "compact,delete" if self.retention else "compact"
        else:
            config["cleanup.policy"] = "delete"
        if self.retention is not None:
            config["retention.ms"] = str(int(self.retention.total_seconds() * 1000))
        elif not self.compacted:
            config["retention.ms"] = "-1"
        return config


def _built_once(method: SpecMethod) -> SpecMethod:
    """A topic's spec depends only on the namespace and the arguments: built once each
    (every processed event asks for the topics it writes)."""

    @cache
    def build(namespace: str, *args: Any) -> TopicSpec:
        return method(Topology(namespace), *args)

    @wraps(method)
    def spec(self: Topology, *args: Any) -> TopicSpec:
        return build(self.namespace, *args)

    return cast(SpecMethod, spec)


@dataclass(frozen=True)
class Topology:
    """The network's topics under one namespace (``mare`` in production).

    Tests and staging networks use their own namespace, so several networks share a
    cluster without seeing each other's events.
    """

    namespace: str = "mare"

    @_built_once
    def inbound(self, region: str, kind: Kind) -> TopicSpec:
        return TopicSpec(
            f"{self.namespace}.{region}.{kind}.in",
            STANDARD_PARTITIONS,
            _KEYS[kind],
            f"{kind} events published by the agencies of {region}",
            retention=INBOUND_RETENTION,
        )

    @_built_once
    def outbound(self, region: str, kind: Kind) -> TopicSpec:
        if kind == Kind.ACK:
            return self.acks_out(region)
        return TopicSpec(
            f"{self.namespace}.{region}.{kind}.out",
            NETWORK_WRITTEN_PARTITIONS,
            _KEYS[kind],
            f"{kind} deliveries for the agencies of {region}, localized for the region",
            retention=INBOUND_RETENTION,
        )

    @_built_once
    def acks_out(self, region: str) -> TopicSpec:
        return TopicSpec(
            f"{self.namespace}.{region}.ack.out",
            NETWORK_WRITTEN_PARTITIONS,
            "subject_id",
            f"acknowledgements and SLA breaches for the senders of {region}",
            retention=INBOUND_RETENTION,
        )

    @property
    @_built_once
    def deadletter(self) -> TopicSpec:
        return TopicSpec(
            f"{self.namespace}.deadletter",
            3,
            "error_code",
            "rejected input with original bytes, headers, error code, stage and reason",
            retention=timedelta(days=90),
        )

    @property
    @_built_once
    def seen_events(self) -> TopicSpec:
        return TopicSpec(
            f"{self.namespace}.internal.seen-events",
            NETWORK_WRITTEN_PARTITIONS,
            "seen:<event_id> | offer:<offer_id>",
            "event ids already processed (replays and retries count once) and the region "
            "that published each offer (referrals reach its owner)",
            retention=STATE_RETENTION,
            compacted=True,
            internal=True,
        )

    @property
    @_built_once
    def sla_input(self) -> TopicSpec:
        return TopicSpec(
            f"{self.namespace}.internal.sla",
            NETWORK_WRITTEN_PARTITIONS,
            "<SUBJECT_KIND>:<subject_id>",
            "DELIVERED and agency acknowledgements feeding the relays and the SLA clocks",
            retention=INBOUND_RETENTION,
            internal=True,
        )

    @property
    @_built_once
    def sla_state(self) -> TopicSpec:
        return TopicSpec(
            f"{self.namespace}.internal.sla-state",
            NETWORK_WRITTEN_PARTITIONS,
            "<SUBJECT_KIND>:<subject_id>",
            "changelog of the acknowledger: per offer, referral or request, where it was "
            "delivered and its SLA clocks",
            compacted=True,
            internal=True,
        )

    @property
    @_built_once
    def operator_alerts(self) -> TopicSpec:
        return TopicSpec(
            f"{self.namespace}.operator.alerts",
            1,
            "error_code",
            "operator alerts: a dead-letter error code seen for the first time, or in bulk",
            retention=timedelta(days=30),
        )

    def regional_topics(self, region: str) -> list[TopicSpec]:
        topics = [self.inbound(region, kind) for kind in Kind]
        topics += [self.outbound(region, kind) for kind in DELIVERED_KINDS]
        topics.append(self.acks_out(region))
        return topics

    def all_topics(self) -> list[TopicSpec]:
        """Every topic the network needs, regional ones first, in a stable order."""
        topics = [spec for region in region_keys() for spec in self.regional_topics(region)]
        shared = [
            self.deadletter,
            self.seen_events,
            self.sla_input,
            self.sla_state,
            self.operator_alerts,
        ]
        return [*topics, *shared]

    def inbound_topics(self) -> list[TopicSpec]:
        return [self.inbound(region, kind) for region in region_keys() for kind in Kind]

    def region_of_topic(self, name: str) -> str | None:
        """The region a regional topic belongs to (``mare.paca.offer.in`` → ``paca``)."""
        return _regional_parts(self.namespace, name)[0]

    def kind_of_topic(self, name: str) -> Kind | None:
        """The kind a regional topic carries (``mare.paca.offer.in`` → ``offer``)."""
        return _regional_parts(self.namespace, name)[1]


@cache
def _regional_parts(namespace: str, name: str) -> tuple[str | None, Kind | None]:
    """Region and kind of a regional topic name, worked out once per name: every consumed
    record asks, and a network has a few dozen topics."""
    parts = name.split(".")
    if len(parts) != 4 or parts[0] != namespace:
        return None, None
    region = parts[1] if parts[1] in region_keys() else None
    kind = Kind(parts[2]) if parts[2] in Kind.__members__.values() else None
    return region, kind
