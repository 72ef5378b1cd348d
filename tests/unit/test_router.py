"""The router core: who receives what, never back to the source."""

from __future__ import annotations

import pytest

from agents.router import RoutingRules, route, route_offer, route_referral, shipped_rules
from broker.errors import DestinationIsSource, OfferOwnerUnknown
from tests.factories import a_mobility_request, a_referral, an_offer

pytestmark = pytest.mark.unit

RULES = shipped_rules()


def nobody_knows(_offer_id: str) -> str | None:
    return None


def test_a_cross_border_offer_goes_to_every_other_partner_region() -> None:
    offer = an_offer(source_region="paca")

    assert route_offer(offer, RULES) == ("corse", "liguria", "sardegna", "toscana")


def test_an_offer_is_never_routed_back_to_its_source_region() -> None:
    offer = an_offer(source_region="paca", target_regions=["paca", "liguria"])

    assert route_offer(offer, RULES) == ("liguria",)


def test_an_offer_not_open_cross_border_goes_nowhere() -> None:
    assert route_offer(an_offer(cross_border=False), RULES) == ()
    assert route_offer(an_offer(status="FILLED"), RULES) == ()


def test_a_source_region_may_narrow_its_default_targets() -> None:
    rules = RoutingRules.model_validate(
        {"offer": {"default_targets": ["*"], "per_source": {"paca": ["toscana", "liguria"]}}}
    )

    assert route_offer(an_offer(source_region="paca"), rules) == ("liguria", "toscana")
    assert len(route_offer(an_offer(source_region="corse"), rules)) == 4


def test_a_referral_for_an_offer_goes_to_the_region_that_owns_it() -> None:
    referral = a_referral(source_region="liguria", offer_id="corse-offer-1", target_regions=[])
    owners = {"corse-offer-1": "corse"}

    assert route_referral(referral, RULES, owners.get) == ("corse",)


def test_a_referral_naming_the_offer_region_needs_no_lookup() -> None:
    referral = a_referral(offer_id="x-1", target_offer_region="paca", target_regions=[])

    assert route_referral(referral, RULES, nobody_knows) == ("paca",)


def test_a_referral_without_offer_goes_to_the_candidates_target_regions() -> None:
    referral = a_referral(source_region="liguria", target_regions=["paca", "corse", "liguria"])

    assert route(referral, RULES, nobody_knows) == ("corse", "paca")


def test_a_referral_for_an_unknown_offer_with_nowhere_to_go_is_rejected_with_the_field() -> None:
    referral = a_referral(offer_id="ghost-offer", target_regions=[])

    with pytest.raises(OfferOwnerUnknown) as rejected:
        route_referral(referral, RULES, nobody_knows)

    assert rejected.value.field == "offer_id"
    assert rejected.value.code == "OFFER_OWNER_UNKNOWN"


def test_a_mobility_request_goes_to_its_destination_region() -> None:
    request = a_mobility_request(source_region="sardegna", destination_region="corse")

    assert route(request, RULES, nobody_knows) == ("corse",)


def test_a_mobility_request_to_its_own_region_is_rejected() -> None:
    request = a_mobility_request(source_region="sardegna", destination_region="sardegna")

    with pytest.raises(DestinationIsSource):
        route(request, RULES, nobody_knows)


def test_a_referral_naming_neither_offer_nor_regions_goes_to_every_other_partner_region() -> None:
    referral = a_referral(source_region="toscana", target_regions=[])

    assert route(referral, RULES, nobody_knows) == ("corse", "liguria", "paca", "sardegna")
