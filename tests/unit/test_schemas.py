"""The .avsc files: generated from the models, documented, self-contained, regions as data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import avro.schema
import pytest
from fastavro import parse_schema

from broker.avro_schema import avro_schema, render, schema_file_name
from broker.codec import DEFAULT_SCHEMA_DIR
from broker.models import WIRE_MODELS, JobOffer
from broker.regions import region_keys
from scripts.generate_schemas import main as generate_schemas

pytestmark = pytest.mark.unit

SCHEMA_FILES = sorted(DEFAULT_SCHEMA_DIR.glob("*.avsc"))


def load(path: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return schema


def named_types(schema: Any) -> list[dict[str, Any]]:
    """Every record and enum defined in a schema, depth first."""
    found: list[dict[str, Any]] = []
    if isinstance(schema, list):
        for branch in schema:
            found += named_types(branch)
    elif isinstance(schema, dict):
        if schema.get("type") in ("record", "enum"):
            found.append(schema)
        for entry in schema.get("fields", []):
            found += named_types(entry["type"])
        if schema.get("type") == "array":
            found += named_types(schema["items"])
    return found


@pytest.mark.parametrize("model", WIRE_MODELS, ids=lambda m: m.__name__)
def test_the_current_schema_file_is_generated_from_its_model(model: type[Any]) -> None:
    path = DEFAULT_SCHEMA_DIR / schema_file_name(model)

    assert path.read_text("utf-8") == render(avro_schema(model))


def test_the_generator_check_passes_on_the_shipped_files() -> None:
    assert generate_schemas(["--check"]) == 0


def test_the_generator_check_fails_on_drift(tmp_path: Path) -> None:
    for path in SCHEMA_FILES:
        shutil.copy(path, tmp_path)
    drifted = load(tmp_path / "JobOffer.v2.avsc")
    drifted["fields"][6]["doc"] = "changed by hand"
    (tmp_path / "JobOffer.v2.avsc").write_text(render(drifted), "utf-8")

    assert generate_schemas(["--check", "--schema-dir", str(tmp_path)]) == 1


def test_the_generator_refuses_to_change_the_shape_of_a_published_version(tmp_path: Path) -> None:
    for path in SCHEMA_FILES:
        shutil.copy(path, tmp_path)
    published = load(tmp_path / "JobOffer.v2.avsc")
    published["fields"] = published["fields"][:-1]
    (tmp_path / "JobOffer.v2.avsc").write_text(render(published), "utf-8")

    assert generate_schemas(["--schema-dir", str(tmp_path)]) == 1
    assert load(tmp_path / "JobOffer.v2.avsc") == published


def test_job_offer_v1_is_frozen_and_v2_adds_only_an_optional_telework() -> None:
    v1 = load(DEFAULT_SCHEMA_DIR / "JobOffer.v1.avsc")
    v2 = load(DEFAULT_SCHEMA_DIR / "JobOffer.v2.avsc")

    added = [entry for entry in v2["fields"] if entry not in v1["fields"]]

    assert JobOffer.schema_version == 2
    assert [entry["name"] for entry in added] == ["telework"]
    assert added[0]["default"] is None
    assert added[0]["type"][0] == "null"


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_each_schema_file_stands_alone_in_both_python_implementations(path: Path) -> None:
    text = path.read_text("utf-8")

    parse_schema(json.loads(text), named_schemas={})
    avro.schema.parse(text)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_record_enum_and_field_has_a_doc(path: Path) -> None:
    schema = load(path)

    assert schema["namespace"] == "eu.mare"
    for named in named_types(schema):
        assert named["doc"].strip(), named["name"]
        for entry in named.get("fields", []):
            assert entry["doc"].strip(), f"{named['name']}.{entry['name']}"


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_regions_are_strings_whose_doc_lists_the_registry(path: Path) -> None:
    schema = load(path)

    source_region = next(e for e in schema["fields"] if e["name"] in ("source_region",))
    assert source_region["type"] in ("string", ["null", "string"])
    assert ", ".join(region_keys()) in source_region["doc"]


def test_wire_types_use_avro_logical_types() -> None:
    fields = {e["name"]: e["type"] for e in load(DEFAULT_SCHEMA_DIR / "JobOffer.v2.avsc")["fields"]}

    assert fields["event_id"] == {"type": "string", "logicalType": "uuid"}
    assert fields["occurred_at"] == {"type": "long", "logicalType": "timestamp-millis"}
    assert fields["valid_until"] == {"type": "int", "logicalType": "date"}


def test_enums_with_a_catch_all_default_to_it_for_forward_compatibility() -> None:
    schema = load(DEFAULT_SCHEMA_DIR / "MobilityRequest.v1.avsc")

    aid = next(t for t in named_types(schema) if t["name"] == "AidType")

    assert aid["default"] == "OTHER"


def test_money_is_a_long_in_cents() -> None:
    schema = load(DEFAULT_SCHEMA_DIR / "MobilityRequest.v1.avsc")

    aid = next(t for t in named_types(schema) if t["name"] == "MobilityAid")

    assert aid["fields"][1]["type"] == ["null", "long"]
