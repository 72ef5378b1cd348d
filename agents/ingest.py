"""Ingest core: decide whether an inbound Kafka record is a new, acceptable event.

Pure: the record, the topology, the codec and what the network has already seen go in; an
``Accepted`` or a ``Duplicate`` comes out, or a ``RejectedEvent`` is raised with the field and
the rule. The shell turns rejections into dead letters; nothing is dropped silently.

Checks beyond the model's own rules:
- the event type belongs on the topic (an offer on ``*.offer.in``, …): KIND_MISMATCH;
- the event's ``source_region`` is the region of the topic it arrived on, so an agency cannot
  publish in another region's name: SOURCE_REGION_MISMATCH;
- CloudEvents headers, when present, name this event (``ce_id``, ``ce_type``):
  CLOUDEVENT_HEADERS_INVALID;
- an ``event_id`` already processed is a duplicate (producer retry or replay): counted and
  skipped, never processed twice.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from typing import NamedTuple
from uuid import UUID

from broker.cloudevents import parse_headers
from broker.codec import Codec
from broker.errors import CloudEventHeadersInvalid, KindMismatch, SourceRegionMismatch
from broker.models import Acknowledgement, CandidateReferral, JobOffer, MobilityRequest
from broker.topology import Kind, Topology

InboundEvent = JobOffer | CandidateReferral | MobilityRequest | Acknowledgement

EXPECTED_TYPES: dict[Kind, type[InboundEvent]] = {
    Kind.OFFER: JobOffer,
    Kind.REFERRAL: CandidateReferral,
    Kind.MOBILITY: MobilityRequest,
    Kind.ACK: Acknowledgement,
}


class InboundRecord(NamedTuple):
    """One consumed Kafka record, as the shell read it (a tuple: one per record)."""

    topic: str
    partition: int
    offset: int
    timestamp: int | None
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes | None], ...] = ()


@dataclass(frozen=True)
class Accepted:
    event: InboundEvent
    region: str
    kind: Kind


@dataclass(frozen=True)
class Duplicate:
    event_id: UUID
    region: str


def admit(
    record: InboundRecord, topology: Topology, codec: Codec, seen: Container[UUID]
) -> Accepted | Duplicate:
    """Decode, validate and deduplicate one inbound record; raise RejectedEvent if refused."""
    region = topology.region_of_topic(record.topic)
    kind = topology.kind_of_topic(record.topic)
    if region is None or kind is None:
        raise KindMismatch(f"{record.topic!r} is not an inbound topic of the network")
    event = codec.decode(record.value)
    expected = EXPECTED_TYPES[kind]
    if not isinstance(event, expected):
        raise KindMismatch(
            f"a {type(event).__name__} does not belong on {record.topic}, which carries "
            f"{expected.__name__} events",
            source_region=region,
            event_type=type(event).__name__,
        )
    if event.source_region != region:
        raise SourceRegionMismatch(
            f"source_region is {event.source_region!r} but the event was published on "
            f"{record.topic}, the inbound topic of {region!r}",
            field="source_region",
            source_region=region,
            event_type=type(event).__name__,
        )
    _check_cloudevent_headers(record, event, region)
    if event.event_id in seen:
        return Duplicate(event.event_id, region)
    return Accepted(event, region, kind)


def _check_cloudevent_headers(record: InboundRecord, event: InboundEvent, region: str) -> None:
    """CloudEvents headers are optional, but when present they must describe this event:
    generic tooling routes and deduplicates on them without reading the body."""
    attributes = parse_headers(record.headers)
    if attributes is None:
        return
    if attributes.id != str(event.event_id):
        raise CloudEventHeadersInvalid(
            f"ce_id {attributes.id!r} is not the event_id {event.event_id} of the body",
            field="ce_id",
            source_region=region,
            event_type=type(event).__name__,
        )
    if attributes.event_type != type(event).__name__:
        raise CloudEventHeadersInvalid(
            f"ce_type {attributes.type!r} does not name a {type(event).__name__}",
            field="ce_type",
            source_region=region,
            event_type=type(event).__name__,
        )
