"""Fixed sessions for the history screen's tests and snapshots, around the FakeClock's 2026-11-02 09:00 UTC."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from companion.history.records import SessionRecord, SessionStatus, StepDone
from companion.history.store import HistoryStore

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MARKUP_NOTE = "[bold red]x[/] felt better"


def _session(
    number: int,
    days_ago: int,
    hour: int,
    routine: tuple[str, str],
    steps: list[tuple[str, str, int, int]],
    status: SessionStatus = SessionStatus.COMPLETED,
    before: int | None = None,
    after: int | None = None,
    notes: str = "",
) -> SessionRecord:
    started = NOW.replace(hour=hour) - timedelta(days=days_ago)
    done = tuple(StepDone(area=a, tool=t, planned_seconds=p, actual_seconds=s) for a, t, p, s in steps)
    return SessionRecord(
        id=uuid.UUID(int=number),
        routine_id=routine[0],
        routine_title=routine[1],
        started_at=started,
        ended_at=started + timedelta(seconds=sum(s for *_rest, s in steps) + 30),
        status=status,
        steps=done,
        tension_before=before,
        tension_after=after,
        notes=notes,
    )


LEGS = ("legs-after-running", "Legs after a run")
NECK = ("neck-shoulders-desk", "Neck and shoulders after desk work")
CALF = ("calf-recovery", "Calf recovery with a foam roller")
MINE = ("my-[bold]-routine", "[red]My[/red] evening routine")


def sample_sessions() -> list[SessionRecord]:
    """Eight sessions over five weeks: three routines (one titled with markup), statuses, tensions, notes."""
    return [
        _session(
            1, 0, 7, LEGS, [("quads", "massage-gun", 45, 45), ("calves", "massage-gun", 60, 90)], before=6, after=3
        ),
        _session(
            2,
            1,
            19,
            NECK,
            [("shoulders", "hands", 60, 60), ("neck", "hands", 60, 30)],
            SessionStatus.STOPPED,
            before=7,
            after=5,
            notes=MARKUP_NOTE,
        ),
        _session(3, 2, 20, CALF, [("calves", "hands", 60, 60), ("calves", "foam-roller", 90, 90)], before=5),
        _session(4, 3, 8, NECK, [("shoulders", "hands", 60, 60), ("neck", "hands", 60, 60)], before=6, after=2),
        _session(5, 6, 21, MINE, [("neck", "hands", 120, 40)], SessionStatus.INTERRUPTED, notes="cut short by a call"),
        _session(6, 9, 7, LEGS, [("quads", "massage-gun", 45, 45), ("hamstrings", "massage-gun", 60, 60)]),
        _session(7, 20, 18, CALF, [("calves", "hands", 60, 60), ("calves", "foam-roller", 90, 120)], before=4, after=4),
        _session(8, 40, 18, NECK, [("shoulders", "hands", 60, 60), ("neck", "hands", 60, 60)], before=8, after=3),
    ]


def save_sessions(store: HistoryStore, records: list[SessionRecord]) -> None:
    """Write sessions through the store, as the runner would (oldest first)."""
    for record in sorted(records, key=lambda r: r.started_at):
        store.append(record)


def utc_local_time() -> Iterator[None]:
    """Run with the machine's local time zone set to UTC (dates on screen depend on it), then put it back."""
    import os

    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()
