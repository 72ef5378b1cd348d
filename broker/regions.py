"""The partner regions, loaded from ``broker/data/regions.toml``.

Regions are data, not code: a sixth partner region is one more ``[[region]]`` entry,
and topics, routing and validation follow.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Country = Literal["FR", "IT"]
Language = Literal["fr", "it"]


class RegionInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    country: Country
    nuts2: str = Field(pattern=r"^[A-Z]{2}[A-Z0-9]{1,2}$")
    language: Language


class RegionRegistry(BaseModel):
    model_config = ConfigDict(frozen=True)

    region: tuple[RegionInfo, ...]

    def keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.region)

    def get(self, key: str) -> RegionInfo:
        for info in self.region:
            if info.key == key:
                return info
        raise KeyError(f"unknown region {key!r}; known: {', '.join(self.keys())}")

    def __contains__(self, key: object) -> bool:
        return any(r.key == key for r in self.region)


@cache
def regions() -> RegionRegistry:
    """The shipped region registry, parsed and validated once."""
    text = resources.files("broker").joinpath("data/regions.toml").read_text("utf-8")
    return RegionRegistry.model_validate(tomllib.loads(text))


def region_keys() -> tuple[str, ...]:
    return regions().keys()
