"""Write the shared test vectors: one example per schema file, in two encodings.

For every ``schemas/avro/<Type>.v<N>.avsc`` this writes ``schemas/vectors/<Type>.v<N>.json``
(the example in Avro's JSON encoding, unions wrapped as ``{"string": "x"}``, as Avro's
``JsonDecoder`` reads it) and ``schemas/vectors/<Type>.v<N>.bin`` (the exact Single Object
Encoding bytes), plus ``fingerprints.json`` (each schema's CRC-64-AVRO fingerprint in hex).
Partners test their implementation against these files; ``scripts/java_interop.sh`` checks
them with Apache Avro for Java. ``--check`` exits non-zero when a file is missing or stale.

    .venv/bin/python scripts/make_vectors.py          # write
    .venv/bin/python scripts/make_vectors.py --check  # verify
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the factories live in tests/, beside broker/

from fastavro import json_writer, schemaless_writer  # noqa: E402

from broker.codec import Codec, SchemaVersion  # noqa: E402
from broker.models import (  # noqa: E402
    MobilityRequestDelivery,
    OfferDelivery,
    ReferralDelivery,
    TranslatedField,
    WireModel,
)
from tests import factories as f  # noqa: E402

VECTOR_DIR = ROOT / "schemas" / "vectors"


def _id(n: int) -> UUID:
    return UUID(f"00000000-0000-4000-8000-{n:012d}")


def examples() -> dict[str, WireModel]:
    """One deterministic, realistic event of every wire type, by type name."""
    offer = f.an_offer(
        event_id=_id(1),
        offer_id="paca-offer-000001",
        telework="HYBRID",
        target_regions=["liguria", "corse"],
    )
    referral = f.a_referral(
        event_id=_id(2),
        referral_id="liguria-ref-000001",
        candidate_pseudonym="cand_0123456789abcdef",
        offer_id="paca-offer-000001",
        target_offer_region="paca",
        mobility={
            "driving_licence": True,
            "max_commute_km": None,
            "relocation_willing": True,
            "notes": "Disponibile da marzo; preferisce la costa.",
        },
    )
    request = f.a_mobility_request(
        event_id=_id(3),
        request_id="sardegna-mob-000001",
        candidate_pseudonym="cand_fedcba9876543210",
        referral_id="sardegna-ref-000001",
        offer_id="corse-offer-000007",
        notes="Trasloco a Ajaccio per un contratto stagionale.",
    )
    later = f.NOW + timedelta(seconds=1)
    localization = [TranslatedField.model_validate(f.a_translated_field())]
    return {
        "JobOffer": offer,
        "CandidateReferral": referral,
        "MobilityRequest": request,
        "Acknowledgement": f.an_ack(
            event_id=_id(4),
            acknowledged_event_id=offer.event_id,
            subject_id=offer.offer_id,
            status="DEADLINE_EXTENDED",
            deadline=f.NOW + timedelta(days=10),
            deadline_kind="SOLUTION_10D",
            extended_until=f.NOW + timedelta(days=20),
            reason="Offre difficile à pourvoir : employeur informé au premier contact.",
        ),
        "SlaBreached": f.an_sla_breach(event_id=_id(5), correlation_id=offer.event_id),
        "MatchProposal": f.a_match_proposal(event_id=_id(6), correlation_id=referral.event_id),
        "SponsorshipEvent": f.a_sponsorship_event(event_id=_id(7)),
        "OfferDelivery": OfferDelivery.for_destination(
            offer, destination_region="liguria", localization=localization, occurred_at=later
        ),
        "ReferralDelivery": ReferralDelivery.for_destination(
            referral, destination_region="paca", localization=[], occurred_at=later
        ),
        "MobilityRequestDelivery": MobilityRequestDelivery.for_destination(
            request, destination_region="corse", localization=[], occurred_at=later
        ),
        "DeadLetter": f.a_dead_letter(),
    }


def _project(record: dict[str, Any], version: SchemaVersion) -> dict[str, Any]:
    """The record restricted to the fields of an older top-level schema version."""
    names = {entry["name"] for entry in version.schema["fields"]}
    return {key: value for key, value in record.items() if key in names}


def vectors(codec: Codec) -> dict[str, bytes]:
    """File name → expected content, for every schema version."""
    by_type = examples()
    files: dict[str, bytes] = {}
    fingerprints: dict[str, str] = {}
    for stem, version in sorted(codec.versions.items()):
        record = _project(by_type[version.type_name].model_dump(), version)
        body = io.BytesIO()
        body.write(version.header)
        schemaless_writer(body, version.parsed, record)
        text = io.StringIO()
        json_writer(text, version.parsed, [record])
        pretty = json.dumps(json.loads(text.getvalue()), indent=2, ensure_ascii=False) + "\n"
        files[f"{stem}.json"] = pretty.encode("utf-8")
        files[f"{stem}.bin"] = body.getvalue()
        fingerprints[stem] = version.fingerprint_hex
    files["fingerprints.json"] = (json.dumps(fingerprints, indent=2) + "\n").encode("utf-8")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only; exit 1 if stale")
    parser.add_argument("--out", type=Path, default=VECTOR_DIR)
    args = parser.parse_args(argv)
    out: Path = args.out
    expected = vectors(Codec.default())
    stale = [
        name
        for name, content in expected.items()
        if not (out / name).exists() or (out / name).read_bytes() != content
    ]
    vector_files = [*out.glob("*.json"), *out.glob("*.bin")] if out.exists() else []
    extra = sorted(p.name for p in vector_files if p.name not in expected)
    if args.check:
        for name in stale:
            print(f"error: {out / name} is missing or stale", file=sys.stderr)
        for name in extra:
            print(f"error: {out / name} matches no schema", file=sys.stderr)
        if stale or extra:
            print("run: .venv/bin/python scripts/make_vectors.py", file=sys.stderr)
        return 1 if stale or extra else 0
    out.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (out / name).write_bytes(expected[name])
        print(f"wrote {out / name}")
    for name in extra:
        (out / name).unlink()
        print(f"removed {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
