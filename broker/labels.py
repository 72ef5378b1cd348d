"""Human labels of the wire enumerations, from ``broker/data/labels.toml``.

The wire carries codes (``HOSPITALITY_TOURISM``, ``B2``); an agency reads labels in its own
language. Labels are data, kept with their sources in one file, so a wording fix is a data
change and a new enum member without labels fails the test that compares the file with the
models (``tests/unit/test_labels.py``).

>>> label("Sector", "HOSPITALITY_TOURISM", "it")
'Turismo, alberghi e ristorazione'
>>> label("AckStatus", "EMPLOYER_CONTACTED", "fr")
'Employeur contacté'
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, RootModel, StringConstraints

__all__ = ["LANGUAGES", "LabelTable", "Labels", "label", "label_table"]

LANGUAGES: Final = ("fr", "it", "en")
"""The languages every label exists in: the two working languages, and English for operators."""

_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
_EnumName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z0-9]*$")]
_Code = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]


class Labels(BaseModel):
    """One code's labels: all three languages are required, so none can be forgotten."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fr: _Text
    it: _Text
    en: _Text

    def in_language(self, language: str) -> str:
        """The label in ``language``; ``KeyError`` for a language outside ``LANGUAGES``."""
        if language == "fr":
            return self.fr
        if language == "it":
            return self.it
        if language == "en":
            return self.en
        raise KeyError(f"no labels in {language!r}; languages: {', '.join(LANGUAGES)}")


class LabelTable(RootModel[dict[_EnumName, dict[_Code, Labels]]]):
    """The whole file: enum class name → member code → labels."""

    model_config = ConfigDict(frozen=True)


@cache
def label_table() -> Mapping[str, Mapping[str, Labels]]:
    """The shipped labels, parsed and validated once."""
    text = resources.files("broker").joinpath("data/labels.toml").read_text(encoding="utf-8")
    return LabelTable.model_validate(tomllib.loads(text)).root


@cache
def label(enum_name: str, code: str, language: str) -> str:
    """The label of an enum member (by class name and code) in ``fr``, ``it`` or ``en``.

    ``KeyError`` names what is missing: an enum without labels, a code without labels, or a
    language without labels. Cached, because the translator asks the same few hundred
    questions on every delivery.
    """
    members = label_table().get(enum_name)
    if members is None:
        raise KeyError(f"no labels for enum {enum_name!r}")
    labels = members.get(code)
    if labels is None:
        raise KeyError(f"no labels for {enum_name}.{code}")
    return labels.in_language(language)
