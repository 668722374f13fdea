"""What can still be read of a session whose record is damaged (a history line, an entry of the exposure ledger,
a checkpoint): when it started and ended, and the time it holds per tool and area. The limits then count what
can be read and block only as long as what cannot be read may still count (see :mod:`companion.run.unread`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from companion.history.records import Moment, StepDone

AreaSeconds = Mapping[tuple[str, str], int]
"""Seconds per ``(tool, area)``."""


@dataclass(frozen=True)
class Remains:
    """What could be read of one damaged session; a field is ``None`` where that part could not be read."""

    where: str
    """Which session it was, for the person: ``the session on line 3``."""
    span: Span | None = None
    """When it started and ended, when both can be read and the end is not before the start."""
    seconds: AreaSeconds | None = None
    """Its time per ``(tool, area)``, when every step can be read (and its times can)."""
    session_id: uuid.UUID | None = None


class Span(BaseModel):
    """The times of a session, read on their own, with the same bounds as a saved session's."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    started_at: Moment
    ended_at: Moment

    @model_validator(mode="after")
    def _in_order(self) -> Span:
        if self.ended_at.astimezone(UTC) < self.started_at.astimezone(UTC):  # in UTC: see SessionRecord
            raise ValueError("ended_at is before started_at")
        return self


def read_remains(
    data: Any, where: str, steps: Callable[[Any], AreaSeconds | None], end: str = "ended_at", key: str = "id"
) -> Remains:
    """What can be read of the damaged session ``data`` (any JSON value): its times (``end`` names the field of
    its end), its id (field ``key``) and, through ``steps``, its time per tool and area (``None`` when any step
    cannot be read: a damaged step may have held any time)."""
    if type(data) is not dict:
        return Remains(where)
    try:
        span = Span.model_validate({"started_at": data.get("started_at"), "ended_at": data.get(end)})
    except ValidationError:
        return Remains(where)
    try:
        session_id = uuid.UUID(str(data.get(key)))
    except ValueError:
        session_id = None
    return Remains(where, span, steps(data), session_id)


def record_seconds(data: dict[str, Any]) -> AreaSeconds | None:
    """A history record's time per tool and area, when every one of its steps can be read."""
    steps = data.get("steps")
    if type(steps) is not list:
        return None
    seconds: dict[tuple[str, str], int] = {}
    for step in steps:
        try:
            done = step if isinstance(step, StepDone) else StepDone.model_validate(step)
        except ValidationError:
            return None
        seconds[(done.tool, done.area)] = seconds.get((done.tool, done.area), 0) + done.actual_seconds
    return seconds


WHOLE_FILE = Remains("the whole file")
"""What is left of a file nothing of which can be read (or that could not be read at all)."""
