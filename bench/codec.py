"""Codec throughput beside plain fastavro, on realistic job offers, in the same run.

    .venv/bin/python bench/codec.py --records 5000 --rounds 7

Measures records/s for
- decode + validate: ``Codec.decode`` (framing, Avro, pydantic model with every rule) against
  plain ``fastavro.schemaless_reader`` to a dict on the same bodies, first with the employer-id
  check cache emptied before the round (every offer from a new employer: the worst case), then
  warm (employers seen before, as in a real stream where an employer posts many offers);
- the fast path ``Codec.decode_record`` (framing and Avro, no model), for reference;
- encode: ``Codec.encode`` (model to SOE bytes) against plain ``fastavro.schemaless_writer`` of
  the same records as dicts.
Rounds are interleaved (each round runs all four loops) so machine noise hits both sides
alike; the figure is the median over rounds. The target is a ratio >= 0.5 of plain fastavro.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.factories

from fastavro import schemaless_reader, schemaless_writer
from stdnum import luhn

from broker.codec import Codec
from broker.models import JobOffer, Sector
from broker.models.offer import _employer_id_error
from tests import factories as f

WORDS_FR = [
    "cuisine",
    "équipe",
    "service",
    "saison",
    "clients",
    "qualité",
    "hygiène",
    "préparation",
    "produits",
    "frais",
    "restaurant",
    "accueil",
    "polyvalence",
    "rigueur",
    "horaires",
    "coupure",
    "logement",
    "possible",
    "port",
    "Marseille",
]
WORDS_IT = [
    "cucina",
    "squadra",
    "servizio",
    "stagione",
    "clienti",
    "qualità",
    "igiene",
    "preparazione",
    "prodotti",
    "freschi",
    "ristorante",
    "accoglienza",
    "flessibilità",
    "turni",
    "alloggio",
    "disponibile",
    "porto",
    "Genova",
    "Cagliari",
]


def employer_id(rng: random.Random, country: str) -> str:
    """A random valid SIRET or Partita IVA, so no two offers share an employer id."""
    if country == "FR":
        siren = f"{rng.randrange(10**7, 10**8)}"
        siren += luhn.calc_check_digit(siren)
        siret = f"{siren}{rng.randrange(1, 10_000):04d}"
        return siret + luhn.calc_check_digit(siret)
    partita = f"{rng.randrange(10**6, 10**7)}{rng.randrange(1, 101):03d}"
    return partita + luhn.calc_check_digit(partita)


def realistic_offers(count: int, seed: int = 7) -> list[JobOffer]:
    """Varied offers of about 1 to 2 KB on the wire, from every region."""
    rng = random.Random(seed)
    regions = ["paca", "corse", "toscana", "sardegna", "liguria"]
    offers = []
    for i in range(count):
        region = regions[i % len(regions)]
        country = "FR" if region in ("paca", "corse") else "IT"
        words = WORDS_FR if region in ("paca", "corse") else WORDS_IT
        description = " ".join(rng.choice(words) for _ in range(rng.randint(70, 160)))
        skills = [" ".join(rng.choices(words, k=3)) for _ in range(rng.randint(2, 8))]
        fixed_term = rng.random() < 0.6
        code = {"FR": ("CDI", "CDD"), "IT": ("A.01.00", "A.02.00")}[country][fixed_term]
        offers.append(
            f.an_offer(
                source_region=region,
                offer_id=f"{region}-offer-{i:08d}",
                employer_id=employer_id(rng, country),
                description=description,
                skills=skills,
                sector=rng.choice(list(Sector)),
                min_experience_months=rng.randint(0, 60),
                contract=f.a_contract(
                    country,
                    code=code,
                    duration_months=rng.randint(1, 18) if fixed_term else None,
                    seasonal=fixed_term and rng.random() < 0.5,
                ),
                required_languages=[
                    {"language": lang, "level": rng.choice(["A2", "B1", "B2", "C1"])}
                    for lang in rng.sample(["fr", "it", "en", "de"], rng.randint(1, 3))
                ],
                salary=None
                if rng.random() < 0.3
                else {
                    "min_cents": 170_000 + rng.randint(0, 100_000),
                    "max_cents": 280_000 + rng.randint(0, 100_000),
                    "period": "MONTH",
                },
                target_regions=rng.sample(regions, rng.randint(0, 3)),
                valid_until=f.NOW.date() + timedelta(days=rng.randint(10, 120)),
                telework=rng.choice([None, "ON_SITE", "HYBRID"]),
            )
        )
    return offers


def rate(loop: Callable[[], None], count: int) -> float:
    start = time.perf_counter()
    loop()
    return count / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Codec vs plain fastavro throughput.")
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)

    codec = Codec.default()
    parsed = codec.schema_of("JobOffer").parsed
    offers = realistic_offers(args.records)
    encoded = [codec.encode(offer) for offer in offers]
    bodies = [raw[10:] for raw in encoded]
    dicts: list[dict[str, Any]] = [offer.model_dump() for offer in offers]
    sizes = [len(raw) for raw in encoded]
    assert all(codec.decode(raw) == offer for raw, offer in zip(encoded, offers, strict=True))

    def codec_decode_cold() -> None:
        _employer_id_error.cache_clear()  # every offer from an employer never seen before
        for raw in encoded:
            codec.decode(raw)

    def codec_decode_warm() -> None:
        for raw in encoded:
            codec.decode(raw)

    def codec_decode_record() -> None:
        for raw in encoded:
            codec.decode_record(raw)

    def plain_decode() -> None:
        for body in bodies:
            schemaless_reader(io.BytesIO(body), parsed, None)

    def codec_encode() -> None:
        for offer in offers:
            codec.encode(offer)

    def plain_encode() -> None:
        for record in dicts:
            schemaless_writer(io.BytesIO(), parsed, record)

    loops = {
        "decode+validate codec": codec_decode_cold,
        "  same, employers known": codec_decode_warm,
        "decode_record (no model)": codec_decode_record,
        "decode plain fastavro": plain_decode,
        "encode codec": codec_encode,
        "encode plain fastavro": plain_encode,
    }
    results: dict[str, list[float]] = {name: [] for name in loops}
    for _ in range(args.rounds):
        for name, loop in loops.items():
            results[name].append(rate(loop, len(offers)))
    median = {name: statistics.median(values) for name, values in results.items()}

    print(
        f"{len(offers)} JobOffers, {statistics.mean(sizes):.0f} bytes on average "
        f"({min(sizes)}-{max(sizes)}), median of {args.rounds} interleaved rounds"
    )
    for name, value in median.items():
        print(f"  {name:24} {value:>10,.0f} records/s")
    decode_ratio = median["decode+validate codec"] / median["decode plain fastavro"]
    encode_ratio = median["encode codec"] / median["encode plain fastavro"]
    warm_ratio = median["  same, employers known"] / median["decode plain fastavro"]
    print(f"  ratio decode+validate     {decode_ratio:.2f} of plain fastavro (target >= 0.5)")
    print(f"    same, employers known   {warm_ratio:.2f} of plain fastavro")
    print(f"  ratio encode              {encode_ratio:.2f} of plain fastavro (target >= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
