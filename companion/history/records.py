"""What a finished (or interrupted) session leaves behind: the record kept in the history."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

RECORD_SCHEMA_VERSION = 1

Tension = Annotated[int, Field(ge=0, le=10)]


class SessionStatus(StrEnum):
    """How a session ended."""

    COMPLETED = "completed"
    STOPPED = "stopped"
    INTERRUPTED = "interrupted"
    """The app was closed or killed mid-run and the user chose to keep the time done."""


class StepDone(BaseModel):
    """One step as it was really done."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    area: str
    tool: str
    planned_seconds: int = Field(ge=0)
    actual_seconds: int = Field(ge=0)


class SessionRecord(BaseModel):
    """A session in the history. Unknown fields (from a newer version) are kept, never dropped."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    schema_version: int = RECORD_SCHEMA_VERSION
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    routine_id: str
    routine_title: str
    started_at: AwareDatetime
    ended_at: AwareDatetime
    status: SessionStatus
    steps: tuple[StepDone, ...] = ()
    tension_before: Tension | None = None
    tension_after: Tension | None = None
    notes: str = ""

    @property
    def actual_seconds(self) -> int:
        """Seconds really spent massaging (pauses excluded)."""
        return sum(step.actual_seconds for step in self.steps)

    def seconds_per_area(self) -> dict[str, int]:
        """Seconds really spent on each area, in the order areas were first worked."""
        totals: dict[str, int] = {}
        for step in self.steps:
            totals[step.area] = totals.get(step.area, 0) + step.actual_seconds
        return totals

    def local_day(self) -> datetime:
        """The start time in the machine's local time zone (streaks and "today" are local)."""
        return self.started_at.astimezone()
