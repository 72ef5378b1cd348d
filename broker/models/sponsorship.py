"""The sponsorship (parrainage / tutoraggio) of a candidate who moves to another region."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from broker.models.common import (
    CandidatePseudonym,
    EntityId,
    Event,
    RegionKey,
    UtcTimestamp,
    rule_error,
)


class SponsorshipKind(StrEnum):
    """Step of a sponsorship: SPONSOR_ASSIGNED, MILESTONE_REACHED, COMPLETED, CANCELLED."""

    SPONSOR_ASSIGNED = "SPONSOR_ASSIGNED"
    MILESTONE_REACHED = "MILESTONE_REACHED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class SponsorshipEvent(Event):
    """A step of the sponsorship workflow in the destination region.

    A referral accepted abroad or a hire triggers the assignment of a sponsor in the
    destination region, then a tracked series of milestones (PRODUCT: sponsorship workflows).

    Rules: SPONSOR_ASSIGNED names the sponsor_id and MILESTONE_REACHED the milestone
    (FIELD_MISSING).
    """

    sponsorship_id: EntityId = Field(description="Stable id of the sponsorship.")
    kind: SponsorshipKind = Field(description="Step reached.")
    candidate_pseudonym: CandidatePseudonym = Field(description="Pseudonym of the candidate.")
    destination_region: RegionKey = Field(description="Region where the sponsorship happens.")
    referral_id: EntityId | None = Field(
        default=None, description="Referral that started the sponsorship, if any."
    )
    sponsor_id: EntityId | None = Field(
        default=None, description="Sponsor (parrain / tutor), an id in the destination agency."
    )
    milestone: EntityId | None = Field(
        default=None,
        description="Milestone reached, e.g. 'arrival', 'first-month', 'trial-period-end'.",
    )
    due_at: UtcTimestamp | None = Field(
        default=None, description="When the next milestone is due (UTC)."
    )

    @model_validator(mode="after")
    def _kind_details(self) -> SponsorshipEvent:
        if self.kind is SponsorshipKind.SPONSOR_ASSIGNED and self.sponsor_id is None:
            raise rule_error(
                "FIELD_MISSING", "SPONSOR_ASSIGNED names the sponsor_id", field="sponsor_id"
            )
        if self.kind is SponsorshipKind.MILESTONE_REACHED and self.milestone is None:
            raise rule_error(
                "FIELD_MISSING", "MILESTONE_REACHED names the milestone", field="milestone"
            )
        return self
