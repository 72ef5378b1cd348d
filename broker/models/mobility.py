"""A request for mobility support (aide à la mobilité / sostegno alla mobilità)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from broker.models.common import (
    CandidatePseudonym,
    Cents,
    DomainModel,
    EntityId,
    Event,
    Note,
    RegionKey,
    WorkingLanguage,
    rule_error,
)


class AidType(StrEnum):
    """Mobility support the partners fund today: INTERVIEW_TRAVEL (travel to attend an
    interview), RELOCATION (moving costs when taking a job), DRIVING_LICENCE (help with a
    driving licence), LANGUAGE_COURSE (language training), OTHER. Readers of an older
    version map a newer symbol to OTHER."""

    INTERVIEW_TRAVEL = "INTERVIEW_TRAVEL"
    RELOCATION = "RELOCATION"
    DRIVING_LICENCE = "DRIVING_LICENCE"
    LANGUAGE_COURSE = "LANGUAGE_COURSE"
    OTHER = "OTHER"


class MobilityAid(DomainModel):
    """One kind of support requested, with the amount when known.

    Amounts are euro cents in a 64-bit ``long``: exact, unlike a float, and plain in every Avro
    implementation, unlike ``decimal`` on ``bytes``.
    """

    aid: AidType = Field(description="Kind of support.")
    amount_cents: Cents | None = Field(
        default=None, description="Amount requested, in euro cents; null when not yet known."
    )


class MobilityRequest(Event):
    """A candidate's request for mobility support, tied to an offer or a referral.

    Rules: at least one aid (FIELD_MISSING); linked to an offer, a referral or both
    (LINK_MISSING), so the destination agency knows what the support is for.
    Kafka key: request_id.
    """

    request_id: EntityId = Field(
        description="Stable id of the request in the sending agency; the Kafka key."
    )
    candidate_pseudonym: CandidatePseudonym = Field(
        description="Opaque pseudonym of the candidate (GDPR pseudonymisation)."
    )
    aids: list[MobilityAid] = Field(
        min_length=1, max_length=10, description="Support requested, one entry per kind."
    )
    destination_region: RegionKey = Field(description="Region the candidate would move to.")
    offer_id: EntityId | None = Field(default=None, description="Offer the request is for.")
    referral_id: EntityId | None = Field(
        default=None, description="Referral the request belongs to."
    )
    language: WorkingLanguage = Field(description="ISO 639-1 language of notes.")
    notes: Note | None = Field(
        default=None, description="Justification, in the request's language."
    )

    @model_validator(mode="after")
    def _linked(self) -> MobilityRequest:
        if self.offer_id is None and self.referral_id is None:
            raise rule_error(
                "LINK_MISSING",
                "a mobility request names the offer_id or the referral_id it is for",
                field="offer_id",
            )
        return self
