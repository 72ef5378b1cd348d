"""The contract rules of the domain models, each refused with its own stable code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest
from pydantic import BaseModel, ValidationError

from broker.ids import delivery_id
from broker.models import JobOffer, OfferDelivery, TranslatedField
from broker.validation import violations_of
from tests import factories as f

pytestmark = pytest.mark.unit


def rejected(build: Callable[[], Any]) -> list[tuple[str, str]]:
    """The (field, code) pairs a build is refused with."""
    with pytest.raises(ValidationError) as caught:
        build()
    return [(v.field, v.code) for v in violations_of(caught.value)]


FACTORIES: list[Callable[[], BaseModel]] = [
    f.an_offer,
    lambda: f.an_offer(source_region="corse"),
    lambda: f.an_offer(source_region="toscana"),
    lambda: f.an_offer(source_region="sardegna"),
    lambda: f.an_offer(source_region="liguria"),
    f.a_referral,
    lambda: f.a_referral(source_region="paca"),
    f.a_mobility_request,
    f.an_ack,
    f.an_sla_breach,
    f.a_match_proposal,
    f.a_sponsorship_event,
    f.an_offer_delivery,
    f.a_referral_delivery,
    f.a_mobility_request_delivery,
    f.a_dead_letter,
]


@pytest.mark.parametrize("build", FACTORIES)
def test_every_factory_builds_a_valid_event(build: Callable[[], BaseModel]) -> None:
    event = build()

    assert type(event).model_validate(event.model_dump()) == event


def test_an_italian_offer_uses_italian_codes_and_text() -> None:
    offer = f.an_offer(source_region="liguria")

    assert offer.employer_id_scheme == "PARTITA_IVA"
    assert offer.contract.code == "A.02.00"
    assert offer.place.nuts2 == "ITC3"
    assert offer.occupation.cp_version == "CP2011"
    assert offer.language == "it"


def test_fixed_term_offer_without_duration_is_rejected_as_art_17_requires() -> None:
    contract = f.a_contract("FR", code="CDD", duration_months=None)

    assert rejected(lambda: f.an_offer(contract=contract)) == [
        ("contract.duration_months", "DURATION_REQUIRED")
    ]


@pytest.mark.parametrize(("country", "code"), [("FR", "SAI"), ("FR", "MIS"), ("IT", "A.02.01")])
def test_every_fixed_term_code_requires_a_duration(country: str, code: str) -> None:
    region = "paca" if country == "FR" else "toscana"
    contract = f.a_contract(country, code=code, duration_months=None)

    assert rejected(lambda: f.an_offer(source_region=region, contract=contract)) == [
        ("contract.duration_months", "DURATION_REQUIRED")
    ]


def test_permanent_contract_needs_no_duration() -> None:
    offer = f.an_offer(contract=f.a_contract("FR", code="CDI", duration_months=None))

    assert offer.contract.fixed_term is False


def test_unknown_contract_code_is_rejected() -> None:
    assert rejected(lambda: f.an_offer(contract=f.a_contract("FR", code="A.01.00"))) == [
        ("contract.code", "CONTRACT_CODE_UNKNOWN")
    ]


def test_contract_under_another_countrys_law_is_rejected() -> None:
    contract = f.a_contract("IT")

    assert rejected(lambda: f.an_offer(contract=contract)) == [
        ("contract.country", "CONTRACT_COUNTRY_MISMATCH")
    ]


def test_offer_with_a_wrong_siret_check_digit_is_rejected() -> None:
    assert rejected(lambda: f.an_offer(employer_id=f.INVALID_SIRET)) == [
        ("employer_id", "SIRET_INVALID")
    ]


@pytest.mark.parametrize("siret", ["1234567820001", "123 456 782 00010", "FR12345678200010"])
def test_siret_must_be_14_plain_digits(siret: str) -> None:
    assert rejected(lambda: f.an_offer(employer_id=siret)) == [("employer_id", "SIRET_INVALID")]


def test_offer_with_a_wrong_partita_iva_is_rejected() -> None:
    build = lambda: f.an_offer(source_region="toscana", employer_id=f.INVALID_PARTITA_IVA)  # noqa: E731

    assert rejected(build) == [("employer_id", "PARTITA_IVA_INVALID")]


def test_partita_iva_with_country_prefix_is_rejected_so_ids_compare_equal() -> None:
    build = lambda: f.an_offer(source_region="toscana", employer_id="IT12345670017")  # noqa: E731

    assert rejected(build) == [("employer_id", "PARTITA_IVA_INVALID")]


def test_siret_for_an_italian_region_is_a_scheme_mismatch() -> None:
    build = lambda: f.an_offer(  # noqa: E731
        source_region="sardegna", employer_id_scheme="SIRET", employer_id=f.VALID_SIRETS[0]
    )

    assert rejected(build) == [("employer_id_scheme", "EMPLOYER_SCHEME_MISMATCH")]


def test_corsican_insee_codes_with_2a_and_2b_are_accepted() -> None:
    for code in ("2A004", "2B033"):
        offer = f.an_offer(source_region="corse", place=f.a_place("corse", municipality_code=code))
        assert offer.place.municipality_code == code


@pytest.mark.parametrize(
    ("region", "code"),
    [("paca", "2C004"), ("paca", "1305"), ("liguria", "10025"), ("toscana", "A48017")],
)
def test_municipality_code_must_fit_the_regions_country(region: str, code: str) -> None:
    place = f.a_place(region, municipality_code=code)

    assert rejected(lambda: f.an_offer(source_region=region, place=place)) == [
        ("place.municipality_code", "MUNICIPALITY_CODE_INVALID")
    ]


def test_nuts_code_of_another_region_is_rejected() -> None:
    place = f.a_place("paca", nuts2="FRM0")

    assert rejected(lambda: f.an_offer(place=place)) == [("place.nuts2", "NUTS_MISMATCH")]


def test_unknown_region_is_rejected_wherever_it_appears() -> None:
    assert rejected(lambda: f.an_offer(target_regions=["liguria", "bretagne"])) == [
        ("target_regions[1]", "REGION_UNKNOWN")
    ]
    assert rejected(lambda: f.an_offer(place={**f.a_place("paca"), "region": "provence"})) == [
        ("place.region", "REGION_UNKNOWN")
    ]


def test_free_text_in_a_non_partner_language_is_rejected() -> None:
    assert rejected(lambda: f.an_offer(language="en")) == [("language", "LANGUAGE_UNSUPPORTED")]


def test_texts_have_limits_and_cannot_be_blank() -> None:
    assert rejected(lambda: f.an_offer(job_title="x" * 201)) == [("job_title", "TEXT_TOO_LONG")]
    assert rejected(lambda: f.an_offer(description=" \n\t ")) == [("description", "TEXT_EMPTY")]
    assert f.an_offer(job_title="x" * 200).job_title == "x" * 200


def test_every_failing_field_is_reported_at_once() -> None:
    build = lambda: f.an_offer(  # noqa: E731
        job_title="", min_experience_months=-1, sector="FISHING", positions=0
    )

    assert rejected(build) == [
        ("job_title", "TEXT_EMPTY"),
        ("min_experience_months", "FIELD_INVALID"),
        ("sector", "FIELD_INVALID"),
        ("positions", "FIELD_INVALID"),
    ]


def test_missing_mandatory_field_is_field_missing() -> None:
    record = f.an_offer_record()
    del record["valid_until"]

    assert rejected(lambda: JobOffer.model_validate(record)) == [("valid_until", "FIELD_MISSING")]


def test_inverted_salary_range_is_rejected() -> None:
    salary = {"min_cents": 250_000, "max_cents": 200_000, "period": "MONTH"}

    assert rejected(lambda: f.an_offer(salary=salary)) == [
        ("salary.max_cents", "SALARY_RANGE_INVALID")
    ]


def test_offer_must_stay_open_after_its_publication_day() -> None:
    assert rejected(lambda: f.an_offer(valid_until=f.NOW.date())) == [
        ("valid_until", "DATES_OUT_OF_ORDER")
    ]
    assert f.an_offer(valid_until=f.NOW.date() + timedelta(days=1)).valid_until == date(2026, 11, 3)


def test_occupation_needs_at_least_one_code() -> None:
    empty = {"esco_uri": None, "isco08": None, "rome_code": None}

    assert rejected(lambda: f.an_offer(occupation=empty)) == [("occupation", "OCCUPATION_MISSING")]


def test_cp_code_always_comes_with_its_edition() -> None:
    occupation = f.an_occupation("IT", cp_version=None)

    assert rejected(lambda: f.an_offer(source_region="toscana", occupation=occupation)) == [
        ("occupation.cp_version", "FIELD_MISSING")
    ]


def test_referral_without_cross_border_consent_is_rejected_with_reason() -> None:
    consent = f.a_consent(purposes=["MATCHING", "SPONSORSHIP"])

    assert rejected(lambda: f.a_referral(consent=consent)) == [
        ("consent.purposes", "CONSENT_MISSING")
    ]


def test_referral_with_consent_expired_at_event_time_is_rejected() -> None:
    consent = f.a_consent(f.NOW - timedelta(days=400), expires_at=f.NOW - timedelta(seconds=1))

    assert rejected(lambda: f.a_referral(consent=consent)) == [
        ("consent.expires_at", "CONSENT_EXPIRED")
    ]


def test_consent_is_judged_at_the_events_time_not_the_wall_clock() -> None:
    old = datetime(2020, 5, 4, 12, 0, tzinfo=UTC)

    referral = f.a_referral(occurred_at=old, consent=f.a_consent(old))

    assert referral.consent.expires_at < datetime.now(UTC)


def test_consent_given_after_the_referral_is_out_of_order() -> None:
    consent = f.a_consent(given_at=f.NOW + timedelta(hours=1))

    assert rejected(lambda: f.a_referral(consent=consent)) == [
        ("consent.given_at", "DATES_OUT_OF_ORDER")
    ]


def test_consent_expiring_before_it_is_given_is_out_of_order() -> None:
    consent = f.a_consent(expires_at=f.NOW - timedelta(days=31))

    assert rejected(lambda: f.a_referral(consent=consent)) == [
        ("consent.expires_at", "DATES_OUT_OF_ORDER")
    ]


@pytest.mark.parametrize(
    "pseudonym",
    ["mario.rossi@example.it", "Mario Rossi", "+393331234567", "abc", "x" * 65, "jean-marc.dupont"],
)
def test_pseudonym_cannot_carry_a_name_email_or_phone(pseudonym: str) -> None:
    assert rejected(lambda: f.a_referral(candidate_pseudonym=pseudonym)) == [
        ("candidate_pseudonym", "PSEUDONYM_INVALID")
    ]


def test_referral_has_no_field_for_a_name_or_contact() -> None:
    assert rejected(lambda: f.a_referral(email="mario@example.it")) == [("email", "FIELD_INVALID")]


def test_mobility_request_must_name_its_offer_or_referral() -> None:
    assert rejected(lambda: f.a_mobility_request(offer_id=None, referral_id=None)) == [
        ("offer_id", "LINK_MISSING")
    ]
    assert f.a_mobility_request(offer_id="o-1", referral_id=None).offer_id == "o-1"


def test_mobility_request_asks_for_at_least_one_aid() -> None:
    assert rejected(lambda: f.a_mobility_request(aids=[])) == [("aids", "FIELD_MISSING")]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"status": "REJECTED"}, ("reason_code", "FIELD_MISSING")),
        ({"status": "DEADLINE_EXTENDED"}, ("extended_until", "FIELD_MISSING")),
        ({"deadline": f.NOW}, ("deadline_kind", "FIELD_MISSING")),
        (
            {
                "status": "DEADLINE_EXTENDED",
                "deadline": f.NOW,
                "deadline_kind": "SOLUTION_10D",
                "extended_until": f.NOW - timedelta(days=1),
            },
            ("extended_until", "DATES_OUT_OF_ORDER"),
        ),
    ],
)
def test_acknowledgement_carries_the_details_its_status_needs(
    overrides: dict[str, Any], expected: tuple[str, str]
) -> None:
    assert rejected(lambda: f.an_ack(**overrides)) == [expected]


def test_sla_breach_cannot_be_detected_before_its_deadline() -> None:
    build = lambda: f.an_sla_breach(deadline=f.NOW, detected_at=f.NOW - timedelta(1))  # noqa: E731

    assert rejected(build) == [("detected_at", "DATES_OUT_OF_ORDER")]


def test_sponsorship_steps_name_the_sponsor_and_the_milestone() -> None:
    assert rejected(lambda: f.a_sponsorship_event(sponsor_id=None)) == [
        ("sponsor_id", "FIELD_MISSING")
    ]
    assert rejected(lambda: f.a_sponsorship_event(kind="MILESTONE_REACHED")) == [
        ("milestone", "FIELD_MISSING")
    ]


def test_match_score_is_between_zero_and_one() -> None:
    assert rejected(lambda: f.a_match_proposal(score=1.5)) == [("score", "FIELD_INVALID")]


def test_a_delivery_id_is_derived_so_replays_deliver_the_same_id() -> None:
    offer = f.an_offer()

    first = f.an_offer_delivery(offer, "liguria")
    replay = f.an_offer_delivery(offer, "liguria")
    elsewhere = f.an_offer_delivery(offer, "toscana")

    assert first.event_id == replay.event_id == delivery_id(offer.event_id, "liguria")
    assert elsewhere.event_id != first.event_id
    assert first.correlation_id == offer.event_id
    assert first.language == "it"
    assert first.offer == offer


def test_a_delivery_with_a_random_id_is_rejected() -> None:
    record = f.an_offer_delivery().model_dump()

    build = lambda: OfferDelivery.model_validate({**record, "event_id": uuid4()})  # noqa: E731

    assert rejected(build) == [("event_id", "EVENT_ID_NOT_DERIVED")]


def test_a_delivery_speaks_the_destinations_language() -> None:
    record = f.an_offer_delivery(destination_region="toscana").model_dump()

    build = lambda: OfferDelivery.model_validate({**record, "language": "fr"})  # noqa: E731

    assert rejected(build) == [("language", "LANGUAGE_MISMATCH")]


def test_a_translated_field_names_a_field_path() -> None:
    with pytest.raises(ValidationError):
        TranslatedField.model_validate(f.a_translated_field(field="occupation rome code"))


def test_events_are_frozen_and_closed() -> None:
    offer = f.an_offer()

    with pytest.raises(ValidationError):
        offer.job_title = "changed"  # type: ignore[misc]
    assert rejected(lambda: f.an_offer(recruiter_phone="+33 6 12 34 56 78")) == [
        ("recruiter_phone", "FIELD_INVALID")
    ]


def test_timestamps_are_utc_milliseconds_as_on_the_wire() -> None:
    paris = timezone(timedelta(hours=1))

    offer = f.an_offer(occurred_at=datetime(2026, 11, 2, 10, 30, 0, 123456, tzinfo=paris))

    assert offer.occurred_at == datetime(2026, 11, 2, 9, 30, 0, 123000, tzinfo=UTC)
    assert offer.occurred_at.tzinfo is UTC


def test_naive_timestamps_are_rejected() -> None:
    assert rejected(lambda: f.an_offer(occurred_at=datetime(2026, 11, 2, 9, 30))) == [
        ("occurred_at", "FIELD_INVALID")
    ]
