"""The MARE domain models: every event on the wire, as frozen pydantic models.

The Avro schemas in ``schemas/avro`` are generated from these classes
(``scripts/generate_schemas.py``), so the models are the single source of the contract.
"""

from __future__ import annotations

from broker.models.acknowledgement import Acknowledgement, AckStatus
from broker.models.common import (
    CefrLevel,
    Consent,
    ConsentPurpose,
    Country,
    CpVersion,
    DeadlineKind,
    DomainModel,
    Event,
    LanguageSkill,
    Occupation,
    Place,
    Sector,
    SubjectKind,
)
from broker.models.deadletter import DeadLetter, KafkaHeader, Stage
from broker.models.delivery import (
    Delivery,
    MobilityRequestDelivery,
    OfferDelivery,
    ReferralDelivery,
    TranslatedField,
    TranslationQuality,
)
from broker.models.match import MatchProposal
from broker.models.mobility import AidType, MobilityAid, MobilityRequest
from broker.models.offer import (
    Contract,
    Currency,
    EmployerIdScheme,
    JobOffer,
    OfferStatus,
    PayPeriod,
    Salary,
    Telework,
    WorkingTime,
)
from broker.models.referral import CandidateReferral, MobilityConstraints, SkillsPassport
from broker.models.sla import SlaBreached
from broker.models.sponsorship import SponsorshipEvent, SponsorshipKind

WireModel = Event | DeadLetter
"""Any top-level record on the wire."""

WIRE_MODELS: tuple[type[Event] | type[DeadLetter], ...] = (
    JobOffer,
    CandidateReferral,
    MobilityRequest,
    Acknowledgement,
    SlaBreached,
    MatchProposal,
    SponsorshipEvent,
    OfferDelivery,
    ReferralDelivery,
    MobilityRequestDelivery,
    DeadLetter,
)
"""Every top-level wire type, each with one ``schemas/avro/<Type>.v<N>.avsc`` per version."""


def wire_model(type_name: str) -> type[Event] | type[DeadLetter]:
    """The model class of a wire type name such as ``JobOffer``."""
    for model in WIRE_MODELS:
        if model.__name__ == type_name:
            return model
    raise KeyError(f"no wire type {type_name!r}")


__all__ = [
    "WIRE_MODELS",
    "AckStatus",
    "Acknowledgement",
    "AidType",
    "CandidateReferral",
    "CefrLevel",
    "Consent",
    "ConsentPurpose",
    "Contract",
    "Country",
    "CpVersion",
    "Currency",
    "DeadLetter",
    "DeadlineKind",
    "Delivery",
    "DomainModel",
    "EmployerIdScheme",
    "Event",
    "JobOffer",
    "KafkaHeader",
    "LanguageSkill",
    "MatchProposal",
    "MobilityAid",
    "MobilityConstraints",
    "MobilityRequest",
    "MobilityRequestDelivery",
    "Occupation",
    "OfferDelivery",
    "OfferStatus",
    "PayPeriod",
    "Place",
    "ReferralDelivery",
    "Salary",
    "Sector",
    "SkillsPassport",
    "SlaBreached",
    "SponsorshipEvent",
    "SponsorshipKind",
    "Stage",
    "SubjectKind",
    "Telework",
    "TranslatedField",
    "TranslationQuality",
    "WireModel",
    "WorkingTime",
    "wire_model",
]
