"""Time for the core, injected so tests can run a 30-minute routine in milliseconds.

``monotonic()`` measures durations (never affected by the wall clock being changed); ``now()`` stamps records.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Where the core gets time from."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start; only differences mean anything."""
        ...

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC).astimezone()


class FakeClock:
    """A clock that moves only when told to: ``advance(seconds)`` moves both readings together."""

    def __init__(self, start: datetime | None = None, monotonic_start: float = 1000.0) -> None:
        self._now = start or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        self._mono = monotonic_start

    def monotonic(self) -> float:
        return self._mono

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        if seconds < 0:
            raise ValueError("time does not go backwards")
        self._mono += seconds
        self._now += timedelta(seconds=seconds)

    def set_wall_clock(self, moved: timedelta) -> None:
        """Move the wall clock alone by ``moved`` (back when negative), as a person or NTP setting it does."""
        self._now += moved
