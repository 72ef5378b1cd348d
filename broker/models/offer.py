"""A job offer published by a partner agency (offre d'emploi / offerta di lavoro)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import ClassVar

from pydantic import Field, model_validator
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret
from stdnum.it import iva

from broker.models.common import (
    Cents,
    Country,
    DomainModel,
    EntityId,
    Event,
    Label,
    LanguageSkill,
    LongText,
    Months,
    Occupation,
    Place,
    RegionKey,
    Sector,
    Title,
    WorkingLanguage,
    region_info,
    rule_error,
)

FIXED_TERM_CONTRACTS: dict[Country, frozenset[str]] = {
    Country.FR: frozenset({"CDD", "MIS", "SAI", "TTI", "DDI"}),
    Country.IT: frozenset({"A.02.00", "A.02.01"}),
}
"""Contract types that end on a date, so an offer must state their duration (art. 17)."""

CONTRACT_CODES: dict[Country, frozenset[str]] = {
    Country.FR: frozenset(
        {"CDI", "CDD", "MIS", "SAI", "CCE", "FRA", "LIB", "REP", "TTI", "DDI", "DIN"}
    ),
    Country.IT: frozenset(
        {"A.01.00", "A.02.00", "A.02.01", "A.03.08", "A.03.09", "A.03.10", "A.05.02", "C.01.00"}
    ),
}
"""National contract codes: France Travail "Offres d'emploi v2" ``typeContrat`` and the Italian
Comunicazioni Obbligatorie "tipologia contrattuale" (see shared/data/README.md)."""


class WorkingTime(StrEnum):
    """Full time (temps plein / tempo pieno) or part time (temps partiel / part-time)."""

    FULL_TIME = "FULL_TIME"
    PART_TIME = "PART_TIME"


class EmployerIdScheme(StrEnum):
    """How the employer is identified: SIRET (France, 14 digits, INSEE) or PARTITA_IVA (Italy,
    11 digits, Agenzia delle Entrate)."""

    SIRET = "SIRET"
    PARTITA_IVA = "PARTITA_IVA"


EMPLOYER_SCHEME_OF: dict[Country, EmployerIdScheme] = {
    Country.FR: EmployerIdScheme.SIRET,
    Country.IT: EmployerIdScheme.PARTITA_IVA,
}


class Currency(StrEnum):
    """ISO 4217 currency; both partner countries use the euro."""

    EUR = "EUR"


class PayPeriod(StrEnum):
    """What a salary amount covers: an hour, a month or a year of work (gross)."""

    HOUR = "HOUR"
    MONTH = "MONTH"
    YEAR = "YEAR"


class OfferStatus(StrEnum):
    """Life cycle of an offer: OPEN (recruiting), FILLED (pourvue / coperta), WITHDRAWN."""

    OPEN = "OPEN"
    FILLED = "FILLED"
    WITHDRAWN = "WITHDRAWN"


class Telework(StrEnum):
    """Telework arrangement (télétravail / lavoro agile): ON_SITE, HYBRID (some days remote),
    REMOTE (fully remote)."""

    ON_SITE = "ON_SITE"
    HYBRID = "HYBRID"
    REMOTE = "REMOTE"


class Contract(DomainModel):
    """The contract offered, in the national code of the country whose law governs it.

    Rules: the code belongs to the country's list (CONTRACT_CODE_UNKNOWN); a fixed-term contract
    (CDD, MIS, SAI, TTI, DDI; A.02.00, A.02.01) states its duration (DURATION_REQUIRED), a
    mandatory offer field of the PACA convention, art. 17.
    """

    country: Country = Field(description="Country whose labour law and code list apply.")
    code: str = Field(
        description="National contract code: France Travail typeContrat (CDI, CDD, MIS, SAI, "
        "CCE, FRA, LIB, REP, TTI, DDI, DIN) or Comunicazioni Obbligatorie tipologia "
        "contrattuale (A.01.00 tempo indeterminato, A.02.00 tempo determinato, A.02.01, "
        "A.03.08/09/10 apprendistato, A.05.02 intermittente, C.01.00 tirocinio)."
    )
    working_time: WorkingTime = Field(description="Full time or part time.")
    weekly_hours: float | None = Field(
        default=None, ge=1, le=60, description="Contractual weekly hours, when stated."
    )
    duration_months: int | None = Field(
        default=None,
        ge=1,
        le=120,
        description="Duration of a fixed-term contract in months (durée du contrat / durata); "
        "required for fixed-term codes.",
    )
    seasonal: bool = Field(
        default=False,
        description="Seasonal work (saisonnier / stagionale): SAI in France, a flag on a "
        "fixed-term contract in Italy.",
    )

    @property
    def fixed_term(self) -> bool:
        return self.code in FIXED_TERM_CONTRACTS[self.country]

    @model_validator(mode="after")
    def _known_code_with_duration(self) -> Contract:
        if self.code not in CONTRACT_CODES[self.country]:
            raise rule_error(
                "CONTRACT_CODE_UNKNOWN",
                "{code!r} is not a {country} contract code; known: {known}",
                field="code",
                code=self.code,
                country=self.country.value,
                known=", ".join(sorted(CONTRACT_CODES[self.country])),
            )
        if self.fixed_term and self.duration_months is None:
            raise rule_error(
                "DURATION_REQUIRED",
                "a fixed-term contract ({code}) must state duration_months",
                field="duration_months",
                code=self.code,
            )
        return self


class Salary(DomainModel):
    """Gross pay offered, in euro cents (optional in the PACA convention, art. 17).

    Rules: the maximum is not below the minimum (SALARY_RANGE_INVALID).
    """

    min_cents: Cents = Field(description="Lowest gross amount, in euro cents.")
    max_cents: Cents | None = Field(
        default=None, description="Highest gross amount, in euro cents; null for a single figure."
    )
    currency: Currency = Field(default=Currency.EUR, description="ISO 4217 currency.")
    period: PayPeriod = Field(description="Period the amounts cover (hour, month, year).")

    @model_validator(mode="after")
    def _range_in_order(self) -> Salary:
        if self.max_cents is not None and self.max_cents < self.min_cents:
            raise rule_error(
                "SALARY_RANGE_INVALID",
                "max_cents ({max_cents}) is below min_cents ({min_cents})",
                field="max_cents",
                max_cents=self.max_cents,
                min_cents=self.min_cents,
            )
        return self


@lru_cache(maxsize=65_536)
def _employer_id_error(scheme: EmployerIdScheme, employer_id: str) -> str | None:
    """Why an employer id is invalid for its scheme (python-stdnum's verdict), or None.

    Cached: an employer publishes many offers, and python-stdnum's checks cost more than the
    rest of an offer's validation together (measured with bench/codec.py).
    """
    module = siret if scheme is EmployerIdScheme.SIRET else iva
    if not employer_id.isdigit():
        return "digits only, without spaces or country prefix"
    try:
        module.validate(employer_id)
    except StdnumError as exc:
        return str(exc).rstrip(".").lower()
    return None


class JobOffer(Event):
    """A job offer a partner agency collected from an employer and publishes to the network.

    Mandatory content follows the PACA convention, art. 17: job title, description, minimum
    experience, contract type, contract duration when fixed-term, place of work and employer
    identifier (SIRET in France; Partita IVA in Italy). Salary and the rest are optional.
    The agency receiving it starts the art. 17 clocks: employer contact within 48 hours, a
    solution within 10 days.

    Rules: free text (job_title, description) is tagged with its language, a partner working
    language (LANGUAGE_UNSUPPORTED); the employer id scheme is the source region country's
    (EMPLOYER_SCHEME_MISMATCH) and the id passes its checksum (SIRET_INVALID,
    PARTITA_IVA_INVALID); the contract is under the law of the place of work's country
    (CONTRACT_COUNTRY_MISMATCH); the offer is valid after the day it was published
    (DATES_OUT_OF_ORDER). Kafka key: offer_id.
    """

    schema_version: ClassVar[int] = 2

    offer_id: EntityId = Field(
        description="Stable id of the offer in the publishing agency's system; the Kafka key, "
        "the same on every update of the offer."
    )
    job_title: Title = Field(description="Job title (intitulé du poste / titolo), verbatim.")
    description: LongText = Field(
        description="Job description (descriptif / descrizione), verbatim in its language."
    )
    language: WorkingLanguage = Field(
        description="ISO 639-1 language of the free text fields (job_title, description)."
    )
    min_experience_months: Months = Field(
        description="Minimum experience required, in months (expérience minimale); 0 for none."
    )
    contract: Contract = Field(description="Contract offered (type de contrat / contratto).")
    place: Place = Field(description="Place of work (lieu de travail / luogo di lavoro).")
    employer_id_scheme: EmployerIdScheme = Field(
        description="Scheme of employer_id: SIRET for a French region, PARTITA_IVA for an "
        "Italian one."
    )
    employer_id: str = Field(
        max_length=20,
        description="Employer identifier, digits only: SIRET (14 digits) or Partita IVA (11 "
        "digits), checked with its control key.",
    )
    employer_name: Title | None = Field(
        default=None, description="Employer's trade name (raison sociale / ragione sociale)."
    )
    occupation: Occupation = Field(description="Occupation offered, in the classifications.")
    sector: Sector = Field(description="Sector among the eleven 'Expertises d'avenir' sectors.")
    green: bool = Field(default=False, description="A job of the green economy.")
    blue: bool = Field(default=False, description="A job of the blue (maritime) economy.")
    required_languages: list[LanguageSkill] = Field(
        default_factory=list,
        max_length=10,
        description="Languages required, each with its minimum CEFR level.",
    )
    skills: list[Label] = Field(
        default_factory=list,
        max_length=100,
        description="Skills required: ESCO skill URIs or labels in the offer's language.",
    )
    salary: Salary | None = Field(default=None, description="Gross pay offered, if stated.")
    positions: int = Field(default=1, ge=1, le=10_000, description="Number of positions.")
    target_regions: list[RegionKey] = Field(
        default_factory=list,
        max_length=20,
        description="Regions the offer is meant for; empty means every partner region.",
    )
    cross_border: bool = Field(
        default=True,
        description="Open to candidates from other regions; false keeps the offer local.",
    )
    valid_until: date = Field(
        description="Last day the offer is open (date limite); after the day it was published."
    )
    status: OfferStatus = Field(default=OfferStatus.OPEN, description="Life-cycle status.")
    telework: Telework | None = Field(
        default=None,
        description="Telework arrangement (télétravail / lavoro agile); added in v2, null when "
        "not stated.",
    )

    @model_validator(mode="after")
    def _employer_identified(self) -> JobOffer:
        country = Country(region_info(self.source_region).country)
        expected = EMPLOYER_SCHEME_OF[country]
        if self.employer_id_scheme is not expected:
            raise rule_error(
                "EMPLOYER_SCHEME_MISMATCH",
                "an employer of region {region} ({country}) is identified by {expected}, "
                "not {scheme}",
                field="employer_id_scheme",
                region=self.source_region,
                country=country.value,
                expected=expected.value,
                scheme=self.employer_id_scheme.value,
            )
        problem = _employer_id_error(self.employer_id_scheme, self.employer_id)
        if problem is not None:
            code = "SIRET_INVALID" if expected is EmployerIdScheme.SIRET else "PARTITA_IVA_INVALID"
            raise rule_error(
                code,
                "employer_id is not a valid {scheme}: {problem}",
                field="employer_id",
                scheme=self.employer_id_scheme.value,
                problem=problem,
            )
        return self

    @model_validator(mode="after")
    def _contract_under_local_law(self) -> JobOffer:
        place_country = region_info(self.place.region).country
        if self.contract.country.value != place_country:
            raise rule_error(
                "CONTRACT_COUNTRY_MISMATCH",
                "a place of work in {place_country} needs a {place_country} contract code, "
                "not a {contract_country} one",
                field="contract.country",
                place_country=place_country,
                contract_country=self.contract.country.value,
            )
        return self

    @model_validator(mode="after")
    def _valid_after_publication(self) -> JobOffer:
        if self.valid_until <= self.occurred_at.date():
            raise rule_error(
                "DATES_OUT_OF_ORDER",
                "valid_until ({valid_until}) must be after the day the offer was published "
                "({published})",
                field="valid_until",
                valid_until=self.valid_until.isoformat(),
                published=self.occurred_at.date().isoformat(),
            )
        return self
