"""The translator core: what a destination region reads next to the original event.

Codes were looked up in ``broker/data/crosswalk.csv``: cuisinier/cuisinière is ROME 4 G1609
(ROME v3 G1602) ⇄ CP2011 5.2.2.1.0, exact on the French side and close on the Italian one;
pompier/pompière is K1705 ⇄ 5.4.8.4.1, exact on both; marin de la marine marchande is N3102,
exact, but only broad to 7.4.5.1.0. K1706 (sécurité publique) is a fiche the crosswalk leaves
out, while its ISCO-08 unit 5412 (police officers) is in it; C1101 (insurance) and ISCO-08 4120
(secretaries) are outside the eleven sectors, so nothing links them to Italy.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from agents.translator import localize
from broker.codec import Codec
from broker.models import (
    CandidateReferral,
    JobOffer,
    MobilityRequest,
    OfferDelivery,
    TranslatedField,
    TranslationQuality,
)
from broker.models.offer import CONTRACT_CODES
from broker.regions import region_keys
from broker.taxonomy import contract_type
from tests import factories as f

pytestmark = pytest.mark.unit

EXACT = TranslationQuality.EXACT
APPROXIMATE = TranslationQuality.APPROXIMATE
NOT_FOUND = TranslationQuality.NOT_FOUND

COOK_ROME = {"rome_code": "G1609", "isco08": "5120"}
COOK_CP = {"cp_code": "5.2.2.1.0", "cp_version": "CP2011"}
FIREFIGHTER_CP = {"cp_code": "5.4.8.4.1", "cp_version": "CP2011"}
MARIN_MARINE_MARCHANDE = (
    "http://data.europa.eu/esco/occupation/3a3fac9d-323e-4ba6-989b-0e1d44e113cc"
)


def a_french_offer(**overrides: Any) -> JobOffer:
    """A PACA offer of a cook on a six-month CDD, not seasonal."""
    contract = f.a_contract("FR", **{"seasonal": False, **overrides.pop("contract", {})})
    return f.an_offer(
        source_region="paca",
        occupation=overrides.pop("occupation", COOK_ROME),
        contract=contract,
        **overrides,
    )


def an_italian_offer(**overrides: Any) -> JobOffer:
    """A Ligurian offer of a cook on a six-month fixed-term contract, not seasonal."""
    contract = f.a_contract("IT", **{"seasonal": False, **overrides.pop("contract", {})})
    return f.an_offer(
        source_region="liguria",
        occupation=overrides.pop("occupation", COOK_CP),
        contract=contract,
        **overrides,
    )


def entry(localized: list[TranslatedField], field: str) -> TranslatedField:
    matching = [translated for translated in localized if translated.field == field]
    assert len(matching) == 1, f"{field}: {[t.field for t in localized]}"
    return matching[0]


def fields_of(localized: list[TranslatedField]) -> list[str]:
    return [translated.field for translated in localized]


# -- occupations ------------------------------------------------------------------------------


def test_french_offer_delivered_to_toscana_gets_the_cp2011_unit_with_its_italian_label() -> None:
    offer = a_french_offer()

    localized = localize(offer, "toscana")

    occupation = entry(localized, "occupation.rome_code")
    assert occupation.source_value == "G1609"
    assert occupation.value == "CP2011:5.2.2.1.0"
    assert occupation.label == "Cuochi in alberghi e ristoranti"
    assert occupation.quality is EXACT
    assert occupation.note is None


def test_french_offer_delivered_to_corse_keeps_its_rome_code_with_a_french_label() -> None:
    offer = a_french_offer()

    localized = localize(offer, "corse")

    occupation = entry(localized, "occupation.rome_code")
    assert (occupation.source_value, occupation.value) == ("G1609", "G1609")
    assert occupation.label == "Cuisinier / Cuisinière"
    assert occupation.quality is EXACT
    assert entry(localized, "contract.code").label == "Contrat à durée déterminée"
    assert entry(localized, "sector").label == "Hôtellerie, restauration, tourisme"


def test_a_rome_v3_code_kept_in_france_is_labelled_through_its_esco_occupation() -> None:
    offer = a_french_offer(occupation=f.an_occupation("FR"))  # ESCO cook with ROME v3 G1602

    occupation = entry(localize(offer, "corse"), "occupation.rome_code")

    assert (occupation.value, occupation.label) == ("G1602", "Cuisinier / Cuisinière")


def test_italian_offer_delivered_to_paca_gets_a_rome_fiche_with_a_french_label() -> None:
    offer = an_italian_offer()

    occupation = entry(localize(offer, "paca"), "occupation.cp_code")

    assert occupation.source_value == "5.2.2.1.0"
    assert occupation.value == "G1609"
    assert occupation.label == "Cuisinier / Cuisinière"
    assert occupation.quality is EXACT


def test_italian_offer_delivered_to_sardegna_keeps_its_cp_code_with_its_edition() -> None:
    offer = an_italian_offer()

    occupation = entry(localize(offer, "sardegna"), "occupation.cp_code")

    assert occupation.value == "CP2011:5.2.2.1.0"
    assert occupation.label == "Cuochi in alberghi e ristoranti"
    assert occupation.quality is EXACT


def test_a_cp2021_code_stays_cp2021_in_italy_without_a_cp2011_label() -> None:
    offer = an_italian_offer(occupation={"cp_code": "5.2.2.1.0", "cp_version": "CP2021"})

    occupation = entry(localize(offer, "toscana"), "occupation.cp_code")

    assert occupation.value == "CP2021:5.2.2.1.0"
    assert occupation.label is None


def test_a_cp2021_code_is_never_looked_up_as_cp2011_for_france() -> None:
    occupation_codes = {"cp_code": "5.2.2.1.0", "cp_version": "CP2021", "isco08": "5120"}
    offer = an_italian_offer(occupation=occupation_codes)

    occupation = entry(localize(offer, "paca"), "occupation.cp_code")

    assert occupation.quality is APPROXIMATE
    assert occupation.value == "G1609"
    assert occupation.note == (
        "via ISCO-08 group 5120 (broader); CP2021 codes are not mapped, only CP2011"
    )


def test_every_cp_value_delivered_to_italy_names_the_cp2011_edition() -> None:
    offers = [
        a_french_offer(occupation={"rome_code": "K1705"}),
        a_french_offer(occupation={"rome_code": "N3102"}),
        a_french_offer(occupation={"rome_code": "K1706", "isco08": "5412"}),
        a_french_offer(occupation={"esco_uri": MARIN_MARINE_MARCHANDE}),
    ]

    occupations = [
        translated
        for offer in offers
        for translated in localize(offer, "liguria")
        if translated.field.startswith("occupation.")
    ]

    assert len(occupations) == len(offers)
    assert all(t.value is not None and t.value.startswith("CP2011:") for t in occupations)


def test_unknown_rome_code_with_a_known_isco_unit_is_approximate_via_the_isco_group() -> None:
    offer = a_french_offer(occupation={"rome_code": "K1706", "isco08": "5412"})

    occupation = entry(localize(offer, "toscana"), "occupation.rome_code")

    assert occupation.quality is APPROXIMATE
    assert occupation.value == "CP2011:5.4.8.3.1"
    assert occupation.label == "Agenti della Polizia di Stato"
    assert occupation.note == "via ISCO-08 group 5412 (broader)"


def test_a_broad_esco_mapping_is_approximate_and_says_which_side_is_broad() -> None:
    offer = a_french_offer(occupation={"rome_code": "N3102"})

    occupation = entry(localize(offer, "toscana"), "occupation.rome_code")

    assert occupation.quality is APPROXIMATE
    assert occupation.value == "CP2011:7.4.5.1.0"
    assert occupation.note == "broad or narrow ESCO mapping (ROME: exact, CP2011: broad)"


def test_occupation_with_nothing_known_is_not_found_and_keeps_its_source_value() -> None:
    offer = a_french_offer(occupation={"rome_code": "C1101", "isco08": "4120"})

    occupation = entry(localize(offer, "toscana"), "occupation.rome_code")

    assert occupation.quality is NOT_FOUND
    assert occupation.source_value == "C1101"
    assert (occupation.value, occupation.label) == (None, None)
    assert occupation.note == "no CP2011 unit in the crosswalk for this occupation"


def test_an_occupation_known_only_by_esco_is_placed_in_the_destination_classification() -> None:
    offer = a_french_offer(occupation={"esco_uri": f.COOK_ESCO})

    to_france = entry(localize(offer, "corse"), "occupation.esco_uri")
    to_italy = entry(localize(offer, "toscana"), "occupation.esco_uri")

    assert (to_france.source_value, to_france.value, to_france.quality) == (
        f.COOK_ESCO,
        "G1609",
        EXACT,
    )
    assert (to_italy.value, to_italy.quality) == ("CP2011:5.2.2.1.0", EXACT)


def test_an_occupation_already_carrying_the_destination_code_keeps_it() -> None:
    offer = an_italian_offer(occupation={**COOK_CP, "rome_code": "K1705"})

    occupation = entry(localize(offer, "paca"), "occupation.rome_code")

    assert (occupation.value, occupation.quality) == ("K1705", EXACT)


def test_referral_occupations_are_localized_one_by_one_in_their_order() -> None:
    referral = f.a_referral(
        occupations=[COOK_CP, FIREFIGHTER_CP, {"cp_code": "1.1.1.1.0", "cp_version": "CP2011"}]
    )

    localized = localize(referral, "paca")

    occupations = [t for t in localized if t.field.startswith("occupations[")]
    assert [(t.field, t.value, t.quality) for t in occupations] == [
        ("occupations[0].cp_code", "G1609", EXACT),
        ("occupations[1].cp_code", "K1705", EXACT),
        ("occupations[2].cp_code", None, NOT_FOUND),
    ]
    assert occupations[1].label == "Pompier / Pompière"


# -- contracts --------------------------------------------------------------------------------


def test_french_fixed_term_contract_becomes_the_italian_fixed_term_contract() -> None:
    offer = a_french_offer(contract={"code": "CDD", "duration_months": 6})

    contract = entry(localize(offer, "toscana"), "contract.code")

    assert (contract.source_value, contract.value) == ("CDD", "A.02.00")
    assert contract.label == "Lavoro a tempo determinato"
    assert contract.quality is EXACT
    assert contract.note is None


def test_french_interim_mission_is_only_approximately_italian_agency_work() -> None:
    offer = a_french_offer(contract={"code": "MIS", "duration_months": 3})

    contract = entry(localize(offer, "toscana"), "contract.code")

    assert contract.quality is APPROXIMATE
    assert contract.value == "SOMM"
    assert contract.label == "Somministrazione di lavoro (comunicata con il modello UniSomm)"
    assert contract.note is not None
    assert contract.note.startswith("closest Italian contract type: ")
    assert "UniSomm" in contract.note


def test_french_cce_has_no_italian_equivalent_and_keeps_its_source_value() -> None:
    offer = a_french_offer(contract={"code": "CCE", "duration_months": None})

    contract = entry(localize(offer, "toscana"), "contract.code")

    assert contract.quality is NOT_FOUND
    assert (contract.source_value, contract.value, contract.label) == ("CCE", None, None)
    assert contract.note == (
        "no Italian equivalent of the French CCE contract (Not an employment contract)"
    )


def test_french_seasonal_contract_becomes_italian_fixed_term_with_the_seasonal_flag() -> None:
    offer = a_french_offer(contract={"code": "SAI", "duration_months": 4})

    contract = entry(localize(offer, "toscana"), "contract.code")

    assert (contract.value, contract.quality) == ("A.02.00", EXACT)
    assert contract.label == "Lavoro a tempo determinato (stagionale)"
    assert contract.note is not None
    assert "seasonal flag" in contract.note


def test_italian_fixed_term_contract_with_the_seasonal_flag_becomes_a_french_sai() -> None:
    offer = an_italian_offer(contract={"code": "A.02.00", "seasonal": True})

    contract = entry(localize(offer, "paca"), "contract.code")

    assert (contract.value, contract.quality) == ("SAI", EXACT)
    assert contract.label == "Contrat travail saisonnier"


def test_italian_fixed_term_contract_without_the_seasonal_flag_becomes_a_french_cdd() -> None:
    offer = an_italian_offer(contract={"code": "A.02.00", "seasonal": False})

    contract = entry(localize(offer, "paca"), "contract.code")

    assert (contract.value, contract.label) == ("CDD", "Contrat à durée déterminée")


def test_a_seasonal_italian_contract_shows_its_flag_to_another_italian_region() -> None:
    offer = an_italian_offer(contract={"code": "A.02.00", "seasonal": True})

    contract = entry(localize(offer, "sardegna"), "contract.code")

    assert (contract.value, contract.quality) == ("A.02.00", EXACT)
    assert contract.label == "Lavoro a tempo determinato (stagionale)"


def test_every_contract_code_the_models_accept_is_in_the_contract_table() -> None:
    for country, codes in CONTRACT_CODES.items():
        for code in sorted(codes):
            assert contract_type(country.value, code).code == code


# -- enumerations -----------------------------------------------------------------------------


def test_enumerations_keep_their_code_and_get_a_label_in_the_destination_language() -> None:
    offer = a_french_offer(telework="HYBRID", status="OPEN")

    localized = localize(offer, "toscana")

    paths = ["sector", "contract.working_time", "status", "telework"]
    assert [(entry(localized, p).value, entry(localized, p).label) for p in paths] == [
        ("HOSPITALITY_TOURISM", "Turismo, alberghi e ristorazione"),
        ("FULL_TIME", "Tempo pieno"),
        ("OPEN", "Offerta aperta"),
        ("HYBRID", "Lavoro agile, in parte da remoto"),
    ]
    assert all(entry(localized, p).quality is EXACT for p in paths)


def test_cefr_levels_keep_their_code_with_a_label_of_the_level() -> None:
    offer = a_french_offer(required_languages=[{"language": "it", "level": "B2"}])

    level = entry(localize(offer, "toscana"), "required_languages[0].level")

    assert (level.source_value, level.value, level.quality) == ("B2", "B2", EXACT)
    assert level.label == "B2 — intermedio superiore"


def test_mobility_request_aid_types_are_labelled_in_italian_for_an_italian_region() -> None:
    request = f.a_mobility_request(
        source_region="paca", destination_region="toscana", language="fr"
    )

    localized = localize(request, "toscana")

    assert [(t.field, t.label) for t in localized] == [
        ("aids[0].aid", "Contributo alle spese di trasferimento"),
        ("aids[1].aid", "Spese di viaggio per un colloquio di lavoro"),
    ]


def test_referral_skills_passports_and_consent_purposes_are_labelled() -> None:
    referral = f.a_referral(skills_passports=["EUROPASS", "LIBRETTO_FORMATIVO"])

    localized = localize(referral, "corse")

    assert entry(localized, "skills_passports[1]").label == (
        "Libretto formativo del cittadino (livret de compétences italien)"
    )
    assert entry(localized, "consent.purposes[0]").label == (
        "Partage des données avec les régions partenaires"
    )


def test_an_absent_optional_enumeration_has_no_entry() -> None:
    offer = a_french_offer(telework=None, salary=None)

    assert not {"telework", "salary.period"} & set(fields_of(localize(offer, "toscana")))


# -- what is not localized, and the shape of the output --------------------------------------


def test_free_text_is_carried_verbatim_by_the_delivery_and_never_localized() -> None:
    offer = a_french_offer()

    localized = localize(offer, "toscana")

    free_text = {offer.job_title, offer.description, *offer.skills}
    assert not free_text & {t.source_value for t in localized}
    assert not {"job_title", "description", "language"} & set(fields_of(localized))
    assert not any(t.field.startswith("skills") for t in localized)


def test_localization_follows_the_order_of_the_fields_in_the_model() -> None:
    offer = a_french_offer(telework="REMOTE")

    assert fields_of(localize(offer, "toscana")) == [
        "contract.code",
        "contract.country",
        "contract.working_time",
        "employer_id_scheme",
        "occupation.rome_code",
        "sector",
        "required_languages[0].level",
        "salary.currency",
        "salary.period",
        "status",
        "telework",
    ]


def test_the_same_event_gives_the_same_localization_and_the_same_delivery_bytes() -> None:
    offer = a_french_offer()
    replayed = JobOffer.model_validate(offer.model_dump())
    codec = Codec.default()

    def delivered(event: JobOffer) -> bytes:
        delivery = OfferDelivery.for_destination(
            event,
            destination_region="toscana",
            localization=localize(event, "toscana"),
            occurred_at=f.NOW + timedelta(seconds=1),
        )
        return codec.encode(delivery)

    assert localize(offer, "toscana") == localize(replayed, "toscana")
    assert delivered(offer) == delivered(replayed)


@pytest.mark.parametrize("destination", region_keys())
def test_every_entry_is_a_valid_translated_field(destination: str) -> None:
    events: list[JobOffer | CandidateReferral | MobilityRequest] = [
        a_french_offer(telework="ON_SITE"),
        an_italian_offer(contract={"code": "A.02.00", "seasonal": True}),
        a_french_offer(contract={"code": "CCE", "duration_months": None}),
        a_french_offer(occupation={"rome_code": "C1101"}),
        f.a_referral(),
        f.a_mobility_request(),
    ]

    for event in events:
        for translated in localize(event, destination):
            assert TranslatedField.model_validate(translated.model_dump()) == translated


def test_an_unregistered_destination_region_is_refused() -> None:
    with pytest.raises(KeyError, match="atlantide"):
        localize(a_french_offer(), "atlantide")


def test_a_delivery_accepts_the_localization_as_it_is() -> None:
    offer = a_french_offer(contract={"code": "MIS", "duration_months": 2})
    localized = localize(offer, "liguria")

    delivery = OfferDelivery.for_destination(
        offer,
        destination_region="liguria",
        localization=localized,
        occurred_at=f.NOW + timedelta(seconds=1),
    )

    assert delivery.localization == localized
