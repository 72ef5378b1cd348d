"""The bad-input corpus: each refused input gets its code, and a dead letter that explains it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from broker.codec import Codec
from broker.deadletter import dead_letter_for
from broker.errors import RejectedEvent, errors_by_code
from broker.messages import language_for
from tests.bad_inputs import BAD_INPUTS, BadInput

pytestmark = pytest.mark.unit

REQUIRED = {
    "VALUE_EMPTY",
    "MAGIC_UNKNOWN",
    "TRUNCATED",
    "SCHEMA_UNKNOWN",
    "BODY_MALFORMED",
    "SIRET_INVALID",
    "PARTITA_IVA_INVALID",
    "DURATION_REQUIRED",
    "CONSENT_EXPIRED",
    "CONSENT_MISSING",
    "TEXT_TOO_LONG",
    "REGION_UNKNOWN",
    "NUTS_MISMATCH",
}


def test_the_corpus_covers_every_framing_error_and_the_key_rules() -> None:
    assert {bad.expected_code for bad in BAD_INPUTS} >= REQUIRED
    assert len({bad.name for bad in BAD_INPUTS}) == len(BAD_INPUTS)
    assert all(bad.expected_code in errors_by_code() for bad in BAD_INPUTS)


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=lambda bad: bad.name)
def test_bad_input_is_rejected_with_its_code(bad: BadInput) -> None:
    with pytest.raises(RejectedEvent) as caught:
        Codec.default().decode(bad.value)

    assert caught.value.code == bad.expected_code


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=lambda bad: bad.name)
def test_bad_input_becomes_a_dead_letter_in_the_senders_language(bad: BadInput) -> None:
    codec = Codec.default()
    with pytest.raises(RejectedEvent) as caught:
        codec.decode(bad.value)

    letter = dead_letter_for(
        caught.value,
        topic="mare.test.in",
        partition=1,
        offset=99,
        timestamp=None,
        key=bad.key,
        value=bad.value,
        headers=bad.headers,
        clock_now=datetime(2026, 11, 2, tzinfo=UTC),
        region_hint=bad.region_hint,
    )

    assert letter.error_code == bad.expected_code
    assert letter.original_value == bad.value
    assert letter.language == language_for(caught.value.source_region or bad.region_hint)
    assert codec.decode(codec.encode(letter)) == letter
