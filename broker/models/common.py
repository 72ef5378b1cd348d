"""Field types and value objects shared by every MARE event.

Everything here is frozen and rejects unknown fields: an event is a fact, and a field the
contract does not name is a sender's mistake worth a dead letter, not something to drop.

Business rules raise ``PydanticCustomError`` whose *type* is the snake_case form of the
rejection code (``region_unknown`` → ``REGION_UNKNOWN``, see ``broker.errors``). When the rule
is checked by a model validator, ``ctx["field"]`` names the failing field relative to that
model, so the codec reports ``place.nuts2`` rather than ``place``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, ClassVar, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from broker.regions import RegionInfo, regions

NAMESPACE = "eu.mare"
"""Avro namespace of every MARE schema."""


# -- Avro hints: markers the schema generator reads (broker.avro_schema) --------------------


@dataclass(frozen=True)
class AvroLong:
    """Marks an ``int`` that needs 64 bits on the wire (amounts in cents)."""


@dataclass(frozen=True)
class RegionKeyHint:
    """Marks a string that holds a region key, so its Avro doc lists the registry's keys."""


def rule_error(code: str, message: str, /, *, field: str | None = None, **ctx: Any) -> Exception:
    """A pydantic error whose type is the rejection ``code`` (lower case) for the codec.

    ``field`` is the failing field relative to the model whose validator raised.
    """
    context: dict[str, Any] = dict(ctx)
    if field is not None:
        context["field"] = field
    return PydanticCustomError(code.lower(), message, context)


# -- scalar field types ----------------------------------------------------------------------


def _utc_millis(value: datetime) -> datetime:
    """UTC, truncated to the millisecond: what ``timestamp-millis`` carries, so a model equals
    itself after a round trip through the wire."""
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond - value.microsecond % 1000)


UtcTimestamp = Annotated[AwareDatetime, AfterValidator(_utc_millis)]
"""A timezone-aware instant, normalised to UTC milliseconds (Avro ``timestamp-millis``)."""


@cache
def _region_index() -> dict[str, RegionInfo]:
    """The registry by key, built once: validation looks regions up on every event."""
    return {info.key: info for info in regions().region}


@cache
def working_languages() -> frozenset[str]:
    """The partner regions' working languages (today fr and it)."""
    return frozenset(info.language for info in regions().region)


def region_info(key: str) -> RegionInfo:
    """The registry entry of a region key already validated as known."""
    return _region_index()[key]


def _known_region(value: str) -> str:
    if value not in _region_index():
        raise rule_error(
            "REGION_UNKNOWN",
            "unknown region {region!r}; known regions: {known}",
            region=value,
            known=", ".join(regions().keys()),
        )
    return value


RegionKey = Annotated[str, AfterValidator(_known_region), RegionKeyHint()]
"""A region key from the registry. A string on the wire, so a sixth partner region is data."""


def _working_language(value: str) -> str:
    if value not in working_languages():
        raise rule_error(
            "LANGUAGE_UNSUPPORTED",
            "language {language!r} is no partner region's working language ({known})",
            language=value,
            known=", ".join(sorted(working_languages())),
        )
    return value


WorkingLanguage = Annotated[str, AfterValidator(_working_language)]
"""ISO 639-1 code of a partner region's working language (today ``fr`` or ``it``)."""

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
"""Any ISO 639-1 language code, lower case (``en``, ``de``, ``fr``, ``it`` …)."""


NOT_BLANK = r"\S"
"""Pattern of a text with at least one visible character. Checked by pydantic-core itself (a
Python validator per text costs more); broker.validation reports its mismatch as TEXT_EMPTY."""

Title = Annotated[str, StringConstraints(max_length=200, pattern=NOT_BLANK)]
"""A short mandatory text (a job title, a name): 1 to 200 characters, not blank."""

LongText = Annotated[str, StringConstraints(max_length=10_000, pattern=NOT_BLANK)]
"""A mandatory free text (a job description): 1 to 10,000 characters, not blank."""

Note = Annotated[str, StringConstraints(max_length=2_000, pattern=NOT_BLANK)]
"""An optional remark: 1 to 2,000 characters, not blank."""

Label = Annotated[str, StringConstraints(max_length=300, pattern=NOT_BLANK)]
"""A skill label, a reason, a match explanation: 1 to 300 characters, not blank."""

EntityId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")]
"""A stable identifier in the sender's system (offer, referral, request, sponsorship id):
1 to 128 characters among letters, digits and ``. _ : / -``. It keys Kafka records."""

ReasonCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{1,63}$")]
"""A machine-readable code in UPPER_SNAKE_CASE, such as a rejection code."""

_PSEUDONYM_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _pseudonym(value: str) -> str:
    if not 8 <= len(value) <= 64 or not _PSEUDONYM_CHARS.issuperset(value):
        raise rule_error(
            "PSEUDONYM_INVALID",
            "a candidate pseudonym is 8 to 64 letters, digits, '_' or '-': "
            "never a name, an e-mail address or a phone number",
        )
    return value


CandidatePseudonym = Annotated[str, AfterValidator(_pseudonym)]
"""An opaque pseudonym issued by the candidate's home agency (GDPR art. 4(5) and 25: data
minimisation). 8 to 64 characters among ``A-Z a-z 0-9 _ -``, so no e-mail address, name with
spaces or phone number with ``+`` fits."""

Months = Annotated[int, Field(ge=0, le=600)]
"""A count of months, 0 to 600 (50 years)."""

Cents = Annotated[int, Field(ge=0, le=10_000_000_000), AvroLong()]
"""An amount in euro cents (a 64-bit ``long`` on the wire): exact, unlike a float, and readable
by every Avro implementation, unlike ``decimal`` on ``bytes``."""


# -- closed vocabularies --------------------------------------------------------------------


class Country(StrEnum):
    """ISO 3166-1 alpha-2 country of a partner region: FR (France) or IT (Italy)."""

    FR = "FR"
    IT = "IT"


class CefrLevel(StrEnum):
    """Language level on the Common European Framework of Reference (CECRL / QCER):
    A1, A2 (basic), B1, B2 (independent), C1, C2 (proficient)."""

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"


class Sector(StrEnum):
    """The eleven sectors of the "Expertises d'avenir" networks: agriculture and food
    processing (agroalimentaire / agroalimentare), construction and public works (BTP / edilizia),
    trade (commerce / commercio), energy, industry, maritime (économie bleue / economia blu),
    digital (numérique / digitale), health and personal services (santé, services à la personne /
    sanità, servizi alla persona), security and defence, hotels, restaurants and tourism (HCR /
    turismo), transport and logistics."""

    AGRICULTURE_FOOD = "AGRICULTURE_FOOD"
    CONSTRUCTION = "CONSTRUCTION"
    TRADE = "TRADE"
    ENERGY = "ENERGY"
    INDUSTRY = "INDUSTRY"
    MARITIME = "MARITIME"
    DIGITAL = "DIGITAL"
    HEALTH_CARE = "HEALTH_CARE"
    SECURITY_DEFENCE = "SECURITY_DEFENCE"
    HOSPITALITY_TOURISM = "HOSPITALITY_TOURISM"
    TRANSPORT_LOGISTICS = "TRANSPORT_LOGISTICS"


class CpVersion(StrEnum):
    """Edition of ISTAT's Classificazione delle Professioni: CP2011 (the one the official ESCO
    mapping uses) or CP2021 (in force in the Comunicazioni Obbligatorie since 1 October 2024).
    Some units changed between them, so a CP code is meaningless without its edition."""

    CP2011 = "CP2011"
    CP2021 = "CP2021"


class SubjectKind(StrEnum):
    """What an acknowledgement is about: a job offer, a candidate referral or a mobility
    request."""

    OFFER = "OFFER"
    REFERRAL = "REFERRAL"
    MOBILITY = "MOBILITY"


class DeadlineKind(StrEnum):
    """The service levels of the PACA convention, art. 17, for an offer received:
    EMPLOYER_CONTACT_48H (contact the employer within 48 hours) and SOLUTION_10D (propose a
    solution within 10 days)."""

    EMPLOYER_CONTACT_48H = "EMPLOYER_CONTACT_48H"
    SOLUTION_10D = "SOLUTION_10D"


class ConsentPurpose(StrEnum):
    """What a candidate consented to (GDPR art. 6(1)(a) and 7): CROSS_BORDER_SHARING (the
    referral may leave the home region, required for any referral on the network), MATCHING
    (automated matching with offers), SPONSORSHIP (a sponsor in the destination region may be
    assigned)."""

    CROSS_BORDER_SHARING = "CROSS_BORDER_SHARING"
    MATCHING = "MATCHING"
    SPONSORSHIP = "SPONSORSHIP"


# -- value objects -------------------------------------------------------------------------


class DomainModel(BaseModel):
    """Frozen, closed: an event or part of one, never mutated, never with unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def from_trusted(cls, **fields: Any) -> Self:
        """An instance from values the network built itself from validated data.

        ``model_construct`` without its per-field alias and default handling, which these
        models do not use: every field must be given. A network event fans out to several
        records, so this runs thousands of times a second; tests validate what it builds.
        """
        if fields.keys() != cls.__pydantic_fields__.keys():
            missing = sorted(cls.__pydantic_fields__.keys() - fields.keys())
            unknown = sorted(fields.keys() - cls.__pydantic_fields__.keys())
            raise TypeError(f"{cls.__name__}.from_trusted without {missing}, with {unknown}")
        instance = cls.__new__(cls)
        object.__setattr__(instance, "__dict__", fields)
        object.__setattr__(instance, "__pydantic_fields_set__", set(fields))
        object.__setattr__(instance, "__pydantic_extra__", None)
        object.__setattr__(instance, "__pydantic_private__", None)
        return instance


class LanguageSkill(DomainModel):
    """A language and a level on the CEFR scale, as EURES exchanges them."""

    language: LanguageCode = Field(description="ISO 639-1 code of the language, e.g. 'fr'.")
    level: CefrLevel = Field(description="Level on the CEFR scale (CECRL / QCER).")


class Occupation(DomainModel):
    """An occupation in the classifications the partners use: ESCO / ISCO-08 as the European
    pivot, ROME (France Travail) for French offers, ISTAT CP for Italian ones.

    Rules: at least one code (OCCUPATION_MISSING); a CP code always comes with its edition
    (FIELD_MISSING), because CP2011 and CP2021 differ.
    """

    esco_uri: str | None = Field(
        default=None,
        pattern=r"^http://data\.europa\.eu/esco/occupation/[0-9a-f-]{36}$",
        description="ESCO occupation URI (the European pivot).",
    )
    isco08: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}$",
        description="ISCO-08 unit group, 4 digits (CITP-08 / CP-ISCO).",
    )
    rome_code: str | None = Field(
        default=None,
        pattern=r"^[A-N][0-9]{4}$",
        description="ROME fiche code of France Travail (Répertoire opérationnel des métiers et "
        "des emplois), e.g. G1602; expected on French offers.",
    )
    cp_code: str | None = Field(
        default=None,
        pattern=r"^[0-9](\.[0-9]{1,2}){0,4}$",
        description="ISTAT Classificazione delle Professioni code, e.g. 5.2.2.1.0; expected on "
        "Italian offers, with cp_version.",
    )
    cp_version: CpVersion | None = Field(
        default=None, description="Edition of cp_code: CP2011 or CP2021."
    )

    @model_validator(mode="after")
    def _at_least_one_code(self) -> Occupation:
        if not (self.esco_uri or self.isco08 or self.rome_code or self.cp_code):
            raise rule_error(
                "OCCUPATION_MISSING",
                "an occupation needs at least one code: esco_uri, isco08, rome_code or cp_code",
            )
        if (self.cp_code is None) != (self.cp_version is None):
            missing = "cp_version" if self.cp_version is None else "cp_code"
            raise rule_error(
                "FIELD_MISSING",
                "cp_code and cp_version go together: {field} is missing",
                field=missing,
            )
        return self


_MUNICIPALITY_CODE_FORMAT = {
    Country.FR: "INSEE commune code: 5 characters, digits or 2A/2B for Corsica",
    Country.IT: "ISTAT comune code: 6 digits",
}


def _is_municipality_code(country: Country, code: str) -> bool:
    if country is Country.FR:
        corsica = code[:2] in ("2A", "2B") and code[2:].isdigit()
        return len(code) == 5 and (code.isdigit() or corsica)
    return len(code) == 6 and code.isdigit()


class Place(DomainModel):
    """Where the work is done (lieu de travail / luogo di lavoro): a mandatory offer field of the
    PACA convention, art. 17, located the way EURES does (NUTS) and the way national systems do
    (INSEE commune / ISTAT comune).

    Rules: the region is known (REGION_UNKNOWN); the NUTS-2 code is that region's
    (NUTS_MISMATCH); the municipality code has the format of the region's country
    (MUNICIPALITY_CODE_INVALID).
    """

    region: RegionKey = Field(description="Region of the place of work.")
    municipality_code: str = Field(
        description="Official municipality code: INSEE code officiel géographique (5 "
        "characters, 2A/2B in Corsica) in France, ISTAT codice comune (6 digits) in Italy."
    )
    municipality_name: Title = Field(description="Municipality name (commune / comune).")
    postal_code: str = Field(
        pattern=r"^[0-9]{5}$",
        description="Postal code: code postal (France) or CAP (Italy), 5 digits.",
    )
    nuts2: str = Field(
        pattern=r"^[A-Z]{2}[A-Z0-9]{2}$",
        description="NUTS-2 code of the region (NUTS 2021/2024), e.g. FRL0; must be the region's.",
    )

    @model_validator(mode="after")
    def _consistent_with_region(self) -> Place:
        info = region_info(self.region)
        if self.nuts2 != info.nuts2:
            raise rule_error(
                "NUTS_MISMATCH",
                "NUTS-2 code {nuts2} is not region {region}'s ({expected})",
                field="nuts2",
                nuts2=self.nuts2,
                region=self.region,
                expected=info.nuts2,
            )
        country = Country(info.country)
        if not _is_municipality_code(country, self.municipality_code):
            raise rule_error(
                "MUNICIPALITY_CODE_INVALID",
                "{code!r} is not a valid {expected}",
                field="municipality_code",
                code=self.municipality_code,
                expected=_MUNICIPALITY_CODE_FORMAT[country],
            )
        return self


class Consent(DomainModel):
    """The candidate's consent (GDPR art. 7): which purposes, given when, valid until when.

    Rules: it expires after it was given (DATES_OUT_OF_ORDER). Whether it covers the event is
    checked by the event against its own ``occurred_at`` (CONSENT_MISSING, CONSENT_EXPIRED).
    """

    purposes: list[ConsentPurpose] = Field(
        max_length=len(ConsentPurpose), description="Purposes the candidate consented to."
    )
    given_at: UtcTimestamp = Field(description="When the consent was given (UTC).")
    expires_at: UtcTimestamp = Field(
        description="When the consent lapses (UTC); data must not be shared after it."
    )

    @model_validator(mode="after")
    def _expires_after_given(self) -> Consent:
        if self.expires_at <= self.given_at:
            raise rule_error(
                "DATES_OUT_OF_ORDER",
                "the consent expires ({expires_at}) before it is given ({given_at})",
                field="expires_at",
                expires_at=self.expires_at.isoformat(),
                given_at=self.given_at.isoformat(),
            )
        return self


class Event(DomainModel):
    """The envelope every MARE event carries, flat at the top of the record.

    ``schema_version`` is the version of the current ``<Type>.v<N>.avsc``; it only grows, and
    the previous versions stay published (the schema-evolution gate checks FULL compatibility).
    """

    schema_version: ClassVar[int] = 1

    event_id: UUID = Field(
        description="Unique id of this event (UUID); consumers dedupe on it, so a replay or a "
        "producer retry sends the same id."
    )
    occurred_at: UtcTimestamp = Field(
        description="When the fact happened, in UTC (event time: SLA clocks and consent checks "
        "use it, not the time Kafka received the record)."
    )
    source_region: RegionKey = Field(description="Region of the agency that emitted the event.")
    source_agency: Title = Field(
        description="Agency or network component that emitted the event, e.g. 'france-travail-"
        "13' or 'mare-broker'."
    )
    correlation_id: UUID | None = Field(
        default=None,
        description="event_id of the event that caused this one (an acknowledgement points at "
        "the offer it acknowledges); null for an original event.",
    )
