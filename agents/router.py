"""Router core: which regions receive an event. Pure: models and data in, decisions out.

Rules (``broker/data/routing.toml``, readable by operators):

- a cross-border offer goes to the regions it lists, else to the default targets (every
  partner region); an offer not open cross-border, or no longer OPEN, goes nowhere;
- a referral goes to the region that owns the offer it names (``target_offer_region``, else the
  network's record of where the offer was published), else to the candidate's target regions,
  else (none listed) to every partner region;
- a mobility request goes to its destination region;
- never back to the source: its agencies already hold the event, and a second copy would be
  counted twice in the monthly report.

Consent is not decided here: a referral without consent to cross-border sharing is rejected by
its model (CONSENT_MISSING / CONSENT_EXPIRED) before it reaches the router.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from broker.errors import DestinationIsSource, OfferOwnerUnknown
from broker.models import CandidateReferral, JobOffer, MobilityRequest, OfferStatus
from broker.regions import region_keys

RoutedEvent = JobOffer | CandidateReferral | MobilityRequest
OfferOwner = Callable[[str], str | None]
"""Where an offer was published, as far as the network knows (offer_id → region)."""

ALL_PARTNERS = "*"


class OfferRules(BaseModel):
    model_config = ConfigDict(frozen=True)

    default_targets: tuple[str, ...] = (ALL_PARTNERS,)
    per_source: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class ReferralRules(BaseModel):
    model_config = ConfigDict(frozen=True)

    needs_offer_owner: bool = True
    default_targets: tuple[str, ...] = (ALL_PARTNERS,)


class RoutingRules(BaseModel):
    """The routing rules file, validated."""

    model_config = ConfigDict(frozen=True)

    offer: OfferRules = OfferRules()
    referral: ReferralRules = ReferralRules()

    def default_referral_targets(self) -> frozenset[str]:
        targets = self.referral.default_targets
        return frozenset(region_keys()) if ALL_PARTNERS in targets else frozenset(targets)

    def default_offer_targets(self, source: str) -> frozenset[str]:
        targets = self.offer.per_source.get(source, self.offer.default_targets)
        if ALL_PARTNERS in targets:
            return frozenset(region_keys())
        return frozenset(targets)


@cache
def shipped_rules() -> RoutingRules:
    text = resources.files("broker").joinpath("data/routing.toml").read_text("utf-8")
    return RoutingRules.model_validate(tomllib.loads(text))


def route_offer(offer: JobOffer, rules: RoutingRules) -> tuple[str, ...]:
    """Destinations of an offer, sorted; empty when it is not for cross-border diffusion."""
    if not offer.cross_border or offer.status != OfferStatus.OPEN:
        return ()
    targets = frozenset(offer.target_regions) or rules.default_offer_targets(offer.source_region)
    return tuple(sorted(targets - {offer.source_region}))


def route_referral(
    referral: CandidateReferral, rules: RoutingRules, offer_owner: OfferOwner
) -> tuple[str, ...]:
    """The owner of the named offer, else the candidate's target regions."""
    if referral.offer_id is not None and rules.referral.needs_offer_owner:
        owner = referral.target_offer_region or offer_owner(referral.offer_id)
        if owner is None and not referral.target_regions:
            raise OfferOwnerUnknown(
                f"offer {referral.offer_id!r} is unknown to the network and the referral names "
                "no target_offer_region nor target_regions",
                field="offer_id",
            )
        if owner is not None:
            return _excluding_source((owner,), referral.source_region, "target_offer_region")
    targets = referral.target_regions or sorted(rules.default_referral_targets())
    return _excluding_source(targets, referral.source_region, "target_regions")


def route_mobility(request: MobilityRequest) -> tuple[str, ...]:
    return _excluding_source(
        (request.destination_region,), request.source_region, "destination_region"
    )


def route(event: RoutedEvent, rules: RoutingRules, offer_owner: OfferOwner) -> tuple[str, ...]:
    """Destinations of any partner-published event."""
    if isinstance(event, JobOffer):
        return route_offer(event, rules)
    if isinstance(event, CandidateReferral):
        return route_referral(event, rules, offer_owner)
    return route_mobility(event)


def _excluding_source(targets: object, source: str, field: str) -> tuple[str, ...]:
    wanted = sorted(set(targets))  # type: ignore[call-overload]
    kept = tuple(region for region in wanted if region != source)
    if wanted and not kept:
        raise DestinationIsSource(
            f"the only destination is the source region {source!r}: the network delivers to "
            "other regions; share it inside the region directly",
            field=field,
        )
    return kept
