"""The schema-evolution gate: every version stays FULL compatible with the previous one.

FULL = the new version reads data written with the old one (backward) and the old version
reads data written with the new one (forward), checked both ways with the ``avro`` package's
ReaderWriterCompatibilityChecker (ARCHITECTURE, guarantee 5).
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import avro.schema
import pytest
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

from broker.codec import DEFAULT_SCHEMA_DIR, load_schema

pytestmark = pytest.mark.unit


def split_stem(path: Path) -> tuple[str, int]:
    """``JobOffer.v2.avsc`` → ``("JobOffer", 2)``."""
    type_name, version = path.name.removesuffix(".avsc").split(".v")
    return type_name, int(version)


def versions_by_type(schema_dir: Path = DEFAULT_SCHEMA_DIR) -> dict[str, list[Path]]:
    by_type: dict[str, list[Path]] = defaultdict(list)
    for path in schema_dir.glob("*.avsc"):
        by_type[split_stem(path)[0]].append(path)
    return {name: sorted(paths, key=lambda p: split_stem(p)[1]) for name, paths in by_type.items()}


def fully_compatible(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Problems that break FULL compatibility between two versions (empty: compatible)."""
    old_schema = avro.schema.parse(json.dumps(old))
    new_schema = avro.schema.parse(json.dumps(new))
    checker = ReaderWriterCompatibilityChecker()  # type: ignore[no-untyped-call]
    problems = []
    for direction, reader, writer in (
        ("backward (new reads old)", new_schema, old_schema),
        ("forward (old reads new)", old_schema, new_schema),
    ):
        result = checker.get_compatibility(reader, writer)
        if result.compatibility is not SchemaCompatibilityType.compatible:
            problems.append(f"{direction}: {sorted(result.messages)} at {sorted(result.locations)}")
    return problems


PAIRS = [
    (paths[i - 1], paths[i]) for paths in versions_by_type().values() for i in range(1, len(paths))
]


def test_there_is_at_least_one_evolved_type_to_check() -> None:
    assert ("JobOffer.v1.avsc", "JobOffer.v2.avsc") in [(a.name, b.name) for a, b in PAIRS]


@pytest.mark.parametrize(("old", "new"), PAIRS, ids=lambda p: p.name)
def test_each_version_is_fully_compatible_with_the_previous_one(old: Path, new: Path) -> None:
    assert fully_compatible(json.loads(old.read_text()), json.loads(new.read_text())) == []


def test_versions_are_numbered_without_gaps() -> None:
    for type_name, paths in versions_by_type().items():
        numbers = [split_stem(p)[1] for p in paths]
        assert numbers == list(range(1, len(numbers) + 1)), type_name


def test_every_schema_version_has_its_own_fingerprint() -> None:
    fingerprints = [load_schema(path).fingerprint for path in DEFAULT_SCHEMA_DIR.glob("*.avsc")]

    assert len(set(fingerprints)) == len(fingerprints)


def current_offer() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((DEFAULT_SCHEMA_DIR / "JobOffer.v2.avsc").read_text())
    return schema


def field(schema: dict[str, Any], name: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(e for e in schema["fields"] if e["name"] == name)
    return entry


def test_the_gate_fails_when_a_field_is_added_without_a_default() -> None:
    new = copy.deepcopy(current_offer())
    new["fields"].append({"name": "benefits", "type": "string", "doc": "no default"})

    assert any(p.startswith("backward") for p in fully_compatible(current_offer(), new))


def test_the_gate_fails_when_a_required_field_is_removed() -> None:
    new = copy.deepcopy(current_offer())
    new["fields"] = [e for e in new["fields"] if e["name"] != "job_title"]

    assert any(p.startswith("forward") for p in fully_compatible(current_offer(), new))


def test_the_gate_fails_when_a_field_changes_type() -> None:
    new = copy.deepcopy(current_offer())
    field(new, "positions")["type"] = "string"

    assert len(fully_compatible(current_offer(), new)) == 2


def test_the_gate_fails_when_an_enum_without_default_loses_a_symbol() -> None:
    new = copy.deepcopy(current_offer())
    field(new, "status")["type"]["symbols"].remove("WITHDRAWN")

    assert any(p.startswith("backward") for p in fully_compatible(current_offer(), new))


def test_the_gate_passes_a_new_optional_field_with_a_default() -> None:
    new = copy.deepcopy(current_offer())
    new["fields"].append(
        {"name": "benefits", "type": ["null", "string"], "default": None, "doc": "optional"}
    )

    assert fully_compatible(current_offer(), new) == []
