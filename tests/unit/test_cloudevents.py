"""CloudEvents Kafka binary binding headers: written for every event, read back strictly."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from broker.cloudevents import CloudEventHeaders, event_id_of, headers_for, parse_headers
from broker.codec import Codec
from broker.errors import CloudEventHeadersInvalid
from tests import factories as f

pytestmark = pytest.mark.unit


def test_an_offer_carries_its_envelope_in_ce_headers() -> None:
    offer = f.an_offer(source_region="corse")

    headers = dict(headers_for(offer))

    assert headers == {
        "ce_specversion": b"1.0",
        "ce_id": str(offer.event_id).encode(),
        "ce_source": b"/mare/corse/france-travail-2a",
        "ce_type": b"eu.mare.JobOffer.v2",
        "ce_time": b"2026-11-02T09:30:00.000Z",
        "content-type": b"application/avro",
    }


def test_ce_type_names_the_schema_the_codec_writes() -> None:
    codec = Codec.default()
    for event in (f.an_offer(), f.a_referral(), f.an_ack(), f.a_dead_letter()):
        attributes = parse_headers(headers_for(event))
        assert attributes is not None
        assert attributes.event_type == codec.type_of(codec.encode(event))
        assert attributes.schema_version == codec.schema_of(attributes.event_type).version


def test_correlation_id_travels_only_when_set() -> None:
    cause = uuid4()

    with_cause = dict(headers_for(f.an_ack(acknowledged_event_id=cause)))
    without = dict(headers_for(f.an_offer()))

    assert with_cause["ce_correlationid"] == str(cause).encode()
    assert "ce_correlationid" not in without


def test_ce_time_is_rfc3339_utc_with_milliseconds() -> None:
    offer = f.an_offer(occurred_at=datetime(2026, 1, 5, 8, 7, 6, 543210, tzinfo=UTC))

    assert dict(headers_for(offer))["ce_time"] == b"2026-01-05T08:07:06.543Z"


def test_headers_parse_back_to_the_same_attributes() -> None:
    offer = f.an_offer(correlation_id=uuid4())

    attributes = parse_headers(headers_for(offer))

    assert attributes == CloudEventHeaders(
        id=str(offer.event_id),
        source="/mare/paca/france-travail-13",
        type="eu.mare.JobOffer.v2",
        time=offer.occurred_at,
        correlationid=str(offer.correlation_id),
    )
    assert event_id_of(headers_for(offer)) == offer.event_id


def test_a_dead_letter_comes_from_the_network() -> None:
    letter = f.a_dead_letter()

    attributes = parse_headers(headers_for(letter))

    assert attributes is not None
    assert attributes.id == str(letter.dead_letter_id)
    assert attributes.source == "/mare/network/deadletter"


def test_records_without_ce_headers_have_no_attributes() -> None:
    assert (
        parse_headers([("traceparent", b"00-abc"), ("content-type", b"application/avro")]) is None
    )
    assert event_id_of([]) is None


@pytest.mark.parametrize(
    ("headers", "field"),
    [
        ([("ce_specversion", b"1.0"), ("ce_source", b"/x"), ("ce_type", b"t")], "ce_id"),
        (
            [
                ("ce_specversion", b"1.0"),
                ("ce_id", b"1"),
                ("ce_source", b"/x"),
                ("ce_type", b"t"),
                ("ce_time", b"yesterday"),
            ],
            "ce_time",
        ),
        ([("ce_id", b"\xff\xfe")], "ce_id"),
    ],
)
def test_incomplete_or_malformed_ce_headers_are_rejected(
    headers: list[tuple[str, bytes | None]], field: str
) -> None:
    with pytest.raises(CloudEventHeadersInvalid) as caught:
        parse_headers(headers)

    assert caught.value.code == "CLOUDEVENT_HEADERS_INVALID"
    assert caught.value.field == field
