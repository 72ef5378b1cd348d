"""Occupations and contract types on both sides of the border, from ``broker/data``.

Two shipped files, named with their sources in ``broker/data/SOURCES.md``:

- ``crosswalk.csv``: one ESCO occupation per row with its ROME 4 fiche (France), its ISTAT
  CP2011 unit (Italy), its ISCO-08 unit and its "Expertises d'avenir" sector. It is generated
  by ``scripts/build_crosswalk.py``; edit the script, never the file.
- ``contract_types.csv``: France Travail contract codes and Italian Comunicazioni Obbligatorie
  codes, each with its counterpart across the border and how close it is.

Every Italian occupation code here is **CP2011**, and says so in ``cp_version``: CP2021 moved
some units, and presenting a CP2011 code as CP2021 would file a worker under the wrong job.

A translation says how far it can be trusted. ``exact``: the ESCO occupation is known and
both mappings are exact or close. ``approximate``: only a broad/narrow mapping, or only the
ISCO-08 unit, links the two sides. ``not_found``: nothing does.

>>> italian_classification_for(rome="N3102").cp_code
'7.4.5.1.0'
>>> map_contract("FR", "CDD")
('A.02.00', 'exact')
>>> map_contract("IT", "A.02.00", seasonal=True)
('SAI', 'exact')
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, model_validator

__all__ = [
    "SECTORS",
    "ContractMapping",
    "ContractRelation",
    "ContractType",
    "Country",
    "CpVersion",
    "FrenchMatch",
    "ItalianMatch",
    "MatchQuality",
    "Occupation",
    "Sector",
    "SkosMatch",
    "contract_mapping",
    "contract_type",
    "contract_types",
    "french_classification_for",
    "italian_classification_for",
    "map_contract",
    "occupation_by_esco",
    "occupations",
    "occupations_by_cp",
    "occupations_by_isco",
    "occupations_by_rome",
    "sector_of",
]

Sector = Literal[
    "agriculture_food",
    "construction",
    "trade",
    "energy",
    "industry",
    "maritime",
    "digital",
    "health_care",
    "security_defence",
    "hospitality_tourism",
    "transport_logistics",
]
SECTORS: tuple[Sector, ...] = get_args(Sector)

SkosMatch = Literal["exact", "close", "broad", "narrow"]
MatchQuality = Literal["exact", "approximate", "not_found"]
CpVersion = Literal["CP2011", "CP2021"]
Country = Literal["FR", "IT"]
ContractRelation = Literal["exact", "approximate", "none"]
EuresOfferingType = Literal[
    "Apprenticeship",
    "Contract",
    "ContractToHire",
    "DirectHire",
    "Internship",
    "OnCall",
    "RecruitmentReserve",
    "Seasonal",
    "SelfEmployed",
    "Temporary",
    "TemporaryToHire",
    "Volunteer",
]
ContractField = Literal["typeContrat", "natureContrat", "tipologia_contrattuale", "unisomm"]


def _empty_as_none(value: object) -> object:
    """CSV has no null: an empty cell means "no value", not an empty code."""
    return None if value == "" else value


EscoUri = Annotated[
    str,
    StringConstraints(pattern=r"^http://data\.europa\.eu/esco/occupation/[0-9a-f-]{36}$"),
]
IscoUnit = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
RomeCode = Annotated[str, StringConstraints(pattern=r"^[A-N]\d{4}$")]
OgrCode = Annotated[str, StringConstraints(pattern=r"^\d{5,6}$")]
# CP unit (five levels, one digit each), e.g. 6.1.2.3.0: the level the Italian CO require.
CpUnit = Annotated[str, StringConstraints(pattern=r"^\d\.\d\.\d\.\d\.\d$")]
ContractCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9.]*$")]

_SAFE_MATCHES: frozenset[str] = frozenset({"exact", "close"})
_MATCH_RANK: dict[str, int] = {"exact": 0, "close": 1, "broad": 2, "narrow": 3}


class Occupation(BaseModel):
    """One ESCO occupation with its French and Italian classifications."""

    model_config = ConfigDict(frozen=True)

    esco_uri: EscoUri
    isco08: IscoUnit  # ESCO's iscoGroup: the finer ISCO-08 code
    isco08_rome: Annotated[IscoUnit | None, BeforeValidator(_empty_as_none)]  # France Travail
    rome_code: RomeCode  # ROME 4 fiche
    rome_v3_code: RomeCode  # its ROME v3 parent fiche
    rome_ogr: OgrCode  # the ROME appellation the French mapping links to
    rome_label: str
    rome_match: SkosMatch  # ESCO → ROME appellation
    cp_code: CpUnit
    cp_version: CpVersion
    cp_label: str
    cp_match: SkosMatch  # ESCO → CP unit
    label_fr: str
    label_it: str
    sector: Sector
    green: bool
    blue: bool

    @property
    def exact_on_both_sides(self) -> bool:
        """Exact or close on both sides: safe to present as the same occupation."""
        return self.rome_match in _SAFE_MATCHES and self.cp_match in _SAFE_MATCHES

    @property
    def quality(self) -> MatchQuality:
        return "exact" if self.exact_on_both_sides else "approximate"


Via = Literal["esco", "rome", "cp", "isco08", "isco08_rome"]


class ItalianMatch(BaseModel):
    """The Italian classification found for a French occupation, and how it was found."""

    model_config = ConfigDict(frozen=True)

    quality: MatchQuality
    cp_code: str | None = None
    cp_version: CpVersion | None = None
    cp_label: str | None = None
    label_it: str | None = None
    via: Via | None = None
    occupation: Occupation | None = None


class FrenchMatch(BaseModel):
    """The French classification found for an Italian occupation, and how it was found."""

    model_config = ConfigDict(frozen=True)

    quality: MatchQuality
    rome_code: str | None = None
    rome_ogr: str | None = None
    rome_label: str | None = None
    label_fr: str | None = None
    via: Via | None = None
    occupation: Occupation | None = None


class ContractType(BaseModel):
    """A contract code of one country, with its counterpart in the other."""

    model_config = ConfigDict(frozen=True)

    country: Country
    source_field: ContractField  # where the code travels: E2 is a natureContrat, not a type
    code: ContractCode
    label_fr: str
    label_it: str
    label_en: str
    fixed_term: bool  # the contract needs an end date or a duration
    eures: EuresOfferingType
    counterpart: Annotated[ContractCode | None, BeforeValidator(_empty_as_none)]
    relation: ContractRelation
    counterpart_seasonal: bool  # the counterpart carries the Italian seasonal flag
    note: str

    @model_validator(mode="after")
    def _counterpart_matches_relation(self) -> ContractType:
        """A relation without a counterpart (or the reverse) is a data error, not a choice."""
        if (self.relation == "none") != (self.counterpart is None):
            raise ValueError(f"{self.code}: relation {self.relation!r} vs {self.counterpart!r}")
        if self.counterpart_seasonal and self.counterpart is None:
            raise ValueError(f"{self.code}: seasonal flag without a counterpart")
        return self


class ContractMapping(BaseModel):
    """A contract code translated across the border."""

    model_config = ConfigDict(frozen=True)

    source: ContractType
    target: ContractType | None
    relation: ContractRelation
    seasonal: bool  # set the seasonal flag on the Italian fixed-term contract

    @property
    def target_code(self) -> str | None:
        return None if self.target is None else self.target.code


def _read_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("broker").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def occupations() -> tuple[Occupation, ...]:
    """The shipped crosswalk, parsed and validated once."""
    return tuple(Occupation.model_validate(row) for row in _read_rows("crosswalk.csv"))


@dataclass(frozen=True)
class _CrosswalkIndex:
    by_esco: Mapping[str, Occupation]
    by_rome: Mapping[str, tuple[Occupation, ...]]
    by_cp: Mapping[str, tuple[Occupation, ...]]
    by_isco: Mapping[str, tuple[Occupation, ...]]
    by_isco_rome: Mapping[str, tuple[Occupation, ...]]


def _group(
    items: Iterable[Occupation], key: Callable[[Occupation], str | None]
) -> dict[str, tuple[Occupation, ...]]:
    grouped: dict[str, list[Occupation]] = {}
    for item in items:
        value = key(item)
        if value is not None:
            grouped.setdefault(value, []).append(item)
    return {value: tuple(group) for value, group in grouped.items()}


@cache
def _index() -> _CrosswalkIndex:
    """Lookup tables built once; the crosswalk has one row per ESCO URI, checked here."""
    rows = occupations()
    by_esco = {occupation.esco_uri: occupation for occupation in rows}
    if len(by_esco) != len(rows):
        raise ValueError("crosswalk.csv lists an ESCO occupation twice")
    return _CrosswalkIndex(
        by_esco=by_esco,
        by_rome=_group(rows, lambda o: o.rome_code),
        by_cp=_group(rows, lambda o: o.cp_code),
        by_isco=_group(rows, lambda o: o.isco08),
        by_isco_rome=_group(rows, lambda o: o.isco08_rome),
    )


def _normalise(code: str) -> str:
    return code.strip().upper()


def occupation_by_esco(uri: str) -> Occupation | None:
    """The crosswalk row of an ESCO occupation URI, if it is in the crosswalk."""
    return _index().by_esco.get(uri.strip())


def occupations_by_rome(code: str) -> tuple[Occupation, ...]:
    """Crosswalk rows whose ROME 4 fiche is ``code`` (e.g. "N3102")."""
    return _index().by_rome.get(_normalise(code), ())


def occupations_by_cp(code: str) -> tuple[Occupation, ...]:
    """Crosswalk rows whose CP2011 unit is ``code`` (e.g. "7.4.5.1.0")."""
    return _index().by_cp.get(code.strip(), ())


def occupations_by_isco(code: str) -> tuple[Occupation, ...]:
    """Crosswalk rows whose ESCO ISCO-08 unit is ``code`` (four digits, e.g. "0110")."""
    return _index().by_isco.get(code.strip(), ())


def _representative(
    candidates: Iterable[Occupation], code_of: Callable[[Occupation], str]
) -> Occupation | None:
    """The occupation that speaks for a group of candidates on the target side.

    Exact/close rows first; among them the target code most of them share (a ROME fiche or
    an ISCO-08 unit spans several ESCO occupations, and the majority is the least surprising
    answer); then the best relations, the code and the URI, so the answer never changes
    between runs.
    """
    pool = list(candidates)
    if not pool:
        return None
    safest = [o for o in pool if o.exact_on_both_sides] or pool
    votes = Counter(code_of(o) for o in safest)
    return min(
        safest,
        key=lambda o: (
            -votes[code_of(o)],
            _MATCH_RANK[o.rome_match] + _MATCH_RANK[o.cp_match],
            code_of(o),
            o.esco_uri,
        ),
    )


def _italian(occupation: Occupation, quality: MatchQuality, via: Via) -> ItalianMatch:
    return ItalianMatch(
        quality=quality,
        cp_code=occupation.cp_code,
        cp_version=occupation.cp_version,
        cp_label=occupation.cp_label,
        label_it=occupation.label_it,
        via=via,
        occupation=occupation,
    )


def _french(occupation: Occupation, quality: MatchQuality, via: Via) -> FrenchMatch:
    return FrenchMatch(
        quality=quality,
        rome_code=occupation.rome_code,
        rome_ogr=occupation.rome_ogr,
        rome_label=occupation.rome_label,
        label_fr=occupation.label_fr,
        via=via,
        occupation=occupation,
    )


def _through_isco(
    isco08: str | None, code_of: Callable[[Occupation], str]
) -> tuple[Occupation, Via] | None:
    """Fallback through the ISCO-08 unit: ESCO's code first, France Travail's table second.

    ESCO classifies each occupation; France Travail gives one unit per whole ROME fiche, so
    its table only answers when no ESCO occupation of the crosswalk sits in the unit.
    """
    if isco08 is None:
        return None
    index = _index()
    code = isco08.strip()
    found = _representative(index.by_isco.get(code, ()), code_of)
    if found is not None:
        return found, "isco08"
    found = _representative(index.by_isco_rome.get(code, ()), code_of)
    if found is not None:
        return found, "isco08_rome"
    return None


def italian_classification_for(
    *, rome: str | None = None, esco: str | None = None, isco08: str | None = None
) -> ItalianMatch:
    """The CP2011 unit for a French occupation known by ESCO URI, ROME 4 fiche and/or ISCO-08.

    The most precise key wins: the ESCO URI, then the ROME fiche (through its ESCO
    occupations), then the ISCO-08 unit, which is only ever ``approximate`` because a unit
    groups occupations the two countries classify apart.
    """
    if esco is not None and (occupation := occupation_by_esco(esco)) is not None:
        return _italian(occupation, occupation.quality, "esco")
    if rome is not None:
        found = _representative(occupations_by_rome(rome), lambda o: o.cp_code)
        if found is not None:
            return _italian(found, found.quality, "rome")
    through_isco = _through_isco(isco08, lambda o: o.cp_code)
    if through_isco is not None:
        return _italian(through_isco[0], "approximate", through_isco[1])
    return ItalianMatch(quality="not_found")


def french_classification_for(
    *, cp: str | None = None, esco: str | None = None, isco08: str | None = None
) -> FrenchMatch:
    """The ROME 4 fiche for an Italian occupation known by ESCO URI, CP2011 unit and/or ISCO-08.

    Same order and qualities as ``italian_classification_for``. ``cp`` must be a CP2011 code:
    a CP2021 code may name a different unit, and there is no conversion table here.
    """
    if esco is not None and (occupation := occupation_by_esco(esco)) is not None:
        return _french(occupation, occupation.quality, "esco")
    if cp is not None:
        found = _representative(occupations_by_cp(cp), lambda o: o.rome_code)
        if found is not None:
            return _french(found, found.quality, "cp")
    through_isco = _through_isco(isco08, lambda o: o.rome_code)
    if through_isco is not None:
        return _french(through_isco[0], "approximate", through_isco[1])
    return FrenchMatch(quality="not_found")


def sector_of(*, esco: str | None = None, rome: str | None = None) -> Sector | None:
    """The "Expertises d'avenir" sector of an occupation, if the crosswalk knows it.

    The sector follows the ROME fiche, so every row of one fiche has the same sector.
    Fiches outside the eleven sectors are not in the crosswalk and give ``None``.
    """
    if esco is not None and (occupation := occupation_by_esco(esco)) is not None:
        return occupation.sector
    if rome is not None and (rows := occupations_by_rome(rome)):
        return rows[0].sector
    return None


@cache
def contract_types() -> tuple[ContractType, ...]:
    """The shipped contract types, validated once, counterparts checked both ways."""
    types = tuple(ContractType.model_validate(row) for row in _read_rows("contract_types.csv"))
    keys = {(t.country, t.code) for t in types}
    if len(keys) != len(types):
        raise ValueError("contract_types.csv lists a code twice for one country")
    for t in types:
        if t.counterpart is not None and (_other(t.country), t.counterpart) not in keys:
            raise ValueError(f"{t.country} {t.code}: unknown counterpart {t.counterpart}")
    return types


def _other(country: Country) -> Country:
    return "IT" if country == "FR" else "FR"


def contract_type(country: Country, code: str) -> ContractType:
    """One contract type by country and code; ``KeyError`` for a code neither side uses."""
    wanted = _normalise(code)
    for candidate in contract_types():
        if candidate.country == country and candidate.code == wanted:
            return candidate
    raise KeyError(f"unknown {country} contract code {code!r}")


def contract_mapping(
    country_from: Country, code: str, *, seasonal: bool = False
) -> ContractMapping:
    """Translate a contract code to the other country.

    ``seasonal`` is the Italian seasonal flag: Italy reports seasonal work as a fixed-term
    contract (A.02.00) with the flag set, which France calls SAI. A French offer carrying a
    natureContrat (E2, FS, CI) should be looked up by it before its typeContrat.
    """
    source = contract_type(country_from, code)
    if country_from == "IT" and seasonal:
        french = _seasonal_french_counterpart(source.code)
        if french is not None:
            return ContractMapping(
                source=source, target=french, relation=french.relation, seasonal=True
            )
    target = (
        None
        if source.counterpart is None
        else contract_type(_other(country_from), source.counterpart)
    )
    return ContractMapping(
        source=source,
        target=target,
        relation=source.relation,
        seasonal=source.counterpart_seasonal,
    )


def _seasonal_french_counterpart(italian_code: str) -> ContractType | None:
    """The French code whose Italian counterpart is ``italian_code`` with the seasonal flag."""
    seasonal = (t for t in contract_types() if t.country == "FR" and t.counterpart_seasonal)
    return next((t for t in seasonal if t.counterpart == italian_code), None)


def map_contract(
    country_from: Country, code: str, *, seasonal: bool = False
) -> tuple[str | None, ContractRelation]:
    """The counterpart code (or ``None``) and how close it is: exact, approximate or none."""
    mapping = contract_mapping(country_from, code, seasonal=seasonal)
    return mapping.target_code, mapping.relation
