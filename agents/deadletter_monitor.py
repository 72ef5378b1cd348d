"""Dead-letter monitor: counts rejections per error code and alerts operators.

An operator wants to know at once when partners start sending a new kind of bad input, and
when one kind keeps coming, without an alert per record: alert on the first occurrence of
a code and each time its count reaches a power of ten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import faust
import structlog
from structlog.contextvars import bound_contextvars

from broker.app import AppContext
from broker.deadletter import ERROR_CODE_HEADER, REGION_HEADER

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class DeadLetterAlert:
    error_code: str
    count: int
    region: str | None

    def as_dict(self) -> dict[str, object]:
        return {"error_code": self.error_code, "count": self.count, "region": self.region}


def should_alert(count: int) -> bool:
    """First occurrence, then 10, 100, 1000…: loud enough, never a flood."""
    if count < 1:
        return False
    while count % 10 == 0:
        count //= 10
    return count == 1


def observe_dead_letter(
    previous: int, error_code: str, region: str | None
) -> tuple[int, list[DeadLetterAlert]]:
    """The new count for ``error_code`` and the alerts it triggers."""
    count = previous + 1
    alerts = [DeadLetterAlert(error_code, count, region)] if should_alert(count) else []
    return count, alerts


def _header(headers: Mapping[str, bytes] | Iterable[tuple[str, bytes]], name: str) -> str | None:
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        if key == name and value is not None:
            return value.decode() if isinstance(value, bytes) else str(value)
    return None


def wire_deadletter_monitor(app: faust.App, context: AppContext) -> None:
    """Connect observe_dead_letter to Kafka. Decisions belong in observe_dead_letter."""
    topology = context.topology
    deadletters = app.topic(
        topology.deadletter.name,
        key_type=bytes,
        value_type=bytes,
        value_serializer="raw",
        key_serializer="raw",
        partitions=topology.deadletter.partitions,
    )
    alerts = app.topic(
        topology.operator_alerts.name,
        value_serializer="json",
        key_serializer="raw",
        partitions=topology.operator_alerts.partitions,
    )
    counts = app.Table(
        "deadletter-counts",
        default=int,
        key_type=str,
        value_type=int,
        partitions=topology.deadletter.partitions,
        help="dead letters per error code since the network started",
    )

    @app.agent(deadletters, name="deadletter-monitor")
    async def deadletter_monitor(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            code = _header(event.headers, ERROR_CODE_HEADER) or "UNKNOWN"
            region = _header(event.headers, REGION_HEADER)
            with bound_contextvars(error_code=code, region=region):
                counts[code], raised = observe_dead_letter(counts[code], code, region)
                for alert in raised:
                    await alerts.send(key=code.encode(), value=alert.as_dict())
                log.info("dead_letter_observed", count=counts[code], alerts=len(raised))
