"""Histories for the advice tests on screen, written to the real store in the test's temporary folders."""

from __future__ import annotations

from datetime import datetime, timedelta

from companion.catalogue.models import Catalog
from companion.history.records import SessionRecord, SessionStatus, StepDone
from companion.services import Services


def routine_session(
    services: Services, routine_id: str, days_ago: int, before: int | None, after: int | None, hour: int = 7
) -> SessionRecord:
    """A completed session of a bundled routine ``days_ago`` days before the services' clock, every step done."""
    start = (services.clock.now() - timedelta(days=days_ago)).replace(hour=hour, minute=0)
    return completed_session(services.catalog, routine_id, start, before, after)


def completed_session(
    catalog: Catalog, routine_id: str, start: datetime, before: int | None, after: int | None
) -> SessionRecord:
    """A completed session of a bundled routine started at ``start``, every step done as planned."""
    routine = catalog.routine(routine_id)
    assert routine is not None
    return SessionRecord(
        routine_id=routine.id,
        routine_title=routine.title,
        started_at=start,
        ended_at=start + timedelta(seconds=routine.total_seconds),
        status=SessionStatus.COMPLETED,
        steps=tuple(
            StepDone(area=s.area, tool=s.tool, planned_seconds=s.seconds, actual_seconds=s.seconds)
            for s in routine.steps
        ),
        tension_before=before,
        tension_after=after,
    )


def save(services: Services, records: list[SessionRecord]) -> None:
    for record in records:
        services.store.append(record)


def tight_lower_back(services: Services) -> None:
    """The issue's new user: six days of "Ease a tight lower back" (one a day, up to yesterday), 7 before, 7 after."""
    save(services, [routine_session(services, "lower-back-ease", d, 7, 7) for d in range(6, 0, -1)])


async def wait_until(pilot, condition, rounds: int = 100) -> None:
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the condition was not met in time")
