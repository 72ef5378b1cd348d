"""CloudEvents 1.0 envelope as Kafka headers (the Kafka protocol binding, binary mode).

The Avro value stays the event; the headers repeat its envelope so generic tooling (a
CloudEvents-aware consumer, a Kafka UI, a router that never decodes Avro) can read the id,
source, type and time. Attribute ``x`` travels as header ``ce_x``, values UTF-8; the data's
media type travels as ``content-type`` (CloudEvents Kafka binding, section 3.2).

    ce_specversion   1.0
    ce_id            event_id (dead_letter_id for a dead letter)
    ce_source        /mare/<region>/<agency>   (/mare/network/deadletter for a dead letter)
    ce_type          eu.mare.<Type>.v<N>       the schema the value is encoded with
    ce_time          occurred_at, RFC 3339
    ce_correlationid correlation_id, when set (extension attribute)
    content-type     application/avro
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from broker.errors import CloudEventHeadersInvalid
from broker.models import DeadLetter, Event, WireModel

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/avro"
TYPE_PREFIX = "eu.mare."
_TYPE = re.compile(r"^eu\.mare\.(?P<name>[A-Z][A-Za-z0-9]*)\.v(?P<version>[1-9][0-9]*)$")
_REQUIRED = ("ce_specversion", "ce_id", "ce_source", "ce_type")


@dataclass(frozen=True)
class CloudEventHeaders:
    """The CloudEvents attributes read from, or written to, a Kafka record's headers."""

    id: str
    source: str
    type: str
    specversion: str = SPEC_VERSION
    time: datetime | None = None
    correlationid: str | None = None
    content_type: str | None = CONTENT_TYPE

    @property
    def event_type(self) -> str:
        """``JobOffer`` for ``eu.mare.JobOffer.v2``."""
        match = _TYPE.match(self.type)
        return match["name"] if match else self.type

    @property
    def schema_version(self) -> int | None:
        """``2`` for ``eu.mare.JobOffer.v2``; None for a type outside MARE."""
        match = _TYPE.match(self.type)
        return int(match["version"]) if match else None


def ce_type(event: WireModel) -> str:
    """``eu.mare.<Type>.v<N>``: the type and the schema version ``Codec.encode`` writes."""
    return f"{TYPE_PREFIX}{type(event).__name__}.v{event.schema_version}"


def attributes_for(event: WireModel) -> CloudEventHeaders:
    """The CloudEvents attributes of an event."""
    if isinstance(event, DeadLetter):
        return CloudEventHeaders(
            id=str(event.dead_letter_id),
            source="/mare/network/deadletter",
            type=ce_type(event),
            time=event.occurred_at,
        )
    assert isinstance(event, Event)
    return CloudEventHeaders(
        id=str(event.event_id),
        source=f"/mare/{event.source_region}/{event.source_agency}",
        type=ce_type(event),
        time=event.occurred_at,
        correlationid=str(event.correlation_id) if event.correlation_id else None,
    )


def headers_for(event: WireModel) -> list[tuple[str, bytes]]:
    """Kafka headers for an event, in a stable order (aiokafka's ``headers=`` format)."""
    return to_headers(attributes_for(event))


def to_headers(attributes: CloudEventHeaders) -> list[tuple[str, bytes]]:
    headers = [
        ("ce_specversion", attributes.specversion),
        ("ce_id", attributes.id),
        ("ce_source", attributes.source),
        ("ce_type", attributes.type),
    ]
    if attributes.time is not None:
        headers.append(("ce_time", _rfc3339(attributes.time)))
    if attributes.correlationid is not None:
        headers.append(("ce_correlationid", attributes.correlationid))
    if attributes.content_type is not None:
        headers.append(("content-type", attributes.content_type))
    return [(key, value.encode("utf-8")) for key, value in headers]


def parse_headers(headers: Iterable[tuple[str, bytes | None]]) -> CloudEventHeaders | None:
    """The CloudEvents attributes of a record; None when it carries no ``ce_`` header.

    Raises CloudEventHeadersInvalid when some are present but a required one is missing or
    a value is not UTF-8 or ``ce_time`` is not RFC 3339. Unknown headers are ignored.
    """
    values: dict[str, str] = {}
    for key, raw in headers:
        if not (key.startswith("ce_") or key == "content-type") or raw is None:
            continue
        try:
            values[key] = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CloudEventHeadersInvalid(f"header {key} is not UTF-8", field=key) from None
    if not any(key.startswith("ce_") for key in values):
        return None
    missing = [key for key in _REQUIRED if not values.get(key)]
    if missing:
        raise CloudEventHeadersInvalid(
            f"CloudEvents headers without {', '.join(missing)}", field=missing[0]
        )
    time: datetime | None = None
    if "ce_time" in values:
        try:
            time = datetime.fromisoformat(values["ce_time"].replace("Z", "+00:00"))
        except ValueError:
            raise CloudEventHeadersInvalid(
                f"ce_time {values['ce_time']!r} is not RFC 3339", field="ce_time"
            ) from None
        if time.tzinfo is None:
            raise CloudEventHeadersInvalid("ce_time has no UTC offset", field="ce_time")
    return CloudEventHeaders(
        id=values["ce_id"],
        source=values["ce_source"],
        type=values["ce_type"],
        specversion=values["ce_specversion"],
        time=time,
        correlationid=values.get("ce_correlationid"),
        content_type=values.get("content-type"),
    )


def event_id_of(headers: Iterable[tuple[str, bytes | None]]) -> UUID | None:
    """The ``ce_id`` of a record as a UUID, for deduplication without decoding the value."""
    attributes = parse_headers(headers)
    if attributes is None:
        return None
    try:
        return UUID(attributes.id)
    except ValueError:
        return None


def _rfc3339(moment: datetime) -> str:
    """``2026-11-02T09:30:00.000Z``: UTC, millisecond precision as on the wire."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
