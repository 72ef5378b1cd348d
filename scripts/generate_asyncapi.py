"""Write docs/asyncapi.yaml (AsyncAPI 3.0) from the topology and the published Avro schemas.

One channel per topic of ``Topology().all_topics()``, one message per schema file (the current
version of each type under its type name, older versions as ``<Type>_v<N>``), the CloudEvents
headers, and the operations of a partner agency: send to ``*.in``, receive from ``*.out``,
``*.ack.out`` and the dead-letter topic. YAML is written with the standard library only.

    .venv/bin/python scripts/generate_asyncapi.py          # write
    .venv/bin/python scripts/generate_asyncapi.py --check  # exit 1 when the shipped file is stale
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import textwrap
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.deadletter_monitor import DeadLetterAlert  # noqa: E402
from agents.ingest import EXPECTED_TYPES  # noqa: E402
from broker.cloudevents import CONTENT_TYPE, SPEC_VERSION, TYPE_PREFIX  # noqa: E402
from broker.codec import Codec, SchemaVersion  # noqa: E402
from broker.deadletter import ERROR_CODE_HEADER, REGION_HEADER  # noqa: E402
from broker.models import Delivery  # noqa: E402
from broker.regions import region_keys  # noqa: E402
from broker.topology import DELIVERED_KINDS, Kind, TopicSpec, Topology  # noqa: E402

OUTPUT = ROOT / "docs" / "asyncapi.yaml"
SCHEMA_REF = "../schemas/avro/{stem}.avsc"  # relative to docs/
AVRO_FORMAT = "application/vnd.apache.avro;version=1.9.0"
KAFKA_BINDING = "0.5.0"
WIDTH = 100

Node = dict[str, Any]


def _ref(*path: str) -> Node:
    return {"$ref": "#/" + "/".join(path)}


def _channel_id(topic: str) -> str:
    return topic.replace(".", "_")  # AsyncAPI ids: letters, digits, _ and -


def _message_id(version: SchemaVersion, codec: Codec) -> str:
    current = codec.current[version.type_name] is version
    return version.type_name if current else f"{version.type_name}_v{version.version}"


def _versions_newest_first(codec: Codec, type_name: str) -> list[SchemaVersion]:
    found = [v for v in codec.versions.values() if v.type_name == type_name]
    return sorted(found, key=lambda v: -v.version)


def _carried(topology: Topology, codec: Codec) -> dict[str, tuple[list[str], str]]:
    """Topic name → (message ids it carries, what it is for), from the topology's roles.

    A topic the topology adds without a role here stops the generator: document it first.
    """
    deliveries = {
        cls.model_fields[cls.original_field].annotation: cls.__name__
        for cls in Delivery.__subclasses__()
    }
    internal = "Internal to the network: partners neither produce to nor consume from it."
    roles: dict[str, tuple[list[str], str]] = {}
    for region in region_keys():
        for kind in Kind:
            inbound = EXPECTED_TYPES[kind].__name__
            versions = _versions_newest_first(codec, inbound)
            ids = [_message_id(v, codec) for v in versions]
            older = " Earlier schema versions are still accepted." if len(ids) > 1 else ""
            roles[topology.inbound(region, kind).name] = (ids, f"Partners produce.{older}")
        for kind in DELIVERED_KINDS:
            delivery = deliveries[EXPECTED_TYPES[kind]]
            roles[topology.outbound(region, kind).name] = ([delivery], "Partners consume.")
        roles[topology.acks_out(region).name] = (
            ["Acknowledgement", "SlaBreached"],
            "Partners consume: the network's RECEIVED, DELIVERED and REJECTED acknowledgements, "
            "the agencies' acknowledgements relayed from the destination regions, SLA breaches.",
        )
    roles[topology.deadletter.name] = (
        ["DeadLetter"],
        f"Partners may consume it (filter on the {REGION_HEADER} header).",
    )
    roles[topology.seen_events.name] = ([], internal)
    roles[topology.sla_input.name] = (["Acknowledgement"], internal)
    roles[topology.sla_state.name] = ([], internal)
    roles[topology.operator_alerts.name] = (["DeadLetterAlert"], "For the operators.")
    unknown = [t.name for t in topology.all_topics() if t.name not in roles]
    if unknown:
        raise SystemExit(f"topics without a documented role: {', '.join(unknown)}")
    return roles


def _topic_configuration(spec: TopicSpec) -> Node:
    config = spec.config()
    node: Node = {"cleanup.policy": config["cleanup.policy"].split(",")}
    if "retention.ms" in config:
        node["retention.ms"] = int(config["retention.ms"])
    return node


def _channel(spec: TopicSpec, messages: list[str], role: str) -> Node:
    node: Node = {
        "address": spec.name,
        "description": f"{spec.description[0].upper()}{spec.description[1:]}. {role} "
        f"Kafka key: {spec.key}. Replication is left to the cluster's defaults.",
    }
    if messages:
        node["messages"] = {m: _ref("components", "messages", m) for m in messages}
    node["bindings"] = {
        "kafka": {
            "topic": spec.name,
            "partitions": spec.partitions,
            "topicConfiguration": _topic_configuration(spec),
            "bindingVersion": KAFKA_BINDING,
        }
    }
    node["x-mare-key"] = spec.key
    return node


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=\.)\s", text, maxsplit=1)[0]


def _avro_message(version: SchemaVersion, codec: Codec, key: str | None) -> Node:
    current = codec.current[version.type_name] is version
    doc = str(version.schema.get("doc", ""))
    node: Node = {
        "name": version.type_name,
        "title": f"{version.type_name} v{version.version}",
        "summary": _first_sentence(doc),
        "description": doc
        if current
        else f"{doc} An earlier version: still accepted on input and resolved to "
        f"v{codec.current[version.type_name].version}; the network writes the current one.",
        "contentType": CONTENT_TYPE,
        "headers": _ref(
            "components",
            "schemas",
            "DeadLetterHeaders" if version.type_name == "DeadLetter" else "CloudEventHeaders",
        ),
        "payload": {
            "schemaFormat": AVRO_FORMAT,
            "schema": {"$ref": SCHEMA_REF.format(stem=version.stem)},
        },
    }
    if any(f["name"] == "correlation_id" for f in version.schema["fields"]):
        node["correlationId"] = {
            "description": "event_id of the event that caused this one.",
            "location": "$message.payload#/correlation_id",
        }
    if key is None:
        node["description"] += " No topic of the network carries this type yet."
    else:
        node["bindings"] = {
            "kafka": {
                "key": {"type": "string", "description": f"The record's {key}."},
                "bindingVersion": KAFKA_BINDING,
            }
        }
    node["x-mare-ce-type"] = f"{TYPE_PREFIX}{version.type_name}.v{version.version}"
    node["x-mare-fingerprint"] = version.fingerprint_hex
    node["x-mare-soe-header"] = version.header.hex(" ")
    return node


_JSON_TYPES = {"str": "string", "int": "integer", "str | None": ["string", "null"]}


def _alert_message() -> Node:
    fields = dataclasses.fields(DeadLetterAlert)
    return {
        "name": DeadLetterAlert.__name__,
        "title": "Dead-letter alert",
        "summary": "A dead-letter error code seen for the first time, or for the 10th, "
        "100th, 1000th… time.",
        "contentType": "application/json",
        "payload": {
            "type": "object",
            "required": [f.name for f in fields],
            "properties": {f.name: {"type": _JSON_TYPES[str(f.type)]} for f in fields},
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The record's error_code."},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }


def _header_schemas() -> Node:
    ce_type = "^" + re.escape(TYPE_PREFIX) + r"[A-Z][A-Za-z0-9]*\.v[1-9][0-9]*$"
    return {
        "CloudEventHeaders": {
            "type": "object",
            "description": "CloudEvents 1.0, Kafka protocol binding, binary mode: the Avro "
            "value is the event, the headers repeat its envelope (UTF-8 values).",
            "required": ["ce_specversion", "ce_id", "ce_source", "ce_type"],
            "properties": {
                "ce_specversion": {"type": "string", "const": SPEC_VERSION},
                "ce_id": {
                    "type": "string",
                    "description": "event_id (dead_letter_id for a dead letter).",
                },
                "ce_source": {
                    "type": "string",
                    "description": "/mare/<region>/<agency>, e.g. /mare/paca/france-travail-13; "
                    "/mare/network/deadletter for a dead letter.",
                },
                "ce_type": {
                    "type": "string",
                    "pattern": ce_type,
                    "description": "eu.mare.<Type>.v<N>: the schema the value is encoded with.",
                },
                "ce_time": {
                    "type": "string",
                    "format": "date-time",
                    "description": "occurred_at, RFC 3339 in UTC with milliseconds.",
                },
                "ce_correlationid": {
                    "type": "string",
                    "description": "correlation_id, when the event has one.",
                },
                "content-type": {"type": "string", "const": CONTENT_TYPE},
            },
        },
        "DeadLetterHeaders": {
            "allOf": [
                _ref("components", "schemas", "CloudEventHeaders"),
                {
                    "type": "object",
                    "required": [ERROR_CODE_HEADER],
                    "properties": {
                        ERROR_CODE_HEADER: {
                            "type": "string",
                            "description": "The rejection code, as in the record key.",
                        },
                        REGION_HEADER: {
                            "type": "string",
                            "description": "The sender's region, when it could be read.",
                        },
                    },
                },
            ]
        },
    }


def _operation(action: str, channel: str, summary: str, messages: list[str]) -> Node:
    node: Node = {"action": action, "channel": _ref("channels", channel), "summary": summary}
    if action == "receive":
        node["description"] = (
            "Consume with isolation.level=read_committed: the network writes in Kafka "
            "transactions, and records of aborted transactions are visible otherwise."
        )
    node["messages"] = [_ref("channels", channel, "messages", m) for m in messages]
    return node


def _operations(topology: Topology, roles: dict[str, tuple[list[str], str]]) -> Node:
    operations: Node = {}

    def add(op_id: str, action: str, spec: TopicSpec, summary: str) -> None:
        messages = roles[spec.name][0]
        operations[op_id] = _operation(action, _channel_id(spec.name), summary, messages)

    for region in region_keys():
        for kind in Kind:
            add(
                f"{region}_send_{kind}",
                "send",
                topology.inbound(region, kind),
                f"The agencies of {region} publish {EXPECTED_TYPES[kind].__name__} events.",
            )
        for kind in DELIVERED_KINDS:
            add(
                f"{region}_receive_{kind}",
                "receive",
                topology.outbound(region, kind),
                f"The agencies of {region} receive {kind} deliveries, localized for them.",
            )
        add(
            f"{region}_receive_acks",
            "receive",
            topology.acks_out(region),
            f"The senders of {region} receive acknowledgements and SLA breaches.",
        )
    add("receive_deadletters", "receive", topology.deadletter, "Rejected input, with reasons.")
    return operations


def _message_keys(topology: Topology, roles: dict[str, tuple[list[str], str]]) -> dict[str, str]:
    """The key field of each message, from the partner-facing topics that carry it."""
    keys: dict[str, set[str]] = {}
    for spec in topology.all_topics():
        if not spec.internal:
            for message in roles[spec.name][0]:
                keys.setdefault(message, set()).add(spec.key)
    return {m: " or ".join(sorted(found)) for m, found in keys.items()}


def build_document(topology: Topology | None = None, codec: Codec | None = None) -> Node:
    """The AsyncAPI document as plain data, in a stable order."""
    topology = topology or Topology()
    codec = codec or Codec.default()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    roles = _carried(topology, codec)
    keys = _message_keys(topology, roles)
    messages: Node = {}
    for version in sorted(codec.versions.values(), key=lambda v: (v.type_name, -v.version)):
        message_id = _message_id(version, codec)
        messages[message_id] = _avro_message(version, codec, keys.get(message_id))
    messages[DeadLetterAlert.__name__] = _alert_message()
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "MARE Broker",
            "version": project["version"],
            "description": (
                "The Kafka event backbone of the MA.R.E. Franco-Italian cross-border labour "
                "market.\nPartner agencies publish Avro events (Single Object Encoding) to "
                "their region's inbound topics\nand read deliveries, acknowledgements and dead "
                "letters from the outbound ones.\nGenerated by scripts/generate_asyncapi.py "
                "from broker/topology.py and schemas/avro;\nthe integration guide is "
                "docs/partners.md."
            ),
            "license": {"name": project["license"]},
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "mare": {
                "host": "{bootstrap}",
                "protocol": "kafka",
                "description": "The network's Apache Kafka cluster (KRaft, 4.x).",
                "variables": {
                    "bootstrap": {"description": "Bootstrap servers, given by the operators."}
                },
            }
        },
        "channels": {
            _channel_id(spec.name): _channel(spec, *roles[spec.name])
            for spec in topology.all_topics()
        },
        "operations": _operations(topology, roles),
        "components": {"messages": messages, "schemas": _header_schemas()},
    }


# -- YAML, standard library only ------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z_$/.][A-Za-z0-9 _./$@+,()'-]*")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", ".inf", ".nan"}


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain = _PLAIN.fullmatch(text) and not text.endswith(" ")
    if plain and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _block_text(text: str, indent: int) -> list[str] | None:
    """Literal (``|-``) for multi-line text, folded (``>-``) for one long line; None if unsafe."""
    pad = " " * indent
    if "\n" in text:
        lines = text.split("\n")
        if any(not ln or ln[0] == " " or ln != ln.rstrip() for ln in lines):
            return None
        return ["|-", *(pad + ln for ln in lines)]
    if len(text) < WIDTH - indent - 20 or "  " in text or text != text.strip():
        return None
    wrapped = textwrap.wrap(text, WIDTH - indent, break_long_words=False, break_on_hyphens=False)
    if " ".join(wrapped) != text or not text.isprintable():
        return None
    return [">-", *(pad + ln for ln in wrapped)]


def _lines(node: Any, indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            head = f"{pad}{_scalar(key)}:"
            if isinstance(value, dict | list):
                empty = "{}" if isinstance(value, dict) else "[]"
                out += [head, *_lines(value, indent + 2)] if value else [f"{head} {empty}"]
            elif isinstance(value, str) and (block := _block_text(value, indent + 2)):
                out += [f"{head} {block[0]}", *block[1:]]
            else:
                out.append(f"{head} {_scalar(value)}")
    else:
        for item in node:
            if isinstance(item, dict) and item:
                inner = _lines(item, indent + 2)
                out += [f"{pad}- {inner[0].lstrip()}", *inner[1:]]
            else:
                out.append(f"{pad}- {_scalar(item)}")
    return out


def to_yaml(document: Node) -> str:
    return "\n".join(_lines(document, 0)) + "\n"


def render() -> str:
    header = "# Generated by scripts/generate_asyncapi.py: do not edit by hand.\n"
    return header + to_yaml(build_document())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only; exit 1 if stale")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    out: Path = args.out
    text = render()
    if args.check:
        if not out.exists() or out.read_text("utf-8") != text:
            print(f"error: {out} is missing or stale", file=sys.stderr)
            print("run: .venv/bin/python scripts/generate_asyncapi.py", file=sys.stderr)
            return 1
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, "utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
