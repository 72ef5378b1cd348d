"""A proposed match between an offer and a referred candidate."""

from __future__ import annotations

from pydantic import Field

from broker.models.common import CandidatePseudonym, EntityId, Event, Label, RegionKey


class MatchProposal(Event):
    """The matcher's proposal that a referred candidate fits an offer.

    It names the candidate only by pseudonym (GDPR minimisation); the agencies take it from
    there. ``correlation_id`` is the event that triggered the proposal (the offer or the
    referral that arrived last).
    """

    offer_id: EntityId = Field(description="The offer.")
    offer_region: RegionKey = Field(description="Region that published the offer.")
    referral_id: EntityId = Field(description="The referral of the candidate.")
    candidate_pseudonym: CandidatePseudonym = Field(description="Pseudonym of the candidate.")
    candidate_region: RegionKey = Field(description="Home region of the candidate.")
    score: float = Field(ge=0, le=1, description="Match score, 0 (none) to 1 (perfect).")
    reasons: list[Label] = Field(
        default_factory=list,
        max_length=20,
        description="Why they match, in English, e.g. 'occupation: exact ESCO match'.",
    )
