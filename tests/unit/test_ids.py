"""Derived ids: the network's uuid5 is the standard one, bit for bit."""

from __future__ import annotations

import pickle
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker import ids

pytestmark = pytest.mark.unit


@given(namespace=st.uuids(), name=st.text())
def test_uuid5_equals_the_standard_librarys(namespace: uuid.UUID, name: str) -> None:
    derived = ids.uuid5(namespace, name)
    standard = uuid.uuid5(namespace, name)

    assert derived == standard
    assert str(derived) == str(standard)
    assert hash(derived) == hash(standard)
    assert (derived.version, derived.variant) == (5, uuid.RFC_4122)
    assert pickle.loads(pickle.dumps(derived)) == standard


def test_derived_ids_are_stable_across_replays() -> None:
    event_id = uuid.UUID("0b5f7c1e-8d2a-4c3b-9e4f-1a2b3c4d5e6f")

    assert ids.delivery_id(event_id, "toscana") == uuid.uuid5(event_id, "toscana")
    assert ids.acknowledgement_id(event_id, "DELIVERED", "liguria") == uuid.uuid5(
        event_id, "ack:DELIVERED:liguria"
    )
    assert ids.delivery_id(event_id, "toscana") != ids.delivery_id(event_id, "sardegna")
