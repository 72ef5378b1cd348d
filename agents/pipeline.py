"""Pipeline core: ingest → route → translate → deliver + acknowledge, for one inbound record.

Pure: the record, what the network remembers and the current time go in; the events to emit
(with their topics and keys) and what to remember come out. Every record ends in exactly one
outcome (ARCHITECTURE.md, guarantee 1): ``accepted`` (its deliveries and acknowledgements),
``rejected`` (a dead letter, and a REJECTED acknowledgement when the sender can be told), or
``duplicate`` (counted, nothing emitted). Routing and translation happen in this one pass: no
extra topic hop just to translate.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NamedTuple
from uuid import UUID

import faust
import structlog
from aiokafka.structs import ConsumerRecord
from structlog.contextvars import bound_contextvars

from agents.acknowledger import (
    NETWORK_AGENCY,
    DeliveryNotice,
    contact_deadline,
    rejection,
    subject_key,
)
from agents.ingest import Accepted, Duplicate, InboundEvent, InboundRecord, admit
from agents.router import RoutedEvent, RoutingRules, route, shipped_rules
from broker.app import AppContext
from broker.clock import Clock, clock_from
from broker.codec import Codec
from broker.deadletter import dead_letter_for, dead_letter_headers, stage_of
from broker.errors import (
    DestinationIsSource,
    KindMismatch,
    OfferOwnerUnknown,
    RejectedEvent,
    SourceRegionMismatch,
    SubjectUnknown,
)
from broker.ids import acknowledgement_id
from broker.models import (
    Acknowledgement,
    AckStatus,
    CandidateReferral,
    DeadlineKind,
    Delivery,
    JobOffer,
    MobilityRequest,
    MobilityRequestDelivery,
    OfferDelivery,
    ReferralDelivery,
    Stage,
    SubjectKind,
    TranslatedField,
    WireModel,
)
from broker.outgoing import OutgoingEncoder
from broker.processor import BatchOutput, Send, TransactionalLoop
from broker.regions import regions
from broker.settings import Settings
from broker.topology import Topology

Outcome = Literal["accepted", "rejected", "duplicate"]
Localizer = Callable[[RoutedEvent, str], list[TranslatedField]]

_JSON_HEADERS: tuple[tuple[str, bytes], ...] = (("content-type", b"application/json"),)

_DELIVERY_TYPES: dict[type[RoutedEvent], type[Delivery]] = {
    JobOffer: OfferDelivery,
    CandidateReferral: ReferralDelivery,
    MobilityRequest: MobilityRequestDelivery,
}
_SUBJECT_FIELDS = {
    "JobOffer": (SubjectKind.OFFER, "offer_id"),
    "CandidateReferral": (SubjectKind.REFERRAL, "referral_id"),
    "MobilityRequest": (SubjectKind.MOBILITY, "request_id"),
}


class Emit(NamedTuple):
    """One event to send: where, under which key, with which extra headers (a tuple: an
    event emits several)."""

    topic: str
    key: str
    event: WireModel | DeliveryNotice
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass
class PipelineResult:
    outcome: Outcome
    emits: list[Emit] = field(default_factory=list)
    remember: dict[str, str] = field(default_factory=dict)
    error_code: str | None = None


class SeenEvents(Container[UUID]):
    """The event ids processed, kept as 128-bit integers.

    A set of UUID objects would be one object per event for the garbage collector to walk on
    every full collection, and the network remembers 90 days of events; integers are not
    tracked by it.
    """

    def __init__(self) -> None:
        self._ids: set[int] = set()

    def __contains__(self, event_id: object) -> bool:
        return isinstance(event_id, UUID) and event_id.int in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, event_id: UUID) -> None:
        self._ids.add(event_id.int)


@dataclass
class NetworkMemory:
    """What the pipeline remembers: event ids processed, and where each offer was published."""

    seen: SeenEvents = field(default_factory=SeenEvents)
    offer_owner: dict[str, str] = field(default_factory=dict)

    def apply(self, key: str, value: str) -> None:
        """Fold one remembered fact (as written to the state changelog) into memory."""
        space, _, name = key.partition(":")
        if space == "seen":
            self.seen.add(UUID(name))
        elif space == "offer":
            self.offer_owner[name] = value


def shared_fact(key: str) -> bool:
    """Whether every worker needs this remembered fact, whatever partitions it reads: which
    region published an offer (a referral naming it may arrive through any worker). Event ids
    need not be: a retried or replayed event comes back on the partition it came on."""
    return key.startswith("offer:")


@dataclass(frozen=True)
class PipelineContext:
    topology: Topology
    codec: Codec
    rules: RoutingRules
    localize: Localizer


def subject_of(event: InboundEvent) -> tuple[SubjectKind, str]:
    if isinstance(event, JobOffer):
        return SubjectKind.OFFER, event.offer_id
    if isinstance(event, CandidateReferral):
        return SubjectKind.REFERRAL, event.referral_id
    if isinstance(event, MobilityRequest):
        return SubjectKind.MOBILITY, event.request_id
    return event.subject_kind, event.subject_id


def handle(
    record: InboundRecord, ctx: PipelineContext, memory: NetworkMemory, clock: Clock
) -> PipelineResult:
    """The whole decision for one inbound record.

    The clock observes each accepted event's time first, so with an event-time clock the
    network's own acknowledgements are stamped with the time the events tell.
    """
    try:
        admitted = admit(record, ctx.topology, ctx.codec, memory.seen)
        if isinstance(admitted, Duplicate):
            return PipelineResult("duplicate")
        clock.observe(admitted.event.occurred_at)
        return _accept(admitted, ctx, memory, clock.now())
    except RejectedEvent as error:
        return reject(record, error, ctx, clock.now())


def _accept(
    accepted: Accepted, ctx: PipelineContext, memory: NetworkMemory, now: datetime
) -> PipelineResult:
    event = accepted.event
    remember = {f"seen:{event.event_id}": "1"}
    kind, subject_id = subject_of(event)
    if isinstance(event, Acknowledgement):
        # Relayed, and its clocks updated, by the acknowledger, which knows the subject.
        sla = ctx.topology.sla_input.name
        return PipelineResult(
            "accepted", [Emit(sla, subject_key(kind, subject_id), event)], remember
        )
    destinations = route(event, ctx.rules, memory.offer_owner.get)
    if isinstance(event, JobOffer):
        remember[f"offer:{event.offer_id}"] = event.source_region
    acks_out = ctx.topology.acks_out(event.source_region).name
    emits = [
        Emit(acks_out, subject_id, network_ack(event, AckStatus.RECEIVED, event.source_region, now))
    ]
    views: dict[tuple[str, str], list[TranslatedField]] = {}
    for destination in destinations:
        delivery = _DELIVERY_TYPES[type(event)].for_destination(
            event,
            destination_region=destination,
            localization=_localized(event, destination, ctx, views),
            occurred_at=now,
            checked=False,
        )
        emits.append(
            Emit(ctx.topology.outbound(destination, accepted.kind).name, subject_id, delivery)
        )
        emits.append(
            Emit(acks_out, subject_id, network_ack(event, AckStatus.DELIVERED, destination, now))
        )
    if destinations:
        # Internal, and built from a validated event and the network's own values.
        notice = DeliveryNotice.model_construct(
            kind=kind,
            subject_id=subject_id,
            origin_region=event.source_region,
            original_event_id=event.event_id,
            published_at=event.occurred_at,
            destinations=tuple(destinations),
            occurred_at=now,
        )
        emits.append(Emit(ctx.topology.sla_input.name, subject_key(kind, subject_id), notice))
    return PipelineResult("accepted", emits, remember)


def _localized(
    event: RoutedEvent,
    destination: str,
    ctx: PipelineContext,
    views: dict[tuple[str, str], list[TranslatedField]],
) -> list[TranslatedField]:
    """One localization per destination country and language: Tuscany, Sardinia and Liguria
    read an offer from Provence the same way."""
    info = regions().get(destination)
    key = (info.country, info.language)
    if key not in views:
        views[key] = ctx.localize(event, destination)
    return views[key]


def network_ack(
    event: RoutedEvent, status: AckStatus, region: str, now: datetime
) -> Acknowledgement:
    """The network's own acknowledgement of a partner's event, addressed to its region.

    A DELIVERED offer carries the first art. 17 deadline it starts (employer contact, 48 h).
    """
    kind, subject_id = subject_of(event)
    deadline = None
    if status == AckStatus.DELIVERED and isinstance(event, JobOffer):
        deadline = contact_deadline(event.occurred_at)
    # Built from a validated event and the network's own values: re-validating every field
    # is most of its cost (the unit tests validate what the pipeline emits).
    return Acknowledgement.from_trusted(
        event_id=acknowledgement_id(event.event_id, status, region),
        occurred_at=now,
        source_region=event.source_region,
        source_agency=NETWORK_AGENCY,
        correlation_id=event.event_id,
        acknowledged_event_id=event.event_id,
        subject_kind=kind,
        subject_id=subject_id,
        status=status,
        region=region,
        reason_code=None,
        reason=None,
        deadline=deadline,
        deadline_kind=DeadlineKind.EMPLOYER_CONTACT_48H if deadline else None,
        extended_until=None,
    )


def reject(
    record: InboundRecord, error: RejectedEvent, ctx: PipelineContext, now: datetime
) -> PipelineResult:
    """A dead letter with the reason, and a REJECTED acknowledgement when the sender is known."""
    region = ctx.topology.region_of_topic(record.topic)
    letter = dead_letter_for(
        error,
        stage=stage_of_rejection(error),
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        timestamp=record.timestamp,
        key=record.key,
        value=record.value,
        headers=record.headers,
        clock_now=now,
        region_hint=region,
    )
    emits = [Emit(ctx.topology.deadletter.name, error.code, letter, dead_letter_headers(letter))]
    ack = rejection_ack(record, error, ctx.codec, region, now)
    if ack is not None and region is not None:
        emits.append(Emit(ctx.topology.acks_out(region).name, ack.subject_id, ack))
    return PipelineResult("rejected", emits, error_code=error.code)


_NETWORK_STAGES: dict[type[RejectedEvent], Stage] = {
    SourceRegionMismatch: Stage.INGEST,
    KindMismatch: Stage.INGEST,
    OfferOwnerUnknown: Stage.ROUTE,
    DestinationIsSource: Stage.ROUTE,
    SubjectUnknown: Stage.ACKNOWLEDGE,
}


def stage_of_rejection(error: RejectedEvent) -> Stage:
    """Where the network refused it: its own rules by agent, else decode or validate."""
    return _NETWORK_STAGES.get(type(error)) or stage_of(error)


def rejection_ack(
    record: InboundRecord, error: RejectedEvent, codec: Codec, region: str | None, now: datetime
) -> Acknowledgement | None:
    """REJECTED, in the sender's language, if the record is readable enough to name the event.

    Undecodable bytes have no event id to acknowledge: they are in the dead-letter topic only.
    """
    if region is None:
        return None
    try:
        type_name, raw = codec.decode_record(record.value)
    except RejectedEvent:
        return None
    if type_name not in _SUBJECT_FIELDS and type_name != "Acknowledgement":
        return None
    if type_name == "Acknowledgement":
        kind, subject_id = raw.get("subject_kind"), raw.get("subject_id")
    else:
        kind, id_field = _SUBJECT_FIELDS[type_name]
        subject_id = raw.get(id_field)
    event_id = _uuid(raw.get("event_id"))
    if event_id is None or not isinstance(subject_id, str) or not isinstance(kind, str):
        return None
    try:
        coordinates = (record.topic, record.partition, record.offset)
        return rejection(event_id, kind, subject_id, region, error, coordinates, now)
    except ValueError:  # not readable enough to answer: the dead letter says it all
        return None


def _uuid(value: Any) -> UUID | None:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        return None


# --------------------------------------------------------------------------- wiring

log = structlog.get_logger(__name__)


class PipelineHandler:
    """Connect ``handle`` to the transactional loop. Decisions belong in ``handle``."""

    def __init__(self, ctx: PipelineContext, clock: Clock) -> None:
        self.ctx, self.clock = ctx, clock
        self.encoder = OutgoingEncoder(ctx.codec)
        self.memory = NetworkMemory()
        self.counts: dict[Outcome, int] = {"accepted": 0, "rejected": 0, "duplicate": 0}

    def reset(self) -> None:
        self.memory = NetworkMemory()

    def restore(self, key: str, value: bytes | None) -> None:
        if value is not None:
            self.memory.apply(key, value.decode())

    def idle(self) -> BatchOutput:
        return BatchOutput()

    def process(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> BatchOutput:
        output = BatchOutput()
        encoder = self.encoder
        for raw in records:
            record = InboundRecord(
                raw.topic,
                raw.partition,
                raw.offset,
                raw.timestamp,
                raw.key,
                raw.value,
                tuple(raw.headers or ()),
            )
            result = handle(record, self.ctx, self.memory, self.clock)
            for key, value in result.remember.items():
                self.memory.apply(key, value)
                output.state.append((key, value.encode()))
            body = None
            if result.outcome == "accepted" and raw.value is not None:
                body = encoder.original_body(raw.value)
            for emit in result.emits:
                if isinstance(emit.event, DeliveryNotice):
                    payload, headers = emit.event.model_dump_json().encode(), _JSON_HEADERS
                else:
                    payload = encoder.encode(emit.event, body)
                    headers = encoder.headers(emit.event)
                if emit.headers:
                    headers = (*headers, *emit.headers)
                output.sends.append(Send(emit.topic, emit.key.encode(), payload, headers))
            self.counts[result.outcome] += 1
            if result.outcome != "accepted":
                region = self.ctx.topology.region_of_topic(raw.topic)
                with bound_contextvars(
                    region=region, topic=raw.topic, partition=raw.partition, offset=raw.offset
                ):
                    log.info("event_" + result.outcome, error_code=result.error_code)
        return output


def pipeline_loop(
    settings: Settings, bootstrap: str, clock: Clock | None = None
) -> TransactionalLoop:
    """The throughput path as one transactional batch loop over every inbound topic."""
    from agents.translator import localize

    topology = Topology(settings.topic_namespace)
    ctx = PipelineContext(topology, codec_for(settings), shipped_rules(), localize)
    handler = PipelineHandler(ctx, clock or clock_from(settings))
    return TransactionalLoop(
        settings,
        bootstrap,
        name="pipeline",
        group_id=f"{settings.app_id}-pipeline",
        topics=[spec.name for spec in topology.inbound_topics()],
        handler=handler,
        state_topic=topology.seen_events.name,
        follow_state=shared_fact,
    )


def codec_for(settings: Settings) -> Codec:
    """The shipped codec, plus the Confluent schema ids the operators registered."""
    if not settings.confluent_schema_ids:
        return Codec.default()
    return Codec(schema_ids=settings.confluent_schema_ids)


def wire_pipeline(app: faust.App, context: AppContext) -> None:
    """Run the pipeline loop inside the Faust worker, for as long as the worker runs."""
    loop = pipeline_loop(context.settings, context.bootstrap)

    async def pipeline() -> None:
        await loop.run_forever()

    app.task(pipeline)
