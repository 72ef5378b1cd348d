"""Dead letters: the input kept byte for byte, the reason in English and the sender's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from broker.codec import Codec
from broker.deadletter import dead_letter_for
from broker.errors import MagicUnknown, RejectedEvent
from broker.ids import dead_letter_id
from broker.models import DeadLetter, Stage
from tests import factories as f

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def rejection(value: bytes) -> RejectedEvent:
    with pytest.raises(RejectedEvent) as caught:
        Codec.default().decode(value)
    return caught.value


def letter(error: RejectedEvent, value: bytes | None = b"x", **overrides: object) -> DeadLetter:
    arguments: dict[str, object] = {
        "topic": "mare.paca.offer.in",
        "partition": 2,
        "offset": 1234,
        "timestamp": 1_793_611_800_123,
        "key": b"paca-offer-1",
        "value": value,
        "headers": [("ce_id", b"abc"), ("trace", None)],
        "clock_now": NOW,
        "region_hint": "paca",
        **overrides,
    }
    return dead_letter_for(error, **arguments)  # type: ignore[arg-type]


def bad_siret(region: str = "paca") -> bytes:
    offer = f.an_offer(source_region=region) if region in ("paca", "corse") else None
    assert offer is not None
    return Codec.default().encode_record(
        "JobOffer", {**offer.model_dump(), "employer_id": f.INVALID_SIRET}
    )


def test_a_siret_rejection_answers_a_french_sender_in_french() -> None:
    value = bad_siret()

    dead = letter(rejection(value), value)

    assert dead.error_code == "SIRET_INVALID"
    assert dead.fields == ["employer_id"]
    assert dead.stage is Stage.VALIDATE
    assert dead.language == "fr"
    assert dead.source_region == "paca"
    assert dead.event_type == "JobOffer"
    assert dead.message_local == (
        "Le SIRET de l'employeur (employer_id) est invalide : longueur, format ou clé de "
        "contrôle erronés. Vérifiez les 14 chiffres, sans espaces."
    )
    assert "SIRET" in dead.message_en
    assert "employer_id" in dead.message_en


def test_the_events_own_region_wins_over_the_topics_region() -> None:
    value = Codec.default().encode_record(
        "CandidateReferral",
        {**f.a_referral(source_region="toscana").model_dump(), "candidate_pseudonym": "a b"},
    )

    dead = letter(rejection(value), value, region_hint="paca")

    assert dead.language == "it"
    assert "pseudonimo" in dead.message_local


def test_an_undecodable_value_is_answered_in_the_topics_language() -> None:
    dead = letter(rejection(b"garbage"), b"garbage", region_hint="liguria")

    assert dead.error_code == "MAGIC_UNKNOWN"
    assert dead.stage is Stage.DECODE
    assert dead.language == "it"
    assert dead.source_region == "liguria"
    assert dead.fields == []


def test_without_any_region_the_answer_is_in_english() -> None:
    dead = letter(MagicUnknown("bad"), region_hint=None)

    assert dead.language == "en"
    assert dead.message_local == dead.message_en


def test_the_input_is_kept_byte_for_byte() -> None:
    dead = letter(MagicUnknown("bad"), b"\x00\xffraw")

    assert dead.original_value == b"\x00\xffraw"
    assert dead.original_key == b"paca-offer-1"
    assert [(h.key, h.value) for h in dead.original_headers] == [("ce_id", b"abc"), ("trace", None)]
    assert (dead.original_topic, dead.original_partition, dead.original_offset) == (
        "mare.paca.offer.in",
        2,
        1234,
    )
    assert dead.original_timestamp == datetime(2026, 11, 2, 9, 30, 0, 123000, tzinfo=UTC)


def test_a_tombstone_is_kept_as_null() -> None:
    dead = letter(rejection(b""), None, key=None, headers=None, timestamp=None)

    assert dead.error_code == "VALUE_EMPTY"
    assert dead.original_value is None
    assert dead.original_timestamp is None


def test_replaying_the_same_record_gives_the_same_dead_letter() -> None:
    first = letter(MagicUnknown("bad"))
    replay = letter(MagicUnknown("bad"))
    other = letter(MagicUnknown("bad"), offset=1235)

    assert first == replay
    assert first.dead_letter_id == dead_letter_id("mare.paca.offer.in", 2, 1234)
    assert other.dead_letter_id != first.dead_letter_id


def test_several_violations_are_all_listed() -> None:
    record = {**f.an_offer().model_dump(), "job_title": "", "positions": 0}
    value = Codec.default().encode_record("JobOffer", record)

    dead = letter(rejection(value), value)

    assert dead.error_code == "TEXT_EMPTY"
    assert dead.fields == ["job_title", "positions"]
    assert dead.message_local.startswith("2 problèmes : (1) Le texte job_title est vide.")
    assert "(2) Le champ positions" in dead.message_local


def test_the_stage_can_be_named_by_the_caller() -> None:
    assert letter(MagicUnknown("bad"), stage="ROUTE").stage is Stage.ROUTE


def test_a_dead_letter_is_itself_a_wire_event() -> None:
    dead = letter(MagicUnknown("bad"))

    assert Codec.default().decode(Codec.default().encode(dead)) == dead
