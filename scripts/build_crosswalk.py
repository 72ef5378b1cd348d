"""Build ``broker/data/crosswalk.csv``, the occupation crosswalk ROME ⇄ ESCO / ISCO-08 ⇄ CP2011.

The crosswalk is derived, never edited by hand: this script reads the official files
(see ``broker/data/SOURCES.md``) and writes the same bytes every time, so a reviewer can
trust a diff and CI can prove the shipped file is what the sources say.

Joins, one row per ESCO occupation:

    ESCO URI ⇄ OGR appellation   esco_rome_mapping_fr_v1.4.csv   (France Travail, skos relation)
    OGR → code_rome (ROME 4)      rome4_appellations_v460.csv     (+ v3 parent fiche, green flag)
    code_rome → grand domaine     rome4_fiches_v460.csv           (→ sector, table below)
    ESCO URI ⇄ CP2011 unit        esco_cp2011_mapping_it_2021.csv (CRISP, skos relation)
    ESCO URI → iscoGroup          esco_occupations_fr.csv         (ISCO-08 unit, French label)
    ROME v3 fiche → ISCO-08       rome3_isco08_france_travail.csv (cross-check column only)

Selection: every occupation that is exact or close on both sides and whose ROME fiche has a
sector; then, for each sector still below MIN_OCCUPATIONS_PER_SECTOR, the best broad/narrow
candidates of that sector (they read as approximate in ``broker.taxonomy``).

Usage (from the project root):

    python scripts/build_crosswalk.py            # rewrite broker/data/crosswalk.csv
    python scripts/build_crosswalk.py --check    # exit 1 if the shipped file is stale
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from broker.taxonomy import SECTORS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = PROJECT_ROOT.parent / "shared" / "data" / "taxonomy"
DEFAULT_OUTPUT = PROJECT_ROOT / "broker" / "data" / "crosswalk.csv"

FRENCH_MAPPING = "esco_rome_mapping_fr_v1.4.csv"
ITALIAN_MAPPING = "esco_cp2011_mapping_it_2021.csv"
ESCO_OCCUPATIONS = "esco_occupations_fr.csv"
ISCO_GROUPS = "isco08_groups_fr.csv"
ROME_APPELLATIONS = "rome4_appellations_v460.csv"
ROME_FICHES = "rome4_fiches_v460.csv"
ROME3_ISCO = "rome3_isco08_france_travail.csv"

# The Italian mapping is ISTAT CP2011; CP2021 codes differ for some units, so the version
# travels with every code and is never inferred.
CP_VERSION = "CP2011"

# Below this, a sector is topped up with approximate (broad/narrow) occupations.
MIN_OCCUPATIONS_PER_SECTOR = 20

COLUMNS = (
    "esco_uri",
    "isco08",
    "isco08_rome",
    "rome_code",
    "rome_v3_code",
    "rome_ogr",
    "rome_label",
    "rome_match",
    "cp_code",
    "cp_version",
    "cp_label",
    "cp_match",
    "label_fr",
    "label_it",
    "sector",
    "green",
    "blue",
)


# ROME 4 code prefix → "Expertises d'avenir" sector. The longest matching prefix wins, so a
# grand domaine (one letter) sets the default, a domaine professionnel (three characters)
# refines it, and a fiche (five characters) is an explicit exception. ``None`` means the
# fiche belongs to no sector and its occupations are not selected: we would rather ship
# fewer rows than file a banker under "trade". Closest-sector choices are commented.
SECTOR_BY_ROME_PREFIX: dict[str, str | None] = {
    # A Agriculture, pêche, espaces naturels et verts, soins aux animaux
    "A": "agriculture_food",  # forestry, landscaping and animal care: closest is agriculture
    "A1406": "maritime",  # capitaine de pêche
    "A1415": "maritime",  # marin-pêcheur
    "A1425": "maritime",  # ramendeur (fishing nets)
    "A1427": "maritime",  # goémonier (seaweed harvesting at sea)
    "A1438": "maritime",  # pêcheur à pied
    "A1445": "maritime",  # pêcheur sous-marin
    # B Arts et façonnage d'ouvrages d'art: craft manufacturing, closest is industry
    "B": "industry",
    "B11": None,  # arts plastiques: artists, not manufacturing
    # C Banque, assurance, immobilier: no sector
    "C": None,
    # D Commerce, vente et grande distribution
    "D": "trade",
    "D11": "agriculture_food",  # métiers de bouche (bakers, butchers...) process food
    "D1105": "trade",  # poissonnier: retail
    "D1106": "trade",  # vendeur en épicerie
    "D1107": "trade",  # grossiste en produits frais
    "D1110": "trade",  # vendeur ambulant
    "D1113": "trade",  # commercial itinérant
    "D1116": "trade",  # négociant en bétail
    # E Communication, média et multimédia: no sector, except web and printing trades
    "E": None,
    "E1101": "digital",  # community manager
    "E1104": "digital",  # concepteur de contenus multimédia
    "E1113": "digital",  # responsable e-commerce
    "E1115": "digital",  # chef de projet jeux vidéo
    "E1124": "digital",  # social media manager
    "E1125": "digital",  # concepteur de jeux vidéo
    "E1206": "digital",  # UX-UI designer
    "E1207": "digital",  # motion designer
    "E1210": "digital",  # web designer
    "E13": "industry",  # industries graphiques: printing is manufacturing
    "E1405": "digital",  # référenceur web
    "E1407": "digital",  # traffic manager
    "E1410": "digital",  # responsable programmatique
    # F Construction, bâtiment et travaux publics
    "F": "construction",
    "F1114": "energy",  # conseiller en rénovation énergétique
    "F1129": "energy",  # ingénieur réservoir (oil and gas fields)
    "F1504": "maritime",  # charpentier de marine (shipbuilding)
    "F1605": "energy",  # monteur de réseaux électriques (distribution)
    "F1610": "energy",  # installateur en systèmes solaires
    "F1628": "energy",  # installateur de bornes de recharge électriques
    # G Hôtellerie-restauration, tourisme, loisirs et animation
    "G": "hospitality_tourism",
    # H Industrie
    "H": "industry",
    "H1225": "energy",  # ingénieur développement nucléaire
    "H1237": "energy",  # ingénieur énergies renouvelables
    "H1241": "energy",  # architecte système hydrogène
    "H1306": "energy",  # ingénieur sûreté en industrie nucléaire
    "H21": "agriculture_food",  # industrie alimentaire
    "H2213": "maritime",  # menuisier en construction nautique
    "H2506": "agriculture_food",  # chef de production en industrie agroalimentaire
    "H2508": "energy",  # ingénieur exploitation nucléaire
    "H27": "energy",  # énergie
    # I Installation et maintenance: maintenance of plant and vehicles, closest is industry
    "I": "industry",
    "I1104": "digital",  # ingénieur infrastructures télécoms
    "I1202": "construction",  # exploitation de la voirie
    "I1203": "construction",  # entretien du bâtiment
    "I1208": "transport_logistics",  # patrouilleur autoroutier
    "I1307": "digital",  # antenniste
    "I1311": "digital",  # réseaux câblés fibre optique
    "I1312": "digital",  # réseaux mobiles
    "I1314": "digital",  # équipements connectés
    "I1315": "digital",  # raccordement fibre optique
    "I1317": "digital",  # maintenance fibre optique
    "I1319": "digital",  # maintenance réseaux mobiles
    "I1320": "digital",  # maintenance équipements connectés
    "I1321": "energy",  # maintenance d'éoliennes
    "I1330": "digital",  # centrales téléphoniques
    "I14": "digital",  # équipements informatiques
    "I1402": "industry",  # électroménager
    "I1408": "industry",  # appareils photographiques
    "I1410": "industry",  # SAV électroménager
    "I15": "construction",  # travaux d'accès difficile: rope access, asbestos removal
    "I1502": "maritime",  # scaphandrier (commercial diver)
    "I1503": "industry",  # risques technologiques
    "I1504": "energy",  # décontamination nucléaire
    "I1505": "energy",  # déchets nucléaires
    "I1507": "energy",  # démantèlement nucléaire
    "I1601": "maritime",  # préparateur de bateau
    "I1605": "maritime",  # mécanique marine ou navale
    # J Santé
    "J": "health_care",
    # K Services à la personne et à la collectivité: personal services only
    "K": None,
    "K11": "health_care",  # accompagnement de la personne
    "K12": "health_care",  # action sociale
    "K13": "health_care",  # aide à la vie quotidienne
    "K1402": "health_care",  # médecin conseil
    "K1403": "health_care",  # direction de structure de santé ou sociale
    "K1407": "health_care",  # établissement médicosocial
    "K1408": "health_care",  # aide à domicile
    "K1409": "health_care",  # structure sanitaire et sociale
    "K1411": "health_care",  # médecin conseil en santé publique
    "K1414": "health_care",  # mission santé publique
    "K1415": "health_care",  # établissement privé de santé
    "K1421": "health_care",  # centre hospitalier
    "K1501": "security_defence",  # douanes (border protection)
    "K1505": "security_defence",  # inspecteur des douanes
    "K17": "security_defence",  # défense, sécurité publique et secours (incl. fire and rescue)
    "K25": "security_defence",  # sécurité privée
    "K2501": None,  # gardien d'immeuble: a caretaker, not a security job
    "K26": "health_care",  # services funéraires: personal services (ISCO-08 516)
    # L Spectacle: no sector
    "L": None,
    # M Support à l'entreprise: no sector, except purchasing/sales and information systems
    "M": None,
    "M11": "trade",  # achats
    "M17": "trade",  # stratégie commerciale, marketing, supervision des ventes
    "M1716": "digital",  # marketing digital
    "M1718": "digital",  # marketing digital
    "M18": "digital",  # systèmes d'information et télécommunications
    # N Transport et logistique
    "N": "transport_logistics",
    "N1206": "maritime",  # courtier affrètement maritime
    "N31": "maritime",  # personnel navigant du transport maritime
    "N3103": "transport_logistics",  # navigation fluviale is inland, not maritime
    "N3104": "transport_logistics",
    "N32": "maritime",  # personnel sédentaire du transport maritime, port handling
    "N3202": "transport_logistics",  # transport fluvial
    "N3205": "transport_logistics",  # transport fluvial
}

# Fiches outside the maritime sector whose work is at sea or on the coast: they keep their
# sector and are flagged blue, so blue-economy reports see them too.
BLUE_FICHES_OUTSIDE_MARITIME = frozenset(
    {
        "A1404",  # aquaculteur
        "A1417",  # saliculteur (sea salt)
        "A1428",  # algoculteur
        "A1430",  # ouvrier aquacole
        "G1107",  # hôte d'accueil et d'animation de croisière
        "K1725",  # opérations militaires en milieu maritime
        "K1737",  # combattant en milieu maritime
    }
)

# ROME 4 "transition_eco": only "Emploi Vert" (a job whose purpose is environmental) counts
# as green; "stratégique pour la transition écologique" covers a third of all job titles.
GREEN_TRANSITION_VALUE = "Emploi Vert"

MATCH_BY_SKOS = {
    "skos:exactMatch": "exact",
    "skos:closeMatch": "close",
    "skos:broadMatch": "broad",
    "skos:narrowMatch": "narrow",
}
# Best first. A broader target still contains the occupation, a narrower one may not.
MATCH_RANK = {"exact": 0, "close": 1, "broad": 2, "narrow": 3}
SAFE_MATCHES = frozenset({"exact", "close"})

CP_UNIT = re.compile(r"^\d\.\d\.\d\.\d\.\d$")  # Comunicazioni Obbligatorie need the unit level
ISCO_UNIT = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Appellation:
    code_ogr: str
    label: str
    rome_code: str
    rome_v3_code: str
    green: bool
    principal: bool
    rarely_used: bool


@dataclass(frozen=True)
class FrenchLink:
    uri: str
    appellation: Appellation
    match: str


@dataclass(frozen=True)
class ItalianLink:
    uri: str
    label_it: str
    cp_code: str
    cp_label: str
    match: str


Link = TypeVar("Link", FrenchLink, ItalianLink)


@dataclass(frozen=True)
class Sources:
    french_links: tuple[FrenchLink, ...]
    italian_links: tuple[ItalianLink, ...]
    esco_isco: dict[str, str]
    esco_label_fr: dict[str, str]
    sector_by_rome: dict[str, str | None]
    isco_by_rome3: dict[str, str]


def read_table(path: Path, first_header_cell: str) -> list[dict[str, str]]:
    """Read a CSV whose header is preceded by metadata lines.

    The EURES mapping files open with "Mapping project name,..." lines and blank rows; the
    header is found by its first cell (case-insensitive) rather than by a line count, so a
    republished file with one more metadata line still reads correctly.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        for row in rows:
            if row and row[0].strip().casefold() == first_header_cell.casefold():
                header = [cell.strip() for cell in row]
                return [dict(zip(header, (c.strip() for c in r), strict=False)) for r in rows if r]
    raise ValueError(f"{path.name}: no header row starting with {first_header_cell!r}")


def read_appellations(path: Path) -> dict[str, Appellation]:
    """ROME 4 job titles by OGR code, the identifier the French EURES mapping uses."""
    return {
        row["code_ogr"]: Appellation(
            code_ogr=row["code_ogr"],
            label=row["libelle_appellation_long"],
            rome_code=row["code_rome"],
            rome_v3_code=row["code_rome_parent"],
            green=row["transition_eco"] == GREEN_TRANSITION_VALUE,
            principal=row["classification"] == "PRINCIPALE",
            rarely_used=row["peu_usite"] == "O",
        )
        for row in read_table(path, "code_ogr")
    }


def sector_for_rome(code_rome: str) -> str | None:
    """The sector of a ROME 4 fiche: the rule with the longest matching prefix wins."""
    for length in range(len(code_rome), 0, -1):
        if code_rome[:length] in SECTOR_BY_ROME_PREFIX:
            return SECTOR_BY_ROME_PREFIX[code_rome[:length]]
    raise ValueError(f"ROME code {code_rome!r} matches no sector rule")


def read_isco_by_rome3(path: Path, known_isco: set[str]) -> dict[str, str]:
    """France Travail's one-ISCO-unit-per-fiche table, keyed by ROME v3 fiche.

    The file stores codes as numbers, so armed-forces units lose their leading zero
    ("310" is 0310); they are padded back and checked against the ISCO-08 list.
    """
    table: dict[str, str] = {}
    for row in read_table(path, "code_rome"):
        code = row["code_isco08"].zfill(4)
        if code not in known_isco:
            raise ValueError(f"{path.name}: {row['code_rome']} has unknown ISCO-08 {code!r}")
        table[row["code_rome"]] = code
    return table


def load_sources(source: Path) -> Sources:
    """Read and join-key every official file; fail loudly on anything unexpected."""
    appellations = read_appellations(source / ROME_APPELLATIONS)
    french_links = tuple(
        FrenchLink(
            uri=row["classification 1 ID"],
            appellation=appellations[row["classification 2 ID"]],
            match=MATCH_BY_SKOS[row["mapping relation"]],
        )
        for row in read_table(source / FRENCH_MAPPING, "classification 1 ID")
    )
    italian_links = tuple(
        ItalianLink(
            uri=row["Classification 1 URI"],
            label_it=row["Classification 1 PrefLabel"],
            cp_code=row["Classification 2 ID"],
            cp_label=row["Classification 2 PrefLabel"],
            match=MATCH_BY_SKOS[row["Mapping relation"]],
        )
        for row in read_table(source / ITALIAN_MAPPING, "Classification 1 URI")
    )
    occupations = read_table(source / ESCO_OCCUPATIONS, "conceptType")
    isco_groups = read_table(source / ISCO_GROUPS, "conceptType")
    known_isco = {row["code"] for row in isco_groups if ISCO_UNIT.match(row["code"])}
    fiches = read_table(source / ROME_FICHES, "code_rome")
    return Sources(
        french_links=french_links,
        italian_links=italian_links,
        esco_isco={row["conceptUri"]: row["iscoGroup"] for row in occupations},
        esco_label_fr={row["conceptUri"]: row["preferredLabel"] for row in occupations},
        sector_by_rome={row["code_rome"]: sector_for_rome(row["code_rome"]) for row in fiches},
        isco_by_rome3=read_isco_by_rome3(source / ROME3_ISCO, known_isco),
    )


def best_french_link(links: Iterable[FrenchLink]) -> FrenchLink:
    """The appellation that stands for an ESCO occupation on the French side.

    Best relation first; among equals, the ROME fiche most of those appellations share
    (one ESCO occupation often maps to several titles of the same fiche), then the fiche's
    principal title, a commonly used title, and the lowest OGR code for stability.
    """
    candidates = list(links)
    best = min(MATCH_RANK[link.match] for link in candidates)
    at_best = [link for link in candidates if MATCH_RANK[link.match] == best]
    votes = Counter(link.appellation.rome_code for link in at_best)
    return min(
        at_best,
        key=lambda link: (
            -votes[link.appellation.rome_code],
            link.appellation.rome_code,
            not link.appellation.principal,
            link.appellation.rarely_used,
            int(link.appellation.code_ogr),
        ),
    )


def best_italian_link(links: Iterable[ItalianLink]) -> ItalianLink | None:
    """The CP2011 unit that stands for an ESCO occupation on the Italian side.

    Only five-level units count: the Comunicazioni Obbligatorie want a unit, and the
    mapping's few links to major or minor groups would pass a group off as a job.
    """
    units = [link for link in links if CP_UNIT.match(link.cp_code)]
    if not units:
        return None
    return min(units, key=lambda link: (MATCH_RANK[link.match], link.cp_code))


def group_by_uri(links: Iterable[Link]) -> dict[str, list[Link]]:
    """All links of each ESCO occupation, the unit every choice is made on."""
    grouped: dict[str, list[Link]] = {}
    for link in links:
        grouped.setdefault(link.uri, []).append(link)
    return grouped


def candidate_rows(sources: Sources) -> Iterator[dict[str, str]]:
    """Every ESCO occupation present in both mappings whose ROME fiche has a sector."""
    french = group_by_uri(sources.french_links)
    italian = group_by_uri(sources.italian_links)
    for uri in sorted(french.keys() & italian.keys()):
        fr = best_french_link(french[uri])
        it = best_italian_link(italian[uri])
        sector = sources.sector_by_rome[fr.appellation.rome_code]
        if it is None or sector is None or uri not in sources.esco_isco:
            continue
        yield {
            "esco_uri": uri,
            "isco08": sources.esco_isco[uri],
            "isco08_rome": sources.isco_by_rome3.get(fr.appellation.rome_v3_code, ""),
            "rome_code": fr.appellation.rome_code,
            "rome_v3_code": fr.appellation.rome_v3_code,
            "rome_ogr": fr.appellation.code_ogr,
            "rome_label": fr.appellation.label,
            "rome_match": fr.match,
            "cp_code": it.cp_code,
            "cp_version": CP_VERSION,
            "cp_label": it.cp_label,
            "cp_match": it.match,
            "label_fr": sources.esco_label_fr[uri],
            "label_it": it.label_it,
            "sector": sector,
            "green": format_bool(fr.appellation.green),
            "blue": format_bool(is_blue(fr.appellation.rome_code, sector)),
        }


def is_blue(rome_code: str, sector: str) -> bool:
    """Maritime occupations, and the sea-side ones filed under another sector."""
    return sector == "maritime" or rome_code in BLUE_FICHES_OUTSIDE_MARITIME


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def is_safe(row: dict[str, str]) -> bool:
    """Exact or close on both sides: what a translator may call an exact correspondence."""
    return row["rome_match"] in SAFE_MATCHES and row["cp_match"] in SAFE_MATCHES


def approximation_cost(row: dict[str, str]) -> tuple[int, int, str]:
    """Order approximate candidates: weakest side first, then both sides, then URI."""
    ranks = (MATCH_RANK[row["rome_match"]], MATCH_RANK[row["cp_match"]])
    return (max(ranks), sum(ranks), row["esco_uri"])


def select_rows(candidates: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """Exact/close occupations, topped up with the best approximate ones for thin sectors."""
    pool = list(candidates)
    selected = [row for row in pool if is_safe(row)]
    counts = Counter(row["sector"] for row in selected)
    approximate = sorted((row for row in pool if not is_safe(row)), key=approximation_cost)
    for sector in SECTORS:
        missing = MIN_OCCUPATIONS_PER_SECTOR - counts[sector]
        top_up = [row for row in approximate if row["sector"] == sector][: max(missing, 0)]
        selected.extend(top_up)
    return sorted(selected, key=lambda row: (row["sector"], row["rome_code"], row["esco_uri"]))


def build_crosswalk(source: Path) -> list[dict[str, str]]:
    """The crosswalk rows, sorted, from the official files in ``source``."""
    return select_rows(candidate_rows(load_sources(source)))


def render_csv(rows: Iterable[dict[str, str]]) -> str:
    """CSV text with LF line endings, so the file is identical on every platform."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        help="Directory holding the official taxonomy files (default: %(default)s).",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="Crosswalk file to write or check (default: %(default)s).",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="Write nothing; exit 1 if the output file differs from what would be generated.",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.source.is_dir():
        print(f"no official taxonomy files in {args.source}: pass --source DIR", file=sys.stderr)
        return 2
    rows = build_crosswalk(args.source)
    expected = render_csv(rows).encode("utf-8")
    if args.check:
        actual = args.output.read_bytes() if args.output.exists() else b""
        if actual != expected:
            print(f"{args.output} is stale: run python scripts/build_crosswalk.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_bytes(expected)
    print(f"wrote {len(rows)} occupations to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
