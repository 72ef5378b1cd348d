"""Any valid event survives the wire unchanged, for every wire type (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broker.codec import Codec
from broker.models import WIRE_MODELS
from tests.strategies import EVENTS

pytestmark = pytest.mark.unit


def test_there_is_a_strategy_for_every_wire_type() -> None:
    assert set(EVENTS) == {model.__name__ for model in WIRE_MODELS}


@pytest.mark.parametrize("type_name", sorted(EVENTS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_event_round_trips_through_bytes(type_name: str, data: st.DataObject) -> None:
    codec = Codec.default()
    event = data.draw(EVENTS[type_name])

    raw = codec.encode(event)

    assert codec.type_of(raw) == type_name
    assert codec.decode(raw) == event
