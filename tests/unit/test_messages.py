"""Every rejection code has an actionable message in English, French and Italian."""

from __future__ import annotations

import pytest

from broker.errors import RejectedEvent, all_subclasses
from broker.messages import LANGUAGES, MESSAGES, language_for, message_for

pytestmark = pytest.mark.unit

REJECTION_CODES = sorted({RejectedEvent.code} | {cls.code for cls in all_subclasses(RejectedEvent)})


@pytest.mark.parametrize("code", REJECTION_CODES)
def test_every_rejection_code_has_a_message_in_every_language(code: str) -> None:
    assert set(MESSAGES[code]) == set(LANGUAGES)


@pytest.mark.parametrize("code", REJECTION_CODES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_messages_name_the_field_when_the_rule_has_one(code: str, language: str) -> None:
    text = message_for(code, language, "contract.duration_months")

    if "{field}" in MESSAGES[code][language]:
        assert "contract.duration_months" in text
    assert "{" not in text
    assert text.endswith((".", ")"))


def test_the_three_languages_agree_on_which_messages_name_a_field() -> None:
    for code, table in MESSAGES.items():
        assert len({"{field}" in template for template in table.values()}) == 1, code


def test_region_messages_list_the_registry() -> None:
    assert "paca, corse, toscana, sardegna, liguria" in message_for("REGION_UNKNOWN", "fr", "x")


def test_regions_are_answered_in_their_working_language() -> None:
    assert [language_for(r) for r in ("paca", "corse", "toscana", None, "atlantis")] == [
        "fr",
        "fr",
        "it",
        "en",
        "en",
    ]


def test_an_unknown_code_still_gets_a_message() -> None:
    assert message_for("NEW_RULE", "it", "x") == "L'evento è stato rifiutato (x)."
