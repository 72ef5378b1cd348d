"""Ids derived from what they identify, so a replay produces the same ids and dedupes.

A delivery of an event to a region, or the dead letter of a Kafka record, is the same fact on
every replay: its id is a ``uuid5`` of what defines it, never a random ``uuid4``.
"""

from __future__ import annotations

from hashlib import sha1
from uuid import UUID, SafeUUID

_VERSION_5 = 5 << 76
_RFC_4122_VARIANT = 0x8000 << 48
_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))


def uuid5(namespace: UUID, name: str) -> UUID:
    """``uuid.uuid5(namespace, name)``, equal to it, built at half the cost.

    The network derives several ids for every event it accepts; ``UUID.__init__`` re-checks
    arguments the SHA-1 digest cannot get wrong, so the UUID is set from its integer.
    """
    digest = sha1(namespace.bytes + name.encode()).digest()
    value = int.from_bytes(digest[:16]) & _CLEAR | _VERSION_5 | _RFC_4122_VARIANT
    derived = object.__new__(UUID)
    object.__setattr__(derived, "int", value)
    object.__setattr__(derived, "is_safe", SafeUUID.unknown)
    return derived


DEAD_LETTER_NAMESPACE = UUID("6f1b0e2c-4c1e-5a8e-9d7b-3a2f6c0d9e41")
"""Namespace of dead-letter ids (a fixed, arbitrary UUID: changing it changes every id)."""


def delivery_id(original_event_id: UUID, destination_region: str) -> UUID:
    """Id of the delivery of an event to a region: ``uuid5(original event id, destination)``."""
    return uuid5(original_event_id, destination_region)


def dead_letter_id(topic: str, partition: int, offset: int) -> UUID:
    """Id of the dead letter of a Kafka record, from its coordinates ``topic/partition/offset``."""
    return uuid5(DEAD_LETTER_NAMESPACE, f"{topic}/{partition}/{offset}")


def acknowledgement_id(acknowledged_event_id: UUID, status: str, region: str) -> UUID:
    """Id of the network's acknowledgement of an event: one per (event, status, region)."""
    return uuid5(acknowledged_event_id, f"ack:{status}:{region}")


def rejection_id(acknowledged_event_id: UUID, topic: str, partition: int, offset: int) -> UUID:
    """Id of a REJECTED acknowledgement: one per refused record, so a resubmission refused
    again gets its own answer, and a replay of the same record the same one."""
    return uuid5(acknowledged_event_id, f"ack:REJECTED:{topic}/{partition}/{offset}")


def breach_id(original_event_id: UUID, destination_region: str, deadline_kind: str) -> UUID:
    """Id of an SLA breach: one per (offer, destination, deadline), however often replayed."""
    return uuid5(original_event_id, f"breach:{destination_region}:{deadline_kind}")
