"""Build the dead letter of a refused input: pure, no I/O, the clock passed in.

Every consumed record ends in an output topic, the dead-letter topic or a counted duplicate
skip (ARCHITECTURE, guarantee 1). The dead letter keeps the input byte for byte and says
what is wrong in English and in the sender's language; its id is derived from the record's
coordinates, so replaying the same input produces the same dead letter, which dedupes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from broker.errors import (
    BodyMalformed,
    MagicUnknown,
    RejectedEvent,
    SchemaUnknown,
    Truncated,
    ValueEmpty,
)
from broker.ids import dead_letter_id
from broker.messages import explain, language_for
from broker.models import DeadLetter, KafkaHeader, Stage
from broker.regions import regions

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

FRAMING_ERRORS: tuple[type[RejectedEvent], ...] = (
    ValueEmpty,
    MagicUnknown,
    Truncated,
    SchemaUnknown,
    BodyMalformed,
)


def stage_of(error: RejectedEvent) -> Stage:
    """DECODE for framing and Avro errors, VALIDATE for contract rules."""
    return Stage.DECODE if isinstance(error, FRAMING_ERRORS) else Stage.VALIDATE


def dead_letter_for(
    error: RejectedEvent,
    *,
    stage: Stage | str | None = None,
    topic: str,
    partition: int,
    offset: int,
    timestamp: datetime | int | None,
    key: bytes | None,
    value: bytes | None,
    headers: Iterable[tuple[str, bytes | None]] | None,
    clock_now: datetime,
    region_hint: str | None = None,
) -> DeadLetter:
    """The dead letter of one refused Kafka record.

    ``timestamp`` is the record's Kafka timestamp, a datetime or epoch milliseconds as
    aiokafka gives it. ``region_hint`` is the region of the inbound topic: the reply is in
    the language of the event's source region when it could be decoded, else of that hint,
    else English. ``stage`` defaults to ``stage_of(error)``.
    """
    region = error.source_region or (region_hint if region_hint in regions() else None)
    language = language_for(region)
    return DeadLetter(
        dead_letter_id=dead_letter_id(topic, partition, offset),
        occurred_at=clock_now,
        stage=Stage(stage) if stage is not None else stage_of(error),
        error_code=error.code,
        fields=error.fields,
        message_en=explain(error, "en"),
        message_local=explain(error, language),
        language=language,
        source_region=region,
        event_type=error.event_type,
        original_topic=topic,
        original_partition=partition,
        original_offset=offset,
        original_timestamp=_instant(timestamp),
        original_key=key,
        original_value=value,
        original_headers=[KafkaHeader(key=k, value=v) for k, v in headers or ()],
    )


def _instant(timestamp: datetime | int | None) -> datetime | None:
    if timestamp is None or isinstance(timestamp, datetime):
        return timestamp
    if timestamp < 0:
        return None
    return _EPOCH + timedelta(milliseconds=timestamp)


ERROR_CODE_HEADER = "mare_error_code"
"""Kafka header of a dead letter carrying its error code: tools filter without decoding."""
REGION_HEADER = "mare_region"
"""Kafka header of a dead letter carrying the sender's region, when known."""


def dead_letter_headers(letter: DeadLetter) -> tuple[tuple[str, bytes], ...]:
    """The headers that let operators and partners filter dead letters without decoding."""
    headers = [(ERROR_CODE_HEADER, letter.error_code.encode())]
    if letter.source_region:
        headers.append((REGION_HEADER, letter.source_region.encode()))
    return tuple(headers)
