"""A candidate referred to the network by their home agency (mise en relation / segnalazione)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, model_validator

from broker.models.common import (
    CandidatePseudonym,
    Consent,
    ConsentPurpose,
    DomainModel,
    EntityId,
    Event,
    Label,
    LanguageSkill,
    Months,
    Note,
    Occupation,
    RegionKey,
    WorkingLanguage,
    rule_error,
)


class SkillsPassport(StrEnum):
    """Skills passports or credentials the candidate holds: EUROPASS (CV and language
    passport), EUROPASS_DIGITAL_CREDENTIAL, OPEN_BADGE, YOUTHPASS, CLEA (French CléA
    certificate of basic skills), LIBRETTO_FORMATIVO (Italian libretto formativo del
    cittadino), OTHER. Readers of an older version map a newer symbol to OTHER."""

    EUROPASS = "EUROPASS"
    EUROPASS_DIGITAL_CREDENTIAL = "EUROPASS_DIGITAL_CREDENTIAL"
    OPEN_BADGE = "OPEN_BADGE"
    YOUTHPASS = "YOUTHPASS"
    CLEA = "CLEA"
    LIBRETTO_FORMATIVO = "LIBRETTO_FORMATIVO"
    OTHER = "OTHER"


class MobilityConstraints(DomainModel):
    """What the candidate can and cannot do to reach a job."""

    driving_licence: bool = Field(description="Holds a car driving licence (permis B / patente).")
    max_commute_km: int | None = Field(
        default=None, ge=0, le=1_000, description="Longest acceptable daily commute, in km."
    )
    relocation_willing: bool = Field(description="Willing to move to the destination region.")
    notes: Note | None = Field(
        default=None,
        description="Other constraints, in the referral's language; never health or family "
        "details (GDPR art. 9).",
    )


class CandidateReferral(Event):
    """A candidate willing to work in another region, referred by their home agency.

    Personal data are minimised (GDPR art. 5(1)(c) and 25): the candidate appears only under
    an opaque pseudonym issued by the home agency, with no name, contact or birth date; the
    destination agency asks the home agency for the rest once both sides agree.

    Rules: the consent covers cross-border sharing (CONSENT_MISSING), was given before the
    event and is still valid when it occurs (DATES_OUT_OF_ORDER, CONSENT_EXPIRED); a target
    offer region needs the target offer (FIELD_MISSING). Kafka key: referral_id.
    """

    referral_id: EntityId = Field(
        description="Stable id of the referral in the home agency; the Kafka key."
    )
    candidate_pseudonym: CandidatePseudonym = Field(
        description="Opaque pseudonym of the candidate, issued by the home agency (GDPR "
        "pseudonymisation)."
    )
    offer_id: EntityId | None = Field(
        default=None, description="The offer the candidate is referred to, if any."
    )
    target_offer_region: RegionKey | None = Field(
        default=None, description="Region that published offer_id."
    )
    home_region: RegionKey = Field(description="Region where the candidate lives and registered.")
    target_regions: list[RegionKey] = Field(
        default_factory=list,
        max_length=20,
        description="Regions where the candidate would work; empty means every partner region.",
    )
    occupations: list[Occupation] = Field(
        min_length=1, max_length=20, description="Occupations sought, in the classifications."
    )
    skills: list[Label] = Field(
        default_factory=list,
        max_length=100,
        description="Skills: ESCO skill URIs or labels in the referral's language.",
    )
    languages: list[LanguageSkill] = Field(
        default_factory=list, max_length=10, description="Languages spoken, with CEFR levels."
    )
    language: WorkingLanguage = Field(
        description="ISO 639-1 language of the free text fields (skills labels, notes)."
    )
    experience_months: Months = Field(description="Relevant work experience, in months.")
    available_from: date = Field(description="First day the candidate can start.")
    mobility: MobilityConstraints = Field(description="Mobility constraints.")
    skills_passports: list[SkillsPassport] = Field(
        default_factory=list, max_length=10, description="Skills passports held."
    )
    consent: Consent = Field(description="The candidate's consent to the processing.")

    @model_validator(mode="after")
    def _offer_region_needs_offer(self) -> CandidateReferral:
        if self.target_offer_region is not None and self.offer_id is None:
            raise rule_error(
                "FIELD_MISSING",
                "target_offer_region names a region but offer_id is missing",
                field="offer_id",
            )
        return self

    @model_validator(mode="after")
    def _consent_covers_sharing(self) -> CandidateReferral:
        if ConsentPurpose.CROSS_BORDER_SHARING not in self.consent.purposes:
            raise rule_error(
                "CONSENT_MISSING",
                "the candidate did not consent to CROSS_BORDER_SHARING: the referral must not "
                "leave the home region",
                field="consent.purposes",
            )
        if self.consent.given_at > self.occurred_at:
            raise rule_error(
                "DATES_OUT_OF_ORDER",
                "the consent is given ({given_at}) after the referral ({occurred_at})",
                field="consent.given_at",
                given_at=self.consent.given_at.isoformat(),
                occurred_at=self.occurred_at.isoformat(),
            )
        if self.consent.expires_at <= self.occurred_at:
            raise rule_error(
                "CONSENT_EXPIRED",
                "the consent expired at {expires_at}, before the referral ({occurred_at})",
                field="consent.expires_at",
                expires_at=self.consent.expires_at.isoformat(),
                occurred_at=self.occurred_at.isoformat(),
            )
        return self
