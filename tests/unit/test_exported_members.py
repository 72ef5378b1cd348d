"""``broker.models.__all__`` lists exactly the public names, and every wire type."""

from __future__ import annotations

import pytest

import broker.models
from broker.models import WIRE_MODELS

pytestmark = pytest.mark.unit


def test_all_lists_every_public_member_once() -> None:
    public = {
        name
        for name, value in vars(broker.models).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("broker.")
    }
    public |= {"WIRE_MODELS", "WireModel"}

    assert sorted(broker.models.__all__) == sorted(public)
    assert len(set(broker.models.__all__)) == len(broker.models.__all__)


def test_every_wire_type_is_exported() -> None:
    for model in WIRE_MODELS:
        assert model.__name__ in broker.models.__all__
