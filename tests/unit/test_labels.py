"""The shipped labels, checked against the enumerations the wire actually carries.

The wire enumerations are found by walking every wire model's fields, so a new enumeration or
a new member without labels in French, Italian and English fails here, before an agency reads
a bare code.
"""

from __future__ import annotations

import doctest
from collections.abc import Iterator
from enum import StrEnum
from typing import get_args

import pytest
from pydantic import BaseModel, ValidationError

from broker import labels
from broker.labels import LANGUAGES, LabelTable, label, label_table
from broker.models import WIRE_MODELS

pytestmark = pytest.mark.unit


def enums_reachable_from(annotation: object, seen: set[type]) -> Iterator[type[StrEnum]]:
    if isinstance(annotation, type):
        if annotation in seen:
            return
        seen.add(annotation)
        if issubclass(annotation, StrEnum):
            yield annotation
        elif issubclass(annotation, BaseModel):
            for info in annotation.model_fields.values():
                yield from enums_reachable_from(info.annotation, seen)
        return
    for argument in get_args(annotation):
        yield from enums_reachable_from(argument, seen)


def wire_enums() -> dict[str, type[StrEnum]]:
    seen: set[type] = set()
    found = [enum for model in WIRE_MODELS for enum in enums_reachable_from(model, seen)]
    return {enum.__name__: enum for enum in found}


def test_the_wire_enumerations_are_found_and_their_names_are_unique() -> None:
    seen: set[type] = set()
    found = [enum for model in WIRE_MODELS for enum in enums_reachable_from(model, seen)]

    assert len({enum.__name__ for enum in found}) == len(found)
    assert {"Sector", "AckStatus", "CefrLevel", "AidType", "SkillsPassport"} <= wire_enums().keys()


@pytest.mark.parametrize("enum_name", sorted(wire_enums()))
def test_every_member_of_a_wire_enumeration_has_a_label_in_every_language(
    enum_name: str,
) -> None:
    enum = wire_enums()[enum_name]

    missing = [
        f"{enum_name}.{member.value} [{language}]"
        for member in enum
        for language in LANGUAGES
        if not _has_label(enum_name, member.value, language)
    ]

    assert missing == []


def _has_label(enum_name: str, code: str, language: str) -> bool:
    try:
        return bool(label(enum_name, code, language))
    except KeyError:
        return False


def test_every_label_names_a_member_of_a_wire_enumeration() -> None:
    enums = wire_enums()

    stale = [
        f"{enum_name}.{code}"
        for enum_name, members in label_table().items()
        for code in members
        if enum_name not in enums or code not in enums[enum_name].__members__.values()
    ]

    assert stale == []


def test_members_of_one_enumeration_never_share_a_label() -> None:
    for enum_name, members in label_table().items():
        for language in LANGUAGES:
            texts = [labels_.in_language(language) for labels_ in members.values()]
            shared = sorted({text for text in texts if texts.count(text) > 1})
            assert shared == [], f"{enum_name} [{language}]"


def test_labels_use_the_partners_terms() -> None:
    assert label("Sector", "HOSPITALITY_TOURISM", "fr") == "Hôtellerie, restauration, tourisme"
    assert label("Sector", "HOSPITALITY_TOURISM", "it") == "Turismo, alberghi e ristorazione"
    assert label("AckStatus", "EMPLOYER_CONTACTED", "fr") == "Employeur contacté"
    assert label("AckStatus", "EMPLOYER_CONTACTED", "it") == "Datore di lavoro contattato"
    assert label("CefrLevel", "B2", "it") == "B2 — intermedio superiore"


@pytest.mark.parametrize(
    ("enum_name", "code", "language", "named"),
    [
        ("Colour", "RED", "fr", "Colour"),
        ("Sector", "FISHING", "fr", "Sector.FISHING"),
        ("Sector", "TRADE", "de", "'de'"),
    ],
)
def test_a_missing_label_raises_a_key_error_naming_what_is_missing(
    enum_name: str, code: str, language: str, named: str
) -> None:
    with pytest.raises(KeyError, match=named):
        label(enum_name, code, language)


def test_a_label_file_that_forgets_a_language_is_refused() -> None:
    with pytest.raises(ValidationError, match="en"):
        LabelTable.model_validate({"Sector": {"TRADE": {"fr": "Commerce", "it": "Commercio"}}})


def test_a_blank_label_is_refused() -> None:
    blank = {"fr": "Commerce", "it": "  ", "en": "Trade"}

    with pytest.raises(ValidationError, match="it"):
        LabelTable.model_validate({"Sector": {"TRADE": blank}})


def test_module_examples_run() -> None:
    assert doctest.testmod(labels).failed == 0
