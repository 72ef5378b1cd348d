"""The network's answer to every event it accepted or refused (accusé de réception / ricevuta)."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from pydantic import Field, model_validator

from broker.models.common import (
    DeadlineKind,
    EntityId,
    Event,
    Note,
    ReasonCode,
    RegionKey,
    SubjectKind,
    UtcTimestamp,
    rule_error,
)


class AckStatus(StrEnum):
    """Where an offer, referral or mobility request stands: RECEIVED (accepted by the network),
    REJECTED (dead-lettered, see reason_code), DELIVERED (written to the destination region),
    EMPLOYER_CONTACTED (art. 17: within 48 hours), PROPOSAL_SENT (art. 17: a solution within 10
    days), DEADLINE_EXTENDED (hard-to-fill offer, employer told at first contact), FILLED,
    CLOSED."""

    RECEIVED = "RECEIVED"
    REJECTED = "REJECTED"
    DELIVERED = "DELIVERED"
    EMPLOYER_CONTACTED = "EMPLOYER_CONTACTED"
    PROPOSAL_SENT = "PROPOSAL_SENT"
    DEADLINE_EXTENDED = "DEADLINE_EXTENDED"
    FILLED = "FILLED"
    CLOSED = "CLOSED"


class Acknowledgement(Event):
    """A status of an earlier event, sent back to the region that published it.

    Every accepted event gets one (PRODUCT: "an acknowledgement for every good one"), and the
    art. 17 service levels are reported through them: ``deadline`` and ``deadline_kind`` say
    which clock a status answers. ``correlation_id`` is the acknowledged event's id.

    Rules: a REJECTED status carries its reason_code, a DEADLINE_EXTENDED status its
    extended_until, and a deadline comes with its kind (FIELD_MISSING); an extension ends after
    the deadline it extends (DATES_OUT_OF_ORDER). Kafka key: subject_id.
    """

    acknowledged_event_id: UUID = Field(description="event_id of the event acknowledged.")
    subject_kind: SubjectKind = Field(description="Kind of the entity the status is about.")
    subject_id: EntityId = Field(
        description="offer_id, referral_id or request_id of the entity; the Kafka key."
    )
    status: AckStatus = Field(description="The status reached.")
    region: RegionKey = Field(
        description="Region the status is about, e.g. the destination for DELIVERED."
    )
    reason_code: ReasonCode | None = Field(
        default=None, description="Machine-readable reason, e.g. the rejection code."
    )
    reason: Note | None = Field(default=None, description="Human-readable reason.")
    deadline: UtcTimestamp | None = Field(
        default=None, description="The service-level deadline this status answers (UTC)."
    )
    deadline_kind: DeadlineKind | None = Field(
        default=None, description="Which art. 17 deadline: 48-hour contact or 10-day solution."
    )
    extended_until: UtcTimestamp | None = Field(
        default=None, description="New deadline, for DEADLINE_EXTENDED (UTC)."
    )

    @model_validator(mode="after")
    def _status_details(self) -> Acknowledgement:
        if self.status is AckStatus.REJECTED and self.reason_code is None:
            raise rule_error(
                "FIELD_MISSING",
                "a REJECTED acknowledgement carries its reason_code",
                field="reason_code",
            )
        if self.status is AckStatus.DEADLINE_EXTENDED and self.extended_until is None:
            raise rule_error(
                "FIELD_MISSING",
                "a DEADLINE_EXTENDED acknowledgement carries extended_until",
                field="extended_until",
            )
        if (self.deadline is None) != (self.deadline_kind is None):
            missing = "deadline" if self.deadline is None else "deadline_kind"
            raise rule_error(
                "FIELD_MISSING",
                "deadline and deadline_kind go together: {field} is missing",
                field=missing,
            )
        if (
            self.extended_until is not None
            and self.deadline is not None
            and self.extended_until <= self.deadline
        ):
            raise rule_error(
                "DATES_OUT_OF_ORDER",
                "extended_until ({extended_until}) must be after the deadline ({deadline})",
                field="extended_until",
                extended_until=self.extended_until.isoformat(),
                deadline=self.deadline.isoformat(),
            )
        return self
