"""Encoding of what the network writes, on the hot path: bytes and CloudEvents headers.

Byte for byte what ``Codec.encode`` and ``cloudevents.headers_for`` produce (tests compare
them), only cheaper, because each partner event fans out to several records:

- a delivery carries the original event unchanged as its last field, and Avro's binary
  encoding of a record is the concatenation of its fields: so a delivery is written as its
  head (envelope, destination, localization) followed by the original's body, taken from the
  bytes the partner sent when they use the current schema, encoded once otherwise;
- small records are written from their field values, without a ``model_dump`` round;
- header values are assembled from pre-encoded constants.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from fastavro import parse_schema, schemaless_writer

from broker.codec import Codec
from broker.models import Acknowledgement, DeadLetter, Delivery, Event, SlaBreached, WireModel

_CONSTANT_HEADERS = (("ce_specversion", b"1.0"),)
_CONTENT_TYPE = ("content-type", b"application/avro")
_FLAT_TYPES = (Acknowledgement, SlaBreached)  # scalar fields only: written from __dict__
_LOCALIZATIONS_KEPT = 4096


def rfc3339(moment: datetime) -> bytes:
    """``2026-11-02T09:30:00.000Z``, as ``cloudevents`` writes ``ce_time``."""
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
        self._envelopes: dict[str, Any] = {}
        self._localizations: dict[str, Any] = {}
        self._encoded_localizations: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        for type_name, version in codec.current.items():
            fields = version.schema["fields"]
            if [f["name"] for f in fields[-2:]] != ["localization", fields[-1]["name"]]:
                continue
            envelope = {**version.schema, "name": f"{type_name}Envelope", "fields": fields[:-2]}
            self._envelopes[type_name] = parse_schema(envelope, named_schemas={})
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
            ("ce_id", str(event.event_id).encode()),
            ("ce_source", f"/mare/{event.source_region}/{event.source_agency}".encode()),
            ("ce_type", self.ce_type(event)),
            ("ce_time", rfc3339(event.occurred_at)),
        ]
        if event.correlation_id is not None:
            headers.append(("ce_correlationid", str(event.correlation_id).encode()))
        headers.append(_CONTENT_TYPE)
        return tuple(headers)

    def encode(self, event: WireModel, original_body: bytes | None = None) -> bytes:
        """Single Object Encoding of ``event``.

        ``original_body``: for a delivery, the Avro body of its original event in the current
        schema of that event's type, when the caller has it (the bytes the partner sent).
        """
        if isinstance(event, Delivery):
            return self._encode_delivery(event, original_body)
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
        out = io.BytesIO()
        out.write(self.codec.current[type_name].header)
        schemaless_writer(out, self._envelopes[type_name], delivery.__dict__)
        out.write(self._localization_bytes(type_name, delivery))
        out.write(original_body)
        return out.getvalue()

    def _localization_bytes(self, type_name: str, delivery: Delivery) -> bytes:
        """The encoded localization array; the same few views recur, so they are kept."""
        key = (type_name, *delivery.localization)
        cached = self._encoded_localizations.get(key)
        if cached is None:
            out = io.BytesIO()
            items = [field.__dict__ for field in delivery.localization]
            schemaless_writer(out, self._localizations[type_name], items)
            cached = out.getvalue()
            self._encoded_localizations[key] = cached
            if len(self._encoded_localizations) > _LOCALIZATIONS_KEPT:
                self._encoded_localizations.popitem(last=False)
        return cached
