"""Acknowledger core: relay agencies' acknowledgements to the sender, and run the SLA clocks.

Pure: a subject's record (what the network delivered where, and which deadlines run), an
input and the current time go in; the new record and the events to emit come out.

Service levels (PACA convention, art. 17): for an offer received, contact the employer
within **48 hours** and propose a solution within **10 days**; the agency tells the employer
at first contact when a hard-to-fill offer will need longer, which moves the second deadline
(DEADLINE_EXTENDED with ``extended_until``). Both deadlines are computed from the offer's
``occurred_at``, per destination region, and checked against the worker's clock: wall time
by default, or event time (``MARE_CLOCK=event``: the latest event time seen), so that a
replay finds exactly the breaches it found the first time. A deadline passes unmet once, so
its breach is emitted once, to both the offer's region and the destination; the record
remembers it.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import faust
import structlog
from aiokafka.structs import ConsumerRecord
from pydantic import BaseModel, ConfigDict
from structlog.contextvars import bound_contextvars

from broker.app import AppContext
from broker.clock import Clock, clock_from
from broker.codec import Codec
from broker.deadletter import dead_letter_for, dead_letter_headers
from broker.errors import RejectedEvent, SubjectUnknown
from broker.ids import breach_id, rejection_id
from broker.messages import explain, language_for
from broker.models import (
    Acknowledgement,
    AckStatus,
    DeadlineKind,
    SlaBreached,
    Stage,
    SubjectKind,
    WireModel,
)
from broker.outgoing import OutgoingEncoder
from broker.processor import BatchOutput, Send, TransactionalLoop
from broker.settings import Settings
from broker.topology import Topology

CONTACT_WITHIN = timedelta(hours=48)
SOLUTION_WITHIN = timedelta(days=10)
NETWORK_AGENCY = "mare-broker"


def contact_deadline(published_at: datetime) -> datetime:
    """Art. 17: the employer is contacted within 48 hours of the offer."""
    return published_at + CONTACT_WITHIN


def solution_deadline(published_at: datetime) -> datetime:
    """Art. 17: a solution is proposed within 10 days of the offer."""
    return published_at + SOLUTION_WITHIN


class DestinationClock(BaseModel):
    """The two deadlines of one offer in one destination region."""

    model_config = ConfigDict(frozen=True)

    region: str
    contact_due: datetime | None = None
    solution_due: datetime | None = None
    contacted_at: datetime | None = None
    proposed_at: datetime | None = None
    closed: bool = False
    breached: tuple[DeadlineKind, ...] = ()

    def due(self, kind: DeadlineKind) -> datetime | None:
        return self.contact_due if kind == DeadlineKind.EMPLOYER_CONTACT_48H else self.solution_due

    def met(self, kind: DeadlineKind) -> bool:
        if self.closed:
            return True
        done = self.contacted_at if kind == DeadlineKind.EMPLOYER_CONTACT_48H else self.proposed_at
        deadline = self.due(kind)
        return deadline is None or (done is not None and done <= deadline)

    def next_deadline(self) -> datetime | None:
        pending = [
            due
            for kind in DeadlineKind
            if (due := self.due(kind)) is not None
            and kind not in self.breached
            and not self.met(kind)
        ]
        return min(pending, default=None)


class SubjectRecord(BaseModel):
    """What the network delivered of one offer, referral or request, and where it stands."""

    model_config = ConfigDict(frozen=True)

    kind: SubjectKind
    subject_id: str
    origin_region: str
    original_event_id: UUID
    destinations: dict[str, DestinationClock] = {}

    @property
    def key(self) -> str:
        return subject_key(self.kind, self.subject_id)

    def next_deadline(self) -> datetime | None:
        return min(
            (d for c in self.destinations.values() if (d := c.next_deadline()) is not None),
            default=None,
        )


def subject_key(kind: SubjectKind | str, subject_id: str) -> str:
    """State key of a subject: offer, referral and request ids live in separate spaces."""
    return f"{kind}:{subject_id}"


class DeliveryNotice(BaseModel):
    """What the pipeline tells the acknowledger when it delivers a partner's event.

    Internal to the network (``mare.internal.sla``, JSON): one record per event, however
    many regions receive it, so the acknowledger's work does not grow with the fan-out.
    """

    model_config = ConfigDict(frozen=True)

    kind: SubjectKind
    subject_id: str
    origin_region: str
    original_event_id: UUID
    published_at: datetime
    destinations: tuple[str, ...]
    occurred_at: datetime


def on_delivery_notice(record: SubjectRecord | None, notice: DeliveryNotice) -> SubjectRecord:
    """The network delivered the subject: start the clocks of each new destination.

    Only offers have deadlines; referrals and requests are remembered so that agencies'
    acknowledgements about them reach their origin region.
    """
    if record is None:
        record = SubjectRecord(
            kind=notice.kind,
            subject_id=notice.subject_id,
            origin_region=notice.origin_region,
            original_event_id=notice.original_event_id,
        )
    clocks = dict(record.destinations)
    for region in notice.destinations:
        if region in clocks:
            continue  # a replayed delivery: the clock already runs
        if notice.kind == SubjectKind.OFFER:
            clocks[region] = DestinationClock(
                region=region,
                contact_due=contact_deadline(notice.published_at),
                solution_due=solution_deadline(notice.published_at),
            )
        else:
            clocks[region] = DestinationClock(region=region)
    if clocks == record.destinations:
        return record
    return record.model_copy(update={"destinations": clocks})


def on_agency_ack(
    record: SubjectRecord | None, ack: Acknowledgement
) -> tuple[SubjectRecord, list[Acknowledgement]]:
    """An agency reports progress: update the clocks; relay it to the origin region.

    An acknowledgement from a destination goes back to the origin region unchanged (its
    correlation id links it to the sender's event). One from the origin region itself (an
    offer filled at home, say) updates every destination's clocks and is not relayed.
    """
    if record is None:
        raise SubjectUnknown(
            f"the network never delivered {ack.subject_kind} {ack.subject_id!r}, so there is "
            "nobody to relay this acknowledgement to",
            field="subject_id",
            source_region=ack.source_region,
            event_type="Acknowledgement",
        )
    from_origin = ack.source_region == record.origin_region
    if not from_origin and ack.source_region not in record.destinations:
        raise SubjectUnknown(
            f"{ack.subject_kind} {ack.subject_id!r} was not delivered to {ack.source_region!r}",
            field="source_region",
            source_region=ack.source_region,
            event_type="Acknowledgement",
        )
    regions = list(record.destinations) if from_origin else [ack.source_region]
    clocks = dict(record.destinations)
    for region in regions:
        clocks[region] = _progress(clocks[region], ack)
    updated = record.model_copy(update={"destinations": clocks})
    return updated, ([] if from_origin else [ack])


def _progress(clock: DestinationClock, ack: Acknowledgement) -> DestinationClock:
    at = ack.occurred_at
    if ack.status == AckStatus.EMPLOYER_CONTACTED and clock.contacted_at is None:
        return clock.model_copy(update={"contacted_at": at})
    if ack.status == AckStatus.PROPOSAL_SENT and clock.proposed_at is None:
        return clock.model_copy(update={"proposed_at": at})
    if ack.status == AckStatus.DEADLINE_EXTENDED and ack.extended_until is not None:
        return clock.model_copy(update={"solution_due": ack.extended_until})
    if ack.status in (AckStatus.FILLED, AckStatus.CLOSED):
        return clock.model_copy(update={"closed": True})
    return clock


def rejected_acknowledgement(
    ack: Acknowledgement,
    error: SubjectUnknown,
    topic: str,
    partition: int,
    offset: int,
    now: datetime,
) -> Acknowledgement:
    """Tell the agency, in its language, that its acknowledgement could not be relayed."""
    return rejection(
        ack.event_id,
        ack.subject_kind,
        ack.subject_id,
        ack.source_region,
        error,
        (topic, partition, offset),
        now,
    )


def rejection(
    event_id: UUID,
    kind: SubjectKind | str,
    subject_id: str,
    region: str,
    error: RejectedEvent,
    record: tuple[str, int, int],
    now: datetime,
) -> Acknowledgement:
    """REJECTED, to the sender's region, with the code and the reason in its language.

    ``record`` (topic, partition, offset) makes the id: each refused record gets its own
    answer, and a replay of the same record the same one.
    """
    return Acknowledgement(
        event_id=rejection_id(event_id, *record),
        occurred_at=now,
        source_region=region,
        source_agency=NETWORK_AGENCY,
        correlation_id=event_id,
        acknowledged_event_id=event_id,
        subject_kind=kind,
        subject_id=subject_id,
        status=AckStatus.REJECTED,
        region=region,
        reason_code=error.code,
        reason=explain(error, language_for(region))[:2000],
    )


def breaches(record: SubjectRecord, now: datetime) -> tuple[SubjectRecord, list[SlaBreached]]:
    """Deadlines passed unmet at ``now``, each emitted once per destination."""
    emitted: list[SlaBreached] = []
    clocks = dict(record.destinations)
    for region, clock in record.destinations.items():
        for kind in DeadlineKind:
            due = clock.due(kind)
            if due is None or now <= due or kind in clock.breached or clock.met(kind):
                continue
            clocks[region] = clocks[region].model_copy(
                update={"breached": (*clocks[region].breached, kind)}
            )
            emitted.append(
                SlaBreached(
                    event_id=breach_id(record.original_event_id, region, kind),
                    occurred_at=now,
                    source_region=record.origin_region,
                    source_agency=NETWORK_AGENCY,
                    correlation_id=record.original_event_id,
                    offer_id=record.subject_id,
                    deadline_kind=kind,
                    deadline=due,
                    detected_at=now,
                    destination_region=region,
                )
            )
    if not emitted:
        return record, []
    return record.model_copy(update={"destinations": clocks}), emitted


# --------------------------------------------------------------------------- wiring

log = structlog.get_logger(__name__)


class AcknowledgerHandler:
    """Connect the acknowledger core to the transactional loop. Decisions belong above."""

    def __init__(self, topology: Topology, codec: Codec, clock: Clock) -> None:
        self.topology, self.codec, self.clock = topology, codec, clock
        self.encoder = OutgoingEncoder(codec)
        # Subjects are kept as their changelog JSON and parsed when used: live models would be
        # objects the garbage collector walks on every full collection, and a network tracks
        # every offer of the last weeks.
        self.subjects: dict[str, bytes] = {}
        self._due: list[tuple[datetime, str]] = []

    def reset(self) -> None:
        self.subjects, self._due = {}, []

    def restore(self, key: str, value: bytes | None) -> None:
        if value is None:
            self.subjects.pop(key, None)
            return
        self._keep(SubjectRecord.model_validate_json(value), value)

    def _keep(self, record: SubjectRecord, encoded: bytes) -> None:
        self.subjects[record.key] = encoded
        if (due := record.next_deadline()) is not None:
            heapq.heappush(self._due, (due, record.key))

    def subject(self, key: str) -> SubjectRecord | None:
        encoded = self.subjects.get(key)
        return None if encoded is None else SubjectRecord.model_validate_json(encoded)

    def process(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> BatchOutput:
        output = BatchOutput()
        for raw in records:
            if raw.value is not None and raw.value[:1] == b"{":
                self._notice(DeliveryNotice.model_validate_json(raw.value), output)
                continue
            ack = self.codec.decode(raw.value)
            if not isinstance(ack, Acknowledgement):
                continue  # the pipeline writes only notices and acknowledgements here
            self.clock.observe(ack.occurred_at)
            key = subject_key(ack.subject_kind, ack.subject_id)
            with bound_contextvars(event_id=str(ack.event_id), subject=key):
                self._apply(raw, ack, key, output)
        self._check_deadlines(output)
        return output

    def idle(self) -> BatchOutput:
        output = BatchOutput()
        self._check_deadlines(output)
        return output

    def _apply(
        self,
        raw: ConsumerRecord[bytes, bytes],
        ack: Acknowledgement,
        key: str,
        output: BatchOutput,
    ) -> None:
        current = self.subject(key)
        try:
            updated, relays = on_agency_ack(current, ack)
        except SubjectUnknown as error:
            self._reject(raw, ack, error, output)
            return
        for relay in relays:
            self._send(
                output, self.topology.acks_out(updated.origin_region).name, relay.subject_id, relay
            )
        if updated != current:
            self._store(updated, output)
        log.debug("acknowledgement_applied", status=str(ack.status), relayed=len(relays))

    def _notice(self, notice: DeliveryNotice, output: BatchOutput) -> None:
        self.clock.observe(notice.occurred_at)
        key = subject_key(notice.kind, notice.subject_id)
        current = self.subject(key)
        updated = on_delivery_notice(current, notice)
        if updated != current:
            self._store(updated, output)

    def _check_deadlines(self, output: BatchOutput) -> None:
        now = self.clock.now()
        while self._due and self._due[0][0] < now:
            _, key = heapq.heappop(self._due)
            record = self.subject(key)
            if record is None:
                continue
            updated, found = breaches(record, now)
            for breach in found:
                for region in (updated.origin_region, breach.destination_region):
                    self._send(output, self.topology.acks_out(region).name, breach.offer_id, breach)
                log.info(
                    "sla_breached",
                    offer_id=breach.offer_id,
                    deadline_kind=str(breach.deadline_kind),
                    destination=breach.destination_region,
                )
            if found:
                self._store(updated, output)

    def _store(self, record: SubjectRecord, output: BatchOutput) -> None:
        encoded = record.model_dump_json().encode()
        self._keep(record, encoded)
        output.state.append((record.key, encoded))

    def _send(
        self,
        output: BatchOutput,
        topic: str,
        key: str,
        event: WireModel,
        extra_headers: tuple[tuple[str, bytes], ...] = (),
    ) -> None:
        headers = (*self.encoder.headers(event), *extra_headers)
        output.sends.append(Send(topic, key.encode(), self.encoder.encode(event), headers))

    def _reject(
        self,
        raw: ConsumerRecord[bytes, bytes],
        ack: Acknowledgement,
        error: SubjectUnknown,
        output: BatchOutput,
    ) -> None:
        letter = dead_letter_for(
            error,
            stage=Stage.ACKNOWLEDGE,
            topic=raw.topic,
            partition=raw.partition,
            offset=raw.offset,
            timestamp=raw.timestamp,
            key=raw.key,
            value=raw.value,
            headers=raw.headers,
            clock_now=self.clock.now(),
            region_hint=ack.source_region,
        )
        self._send(
            output, self.topology.deadletter.name, error.code, letter, dead_letter_headers(letter)
        )
        told = rejected_acknowledgement(
            ack, error, raw.topic, raw.partition, raw.offset, self.clock.now()
        )
        self._send(output, self.topology.acks_out(ack.source_region).name, ack.subject_id, told)
        log.info("acknowledgement_rejected", error_code=error.code)


def acknowledger_loop(
    settings: Settings, bootstrap: str, clock: Clock | None = None
) -> TransactionalLoop:
    topology = Topology(settings.topic_namespace)
    handler = AcknowledgerHandler(topology, Codec.default(), clock or clock_from(settings))
    return TransactionalLoop(
        settings,
        bootstrap,
        name="acknowledger",
        group_id=f"{settings.app_id}-acknowledger",
        topics=[topology.sla_input.name],
        handler=handler,
        state_topic=topology.sla_state.name,
        # A worker keeps the SLA clocks of the subjects whose acknowledgements it reads, and
        # only those: holding every subject's clock, a second worker would breach offers whose
        # employer contact only the first one has seen.
        state_copartitioned=True,
        # Relays and SLA clocks do not need milliseconds: fewer, larger transactions leave
        # the broker and the event loop to the pipeline, whose latency partners see.
        commit_interval_s=0.1,
    )


def wire_acknowledger(app: faust.App, context: AppContext) -> None:
    """Run the acknowledger loop inside the Faust worker, for as long as the worker runs."""
    loop = acknowledger_loop(context.settings, context.bootstrap)

    async def acknowledger() -> None:
        await loop.run_forever()

    app.task(acknowledger)
