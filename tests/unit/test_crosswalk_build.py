"""``scripts/build_crosswalk.py``: the shipped crosswalk is exactly what the sources give."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.unit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT_ROOT / "scripts" / "build_crosswalk.py"
SHIPPED = PROJECT_ROOT / "broker" / "data" / "crosswalk.csv"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_crosswalk", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


build = load_script()
SOURCE: Path = build.DEFAULT_SOURCE

needs_sources = pytest.mark.skipif(
    not SOURCE.is_dir(), reason=f"official taxonomy files not present in {SOURCE}"
)


@needs_sources
def test_build_from_official_files_equals_shipped_crosswalk() -> None:
    generated = build.render_csv(build.build_crosswalk(SOURCE)).encode("utf-8")

    assert generated == SHIPPED.read_bytes()


@needs_sources
def test_build_is_byte_identical_when_run_twice() -> None:
    first = build.render_csv(build.build_crosswalk(SOURCE))
    second = build.render_csv(build.build_crosswalk(SOURCE))

    assert first == second


@needs_sources
def test_check_passes_on_the_shipped_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert build.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


@needs_sources
def test_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "crosswalk.csv"
    stale.write_bytes(SHIPPED.read_bytes().replace(b",CP2011,", b",CP2021,", 1))

    assert build.main(["--check", "--output", str(stale)]) == 1


@needs_sources
def test_every_rome_fiche_resolves_to_a_sector_or_to_none() -> None:
    sources = build.load_sources(SOURCE)

    assert len(sources.sector_by_rome) == 1584
    assert set(sources.sector_by_rome.values()) == {*build.SECTORS, None}


def test_shipped_crosswalk_is_utf8_with_lf_line_endings() -> None:
    raw = SHIPPED.read_bytes()

    assert b"\r" not in raw
    assert raw.endswith(b"\n")
    assert raw.decode("utf-8").startswith(",".join(build.COLUMNS) + "\n")


def test_sector_rules_name_only_the_eleven_sectors() -> None:
    named = {sector for sector in build.SECTOR_BY_ROME_PREFIX.values() if sector is not None}

    assert named == set(build.SECTORS)
    assert len(build.SECTORS) == 11


@pytest.mark.parametrize(
    ("rome_code", "sector"),
    [
        ("N3102", "maritime"),  # marin: domaine N31
        ("N3103", "transport_logistics"),  # matelot fluvial: inland, not maritime
        ("A1415", "maritime"),  # marin-pêcheur: fiche exception inside A14
        ("A1405", "agriculture_food"),  # arboriculteur: grand domaine A
        ("H2102", "agriculture_food"),  # industrie alimentaire: domaine H21
        ("K1705", "security_defence"),  # domaine K17
        ("K2501", None),  # gardien d'immeuble: exception inside K25
        ("C1101", None),  # insurance: grand domaine C
        ("M1805", "digital"),  # domaine M18
    ],
)
def test_longest_rome_prefix_decides_the_sector(rome_code: str, sector: str | None) -> None:
    assert build.sector_for_rome(rome_code) == sector


def test_metadata_lines_before_the_header_are_skipped(tmp_path: Path) -> None:
    table = tmp_path / "mapping.csv"
    table.write_text(
        "Mapping project name,AI4ESCO\r\n,,\r\n,,\r\n"
        "Classification 1 URI,Mapping relation\r\n"
        "http://data.europa.eu/esco/occupation/x,skos:exactMatch\r\n",
        encoding="utf-8",
    )

    rows = build.read_table(table, "classification 1 uri")

    assert rows == [
        {
            "Classification 1 URI": "http://data.europa.eu/esco/occupation/x",
            "Mapping relation": "skos:exactMatch",
        }
    ]


def test_france_travail_isco_codes_get_their_leading_zero_back(tmp_path: Path) -> None:
    table = tmp_path / "rome3_isco08.csv"
    table.write_text(
        "code_rome,libelle_rome,isco08_14si4,code_isco08,libelle_isco08\n"
        "K1701,Personnel de la Défense,0,310,Autres membres des forces armées\n",
        encoding="utf-8",
    )

    assert build.read_isco_by_rome3(table, {"0310"}) == {"K1701": "0310"}


def an_italian_link(cp_code: str, match: str) -> object:
    return build.ItalianLink(
        uri="http://data.europa.eu/esco/occupation/x",
        label_it="etichetta",
        cp_code=cp_code,
        cp_label="Unità",
        match=match,
    )


def test_only_five_level_cp_units_are_chosen() -> None:
    group = an_italian_link("2.2.1", "broad")
    unit = an_italian_link("2.2.1.1.4", "narrow")

    assert build.best_italian_link([group, unit]) == unit
    assert build.best_italian_link([group]) is None


def an_appellation(code_ogr: str, rome_code: str, *, principal: bool = False) -> object:
    return build.Appellation(
        code_ogr=code_ogr,
        label=f"appellation {code_ogr}",
        rome_code=rome_code,
        rome_v3_code=rome_code,
        green=False,
        principal=principal,
        rarely_used=False,
    )


def test_french_side_prefers_the_best_relation_then_the_fiche_most_titles_share() -> None:
    uri = "http://data.europa.eu/esco/occupation/x"
    links = [
        build.FrenchLink(uri, an_appellation("10001", "A1101"), "close"),
        build.FrenchLink(uri, an_appellation("10002", "B1101"), "exact"),
        build.FrenchLink(uri, an_appellation("10003", "C1101"), "exact"),
        build.FrenchLink(uri, an_appellation("10004", "C1101", principal=True), "exact"),
    ]

    chosen = build.best_french_link(links)

    assert chosen.appellation.code_ogr == "10004"
