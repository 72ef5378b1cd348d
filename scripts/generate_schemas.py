"""Generate schemas/avro/<Type>.v<N>.avsc for the current version of every wire model.

The pydantic models (broker/models) are the source of the wire contract; this script writes
the current version of each type from them, and ``--check`` (CI, tests) exits non-zero when a
file drifted from its model. Older versions are frozen files this script never touches.

A published version must never change shape: when a model changes its Avro form (its
fingerprint), bump its ``schema_version``; the script refuses to overwrite a published file
with a different fingerprint. Documentation-only changes (docs are not in the fingerprint),
such as a new region key listed in a doc, are rewritten in place.

    .venv/bin/python scripts/generate_schemas.py          # write
    .venv/bin/python scripts/generate_schemas.py --check  # verify, exit 1 on drift
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from broker.avro_schema import avro_schema, render, schema_file_name
from broker.codec import DEFAULT_SCHEMA_DIR
from broker.fingerprints import fingerprint
from broker.models import WIRE_MODELS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only; exit 1 on drift")
    parser.add_argument("--schema-dir", type=Path, default=DEFAULT_SCHEMA_DIR)
    args = parser.parse_args(argv)
    schema_dir: Path = args.schema_dir
    problems: list[str] = []
    written: list[str] = []
    for model in WIRE_MODELS:
        schema = avro_schema(model)
        text = render(schema)
        path = schema_dir / schema_file_name(model)
        newer = [
            p.name
            for p in schema_dir.glob(f"{model.__name__}.v*.avsc")
            if int(p.name.split(".v")[1].removesuffix(".avsc")) > model.schema_version
        ]
        if newer:
            problems.append(f"{model.__name__} is v{model.schema_version} but {newer} exist")
            continue
        existing = path.read_text("utf-8") if path.exists() else None
        if existing == text:
            continue
        if args.check:
            state = "is missing" if existing is None else "differs from its model"
            problems.append(f"{path.name} {state}")
            continue
        if existing is not None and fingerprint(json.loads(existing)) != fingerprint(schema):
            problems.append(
                f"{path.name} is published and {model.__name__} changed its Avro shape: "
                f"bump {model.__name__}.schema_version instead of rewriting it"
            )
            continue
        path.write_text(text, "utf-8")
        written.append(path.name)
    for name in written:
        print(f"wrote {schema_dir / name}")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems and args.check:
        print("run: .venv/bin/python scripts/generate_schemas.py", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
