"""Translator core: an event's coded fields, expressed for a destination region. Pure.

A delivery carries the original event unchanged plus its ``localization``, built here: one
``TranslatedField`` per coded field, in the destination's classification and language, with
how far the correspondence can be trusted. No I/O and no clock, so a replay produces the same
list, byte for byte.

What is localized, in the order the fields are declared in the models (a walk over the event,
so a new enumeration field is localized without touching this module, and
``tests/unit/test_labels.py`` makes sure it has labels):

- **occupations** (``occupation``, ``occupations[i]``), through ``broker.taxonomy``:

  - the path names the code that speaks for the occupation, and ``source_value`` is that code
    verbatim: ``occupation.rome_code`` → ``G1609``;
  - when the occupation already carries the destination country's own code (a ROME fiche for
    France, a CP unit for Italy), that code is kept, ``EXACT``: the sender classified the job
    in the destination's terms and a crosswalk can only blur that;
  - otherwise the path names the other country's code, else ``esco_uri``, else ``isco08``, and
    the value is looked up: ``italian_classification_for`` for Italy,
    ``french_classification_for`` for France; ``exact`` / ``approximate`` / ``not_found`` become
    ``EXACT`` / ``APPROXIMATE`` / ``NOT_FOUND``;
  - the ESCO URI and ISCO-08 unit are European pivots, the same everywhere, and are not
    repeated.

- **contract code** (``contract.code``) through ``broker.taxonomy.contract_mapping`` (CDI ⇄
  A.01.00, CDD ⇄ A.02.00, SAI ⇄ A.02.00 with the Italian seasonal flag, MIS/DIN ⇄ SOMM
  approximate, CCE and the other self-employment codes not found); ``SOMM`` is
  ``contract_types.csv``'s key for agency work, which Italy reports on the UniSomm form rather
  than as a contract type. Within one country the code stays, ``EXACT``.
- **every enumeration** (``sector``, ``status``, ``telework``, ``contract.working_time``,
  ``required_languages[0].level``, ``aids[0].aid``, ``skills_passports[0]``,
  ``consent.purposes[0]`` …): the code stays, ``EXACT``, labelled from
  ``broker/data/labels.toml`` (``broker.labels``).

Conventions of the entries:

- ``value`` is the code in the destination's classification; ``None`` when ``NOT_FOUND`` (the
  reader falls back on ``source_value``).
- **CP codes always carry their edition in the value**, ``"CP2011:5.2.2.1.0"``: the crosswalk
  is ISTAT CP2011 while the Comunicazioni Obbligatorie use CP2021 since October 2024, and a
  bare code could be read as CP2021 and file a worker under the wrong unit. ``source_value``
  stays verbatim (the original's ``cp_version`` sits next to its ``cp_code``).
- ``label`` is in the destination region's language: the CP2011 unit label for Italy, the ROME
  appellation of the matched crosswalk row for France, the contract label of
  ``contract_types.csv``, the enumeration label of ``labels.toml``. ``None`` when the value has
  no label in the shipped data (a kept ROME fiche outside the crosswalk, a CP2021 code).
- ``note`` is a short English caveat for operators, set when the value alone would mislead:
  an approximate or missing correspondence ("via ISCO-08 group 5412 (broader)", "no Italian
  equivalent of the French CCE contract (…)", "CP2021 codes are not mapped, only CP2011"),
  or the Italian seasonal flag of a French contract, which has no code of its own. Otherwise
  there is none.

Free text (``job_title``, ``description``, ``skills``, ``notes``) is **not** localized and has
no entry: the delivery carries the original verbatim, tagged with the event's ``language``, and
nothing is machine-translated behind the reader's back. Identifiers, amounts, dates and region
keys are the same in every region and have no entry either.

The hot path runs once per (event, destination): every answer is cached by the codes it
depends on, and entries are built with ``model_construct`` from data validated at load time,
so a typical offer costs a few dictionary look-ups.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache, lru_cache
from typing import Final, get_args

from pydantic import BaseModel

from broker.labels import label
from broker.models import (
    CandidateReferral,
    Contract,
    JobOffer,
    MobilityRequest,
    Occupation,
    TranslatedField,
    TranslationQuality,
)
from broker.models import Country as CountryCode
from broker.regions import Country, Language, regions
from broker.taxonomy import (
    ContractRelation,
    ContractType,
    MatchQuality,
    Via,
    contract_mapping,
    contract_type,
    french_classification_for,
    italian_classification_for,
    occupations_by_cp,
)
from broker.taxonomy import Occupation as CrosswalkRow

__all__ = ["LocalizedEvent", "localize"]

LocalizedEvent = JobOffer | CandidateReferral | MobilityRequest
"""The events delivered to another region, hence localized."""

_QUALITY: Final[dict[MatchQuality, TranslationQuality]] = {
    "exact": TranslationQuality.EXACT,
    "approximate": TranslationQuality.APPROXIMATE,
    "not_found": TranslationQuality.NOT_FOUND,
}
_CONTRACT_QUALITY: Final[dict[ContractRelation, TranslationQuality]] = {
    "exact": TranslationQuality.EXACT,
    "approximate": TranslationQuality.APPROXIMATE,
    "none": TranslationQuality.NOT_FOUND,
}
_EXACT: Final = TranslationQuality.EXACT
_COUNTRY: Final[dict[CountryCode, Country]] = {CountryCode.FR: "FR", CountryCode.IT: "IT"}
_ADJECTIVE: Final[dict[Country, str]] = {"FR": "French", "IT": "Italian"}
_SEASONAL: Final[dict[Language, str]] = {"fr": "saisonnier", "it": "stagionale"}
_SEASONAL_FLAG_NOTE: Final = (
    "with the Italian seasonal flag: Italy reports seasonal work as a fixed-term contract "
    "with the flag set"
)

_OccupationCodes = tuple[str | None, str | None, str | None, str | None, str | None]
"""esco_uri, isco08, rome_code, cp_code, cp_version: what an occupation's translation depends on."""


def localize(event: LocalizedEvent, destination_region: str) -> list[TranslatedField]:
    """The destination's view of the event's coded fields, in a fixed order.

    ``KeyError`` for a destination outside the region registry: routing only ever names
    registered regions, so an unknown one is a bug upstream, not data to guess around.
    """
    country, language = _destination(destination_region)
    localized: list[TranslatedField] = []
    _walk(event, "", country, language, localized)
    return localized


@cache
def _destination(region: str) -> tuple[Country, Language]:
    info = regions().get(region)
    return info.country, info.language


def _walk(
    model: BaseModel,
    prefix: str,
    country: Country,
    language: Language,
    localized: list[TranslatedField],
) -> None:
    for name in _coded_fields(type(model)):
        _visit(getattr(model, name), prefix + name, country, language, localized)


def _visit(
    value: object,
    path: str,
    country: Country,
    language: Language,
    localized: list[TranslatedField],
) -> None:
    if value is None:
        return
    if isinstance(value, StrEnum):
        localized.append(_enum_field(path, type(value).__name__, value.value, language))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _visit(item, f"{path}[{index}]", country, language, localized)
    elif isinstance(value, Occupation):
        localized.append(_occupation_field(path, _codes_of(value), country))
    elif isinstance(value, Contract):
        source_country = _COUNTRY[value.country]
        localized.append(
            _contract_field(path, source_country, value.code, value.seasonal, country, language)
        )
        _walk(value, path + ".", country, language, localized)
    elif isinstance(value, BaseModel):
        _walk(value, path + ".", country, language, localized)


@cache
def _coded_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model that can hold codes, in declaration order.

    Worked out once per class from the annotations, so the walk never looks at free text,
    identifiers, amounts or dates.
    """
    return tuple(
        name for name, info in model.model_fields.items() if _carries_codes(info.annotation)
    )


def _carries_codes(annotation: object) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, StrEnum | BaseModel)
    return any(_carries_codes(argument) for argument in get_args(annotation))


def _entry(
    field: str,
    source_value: str,
    value: str | None,
    label_: str | None,
    quality: TranslationQuality,
    note: str | None,
) -> TranslatedField:
    """A TranslatedField from values taken from validated events and validated shipped data.

    ``model_construct`` skips a validation that cannot fail here (a test re-validates every
    entry the translator produces) and is most of the cost it would otherwise add.
    """
    return TranslatedField.model_construct(
        field=field,
        source_value=source_value,
        value=value,
        label=label_,
        quality=quality,
        note=note,
    )


# -- enumerations ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _enum_field(path: str, enum_name: str, code: str, language: Language) -> TranslatedField:
    """Codes of the wire enumerations are the same in every region; only the label changes."""
    return _entry(path, code, code, label(enum_name, code, language), _EXACT, None)


# -- contracts ------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _contract_field(
    path: str,
    source_country: Country,
    code: str,
    seasonal: bool,
    country: Country,
    language: Language,
) -> TranslatedField:
    """The contract in the destination's code list.

    Italy has no seasonal contract type: seasonal work is a fixed-term contract with a flag,
    so an Italian reader sees the flag in the label ("… (stagionale)"), and in the note when
    it comes from a French contract, whose code alone would not say it.
    """
    field = f"{path}.code"
    if source_country == country:
        kept = contract_type(country, code)
        flagged = seasonal and country == "IT"
        return _entry(field, code, code, _contract_label(kept, language, flagged), _EXACT, None)
    mapping = contract_mapping(source_country, code, seasonal=seasonal)
    target = mapping.target
    quality = _CONTRACT_QUALITY[mapping.relation]
    if target is None:
        reason = f" ({mapping.source.note})" if mapping.source.note else ""
        missing = (
            f"no {_ADJECTIVE[country]} equivalent of the {_ADJECTIVE[source_country]} {code} "
            f"contract{reason}"
        )
        return _entry(field, code, None, None, quality, missing)
    flagged = country == "IT" and (mapping.seasonal or (seasonal and target.fixed_term))
    note: str | None = _SEASONAL_FLAG_NOTE if flagged else None
    if quality is TranslationQuality.APPROXIMATE:
        detail = mapping.source.note or target.note
        note = f"closest {_ADJECTIVE[country]} contract type" + (f": {detail}" if detail else "")
    return _entry(
        field, code, target.code, _contract_label(target, language, flagged), quality, note
    )


def _contract_label(contract: ContractType, language: Language, seasonal: bool) -> str:
    text = contract.label_fr if language == "fr" else contract.label_it
    return f"{text} ({_SEASONAL[language]})" if seasonal else text


# -- occupations ----------------------------------------------------------------------------


def _codes_of(occupation: Occupation) -> _OccupationCodes:
    version = None if occupation.cp_version is None else occupation.cp_version.value
    return (
        occupation.esco_uri,
        occupation.isco08,
        occupation.rome_code,
        occupation.cp_code,
        version,
    )


@lru_cache(maxsize=16_384)
def _occupation_field(path: str, codes: _OccupationCodes, country: Country) -> TranslatedField:
    """Bounded cache: occupation codes come from the wire, not from a closed list."""
    if country == "FR":
        return _occupation_for_france(path, codes)
    return _occupation_for_italy(path, codes)


def _occupation_for_france(path: str, codes: _OccupationCodes) -> TranslatedField:
    esco, isco08, rome, cp, cp_version = codes
    if rome is not None:
        return _entry(f"{path}.rome_code", rome, rome, _rome_label(rome, esco), _EXACT, None)
    name, source_value = _first_code(("cp_code", cp), ("esco_uri", esco), ("isco08", isco08))
    # Only CP2011 is in the crosswalk: a CP2021 code may name another unit, so it is not used.
    usable_cp = cp if cp_version == "CP2011" else None
    match = french_classification_for(cp=usable_cp, esco=esco, isco08=isco08)
    note = _occupation_note(match.quality, match.via, isco08, "ROME fiche", match.occupation)
    if cp is not None and usable_cp is None:
        unmapped = f"{cp_version} codes are not mapped, only CP2011"
        note = unmapped if note is None else f"{note}; {unmapped}"
    return _entry(
        f"{path}.{name}",
        source_value,
        match.rome_code,
        match.rome_label,
        _QUALITY[match.quality],
        note,
    )


def _occupation_for_italy(path: str, codes: _OccupationCodes) -> TranslatedField:
    esco, isco08, rome, cp, cp_version = codes
    if cp is not None:
        label_ = _cp2011_label(cp) if cp_version == "CP2011" else None
        return _entry(f"{path}.cp_code", cp, f"{cp_version}:{cp}", label_, _EXACT, None)
    name, source_value = _first_code(("rome_code", rome), ("esco_uri", esco), ("isco08", isco08))
    match = italian_classification_for(rome=rome, esco=esco, isco08=isco08)
    value = None if match.cp_code is None else f"{match.cp_version}:{match.cp_code}"
    return _entry(
        f"{path}.{name}",
        source_value,
        value,
        match.cp_label,
        _QUALITY[match.quality],
        _occupation_note(match.quality, match.via, isco08, "CP2011 unit", match.occupation),
    )


def _first_code(*candidates: tuple[str, str | None]) -> tuple[str, str]:
    """The first code present; an Occupation always carries one (OCCUPATION_MISSING)."""
    for name, code in candidates:
        if code is not None:
            return name, code
    raise ValueError("an occupation without any code reached the translator")


def _occupation_note(
    quality: MatchQuality,
    via: Via | None,
    isco08: str | None,
    target: str,
    matched: CrosswalkRow | None,
) -> str | None:
    if quality == "not_found":
        return f"no {target} in the crosswalk for this occupation"
    if via == "isco08":
        return f"via ISCO-08 group {isco08} (broader)"
    if via == "isco08_rome":
        return f"via ISCO-08 group {isco08}, from France Travail's ROME table (broader)"
    if quality == "approximate" and matched is not None:
        return (
            f"broad or narrow ESCO mapping (ROME: {matched.rome_match}, CP2011: {matched.cp_match})"
        )
    return None


@lru_cache(maxsize=4096)
def _rome_label(rome: str, esco: str | None) -> str | None:
    """The ROME appellation of the occupation the crosswalk picks to speak for a fiche.

    The ESCO occupation when it belongs to this fiche, whether the sender gave the ROME 4
    fiche or its ROME v3 parent (French systems still send both); else the crosswalk's own
    representative of the fiche (exact on both sides, majority first), found through the
    public lookup rather than re-implemented here.
    """
    if esco is not None:
        row = french_classification_for(esco=esco).occupation
        if row is not None and rome in (row.rome_code, row.rome_v3_code):
            return row.rome_label
    representative = italian_classification_for(rome=rome).occupation
    return None if representative is None else representative.rome_label


@lru_cache(maxsize=4096)
def _cp2011_label(cp: str) -> str | None:
    rows = occupations_by_cp(cp)
    return rows[0].cp_label if rows else None
