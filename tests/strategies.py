"""Hypothesis strategies for valid events of every wire type.

They vary what a partner may vary (texts in any script, optional fields, amounts, dates,
regions, time zones) and build through the factories, so every drawn event passes the rules.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from broker.models import (
    AckStatus,
    AidType,
    CefrLevel,
    ConsentPurpose,
    DeadLetter,
    DeadlineKind,
    MobilityRequestDelivery,
    OfferDelivery,
    OfferStatus,
    PayPeriod,
    ReferralDelivery,
    Sector,
    SkillsPassport,
    SponsorshipKind,
    Stage,
    SubjectKind,
    Telework,
    TranslatedField,
    TranslationQuality,
    WireModel,
)
from broker.regions import region_keys, regions
from tests import factories as f

REGIONS = st.sampled_from(region_keys())

timestamps = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2090, 12, 31),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]),
)


def texts(max_size: int) -> st.SearchStrategy[str]:
    """Any Unicode text (no surrogates), not blank, at most ``max_size`` characters."""
    return st.text(min_size=1, max_size=max_size).filter(lambda s: bool(s.strip()))


entity_ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._:/-]{0,40}\Z")
pseudonyms = st.from_regex(r"\A[A-Za-z0-9_-]{8,64}\Z")
labels = texts(300)
cents = st.integers(min_value=0, max_value=10_000_000_000)


def envelope(draw: st.DrawFn, region: str | None = None) -> dict[str, Any]:
    return {
        "event_id": draw(st.uuids()),
        "occurred_at": draw(timestamps),
        "source_region": region or draw(REGIONS),
        "source_agency": draw(texts(200)),
        "correlation_id": draw(st.none() | st.uuids()),
    }


def language_skills(draw: st.DrawFn) -> list[dict[str, Any]]:
    return draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "language": st.from_regex(r"\A[a-z]{2}\Z"),
                    "level": st.sampled_from(CefrLevel),
                }
            ),
            max_size=4,
        )
    )


@st.composite
def offers(draw: st.DrawFn) -> Any:
    env = envelope(draw)
    region = env["source_region"]
    country = regions().get(region).country
    language = regions().get(region).language
    fixed_term = draw(st.booleans())
    code = {"FR": ("CDD", "CDI"), "IT": ("A.02.00", "A.01.00")}[country][0 if fixed_term else 1]
    contract = f.a_contract(
        country,
        code=code,
        working_time=draw(st.sampled_from(["FULL_TIME", "PART_TIME"])),
        weekly_hours=draw(st.none() | st.floats(min_value=1, max_value=60)),
        duration_months=draw(st.integers(1, 120)) if fixed_term else None,
        seasonal=draw(st.booleans()),
    )
    low = draw(cents)
    salary = draw(
        st.none()
        | st.fixed_dictionaries(
            {
                "min_cents": st.just(low),
                "max_cents": st.none() | st.integers(low, 10_000_000_000),
                "currency": st.just("EUR"),
                "period": st.sampled_from(PayPeriod),
            }
        )
    )
    employer_ids = f.VALID_SIRETS if country == "FR" else f.VALID_PARTITE_IVA
    occurred_at: datetime = env["occurred_at"]
    return f.an_offer(
        **env,
        offer_id=draw(entity_ids),
        job_title=draw(texts(200)),
        description=draw(texts(2_000)),
        language=language,
        min_experience_months=draw(st.integers(0, 600)),
        contract=contract,
        employer_id=draw(st.sampled_from(employer_ids)),
        employer_name=draw(st.none() | texts(200)),
        sector=draw(st.sampled_from(Sector)),
        green=draw(st.booleans()),
        blue=draw(st.booleans()),
        required_languages=language_skills(draw),
        skills=draw(st.lists(labels, max_size=5)),
        salary=salary,
        positions=draw(st.integers(1, 10_000)),
        target_regions=draw(st.lists(REGIONS, max_size=5)),
        cross_border=draw(st.booleans()),
        valid_until=occurred_at.astimezone(UTC).date()
        + timedelta(days=draw(st.integers(1, 3_650))),
        status=draw(st.sampled_from(OfferStatus)),
        telework=draw(st.none() | st.sampled_from(Telework)),
    )


@st.composite
def referrals(draw: st.DrawFn) -> Any:
    env = envelope(draw)
    occurred_at: datetime = env["occurred_at"]
    purposes = draw(st.lists(st.sampled_from(ConsentPurpose), unique=True))
    if ConsentPurpose.CROSS_BORDER_SHARING not in purposes:
        purposes.append(ConsentPurpose.CROSS_BORDER_SHARING)
    has_offer = draw(st.booleans())
    return f.a_referral(
        **env,
        referral_id=draw(entity_ids),
        candidate_pseudonym=draw(pseudonyms),
        offer_id=draw(entity_ids) if has_offer else None,
        target_offer_region=draw(st.none() | REGIONS) if has_offer else None,
        home_region=draw(REGIONS),
        target_regions=draw(st.lists(REGIONS, max_size=5)),
        skills=draw(st.lists(labels, max_size=5)),
        languages=language_skills(draw),
        language=draw(st.sampled_from(["fr", "it"])),
        experience_months=draw(st.integers(0, 600)),
        available_from=draw(st.dates()),
        mobility={
            "driving_licence": draw(st.booleans()),
            "max_commute_km": draw(st.none() | st.integers(0, 1_000)),
            "relocation_willing": draw(st.booleans()),
            "notes": draw(st.none() | texts(2_000)),
        },
        skills_passports=draw(st.lists(st.sampled_from(SkillsPassport), max_size=4)),
        consent={
            "purposes": purposes,
            "given_at": occurred_at
            - draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(3650))),
            "expires_at": occurred_at
            + draw(st.timedeltas(min_value=timedelta(milliseconds=1), max_value=timedelta(3650))),
        },
    )


@st.composite
def mobility_requests(draw: st.DrawFn) -> Any:
    link = draw(st.sampled_from(["offer", "referral", "both"]))
    return f.a_mobility_request(
        **envelope(draw),
        request_id=draw(entity_ids),
        candidate_pseudonym=draw(pseudonyms),
        aids=draw(
            st.lists(
                st.fixed_dictionaries(
                    {"aid": st.sampled_from(AidType), "amount_cents": st.none() | cents}
                ),
                min_size=1,
                max_size=5,
            )
        ),
        destination_region=draw(REGIONS),
        offer_id=draw(entity_ids) if link in ("offer", "both") else None,
        referral_id=draw(entity_ids) if link in ("referral", "both") else None,
        language=draw(st.sampled_from(["fr", "it"])),
        notes=draw(st.none() | texts(2_000)),
    )


@st.composite
def acknowledgements(draw: st.DrawFn) -> Any:
    status = draw(st.sampled_from(AckStatus))
    deadline = draw(st.none() | timestamps)
    extended = (
        deadline + draw(st.timedeltas(min_value=timedelta(hours=1), max_value=timedelta(30)))
        if deadline is not None
        else draw(timestamps)
    )
    return f.an_ack(
        **envelope(draw),
        acknowledged_event_id=draw(st.uuids()),
        subject_kind=draw(st.sampled_from(SubjectKind)),
        subject_id=draw(entity_ids),
        status=status,
        region=draw(REGIONS),
        reason_code="SIRET_INVALID" if status is AckStatus.REJECTED else None,
        reason=draw(st.none() | texts(2_000)),
        deadline=deadline,
        deadline_kind=draw(st.sampled_from(DeadlineKind)) if deadline is not None else None,
        extended_until=extended if status is AckStatus.DEADLINE_EXTENDED else None,
    )


@st.composite
def sla_breaches(draw: st.DrawFn) -> Any:
    deadline = draw(timestamps)
    return f.an_sla_breach(
        **envelope(draw),
        offer_id=draw(entity_ids),
        deadline_kind=draw(st.sampled_from(DeadlineKind)),
        deadline=deadline,
        detected_at=deadline + draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(30))),
        destination_region=draw(REGIONS),
    )


@st.composite
def match_proposals(draw: st.DrawFn) -> Any:
    return f.a_match_proposal(
        **envelope(draw),
        offer_id=draw(entity_ids),
        offer_region=draw(REGIONS),
        referral_id=draw(entity_ids),
        candidate_pseudonym=draw(pseudonyms),
        candidate_region=draw(REGIONS),
        score=draw(st.floats(min_value=0, max_value=1)),
        reasons=draw(st.lists(labels, max_size=5)),
    )


@st.composite
def sponsorship_events(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(SponsorshipKind))
    return f.a_sponsorship_event(
        **envelope(draw),
        sponsorship_id=draw(entity_ids),
        kind=kind,
        candidate_pseudonym=draw(pseudonyms),
        destination_region=draw(REGIONS),
        referral_id=draw(st.none() | entity_ids),
        sponsor_id=draw(entity_ids) if kind is SponsorshipKind.SPONSOR_ASSIGNED else None,
        milestone=draw(entity_ids) if kind is SponsorshipKind.MILESTONE_REACHED else None,
        due_at=draw(st.none() | timestamps),
    )


translated_fields = st.builds(
    TranslatedField,
    field=st.sampled_from(["occupation.rome_code", "contract.code", "required_languages[0]"]),
    source_value=texts(100),
    value=st.none() | texts(100),
    label=st.none() | texts(100),
    quality=st.sampled_from(TranslationQuality),
    note=st.none() | texts(100),
)


def _deliveries(originals: st.SearchStrategy[Any], build: Any) -> st.SearchStrategy[Any]:
    @st.composite
    def strategy(draw: st.DrawFn) -> Any:
        original = draw(originals)
        return build(
            original,
            destination_region=draw(REGIONS),
            localization=draw(st.lists(translated_fields, max_size=4)),
            occurred_at=draw(timestamps),
        )

    return strategy()


@st.composite
def dead_letters(draw: st.DrawFn) -> DeadLetter:
    return f.a_dead_letter(
        occurred_at=draw(timestamps),
        stage=draw(st.sampled_from(Stage)),
        error_code=draw(st.from_regex(r"\A[A-Z][A-Z0-9_]{1,20}\Z")),
        fields=draw(st.lists(st.text(max_size=50), max_size=4)),
        message_en=draw(texts(500)),
        message_local=draw(texts(500)),
        language=draw(st.sampled_from(["en", "fr", "it"])),
        source_region=draw(st.none() | REGIONS),
        event_type=draw(st.none() | st.sampled_from(["JobOffer", "CandidateReferral"])),
        original_topic=draw(st.from_regex(r"\A[a-z.]{1,40}\Z")),
        original_partition=draw(st.integers(0, 2**31 - 1)),
        original_offset=draw(st.integers(0, 2**63 - 1)),
        original_timestamp=draw(st.none() | timestamps),
        original_key=draw(st.none() | st.binary(max_size=64)),
        original_value=draw(st.none() | st.binary(max_size=512)),
        original_headers=draw(
            st.lists(
                st.fixed_dictionaries(
                    {"key": st.text(max_size=20), "value": st.none() | st.binary(max_size=20)}
                ),
                max_size=4,
            )
        ),
    )


EVENTS: dict[str, st.SearchStrategy[WireModel]] = {
    "JobOffer": offers(),
    "CandidateReferral": referrals(),
    "MobilityRequest": mobility_requests(),
    "Acknowledgement": acknowledgements(),
    "SlaBreached": sla_breaches(),
    "MatchProposal": match_proposals(),
    "SponsorshipEvent": sponsorship_events(),
    "OfferDelivery": _deliveries(offers(), OfferDelivery.for_destination),
    "ReferralDelivery": _deliveries(referrals(), ReferralDelivery.for_destination),
    "MobilityRequestDelivery": _deliveries(
        mobility_requests(), MobilityRequestDelivery.for_destination
    ),
    "DeadLetter": dead_letters(),
}
"""A strategy per wire type name; a test checks it covers every type."""
