"""Avro schemas generated from the pydantic models, so the two never drift.

``scripts/generate_schemas.py`` writes the current version of each wire type to
``schemas/avro/<Type>.v<N>.avsc``; older versions stay as frozen files. A file is
self-contained: every named type (record, enum) is defined inline at its first use and
referred to by name afterwards, so any Avro implementation parses it alone and its Parsing
Canonical Form is the fully resolved one that Java's ``SchemaNormalization`` fingerprints.

Mapping (pydantic → Avro): ``str`` → string; ``int`` → int (``long`` when marked
``AvroLong``); ``float`` → double; ``bool`` → boolean; ``bytes`` → bytes; ``UUID`` → string
with logicalType uuid; ``datetime`` → long with logicalType timestamp-millis; ``date`` → int
with logicalType date; a ``StrEnum`` → enum; a model → record; ``list[X]`` → array;
``X | None`` → ``["null", X]`` with default null. Region keys stay strings (a sixth region is
a data change), with the registry's current keys in the doc. Constraints Avro cannot express
(lengths, patterns, ranges) are spelled out in each field's doc and enforced by the models.
"""

from __future__ import annotations

import inspect
import json
import types
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Annotated, Any, Union, get_args, get_origin
from uuid import UUID

from annotated_types import GroupedMetadata
from pydantic import AwareDatetime, BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from broker.models.common import NAMESPACE, NOT_BLANK, AvroLong, RegionKeyHint
from broker.models.deadletter import Stage
from broker.models.mobility import AidType
from broker.models.referral import SkillsPassport
from broker.regions import region_keys

AvroSchema = dict[str, Any] | list[Any] | str

ENUM_DEFAULTS: dict[type[Enum], Enum] = {
    AidType: AidType.OTHER,
    SkillsPassport: SkillsPassport.OTHER,
    Stage: Stage.OTHER,
}
"""Enums whose Avro ``default`` lets an older reader accept a symbol added later.

Only enums with a natural catch-all get one: mapping an unknown acknowledgement status to
some other status would be a lie, so those enums evolve by a new schema version instead.
"""

_PRIMITIVES: dict[type, AvroSchema] = {
    str: "string",
    bool: "boolean",
    int: "int",
    float: "double",
    bytes: "bytes",
    UUID: {"type": "string", "logicalType": "uuid"},
    datetime: {"type": "long", "logicalType": "timestamp-millis"},
    AwareDatetime: {"type": "long", "logicalType": "timestamp-millis"},
    date: {"type": "int", "logicalType": "date"},
}


class SchemaGenerationError(TypeError):
    """A model uses a type or lacks a doc the wire contract cannot express."""


def avro_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The self-contained Avro schema of a top-level wire model, in the ``eu.mare`` namespace."""
    schema = _Generator().record(model)
    assert isinstance(schema, dict)
    return schema


def schema_file_name(model: type[BaseModel]) -> str:
    """``<Type>.v<N>.avsc`` for the model's current ``schema_version``."""
    version: int = getattr(model, "schema_version", 1)
    return f"{model.__name__}.v{version}.avsc"


class _Generator:
    def __init__(self) -> None:
        self.defined: set[str] = set()

    def record(self, model: type[BaseModel]) -> AvroSchema:
        name = model.__name__
        if name in self.defined:
            return name
        top_level = not self.defined
        self.defined.add(name)
        schema: dict[str, Any] = {"type": "record", "name": name}
        if top_level:
            schema["namespace"] = NAMESPACE
        schema["doc"] = _doc(model)
        schema["fields"] = [
            self.field(model, field_name, info) for field_name, info in _fields(model)
        ]
        return schema

    def enum(self, enum_cls: type[Enum]) -> AvroSchema:
        name = enum_cls.__name__
        if name in self.defined:
            return name
        self.defined.add(name)
        schema: dict[str, Any] = {
            "type": "enum",
            "name": name,
            "doc": _doc(enum_cls),
            "symbols": [member.value for member in enum_cls],
        }
        if enum_cls in ENUM_DEFAULTS:
            schema["default"] = ENUM_DEFAULTS[enum_cls].value
        return schema

    def field(self, model: type[BaseModel], name: str, info: FieldInfo) -> dict[str, Any]:
        if not info.description:
            raise SchemaGenerationError(f"{model.__name__}.{name} has no description (its doc)")
        annotation: Any = info.annotation
        metadata = list(info.metadata)
        avro_type = self.type_of(annotation, metadata)
        doc = info.description + _constraints_doc(annotation, metadata)
        field: dict[str, Any] = {"name": name, "type": avro_type, "doc": doc}
        default = _default(info)
        if default is not PydanticUndefined:
            field["default"] = default
        return field

    def type_of(self, annotation: Any, metadata: list[Any]) -> AvroSchema:
        annotation, inner = _unwrap(annotation)
        metadata = metadata + inner
        origin = get_origin(annotation)
        if origin in (Union, types.UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1 or len(get_args(annotation)) != 2:
                raise SchemaGenerationError(f"only 'X | None' unions map to Avro: {annotation}")
            return ["null", self.type_of(members[0], metadata)]
        if origin is list:
            (item,) = get_args(annotation)
            return {"type": "array", "items": self.type_of(item, [])}
        if isinstance(annotation, type):
            if issubclass(annotation, BaseModel):
                return self.record(annotation)
            if issubclass(annotation, StrEnum):
                return self.enum(annotation)
            if annotation is int and any(isinstance(m, AvroLong) for m in metadata):
                return "long"
            if annotation in _PRIMITIVES:
                primitive = _PRIMITIVES[annotation]
                return dict(primitive) if isinstance(primitive, dict) else primitive
        raise SchemaGenerationError(f"no Avro mapping for {annotation!r}")


def _fields(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    return list(model.model_fields.items())


def _doc(obj: type) -> str:
    """The class's own docstring (not an inherited one), each paragraph on one line."""
    own = vars(obj).get("__doc__")
    if not isinstance(own, str) or not own.strip():
        raise SchemaGenerationError(f"{obj.__name__} has no docstring (its Avro doc)")
    paragraphs = inspect.cleandoc(own).split("\n\n")
    return " ".join(" ".join(paragraph.split()) for paragraph in paragraphs)


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """Strip ``Annotated`` layers, returning the bare type and their metadata."""
    metadata: list[Any] = []
    while get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        metadata.extend(extra)
    return annotation, metadata


def _flatten(metadata: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for item in metadata:
        if isinstance(item, GroupedMetadata):
            flat.extend(item)
        elif isinstance(item, FieldInfo):
            flat.extend(_flatten(list(item.metadata)))
        else:
            flat.append(item)
    return flat


def _constraints_doc(annotation: Any, metadata: list[Any]) -> str:
    """The constraints the model enforces and Avro cannot express, in plain English."""
    parts: list[str] = []
    annotation, inner = _unwrap(annotation)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
        annotation, more = _unwrap(annotation)
        inner += more
        origin = get_origin(annotation)
    if origin is list:
        parts.extend(_describe(_flatten(metadata + inner), items=True))
        (item,) = get_args(annotation)
        item, item_meta = _unwrap(item)
        if isinstance(item, type) and issubclass(item, str):
            parts.extend(f"each {p}" for p in _describe(_flatten(item_meta), items=False))
        if any(isinstance(m, RegionKeyHint) for m in item_meta):
            parts.append(_regions_doc())
    else:
        all_meta = _flatten(metadata + inner)
        parts.extend(_describe(all_meta, items=False))
        if any(isinstance(m, RegionKeyHint) for m in all_meta):
            parts.append(_regions_doc())
    if not parts:
        return ""
    return " Constraints: " + "; ".join(parts) + "."


def _describe(metadata: list[Any], *, items: bool) -> list[str]:
    def count(n: int) -> str:
        unit = "item" if items else "character"
        return f"{n} {unit}" if n == 1 else f"{n} {unit}s"

    parts: list[str] = []
    for m in metadata:
        if getattr(m, "min_length", None) is not None:
            parts.append(f"at least {count(m.min_length)}")
        if getattr(m, "max_length", None) is not None:
            parts.append(f"at most {count(m.max_length)}")
        pattern = getattr(m, "pattern", None)
        if pattern == NOT_BLANK:
            parts.append("not blank")
        elif pattern is not None:
            parts.append(f"matches {pattern}")
        for attr, word in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(m, attr, None) is not None:
                parts.append(f"{word} {getattr(m, attr)}")
        validator_name = getattr(getattr(m, "func", None), "__name__", "")
        if validator_name in _VALIDATOR_DOCS:
            parts.append(_VALIDATOR_DOCS[validator_name])
    return parts


_VALIDATOR_DOCS = {
    "_pseudonym": "8 to 64 characters among A-Z a-z 0-9 _ -",
    "_working_language": "a partner region's working language (fr, it)",
}


def _regions_doc() -> str:
    return "a region key of the registry (broker/data/regions.toml), currently " + ", ".join(
        region_keys()
    )


def _default(info: FieldInfo) -> Any:
    if info.default_factory is not None:
        value: Any = info.default_factory()  # type: ignore[call-arg]
    else:
        value = info.default
    if value is PydanticUndefined:
        return PydanticUndefined
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str | list):
        return value
    raise SchemaGenerationError(f"default {value!r} has no Avro JSON form")


def render(schema: dict[str, Any]) -> str:
    """The text of a ``.avsc`` file: indented JSON, UTF-8 kept readable, final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
