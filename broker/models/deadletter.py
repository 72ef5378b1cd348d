"""The record the network writes to ``mare.deadletter`` for an input it refuses."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field, StringConstraints

from broker.models.common import (
    AvroLong,
    DomainModel,
    LanguageCode,
    LongText,
    ReasonCode,
    RegionKey,
    UtcTimestamp,
)


class Stage(StrEnum):
    """Where the input was refused: DECODE (framing, schema, Avro body), VALIDATE (contract
    rules), INGEST (dedupe and acceptance), ROUTE, TRANSLATE, MATCH, ACKNOWLEDGE, SPONSORSHIP,
    OTHER. Readers of an older version map a newer symbol to OTHER."""

    DECODE = "DECODE"
    VALIDATE = "VALIDATE"
    INGEST = "INGEST"
    ROUTE = "ROUTE"
    TRANSLATE = "TRANSLATE"
    MATCH = "MATCH"
    ACKNOWLEDGE = "ACKNOWLEDGE"
    SPONSORSHIP = "SPONSORSHIP"
    OTHER = "OTHER"


FieldPath = Annotated[str, StringConstraints(max_length=300)]


class KafkaHeader(DomainModel):
    """One Kafka record header, kept byte for byte."""

    key: str = Field(max_length=1_000, description="Header key.")
    value: bytes | None = Field(default=None, description="Header value; null when absent.")


class DeadLetter(DomainModel):
    """An input the network refused, with everything needed to understand and replay it.

    Every consumed record ends in an output topic, here, or a counted duplicate skip: a bad
    event is never dropped silently. The original key, value and headers are kept byte for
    byte, so an operator can fix a rule and replay. The reason is given twice: in English for
    operators and in the sender's language (French or Italian) for the sending agency.
    ``dead_letter_id`` is derived from the record's coordinates (broker.ids.dead_letter_id), so
    a replay of the same input gives the same dead letter.
    """

    schema_version: ClassVar[int] = 1

    dead_letter_id: UUID = Field(
        description="uuid5 of original_topic/original_partition/original_offset."
    )
    occurred_at: UtcTimestamp = Field(description="When the input was refused (UTC).")
    stage: Stage = Field(description="Processing stage that refused the input.")
    error_code: ReasonCode = Field(
        description="Stable rejection code (broker.errors), e.g. SIRET_INVALID; the first "
        "failing rule when several fail."
    )
    fields: list[FieldPath] = Field(
        default_factory=list,
        max_length=200,
        description="Paths of every failing field, e.g. 'contract.duration_months'.",
    )
    message_en: LongText = Field(description="What is wrong and how to fix it, in English.")
    message_local: LongText = Field(
        description="The same, in the sender's language (the language field)."
    )
    language: LanguageCode = Field(
        description="Language of message_local: the sending region's (fr, it), or en when the "
        "sender is unknown."
    )
    source_region: RegionKey | None = Field(
        default=None, description="Region of the sender, when it could be read."
    )
    event_type: str | None = Field(
        default=None,
        max_length=100,
        description="Event type named by the schema fingerprint, e.g. JobOffer, when known.",
    )
    original_topic: str = Field(max_length=249, description="Topic the input was read from.")
    original_partition: int = Field(ge=0, le=2**31 - 1, description="Partition of the input.")
    original_offset: Annotated[int, AvroLong()] = Field(ge=0, description="Offset of the input.")
    original_timestamp: UtcTimestamp | None = Field(
        default=None, description="Kafka timestamp of the input (UTC), when it had one."
    )
    original_key: bytes | None = Field(default=None, description="Key of the input, verbatim.")
    original_value: bytes | None = Field(
        default=None, description="Value of the input, verbatim; null for a tombstone."
    )
    original_headers: list[KafkaHeader] = Field(
        default_factory=list, description="Headers of the input, verbatim and in order."
    )
