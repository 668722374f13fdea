"""What could not be read of the time done, and what the limits make of it. Every sentence said about it is here.

What cannot be read makes the plan stricter, never looser (issues #11 and #13), and no stricter than it must be.
For each damaged session (a history line, an entry of the exposure ledger, a checkpoint, in the file or in a copy
set aside):

- its times and every step can be read: it counts as the time it holds, like an intact one;
- its times can be read, not all its steps: it may have held any time, so until 24 hours after it ended (after
  now, for one dated later, which counts as just done) every area's daily limits count as used up;
- its times cannot be read (or nothing of the file can): it may have ended as late as its file was last written,
  so until 24 hours after that, the same (a design choice, the strict reading).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from companion.history.remains import WHOLE_FILE, Remains
from companion.safety.exposure import DAY, Bout
from companion.words import join_and, moment

COPY_HINT = "Once you have looked at it, moving it out of its folder makes Companion count only the time it can read."
"""Said of a damaged copy set aside (the person decides what becomes of it)."""
HISTORY_HINT = (
    "Each save writes the file again and moves this on until those lines are set aside: opening History in the app, "
    "or `companion history`, sets them aside."
)
"""Said of damaged lines still in the history file itself."""


@dataclass(frozen=True)
class Damage:
    """A file whose time could not all be read."""

    path: Path
    problem: str
    """What could not be read, for the person (one sentence naming the file)."""
    remains: Sequence[Remains]
    """What can be read of each damaged session in it (``WHOLE_FILE`` when nothing can be)."""
    written: datetime
    """When the file was last written (the time now when that cannot be told: the strict reading)."""
    hint: str = ""
    """What the person can do about it, when that helps."""


@dataclass(frozen=True)
class Reading:
    """What the limits make of a :class:`Damage`."""

    bouts: list[Bout]
    """The damaged sessions whose time can be read, counted as that time."""
    until: datetime | None
    """Until when every area's daily limits count as used up because of it (``None``: they need not)."""
    said: str
    """What to tell the person: what could not be read, what is blocked and until when."""


def read_damage(damage: Damage, now: datetime) -> Reading:
    """What the limits make of ``damage`` at ``now`` (see the module's rules)."""
    bouts: list[Bout] = []
    counted: list[str] = []
    latest: tuple[datetime, Remains] | None = None
    for remains in damage.remains:
        span = remains.span
        if span is not None and remains.seconds is not None:
            bouts.append(Bout(remains.session_id or uuid.uuid4(), span.started_at, span.ended_at,
                              dict(remains.seconds)))  # fmt: skip
            counted.append(remains.where)
            continue
        until = (damage.written if span is None else min(span.ended_at, now)) + DAY
        if latest is None or until > latest[0]:
            latest = (until, remains)
    said = [damage.problem]
    if counted:
        said.append(_counted(counted))
    if latest is None:
        return Reading(bouts, None, " ".join(said))
    until, remains = latest
    if until <= now:
        said.append("What could not be read of it is from more than 24 hours ago: it no longer counts towards the "
                    "limits.")  # fmt: skip
        return Reading(bouts, None, " ".join(said))
    said.append(_blocked(remains, until, now))
    if remains.span is None and damage.hint:
        said.append(damage.hint)
    return Reading(bouts, until, " ".join(said))


MAX_NAMED = 3
"""How many damaged sessions that still count are named in one sentence."""


def _counted(wheres: list[str]) -> str:
    named = wheres[:MAX_NAMED] + ([f"{len(wheres) - MAX_NAMED} more"] if len(wheres) > MAX_NAMED else [])
    one = len(wheres) == 1
    return (f"{join_and(named).capitalize()} still count{'s' if one else ''} towards the limits: "
            f"{'its' if one else 'their'} times and time on each area can be read.")  # fmt: skip


def _blocked(remains: Remains, until: datetime, now: datetime) -> str:
    used_up = f"until {moment(until)} every area's daily limits count as used up"
    span = remains.span
    if span is None and remains == WHOLE_FILE:
        return f"Nothing of it can be read, so {used_up} (24 hours after the file was last written)."
    if span is None:
        return f"When {remains.where} was done cannot be read, so {used_up} (24 hours after the file was last written)."
    if span.ended_at > now:
        return (f"{remains.where.capitalize()} is dated {moment(span.ended_at)}, later than now, and its time on each "
                f"area cannot be read: it counts as just done, so {used_up}.")  # fmt: skip
    return (f"{remains.where.capitalize()} ended {moment(span.ended_at)} and its time on each area cannot be read, "
            f"so {used_up} (24 hours after it ended).")  # fmt: skip


def nothing_starts(until: datetime) -> str:
    """Said where a plan is shown while time that could not be read blocks every area's daily limits."""
    return f"Nothing can start until {moment(until)}: until then every area's daily limits count as used up."
