"""The partner docs agree with the code: AsyncAPI file, topic table, error codes, example."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from broker.codec import Codec
from broker.errors import RejectedEvent, errors_by_code
from broker.regions import region_keys
from broker.topology import Topology
from scripts.generate_asyncapi import OUTPUT, build_document, main, render, to_yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PARTNERS = ROOT / "docs" / "partners.md"


def shipped() -> str:
    return OUTPUT.read_text("utf-8")


def test_the_shipped_asyncapi_file_is_a_fresh_generation() -> None:
    assert shipped() == render()
    assert main(["--check"]) == 0


def test_the_asyncapi_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "asyncapi.yaml"
    edited = shipped().replace("partitions: 3", "partitions: 7", 1)
    assert edited != shipped()
    stale.write_text(edited, "utf-8")

    assert main(["--check", "--out", str(stale)]) == 1
    assert main(["--check", "--out", str(tmp_path / "missing.yaml")]) == 1


def test_every_topic_of_the_topology_has_a_channel() -> None:
    text = shipped()
    addresses = {c["address"] for c in build_document()["channels"].values()}

    for spec in Topology().all_topics():
        assert spec.name in addresses
        assert f"    address: {spec.name}\n" in text
        assert f"        topic: {spec.name}\n" in text


def test_every_current_schema_file_is_referenced() -> None:
    text = shipped()

    for version in Codec.default().current.values():
        ref = f"../schemas/avro/{version.stem}.avsc"
        assert f"$ref: {ref}\n" in text, version.stem
        assert (OUTPUT.parent / ref).is_file()


def test_every_local_reference_of_the_asyncapi_document_resolves() -> None:
    document = build_document()

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return found + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for item in node for r in refs(item)]
        return []

    local = [ref for ref in refs(document) if ref.startswith("#/")]
    assert local
    for ref in local:
        target: Any = document
        for part in ref[2:].split("/"):
            assert part in target, ref
            target = target[part]


def test_yaml_quotes_what_yaml_would_read_as_another_type() -> None:
    text = to_yaml({"a": "yes", "b": "1.0", "c": "x: y", "d": 6, "e": [], "f": None})

    assert text == 'a: "yes"\nb: "1.0"\nc: "x: y"\nd: 6\ne: []\nf: null\n'


def test_every_rejection_code_is_explained_in_the_partner_guide() -> None:
    guide = PARTNERS.read_text("utf-8")
    codes = [code for code, cls in errors_by_code().items() if issubclass(cls, RejectedEvent)]

    missing = [code for code in codes if f"| `{code}` |" not in guide]

    assert missing == []


def test_the_partner_guide_topic_table_matches_the_topology() -> None:
    rows = [line for line in PARTNERS.read_text("utf-8").splitlines() if line.startswith("| `")]
    regional = re.compile(r"^mare\.(" + "|".join(region_keys()) + r")\.")

    for spec in Topology().all_topics():
        if spec.internal or spec.name.startswith("mare.operator."):
            continue
        name = regional.sub("mare.<region>.", spec.name)
        row = next((r for r in rows if r.startswith(f"| `{name}` |")), None)
        assert row is not None, name
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert spec.retention is not None
        assert cells[2:5] == [f"`{spec.key}`", str(spec.partitions), f"{spec.retention.days} days"]


def test_the_partner_guide_python_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    guide = PARTNERS.read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", guide, flags=re.DOTALL)
    assert blocks
    monkeypatch.chdir(ROOT)

    for block in blocks:
        exec(compile(block, str(PARTNERS), "exec"), {})
