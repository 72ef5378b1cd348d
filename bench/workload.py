"""A realistic mix of partner events for the benchmarks, encoded as partners send them."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from broker.cloudevents import headers_for
from broker.codec import Codec
from broker.models import Event
from broker.regions import region_keys
from broker.topology import Kind, Topology
from tests import factories as f

# Share of each kind, and of offers open to every partner region (the rest name one or two).
MIX = {"offer": 0.6, "referral": 0.25, "mobility": 0.15}
OFFERS_TO_ALL = 0.5


@dataclass(frozen=True)
class Item:
    region: str
    kind: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]
    fan_out: int

    def inbound_topic(self, topology: Topology) -> str:
        return topology.inbound(self.region, Kind(self.kind)).name


@dataclass(frozen=True)
class Workload:
    items: list[Item]
    regions: tuple[str, ...]

    def describe(self) -> str:
        kinds = Counter(item.kind for item in self.items)
        fan_out = sum(item.fan_out for item in self.items) / len(self.items)
        size = sum(len(item.value) for item in self.items) / len(self.items)
        parts = ", ".join(f"{kinds[k]:,} {k}" for k in MIX)
        return (
            f"{len(self.items):,} events ({parts}); {size:.0f} bytes on average; "
            f"{fan_out:.2f} destinations per event"
        )


def build_workload(count: int, seed: int = 7) -> Workload:
    """``count`` valid events from the five regions, each with its own event id.

    Events happen now, so SLA clocks start now: a workload dated in the past would breach
    every deadline at once and measure the breach path instead of the delivery path.
    """
    rng = random.Random(seed)
    now = datetime.now(UTC)
    fresh = {"occurred_at": now}
    codec = Codec.default()
    regions = tuple(region_keys())
    items = []
    for i in range(count):
        source = regions[i % len(regions)]
        others = [r for r in regions if r != source]
        roll = rng.random()
        if roll < MIX["offer"]:
            targets = [] if rng.random() < OFFERS_TO_ALL else rng.sample(others, rng.randint(1, 2))
            offer = f.an_offer(
                source_region=source,
                target_regions=targets,
                **fresh,
                valid_until=(now + timedelta(days=60)).date(),
            )
            event: Event = offer
            kind, key, fan_out = "offer", offer.offer_id, len(targets) or len(others)
        elif roll < MIX["offer"] + MIX["referral"]:
            targets = rng.sample(others, rng.randint(1, 2))
            referral = f.a_referral(
                source_region=source, target_regions=targets, **fresh, consent=f.a_consent(now)
            )
            event = referral
            kind, key, fan_out = "referral", referral.referral_id, len(targets)
        else:
            request = f.a_mobility_request(
                source_region=source, destination_region=rng.choice(others), **fresh
            )
            event = request
            kind, key, fan_out = "mobility", request.request_id, 1
        items.append(
            Item(source, kind, key.encode(), codec.encode(event), headers_for(event), fan_out)
        )
    return Workload(items, regions)
