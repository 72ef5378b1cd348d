"""The shipped crosswalk and contract types, read through ``broker.taxonomy``.

Every code below was looked up in the official files (see ``broker/data/SOURCES.md``):
pompier/pompière is ROME K1705 ⇄ CP2011 5.4.8.4.1 with exact matches on both sides; marin
de la marine marchande is N3102 exact but only broad to 7.4.5.1.0; C1101 (insurance) is a
ROME fiche outside the eleven sectors, and CP2011 1.1.1.1.0 (ministro) a unit the crosswalk
leaves out.
"""

from __future__ import annotations

import doctest
from collections import Counter

import pytest
from pydantic import ValidationError

from broker import taxonomy
from broker.taxonomy import (
    SECTORS,
    Occupation,
    contract_mapping,
    contract_type,
    contract_types,
    french_classification_for,
    italian_classification_for,
    map_contract,
    occupation_by_esco,
    occupations,
    occupations_by_cp,
    occupations_by_isco,
    occupations_by_rome,
    sector_of,
)

pytestmark = pytest.mark.unit

POMPIER = "http://data.europa.eu/esco/occupation/88721b6c-d2ce-41c6-8878-73c0d3aacf39"
MARIN_MARINE_MARCHANDE = (
    "http://data.europa.eu/esco/occupation/3a3fac9d-323e-4ba6-989b-0e1d44e113cc"
)


def a_valid_occupation_row() -> dict[str, str]:
    return {
        "esco_uri": POMPIER,
        "isco08": "5411",
        "isco08_rome": "5411",
        "rome_code": "K1705",
        "rome_v3_code": "K1705",
        "rome_ogr": "17877",
        "rome_label": "Pompier / Pompière",
        "rome_match": "exact",
        "cp_code": "5.4.8.4.1",
        "cp_version": "CP2011",
        "cp_label": "Vigili del fuoco",
        "cp_match": "exact",
        "label_fr": "pompier/pompière",
        "label_it": "vigile del fuoco",
        "sector": "security_defence",
        "green": "false",
        "blue": "false",
    }


# The shipped crosswalk


def test_shipped_crosswalk_has_at_least_150_occupations() -> None:
    assert len(occupations()) >= 150


def test_shipped_crosswalk_covers_all_eleven_sectors() -> None:
    counts = Counter(occupation.sector for occupation in occupations())

    assert set(counts) == set(SECTORS)
    assert len(SECTORS) == 11
    assert min(counts.values()) >= 5


def test_every_cp_code_is_labelled_cp2011() -> None:
    assert {occupation.cp_version for occupation in occupations()} == {"CP2011"}


def test_most_occupations_are_exact_or_close_on_both_sides() -> None:
    exact = sum(occupation.exact_on_both_sides for occupation in occupations())

    assert exact / len(occupations()) > 0.75


def test_thin_sectors_are_topped_up_with_approximate_occupations() -> None:
    maritime = [o for o in occupations() if o.sector == "maritime"]

    assert any(o.quality == "approximate" for o in maritime)
    assert any(o.quality == "exact" for o in maritime)


def test_each_esco_occupation_appears_once() -> None:
    uris = [occupation.esco_uri for occupation in occupations()]

    assert len(uris) == len(set(uris))
    assert all(occupation_by_esco(uri) is not None for uri in uris)


def test_french_labels_keep_their_gendered_pairs() -> None:
    pompier = occupation_by_esco(POMPIER)

    assert pompier is not None
    assert pompier.label_fr == "pompier/pompière"
    assert pompier.rome_label == "Pompier / Pompière"
    assert pompier.label_it == "vigile del fuoco"


def test_maritime_occupations_are_blue() -> None:
    assert all(o.blue for o in occupations() if o.sector == "maritime")


def test_armed_forces_isco_unit_keeps_its_leading_zero() -> None:
    officers = occupations_by_isco("0110")

    assert [o.label_fr for o in officers] == ["capitaine de frégate"]


def test_lookups_by_rome_and_cp_return_every_matching_row() -> None:
    by_rome = occupations_by_rome("K1705")
    by_cp = occupations_by_cp("5.4.8.4.1")

    assert POMPIER in {o.esco_uri for o in by_rome}
    assert {o.rome_code for o in by_rome} == {"K1705"}
    assert POMPIER in {o.esco_uri for o in by_cp}
    assert {o.cp_code for o in by_cp} == {"5.4.8.4.1"}


def test_unknown_codes_find_no_rows() -> None:
    assert occupations_by_rome("C1101") == ()
    assert occupations_by_cp("1.1.1.1.0") == ()
    assert occupation_by_esco("http://data.europa.eu/esco/occupation/unknown") is None


# Validation of the rows


def test_occupation_accepts_a_well_formed_row() -> None:
    occupation = Occupation.model_validate(a_valid_occupation_row())

    assert occupation.green is False
    assert occupation.quality == "exact"


@pytest.mark.parametrize(
    ("column", "bad_value"),
    [
        ("esco_uri", "http://data.europa.eu/esco/skill/88721b6c-d2ce-41c6-8878-73c0d3aacf39"),
        ("isco08", "541"),
        ("rome_code", "K17050"),
        ("cp_code", "5.4.8.4"),
        ("cp_version", "CP2001"),
        ("rome_match", "related"),
        ("sector", "finance"),
    ],
)
def test_occupation_rejects_a_malformed_column(column: str, bad_value: str) -> None:
    row = a_valid_occupation_row() | {column: bad_value}

    with pytest.raises(ValidationError):
        Occupation.model_validate(row)


def test_occupation_is_frozen() -> None:
    occupation = Occupation.model_validate(a_valid_occupation_row())

    with pytest.raises(ValidationError):
        occupation.cp_code = "1.1.1.1.0"  # type: ignore[misc]


# French occupation → Italian classification


def test_esco_uri_maps_to_italian_cp_directly() -> None:
    match = italian_classification_for(esco=POMPIER)

    assert (match.cp_code, match.cp_version, match.quality, match.via) == (
        "5.4.8.4.1",
        "CP2011",
        "exact",
        "esco",
    )


def test_rome_code_maps_to_italian_cp_through_esco_exact_match() -> None:
    match = italian_classification_for(rome="K1705")

    assert match.cp_code == "5.4.8.4.1"
    assert match.quality == "exact"
    assert match.via == "rome"
    assert match.occupation is not None
    assert match.occupation.esco_uri == POMPIER


def test_rome_fiche_with_only_a_broad_italian_match_is_approximate() -> None:
    match = italian_classification_for(rome="N3102")

    assert match.cp_code == "7.4.5.1.0"
    assert match.quality == "approximate"
    assert match.occupation is not None
    assert match.occupation.esco_uri == MARIN_MARINE_MARCHANDE


def test_esco_uri_wins_over_the_rome_code() -> None:
    match = italian_classification_for(esco=MARIN_MARINE_MARCHANDE, rome="K1705")

    assert match.via == "esco"
    assert match.cp_code == "7.4.5.1.0"


def test_unknown_rome_code_falls_back_to_isco_group_as_approximate() -> None:
    match = italian_classification_for(rome="C1101", isco08="8350")

    assert match.quality == "approximate"
    assert match.via == "isco08"
    assert match.cp_code == "7.4.5.1.0"


def test_unknown_rome_code_without_isco_is_not_found() -> None:
    match = italian_classification_for(rome="C1101")

    assert match.quality == "not_found"
    assert match.cp_code is None
    assert match.occupation is None


# Italian occupation → French classification


def test_italian_cp_maps_back_to_rome_through_esco_exact_match() -> None:
    match = french_classification_for(cp="5.4.8.4.1")

    assert (match.rome_code, match.quality, match.via) == ("K1705", "exact", "cp")
    assert match.label_fr == "pompier/pompière"


def test_isco_unit_only_in_france_travail_table_still_gives_an_approximate_rome() -> None:
    # No ESCO occupation of the crosswalk is in ISCO-08 6340; France Travail files A1415 there.
    match = french_classification_for(cp="1.1.1.1.0", isco08="6340")

    assert (match.rome_code, match.quality, match.via) == ("A1415", "approximate", "isco08_rome")


def test_unknown_cp_code_without_isco_is_not_found() -> None:
    assert french_classification_for(cp="1.1.1.1.0").quality == "not_found"


# Sectors


def test_sector_follows_the_rome_fiche() -> None:
    assert sector_of(rome="N3101") == "maritime"
    assert sector_of(esco=POMPIER) == "security_defence"


def test_fiche_outside_the_eleven_sectors_has_no_sector() -> None:
    assert sector_of(rome="C1101") is None


# Contract types


def test_cdd_maps_to_a0200_exactly() -> None:
    assert map_contract("FR", "CDD") == ("A.02.00", "exact")


def test_cdi_and_a0100_map_to_each_other_exactly() -> None:
    assert map_contract("FR", "CDI") == ("A.01.00", "exact")
    assert map_contract("IT", "A.01.00") == ("CDI", "exact")


def test_interim_has_no_exact_italian_contract() -> None:
    assert map_contract("FR", "MIS") == ("SOMM", "approximate")
    assert map_contract("FR", "DIN") == ("SOMM", "approximate")


def test_somministrazione_is_reported_on_the_unisomm_form() -> None:
    somm = contract_type("IT", "SOMM")

    assert "UniSomm" in somm.label_it
    assert somm.source_field == "unisomm"
    assert map_contract("IT", "SOMM") == ("MIS", "approximate")


def test_seasonal_contract_maps_to_italian_fixed_term_with_seasonal_flag() -> None:
    mapping = contract_mapping("FR", "SAI")

    assert (mapping.target_code, mapping.relation, mapping.seasonal) == ("A.02.00", "exact", True)


def test_italian_fixed_term_with_seasonal_flag_maps_to_sai() -> None:
    assert map_contract("IT", "A.02.00", seasonal=True) == ("SAI", "exact")
    assert map_contract("IT", "A.02.00") == ("CDD", "exact")


@pytest.mark.parametrize("code", ["DDI", "TTI", "LIB", "FRA", "REP", "CCE"])
def test_french_contract_without_italian_equivalent_maps_to_none(code: str) -> None:
    assert map_contract("FR", code) == (None, "none")


@pytest.mark.parametrize(("code", "italian"), [("E2", "A.03.08"), ("FS", "A.03.09")])
def test_apprenticeship_natures_map_approximately(code: str, italian: str) -> None:
    assert contract_type("FR", code).source_field == "natureContrat"
    assert map_contract("FR", code) == (italian, "approximate")


def test_traineeship_has_no_french_contract_type() -> None:
    assert map_contract("IT", "C.01.00") == (None, "none")


@pytest.mark.parametrize(
    "code",
    [
        "A.01.00",
        "A.02.00",
        "A.02.01",
        "A.03.08",
        "A.03.09",
        "A.03.10",
        "A.05.02",
        "C.01.00",
        "SOMM",
    ],
)
def test_every_italian_code_of_the_reference_list_is_shipped(code: str) -> None:
    assert contract_type("IT", code).country == "IT"


def test_every_counterpart_exists_in_the_other_country() -> None:
    for contract in contract_types():
        mapping = contract_mapping(contract.country, contract.code)
        if contract.counterpart is not None:
            assert mapping.target is not None
            assert mapping.target.country != contract.country


def test_contract_codes_are_matched_without_regard_to_case_or_spaces() -> None:
    assert map_contract("FR", " cdd ") == ("A.02.00", "exact")


def test_unknown_contract_code_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="XYZ"):
        map_contract("FR", "XYZ")


def test_module_examples_run() -> None:
    result = doctest.testmod(taxonomy)

    assert result.attempted > 0
    assert result.failed == 0
