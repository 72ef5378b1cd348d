"""Valid events of every wire type, with overrides: ``an_offer(valid_until=...)``.

Each factory builds a realistic, valid event and validates it through the model, so an
override that breaks a rule raises the same ValidationError a partner would get. Defaults
follow the source region: ``an_offer(source_region="liguria")`` is an Italian offer (Partita
IVA, ISTAT comune, CP code, Italian contract, Italian text). Identifiers are synthetic but
pass their checksums (python-stdnum).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from broker.ids import dead_letter_id
from broker.models import (
    Acknowledgement,
    CandidateReferral,
    DeadLetter,
    JobOffer,
    MatchProposal,
    MobilityRequest,
    MobilityRequestDelivery,
    OfferDelivery,
    ReferralDelivery,
    SlaBreached,
    SponsorshipEvent,
    TranslatedField,
)
from broker.regions import regions

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
"""The default event time of every factory: a Monday morning."""

VALID_SIRETS = ("12345678200010", "12345678200028", "12345678200036", "12345678200044")
VALID_PARTITE_IVA = ("12345670017", "76543210082", "24681351003")
INVALID_SIRET = "12345678200011"
INVALID_PARTITA_IVA = "12345670018"


@dataclass(frozen=True)
class RegionSample:
    """A real municipality of the region and a valid employer id for its country."""

    municipality_code: str
    municipality_name: str
    postal_code: str
    employer_id: str
    agency: str


SAMPLES: dict[str, RegionSample] = {
    "paca": RegionSample("13055", "Marseille", "13001", VALID_SIRETS[0], "france-travail-13"),
    "corse": RegionSample("2A004", "Ajaccio", "20000", VALID_SIRETS[1], "france-travail-2a"),
    "toscana": RegionSample("048017", "Firenze", "50122", VALID_PARTITE_IVA[0], "arti-toscana"),
    "sardegna": RegionSample("092009", "Cagliari", "09124", VALID_PARTITE_IVA[1], "aspal"),
    "liguria": RegionSample("010025", "Genova", "16121", VALID_PARTITE_IVA[2], "alfa-liguria"),
}

COOK_ESCO = "http://data.europa.eu/esco/occupation/90f75f67-495d-49fa-ab57-2f320e251d7e"

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "job_title": "Cuisinier / Cuisinière (H/F)",
        "description": "Restaurant du Vieux-Port recherche un cuisinier pour la saison : "
        "préparation des plats, mise en place, respect des normes HACCP.",
        "skill": "préparer des plats",
    },
    "it": {
        "job_title": "Cuoco/a",
        "description": "Ristorante sul porto cerca cuoco/a per la stagione: preparazione dei "
        "piatti, mise en place, rispetto delle norme HACCP.",
        "skill": "preparare piatti",
    },
}


def _country(region: str) -> str:
    return regions().get(region).country


def _language(region: str) -> str:
    return regions().get(region).language


def a_place(region: str = "paca", **overrides: Any) -> dict[str, Any]:
    sample = SAMPLES[region]
    return {
        "region": region,
        "municipality_code": sample.municipality_code,
        "municipality_name": sample.municipality_name,
        "postal_code": sample.postal_code,
        "nuts2": regions().get(region).nuts2,
        **overrides,
    }


def a_contract(country: str = "FR", **overrides: Any) -> dict[str, Any]:
    return {
        "country": country,
        "code": "CDD" if country == "FR" else "A.02.00",
        "working_time": "FULL_TIME",
        "weekly_hours": 35.0 if country == "FR" else 40.0,
        "duration_months": 6,
        "seasonal": True,
        **overrides,
    }


def an_occupation(country: str = "FR", **overrides: Any) -> dict[str, Any]:
    national: dict[str, Any] = (
        {"rome_code": "G1602"}
        if country == "FR"
        else {"cp_code": "5.2.2.1.0", "cp_version": "CP2011"}
    )
    return {"esco_uri": COOK_ESCO, "isco08": "5120", **national, **overrides}


def a_consent(occurred_at: datetime = NOW, **overrides: Any) -> dict[str, Any]:
    return {
        "purposes": ["CROSS_BORDER_SHARING", "MATCHING", "SPONSORSHIP"],
        "given_at": occurred_at - timedelta(days=30),
        "expires_at": occurred_at + timedelta(days=335),
        **overrides,
    }


def _envelope(source_region: str) -> dict[str, Any]:
    return {
        "event_id": uuid.uuid4(),
        "occurred_at": NOW,
        "source_region": source_region,
        "source_agency": SAMPLES[source_region].agency,
        "correlation_id": None,
    }


def an_offer_record(**overrides: Any) -> dict[str, Any]:
    """The fields of a valid JobOffer as a plain dict (before validation)."""
    region: str = overrides.get("source_region", "paca")
    place_region: str = region
    country = _country(place_region)
    language = _language(region)
    return {
        **_envelope(region),
        "offer_id": f"{region}-offer-{uuid.uuid4().hex[:12]}",
        "job_title": TEXTS[language]["job_title"],
        "description": TEXTS[language]["description"],
        "language": language,
        "min_experience_months": 12,
        "contract": a_contract(country),
        "place": a_place(place_region),
        "employer_id_scheme": "SIRET" if _country(region) == "FR" else "PARTITA_IVA",
        "employer_id": SAMPLES[region].employer_id,
        "employer_name": "Le Bistrot du Port" if language == "fr" else "Trattoria del Porto",
        "occupation": an_occupation(country),
        "sector": "HOSPITALITY_TOURISM",
        "green": False,
        "blue": True,
        "required_languages": [{"language": language, "level": "B1"}],
        "skills": [TEXTS[language]["skill"]],
        "salary": {
            "min_cents": 180_000,
            "max_cents": 220_000,
            "currency": "EUR",
            "period": "MONTH",
        },
        "positions": 2,
        "target_regions": [],
        "cross_border": True,
        "valid_until": date(2026, 12, 31),
        "status": "OPEN",
        "telework": None,
        **overrides,
    }


def an_offer(**overrides: Any) -> JobOffer:
    """A valid job offer (default: a seasonal cook in Marseille, PACA)."""
    return JobOffer.model_validate(an_offer_record(**overrides))


def a_referral_record(**overrides: Any) -> dict[str, Any]:
    region: str = overrides.get("source_region", "liguria")
    language = _language(region)
    occurred_at: datetime = overrides.get("occurred_at", NOW)
    return {
        **_envelope(region),
        "referral_id": f"{region}-ref-{uuid.uuid4().hex[:12]}",
        "candidate_pseudonym": f"cand_{uuid.uuid4().hex[:16]}",
        "offer_id": None,
        "target_offer_region": None,
        "home_region": region,
        "target_regions": ["paca", "corse"],
        "occupations": [an_occupation(_country(region))],
        "skills": [TEXTS[language]["skill"]],
        "languages": [
            {"language": language, "level": "C2"},
            {"language": "fr" if language == "it" else "it", "level": "A2"},
        ],
        "language": language,
        "experience_months": 36,
        "available_from": date(2027, 3, 1),
        "mobility": {
            "driving_licence": True,
            "max_commute_km": 40,
            "relocation_willing": True,
            "notes": None,
        },
        "skills_passports": ["EUROPASS"],
        "consent": a_consent(occurred_at),
        **overrides,
    }


def a_referral(**overrides: Any) -> CandidateReferral:
    """A valid referral (default: a cook from Liguria, open to PACA and Corsica)."""
    return CandidateReferral.model_validate(a_referral_record(**overrides))


def a_mobility_request_record(**overrides: Any) -> dict[str, Any]:
    region: str = overrides.get("source_region", "sardegna")
    return {
        **_envelope(region),
        "request_id": f"{region}-mob-{uuid.uuid4().hex[:12]}",
        "candidate_pseudonym": f"cand_{uuid.uuid4().hex[:16]}",
        "aids": [
            {"aid": "RELOCATION", "amount_cents": 150_000},
            {"aid": "INTERVIEW_TRAVEL", "amount_cents": None},
        ],
        "destination_region": "corse",
        "offer_id": None,
        "referral_id": f"{region}-ref-{uuid.uuid4().hex[:12]}",
        "language": _language(region),
        "notes": None,
        **overrides,
    }


def a_mobility_request(**overrides: Any) -> MobilityRequest:
    """A valid mobility request (default: from Sardinia to Corsica, relocation and travel)."""
    return MobilityRequest.model_validate(a_mobility_request_record(**overrides))


def an_ack(**overrides: Any) -> Acknowledgement:
    """A valid acknowledgement (default: RECEIVED for an offer of PACA)."""
    acknowledged = overrides.get("acknowledged_event_id", uuid.uuid4())
    fields: dict[str, Any] = {
        **_envelope("paca"),
        "source_agency": "mare-broker",
        "correlation_id": acknowledged,
        "acknowledged_event_id": acknowledged,
        "subject_kind": "OFFER",
        "subject_id": "paca-offer-000001",
        "status": "RECEIVED",
        "region": "paca",
        "reason_code": None,
        "reason": None,
        "deadline": None,
        "deadline_kind": None,
        "extended_until": None,
        **overrides,
    }
    return Acknowledgement.model_validate(fields)


def an_sla_breach(**overrides: Any) -> SlaBreached:
    """A valid SLA breach (default: the 48-hour employer contact missed in Liguria)."""
    deadline = NOW - timedelta(hours=1)
    fields: dict[str, Any] = {
        **_envelope("paca"),
        "source_agency": "mare-broker",
        "offer_id": "paca-offer-000001",
        "deadline_kind": "EMPLOYER_CONTACT_48H",
        "deadline": deadline,
        "detected_at": NOW,
        "destination_region": "liguria",
        **overrides,
    }
    return SlaBreached.model_validate(fields)


def a_match_proposal(**overrides: Any) -> MatchProposal:
    """A valid match proposal (default: a Ligurian cook for a PACA offer)."""
    fields: dict[str, Any] = {
        **_envelope("paca"),
        "source_agency": "mare-broker",
        "offer_id": "paca-offer-000001",
        "offer_region": "paca",
        "referral_id": "liguria-ref-000001",
        "candidate_pseudonym": "cand_0123456789abcdef",
        "candidate_region": "liguria",
        "score": 0.82,
        "reasons": ["occupation: exact ESCO match", "language: fr A2 >= A2"],
        **overrides,
    }
    return MatchProposal.model_validate(fields)


def a_sponsorship_event(**overrides: Any) -> SponsorshipEvent:
    """A valid sponsorship event (default: a sponsor assigned in PACA)."""
    fields: dict[str, Any] = {
        **_envelope("paca"),
        "source_agency": "mare-broker",
        "sponsorship_id": "spons-000001",
        "kind": "SPONSOR_ASSIGNED",
        "candidate_pseudonym": "cand_0123456789abcdef",
        "destination_region": "paca",
        "referral_id": "liguria-ref-000001",
        "sponsor_id": "sponsor-042",
        "milestone": None,
        "due_at": NOW + timedelta(days=7),
        **overrides,
    }
    return SponsorshipEvent.model_validate(fields)


def a_translated_field(**overrides: Any) -> dict[str, Any]:
    return {
        "field": "occupation.rome_code",
        "source_value": "G1602",
        "value": "5.2.2.1.0",
        "label": "Cuochi in alberghi e ristoranti",
        "quality": "APPROXIMATE",
        "note": "CP2011 code, via ESCO",
        **overrides,
    }


def an_offer_delivery(
    offer: JobOffer | None = None,
    destination_region: str = "liguria",
    localization: list[TranslatedField] | None = None,
) -> OfferDelivery:
    """A valid delivery of an offer (default: a PACA offer delivered to Liguria)."""
    return OfferDelivery.for_destination(
        offer or an_offer(),
        destination_region=destination_region,
        localization=localization or [TranslatedField.model_validate(a_translated_field())],
        occurred_at=NOW + timedelta(seconds=1),
    )


def a_referral_delivery(
    referral: CandidateReferral | None = None, destination_region: str = "paca"
) -> ReferralDelivery:
    """A valid delivery of a referral (default: a Ligurian referral delivered to PACA)."""
    field = TranslatedField.model_validate(
        a_translated_field(
            field="occupations[0].cp_code",
            source_value="5.2.2.1.0",
            value="G1602",
            label="Personnel de cuisine",
            note=None,
        )
    )
    return ReferralDelivery.for_destination(
        referral or a_referral(),
        destination_region=destination_region,
        localization=[field],
        occurred_at=NOW + timedelta(seconds=1),
    )


def a_mobility_request_delivery(
    request: MobilityRequest | None = None, destination_region: str | None = None
) -> MobilityRequestDelivery:
    """A valid delivery of a mobility request to its destination region."""
    request = request or a_mobility_request()
    return MobilityRequestDelivery.for_destination(
        request,
        destination_region=destination_region or request.destination_region,
        localization=[],
        occurred_at=NOW + timedelta(seconds=1),
    )


def a_dead_letter(**overrides: Any) -> DeadLetter:
    """A valid dead letter (default: a PACA offer with an invalid SIRET)."""
    topic = overrides.get("original_topic", "mare.paca.offer.in")
    partition = overrides.get("original_partition", 0)
    offset = overrides.get("original_offset", 42)
    fields: dict[str, Any] = {
        "dead_letter_id": dead_letter_id(topic, partition, offset),
        "occurred_at": NOW,
        "stage": "VALIDATE",
        "error_code": "SIRET_INVALID",
        "fields": ["employer_id"],
        "message_en": "The employer's SIRET (employer_id) is invalid.",
        "message_local": "Le SIRET de l'employeur (employer_id) est invalide.",
        "language": "fr",
        "source_region": "paca",
        "event_type": "JobOffer",
        "original_topic": topic,
        "original_partition": partition,
        "original_offset": offset,
        "original_timestamp": NOW - timedelta(seconds=2),
        "original_key": b"paca-offer-000001",
        "original_value": b"\xc3\x01\x00",
        "original_headers": [{"key": "ce_type", "value": b"eu.mare.JobOffer.v2"}],
        **overrides,
    }
    return DeadLetter.model_validate(fields)
