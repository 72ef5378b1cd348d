"""Encoding of what the network writes, on the hot path: bytes and CloudEvents headers.

Byte for byte what ``Codec.encode`` and ``cloudevents.headers_for`` produce (tests compare
them), only cheaper, because each partner event fans out to several records:

- a delivery carries the original event unchanged as its last field, and Avro's binary
  encoding of a record is the concatenation of its fields: so a delivery is written as its
  head (envelope, destination, localization) followed by the original's body, taken from the
  bytes the partner sent when they use the current schema, encoded once otherwise;
- small records are written from their field values, without a ``model_dump`` round;
- an acknowledgement is written as groups of fields, and the groups an event's
  acknowledgements share (its time, sender and subject; the status and region; the deadline)
  are encoded once;
- header values are assembled from pre-encoded constants.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, Literal
from uuid import UUID

from fastavro import parse_schema, schemaless_writer

from broker.codec import Codec
from broker.models import Acknowledgement, DeadLetter, Delivery, Event, SlaBreached, WireModel

_CONSTANT_HEADERS = (("ce_specversion", b"1.0"),)
_UUID_STRING = {"type": "string", "logicalType": "uuid"}
# Field groups of an acknowledgement, in schema order (see ``SplicedRecord``).
_ACK_GROUPS: tuple[tuple[tuple[str, ...], Reuse], ...] = (
    (("event_id",), "uuid"),
    (
        (
            "occurred_at",
            "source_region",
            "source_agency",
            "correlation_id",
            "acknowledged_event_id",
            "subject_kind",
            "subject_id",
        ),
        "reuse",
    ),
    (("status", "region"), "reuse"),
    (("reason_code", "reason", "deadline", "deadline_kind", "extended_until"), "reuse"),
)
# The envelope of a delivery: what the event's deliveries share, then what each destination's.
_DELIVERY_ENVELOPE_GROUPS: tuple[tuple[tuple[str, ...], Reuse], ...] = (
    (("event_id",), "uuid"),
    (("occurred_at", "source_region", "source_agency", "correlation_id"), "reuse"),
    (("destination_region", "language"), "reuse"),
)
_CONTENT_TYPE = ("content-type", b"application/avro")
_FLAT_TYPES = (SlaBreached,)  # scalar fields only: written from __dict__
_LOCALIZATIONS_KEPT = 4096


@lru_cache(maxsize=4096)
def uuid_bytes(value: UUID) -> bytes:
    """The canonical text of a UUID, as bytes; the same ids recur across an event's records."""
    return str(value).encode()


@lru_cache(maxsize=256)
def _ce_source(region: str, agency: str) -> bytes:
    return f"/mare/{region}/{agency}".encode()


@lru_cache(maxsize=1024)
def rfc3339(moment: datetime) -> bytes:
    """``2026-11-02T09:30:00.000Z``, as ``cloudevents`` writes ``ce_time``.

    Kept for the last moments seen: an event and everything the network emits for it share
    their times.
    """
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    ).encode()


class OutgoingEncoder:
    """Encodes the network's own events; falls back to the codec for anything unusual."""

    def __init__(self, codec: Codec) -> None:
        self.codec = codec
        self._types: dict[type[WireModel], bytes] = {}
        self._envelopes: dict[str, SplicedRecord] = {}
        self._localizations: dict[str, Any] = {}
        self._encoded_localizations: OrderedDict[tuple[Any, ...], tuple[bytes, Any]] = OrderedDict()
        acks = codec.current["Acknowledgement"]
        self._ack_header = acks.header
        self._acks = SplicedRecord(acks.schema, _ACK_GROUPS)
        for type_name, version in codec.current.items():
            fields = version.schema["fields"]
            if [f["name"] for f in fields[-2:]] != ["localization", fields[-1]["name"]]:
                continue
            envelope = {**version.schema, "name": f"{type_name}Envelope", "fields": fields[:-2]}
            self._envelopes[type_name] = SplicedRecord(envelope, _DELIVERY_ENVELOPE_GROUPS)
            self._localizations[type_name] = parse_schema(fields[-2]["type"], named_schemas={})

    def ce_type(self, event: WireModel) -> bytes:
        cls = type(event)
        cached = self._types.get(cls)
        if cached is None:
            cached = f"eu.mare.{cls.__name__}.v{cls.schema_version}".encode()
            self._types[cls] = cached
        return cached

    def headers(self, event: WireModel) -> tuple[tuple[str, bytes], ...]:
        """CloudEvents binary-binding headers, as ``cloudevents.headers_for`` writes them."""
        if isinstance(event, DeadLetter):
            return (
                *_CONSTANT_HEADERS,
                ("ce_id", str(event.dead_letter_id).encode()),
                ("ce_source", b"/mare/network/deadletter"),
                ("ce_type", self.ce_type(event)),
                ("ce_time", rfc3339(event.occurred_at)),
                _CONTENT_TYPE,
            )
        assert isinstance(event, Event)
        headers = [
            *_CONSTANT_HEADERS,
            ("ce_id", uuid_bytes(event.event_id)),
            ("ce_source", _ce_source(event.source_region, event.source_agency)),
            ("ce_type", self.ce_type(event)),
            ("ce_time", rfc3339(event.occurred_at)),
        ]
        if event.correlation_id is not None:
            headers.append(("ce_correlationid", uuid_bytes(event.correlation_id)))
        headers.append(_CONTENT_TYPE)
        return tuple(headers)

    def encode(self, event: WireModel, original_body: bytes | None = None) -> bytes:
        """Single Object Encoding of ``event``.

        ``original_body``: for a delivery, the Avro body of its original event in the current
        schema of that event's type, when the caller has it (the bytes the partner sent).
        """
        if isinstance(event, Delivery):
            return self._encode_delivery(event, original_body)
        if isinstance(event, Acknowledgement):
            return self._ack_header + self._acks.encode(event.__dict__)
        if isinstance(event, _FLAT_TYPES):
            version = self.codec.current[type(event).__name__]
            out = io.BytesIO()
            out.write(version.header)
            schemaless_writer(out, version.parsed, event.__dict__)
            return out.getvalue()
        return self.codec.encode(event)

    def original_body(self, raw: bytes) -> bytes | None:
        """The Avro body of a partner's value if it was written with the current schema."""
        version, start = self.codec.writer_of(raw)
        return raw[start:] if self.codec.current[version.type_name] is version else None

    def _encode_delivery(self, delivery: Delivery, original_body: bytes | None) -> bytes:
        type_name = type(delivery).__name__
        original = delivery.original
        if original_body is None:
            original_body = self.codec.encode(original)[10:]
        return b"".join(
            (
                self.codec.current[type_name].header,
                self._envelopes[type_name].encode(delivery.__dict__),
                self._localization_bytes(type_name, delivery),
                original_body,
            )
        )

    def _localization_bytes(self, type_name: str, delivery: Delivery) -> bytes:
        """The encoded localization array; the same few views recur, so they are kept.

        Kept by the identity of its entries, which the translator's caches hand out again for
        the same codes: hashing the entries' values cost more than encoding hits saved. Each
        kept encoding holds its entries, so no identity is reused while it is kept.
        """
        fields = tuple(delivery.localization)
        key = (type_name, *map(id, fields))
        cached = self._encoded_localizations.get(key)
        if cached is None:
            out = io.BytesIO()
            items = [field.__dict__ for field in fields]
            schemaless_writer(out, self._localizations[type_name], items)
            cached = (out.getvalue(), fields)
            self._encoded_localizations[key] = cached
            if len(self._encoded_localizations) > _LOCALIZATIONS_KEPT:
                self._encoded_localizations.popitem(last=False)
        return cached[0]


Reuse = Literal["reuse", "each", "uuid"]
"""How a group of fields is written: ``reuse``, encoded once per distinct tuple of values and
kept; ``each``, encoded every time; ``uuid``, one uuid field, written from its canonical text
(which the CloudEvents ``ce_id`` header shares)."""

# Avro writes a string as its length (zigzag varint: 36 → 72, b"H") and its UTF-8 bytes.
_UUID_TEXT_LENGTH = b"H"


class SplicedRecord:
    """Avro binary of a flat record, written as the concatenation of its field groups.

    Avro writes a record as its fields one after another, so the bytes of a group of fields
    do not depend on the others. Kept encodings are bounded: past ``kept`` distinct values a
    group forgets them all at once.
    """

    def __init__(
        self,
        schema: dict[str, Any],
        groups: Sequence[tuple[tuple[str, ...], Reuse]],
        kept: int = 4096,
    ) -> None:
        fields = {field["name"]: field for field in schema["fields"]}
        order = [name for names, _ in groups for name in names]
        if order != list(fields):
            raise ValueError(f"groups {order} do not cover {list(fields)} in order")
        self._kept = kept
        self._groups: list[tuple[Callable[[Any], Any], Reuse, Any, dict[Any, bytes]]] = []
        for number, (names, how) in enumerate(groups):
            if how == "uuid" and (len(names) != 1 or fields[names[0]]["type"] != _UUID_STRING):
                raise ValueError(f"{names} is not one uuid field")
            part = {
                "type": "record",
                "name": f"{schema['name']}Part{number}",
                "fields": [fields[name] for name in names],
            }
            parsed = parse_schema(part, named_schemas={})
            self._groups.append((itemgetter(*names), how, parsed, {}))

    def encode(self, values: Mapping[str, Any]) -> bytes:
        parts = []
        for values_of, how, parsed, kept in self._groups:
            if how == "uuid":
                parts.append(_UUID_TEXT_LENGTH)
                parts.append(uuid_bytes(values_of(values)))
            elif how == "each":
                part = io.BytesIO()
                schemaless_writer(part, parsed, values)
                parts.append(part.getvalue())
            else:
                key = values_of(values)
                encoded = kept.get(key)
                if encoded is None:
                    part = io.BytesIO()
                    schemaless_writer(part, parsed, values)
                    encoded = part.getvalue()
                    if len(kept) >= self._kept:
                        kept.clear()
                    kept[key] = encoded
                parts.append(encoded)
        return b"".join(parts)
