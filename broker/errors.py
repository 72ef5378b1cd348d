"""One error tree for the whole network.

Partners and operators match on ``code``: a code is never renamed or reused.

    MareError
     ├─ RejectedEvent                   → dead letter, with field(s) and rule     EVENT_REJECTED
     │   ├─ framing (broker.codec: the bytes are not a MARE event)
     │   │   ├─ ValueEmpty              VALUE_EMPTY
     │   │   ├─ MagicUnknown            MAGIC_UNKNOWN
     │   │   ├─ Truncated               TRUNCATED
     │   │   ├─ SchemaUnknown           SCHEMA_UNKNOWN
     │   │   └─ BodyMalformed           BODY_MALFORMED
     │   ├─ generic validation (pydantic's own checks)
     │   │   ├─ FieldMissing            FIELD_MISSING
     │   │   ├─ FieldInvalid            FIELD_INVALID
     │   │   ├─ TextEmpty               TEXT_EMPTY
     │   │   └─ TextTooLong             TEXT_TOO_LONG
     │   ├─ business rules (the models in broker.models: one rule, one code)
     │   │   ├─ RegionUnknown           REGION_UNKNOWN
     │   │   ├─ LanguageUnsupported     LANGUAGE_UNSUPPORTED
     │   │   ├─ LanguageMismatch        LANGUAGE_MISMATCH
     │   │   ├─ NutsMismatch            NUTS_MISMATCH
     │   │   ├─ MunicipalityCodeInvalid MUNICIPALITY_CODE_INVALID
     │   │   ├─ SiretInvalid            SIRET_INVALID
     │   │   ├─ PartitaIvaInvalid       PARTITA_IVA_INVALID
     │   │   ├─ EmployerSchemeMismatch  EMPLOYER_SCHEME_MISMATCH
     │   │   ├─ ContractCodeUnknown     CONTRACT_CODE_UNKNOWN
     │   │   ├─ ContractCountryMismatch CONTRACT_COUNTRY_MISMATCH
     │   │   ├─ DurationRequired        DURATION_REQUIRED
     │   │   ├─ OccupationMissing       OCCUPATION_MISSING
     │   │   ├─ SalaryRangeInvalid      SALARY_RANGE_INVALID
     │   │   ├─ DatesOutOfOrder         DATES_OUT_OF_ORDER
     │   │   ├─ PseudonymInvalid        PSEUDONYM_INVALID
     │   │   ├─ ConsentMissing          CONSENT_MISSING
     │   │   ├─ ConsentExpired          CONSENT_EXPIRED
     │   │   ├─ LinkMissing             LINK_MISSING
     │   │   ├─ CloudEventHeadersInvalid CLOUDEVENT_HEADERS_INVALID
     │   │   └─ EventIdNotDerived       EVENT_ID_NOT_DERIVED
     │   └─ network rules (agents: ingest, router, acknowledger)
     │       ├─ SourceRegionMismatch    SOURCE_REGION_MISMATCH
     │       ├─ KindMismatch            KIND_MISMATCH
     │       ├─ OfferOwnerUnknown       OFFER_OWNER_UNKNOWN
     │       ├─ DestinationIsSource     DESTINATION_IS_SOURCE
     │       └─ SubjectUnknown          SUBJECT_UNKNOWN
     └─ InfrastructureError             retriable or operator-facing, never dead-lettered
         ├─ BrokerUnavailable           BROKER_UNAVAILABLE (retriable)
         ├─ KafkaPrerequisiteMissing    KAFKA_PREREQUISITE_MISSING
         ├─ KafkaStartFailed            KAFKA_START_FAILED
         ├─ ConfigurationInvalid        CONFIGURATION_INVALID
         └─ SchemaRegistryInvalid       SCHEMA_REGISTRY_INVALID (the shipped .avsc files are broken)

A rejection found by pydantic validation carries every failing field in ``violations``
(``(field, code, message)`` triples); its class is the one of the first failing rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, NamedTuple


class MareError(Exception):
    """Base of every error the network raises on purpose."""

    code: ClassVar[str] = "MARE_ERROR"
    retriable: ClassVar[bool] = False


class Violation(NamedTuple):
    """One failing field of a rejected event: where, which rule, and pydantic's English text."""

    field: str
    code: str
    message: str


class RejectedEvent(MareError):
    """An input event the network refuses: it goes to the dead-letter topic, with the reason.

    ``source_region`` and ``event_type`` are filled when the bytes could be decoded far enough
    to read them, so the dead letter can answer the sender in its own language.
    """

    code: ClassVar[str] = "EVENT_REJECTED"

    def __init__(
        self,
        reason: str,
        *,
        field: str | None = None,
        violations: Sequence[Violation] = (),
        source_region: str | None = None,
        event_type: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.violations: list[Violation] = list(violations)
        if field is None and self.violations:
            field = self.violations[0].field
        self.field = field
        self.source_region = source_region
        self.event_type = event_type

    @property
    def fields(self) -> list[str]:
        """Every failing field path, in the order the rules found them."""
        if self.violations:
            return list(dict.fromkeys(v.field for v in self.violations))
        return [self.field] if self.field else []


# -- framing: the bytes are not a readable MARE event ---------------------------------------


class ValueEmpty(RejectedEvent):
    """The record has no value (empty bytes or a tombstone) on a topic that carries events."""

    code: ClassVar[str] = "VALUE_EMPTY"


class MagicUnknown(RejectedEvent):
    """The value starts neither with Avro Single Object Encoding (C3 01) nor Confluent (00)."""

    code: ClassVar[str] = "MAGIC_UNKNOWN"


class Truncated(RejectedEvent):
    """The value ends before its header or its Avro body is complete."""

    code: ClassVar[str] = "TRUNCATED"


class SchemaUnknown(RejectedEvent):
    """The fingerprint or Confluent schema id names no published MARE schema."""

    code: ClassVar[str] = "SCHEMA_UNKNOWN"


class BodyMalformed(RejectedEvent):
    """The Avro body does not decode with the schema its header names, or has trailing bytes."""

    code: ClassVar[str] = "BODY_MALFORMED"


# -- generic validation ----------------------------------------------------------------------


class FieldMissing(RejectedEvent):
    code: ClassVar[str] = "FIELD_MISSING"


class FieldInvalid(RejectedEvent):
    code: ClassVar[str] = "FIELD_INVALID"


class TextEmpty(RejectedEvent):
    code: ClassVar[str] = "TEXT_EMPTY"


class TextTooLong(RejectedEvent):
    code: ClassVar[str] = "TEXT_TOO_LONG"


# -- business rules --------------------------------------------------------------------------


class RegionUnknown(RejectedEvent):
    """A region key absent from the region registry (broker/data/regions.toml)."""

    code: ClassVar[str] = "REGION_UNKNOWN"


class LanguageUnsupported(RejectedEvent):
    """Free text in a language that is no partner region's working language."""

    code: ClassVar[str] = "LANGUAGE_UNSUPPORTED"


class LanguageMismatch(RejectedEvent):
    """A delivery whose language is not its destination region's working language."""

    code: ClassVar[str] = "LANGUAGE_MISMATCH"


class NutsMismatch(RejectedEvent):
    """A place of work whose NUTS-2 code is not its region's."""

    code: ClassVar[str] = "NUTS_MISMATCH"


class MunicipalityCodeInvalid(RejectedEvent):
    """Not shaped as an INSEE commune code (France) or an ISTAT comune code (Italy)."""

    code: ClassVar[str] = "MUNICIPALITY_CODE_INVALID"


class SiretInvalid(RejectedEvent):
    code: ClassVar[str] = "SIRET_INVALID"


class PartitaIvaInvalid(RejectedEvent):
    code: ClassVar[str] = "PARTITA_IVA_INVALID"


class EmployerSchemeMismatch(RejectedEvent):
    """SIRET for an Italian region or Partita IVA for a French one."""

    code: ClassVar[str] = "EMPLOYER_SCHEME_MISMATCH"


class ContractCodeUnknown(RejectedEvent):
    code: ClassVar[str] = "CONTRACT_CODE_UNKNOWN"


class ContractCountryMismatch(RejectedEvent):
    """A contract under one country's law for a place of work in the other country."""

    code: ClassVar[str] = "CONTRACT_COUNTRY_MISMATCH"


class DurationRequired(RejectedEvent):
    """A fixed-term contract without its duration (PACA convention, art. 17)."""

    code: ClassVar[str] = "DURATION_REQUIRED"


class OccupationMissing(RejectedEvent):
    """An occupation reference with no code at all (ESCO, ISCO-08, ROME or CP)."""

    code: ClassVar[str] = "OCCUPATION_MISSING"


class SalaryRangeInvalid(RejectedEvent):
    code: ClassVar[str] = "SALARY_RANGE_INVALID"


class DatesOutOfOrder(RejectedEvent):
    code: ClassVar[str] = "DATES_OUT_OF_ORDER"


class PseudonymInvalid(RejectedEvent):
    """A candidate pseudonym that could be a name or an e-mail address (GDPR minimisation)."""

    code: ClassVar[str] = "PSEUDONYM_INVALID"


class ConsentMissing(RejectedEvent):
    """No consent to cross-border sharing: the candidate's data must not cross the border."""

    code: ClassVar[str] = "CONSENT_MISSING"


class ConsentExpired(RejectedEvent):
    code: ClassVar[str] = "CONSENT_EXPIRED"


class LinkMissing(RejectedEvent):
    """A mobility request linked to neither an offer nor a referral."""

    code: ClassVar[str] = "LINK_MISSING"


class CloudEventHeadersInvalid(RejectedEvent):
    """CloudEvents headers (ce_*) are present but incomplete or malformed."""

    code: ClassVar[str] = "CLOUDEVENT_HEADERS_INVALID"


class EventIdNotDerived(RejectedEvent):
    """A delivery whose event id is not derived from the original's, so replays would not dedupe."""

    code: ClassVar[str] = "EVENT_ID_NOT_DERIVED"


# -- network rules ---------------------------------------------------------------------------


class SourceRegionMismatch(RejectedEvent):
    """The event says it comes from one region but arrived on another region's inbound topic."""

    code: ClassVar[str] = "SOURCE_REGION_MISMATCH"


class KindMismatch(RejectedEvent):
    """The event's type does not belong on the inbound topic it arrived on."""

    code: ClassVar[str] = "KIND_MISMATCH"


class OfferOwnerUnknown(RejectedEvent):
    """A referral names an offer the network never routed, and gives no region to send it to."""

    code: ClassVar[str] = "OFFER_OWNER_UNKNOWN"


class DestinationIsSource(RejectedEvent):
    """The only destination is the source region itself: nothing crosses the network."""

    code: ClassVar[str] = "DESTINATION_IS_SOURCE"


class SubjectUnknown(RejectedEvent):
    """An agency acknowledges an offer, referral or request the network never delivered."""

    code: ClassVar[str] = "SUBJECT_UNKNOWN"


# -- infrastructure --------------------------------------------------------------------------


class InfrastructureError(MareError):
    """Something around the events failed: never the sender's fault, never dead-lettered."""

    code: ClassVar[str] = "INFRASTRUCTURE_ERROR"


class BrokerUnavailable(InfrastructureError):
    code: ClassVar[str] = "BROKER_UNAVAILABLE"
    retriable: ClassVar[bool] = True


class KafkaPrerequisiteMissing(InfrastructureError):
    """Java or Maven is missing, so the managed Kafka cannot run here."""

    code: ClassVar[str] = "KAFKA_PREREQUISITE_MISSING"


class ConfigurationInvalid(InfrastructureError):
    """A setting asks for something this installation cannot do; the message says how to fix it."""

    code: ClassVar[str] = "CONFIGURATION_INVALID"


class KafkaStartFailed(InfrastructureError):
    code: ClassVar[str] = "KAFKA_START_FAILED"


class SchemaRegistryInvalid(InfrastructureError):
    """The shipped schemas/avro files are unreadable, duplicated or disagree with the models."""

    code: ClassVar[str] = "SCHEMA_REGISTRY_INVALID"


def all_subclasses(cls: type[MareError]) -> list[type[MareError]]:
    found: list[type[MareError]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(all_subclasses(sub))
    return found


def errors_by_code() -> dict[str, type[MareError]]:
    """Every error class by its code, built from the subclasses so it never goes stale."""
    classes: list[type[MareError]] = [MareError, *all_subclasses(MareError)]
    return {cls.code: cls for cls in classes}


def rejection_class(code: str) -> type[RejectedEvent]:
    """The RejectedEvent subclass for a code; the generic FieldInvalid for an unknown one."""
    cls = errors_by_code().get(code)
    if cls is not None and issubclass(cls, RejectedEvent):
        return cls
    return FieldInvalid
