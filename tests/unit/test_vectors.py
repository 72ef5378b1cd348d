"""The shared test vectors (schemas/vectors) are current and agree with the codec."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fastavro import json_reader

from broker.codec import DEFAULT_SCHEMA_DIR, Codec
from scripts.make_vectors import VECTOR_DIR, examples
from scripts.make_vectors import main as make_vectors

pytestmark = pytest.mark.unit

STEMS = sorted(p.name.removesuffix(".avsc") for p in DEFAULT_SCHEMA_DIR.glob("*.avsc"))
CURRENT = sorted(version.stem for version in Codec.default().current.values())


def test_the_vectors_are_up_to_date() -> None:
    assert make_vectors(["--check"]) == 0


def test_the_vector_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    for path in VECTOR_DIR.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "JobOffer.v2.bin").write_bytes(b"\xc3\x01stale")

    assert make_vectors(["--check", "--out", str(tmp_path)]) == 1


@pytest.mark.parametrize("stem", STEMS)
def test_the_binary_vector_decodes_to_the_json_vector(stem: str) -> None:
    codec = Codec.default()
    version = codec.versions[stem]
    text = (VECTOR_DIR / f"{stem}.json").read_text("utf-8")

    one_line = json.dumps(json.loads(text))  # fastavro reads one record per line
    (from_json,) = list(json_reader(io.StringIO(one_line), version.schema))
    assert isinstance(from_json, dict)
    raw = (VECTOR_DIR / f"{stem}.bin").read_bytes()

    assert raw[:10] == version.header
    type_name, record = codec.decode_record(raw)
    assert type_name == version.type_name
    assert {key: record[key] for key in from_json} == from_json


@pytest.mark.parametrize("stem", CURRENT)
def test_a_current_binary_vector_is_the_codecs_encoding_of_the_example(stem: str) -> None:
    codec = Codec.default()
    event = examples()[codec.versions[stem].type_name]

    assert codec.encode(event) == (VECTOR_DIR / f"{stem}.bin").read_bytes()
    assert codec.decode((VECTOR_DIR / f"{stem}.bin").read_bytes()) == event
