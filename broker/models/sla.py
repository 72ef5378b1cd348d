"""A missed service-level deadline of the PACA convention, art. 17."""

from __future__ import annotations

from pydantic import Field, model_validator

from broker.models.common import (
    DeadlineKind,
    EntityId,
    Event,
    RegionKey,
    UtcTimestamp,
    rule_error,
)


class SlaBreached(Event):
    """An offer's deadline passed without the status that answers it.

    Art. 17 asks the receiving agency to contact the employer within 48 hours and to propose a
    solution within 10 days; the clocks run on event time, so a replay finds the same breaches.
    ``source_region`` is the offer's region, ``destination_region`` the region whose agency
    missed the deadline.

    Rules: a breach is detected at or after its deadline (DATES_OUT_OF_ORDER).
    """

    offer_id: EntityId = Field(description="The offer whose deadline passed.")
    deadline_kind: DeadlineKind = Field(description="Which art. 17 deadline passed.")
    deadline: UtcTimestamp = Field(description="The deadline that passed (UTC).")
    detected_at: UtcTimestamp = Field(
        description="Event time at which the breach was detected (UTC)."
    )
    destination_region: RegionKey = Field(
        description="Region whose agency had to meet the deadline."
    )

    @model_validator(mode="after")
    def _detected_after_deadline(self) -> SlaBreached:
        if self.detected_at < self.deadline:
            raise rule_error(
                "DATES_OUT_OF_ORDER",
                "detected_at ({detected_at}) is before the deadline ({deadline})",
                field="detected_at",
                detected_at=self.detected_at.isoformat(),
                deadline=self.deadline.isoformat(),
            )
        return self
