"""The network places keys on the partitions Kafka's default partitioner gives them."""

from __future__ import annotations

import pytest
from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from hypothesis import given
from hypothesis import strategies as st

from broker.partitioning import murmur2

pytestmark = pytest.mark.unit


@given(st.binary(max_size=200))
def test_murmur2_equals_the_kafka_clients_hash_for_any_key(key: bytes) -> None:
    assert murmur2(key) == aiokafka_murmur2(key)


@pytest.mark.parametrize(
    ("key", "partition"),
    # Utils.toPositive(Utils.murmur2(key)) % 1000, printed by Java 17 with kafka-clients 4.4.0.
    [
        (b"", 681),
        (b"a", 524),
        (b"ab", 434),
        (b"abc", 107),
        (b"123456789", 566),
        (b"\x00 ", 742),
        (b"seen:6f1b0e2c-4c1e-5a8e-9d7b-3a2f6c0d9e41", 789),
    ],
)
def test_keys_land_where_a_java_producer_puts_them(key: bytes, partition: int) -> None:
    assert (murmur2(key) & 0x7FFFFFFF) % 1000 == partition
