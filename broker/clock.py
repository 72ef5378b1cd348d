"""Clocks: cores receive one instead of reading wall time, so replays and tests are exact."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from broker.settings import Settings


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...

    def observe(self, instant: datetime) -> None:
        """An event happened at ``instant``: event-time clocks move, others ignore it."""
        ...


class SystemClock:
    """Wall-clock time, for production workers."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def observe(self, instant: datetime) -> None:
        return None


class EventTimeClock:
    """Time as the events tell it: the latest ``occurred_at`` seen, never going back.

    SLA deadlines then follow event time, so a replay of last month's events breaches
    exactly the deadlines that were breached then, and tests move time by publishing.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(1970, 1, 1, tzinfo=UTC)

    def observe(self, instant: datetime) -> None:
        self._now = max(self._now, instant)

    def now(self) -> datetime:
        return self._now


def clock_from(settings: Settings) -> Clock:
    """The clock the settings ask for: wall time, or event time."""
    return EventTimeClock() if settings.clock == "event" else SystemClock()
