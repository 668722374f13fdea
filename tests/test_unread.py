"""Time done that cannot be read all (finding 76): what can be read of a damaged session counts, and the limits
are blocked only as long as what cannot be read may still count; never looser than the intact file."""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from companion.catalogue.loader import load_catalog
from companion.catalogue.models import Catalog, Routine
from companion.cli.entry import main
from companion.disk.paths import Paths, default_paths
from companion.history.records import SessionRecord, SessionStatus, StepDone
from companion.history.store import HistoryStore
from companion.run.done import read_exposure
from companion.run.unread import COPY_HINT, HISTORY_HINT
from companion.safety.exposure import DAY, Bout
from companion.safety.ledger import ledger_path, note_time
from companion.safety.plan import Plan, make_plan
from companion.safety.screening import ScreeningAnswers
from companion.words import moment

CATALOG: Catalog = load_catalog().catalog
GAP = timedelta(minutes=CATALOG.safety.session_gap_minutes)
HEADER = b'{"format": "companion-history", "schema_version": 1}\n'


def session(ended: datetime, *steps: tuple[str, str, int], minutes: int = 10) -> dict[str, Any]:
    """A saved session as a history line holds it (``steps``: tool, area, seconds)."""
    record = SessionRecord(
        routine_id="calf-recovery", routine_title="Calf recovery", started_at=ended - timedelta(minutes=minutes),
        ended_at=ended, status=SessionStatus.COMPLETED,
        steps=tuple(StepDone(tool=tool, area=area, planned_seconds=s, actual_seconds=s) for tool, area, s in steps),
    )  # fmt: skip
    data: dict[str, Any] = json.loads(record.model_dump_json())
    return data


def line(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode() + b"\n"


def write(path: Path, data: bytes, written: datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (written.timestamp(), written.timestamp()))


def bad_steps(data: dict[str, Any]) -> dict[str, Any]:
    """Damage a step: the session's times can still be read, not the time it held."""
    return {**data, "steps": [{**data["steps"][0], "actual_seconds": "lots"}]}


NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
CALVES = ("foam-roller", "calves", 45)


def test_an_old_damaged_line_whose_end_can_be_read_blocks_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """Finding 76 b: a line that parses but fails validation, from three weeks ago, blocked every plan for a day."""
    paths = default_paths()
    now = datetime.now(UTC)
    old = bad_steps(session(now - timedelta(days=21), CALVES))
    write(paths.history, HEADER + line(old), now)
    exposure = read_exposure(paths, now, GAP)
    assert not exposure.blocked and exposure.unknown_until is None
    assert main(["plan", "calf-recovery"]) == 0
    out = capsys.readouterr().out
    assert "Calf recovery with a foam roller: 5:00 planned now" in out
    assert "could not be read (line 2: field 'steps.0.actual_seconds'" in out
    assert "What could not be read of it is from more than 24 hours ago: it no longer counts" in out
    assert "cannot start" not in out


def test_a_recent_damaged_line_blocks_until_a_day_after_it_ended_however_often_the_file_is_written() -> None:
    """Finding 76 a: the block followed the file's last write, so every save moved it on."""
    paths = default_paths()
    ended = NOW - timedelta(hours=2)
    write(paths.history, HEADER + line(bad_steps(session(ended, CALVES))), NOW - timedelta(hours=2))
    first = read_exposure(paths, NOW, GAP)
    assert first.unknown_until == ended + DAY and first.blocked
    write(paths.history, paths.history.read_bytes() + line(session(NOW - timedelta(minutes=30), CALVES)), NOW)
    again = read_exposure(paths, NOW, GAP)
    assert again.unknown_until == ended + DAY  # the save moved nothing
    (said,) = again.unknown
    assert f"The session on line 2 ended {moment(ended)} and its time on each area cannot be read" in said
    assert f"until {moment(ended + DAY)} every area's daily limits count as used up (24 hours after it ended)" in said
    assert HISTORY_HINT not in said  # the hint is for damage whose time cannot be read at all
    assert not read_exposure(paths, ended + DAY, GAP).blocked


def test_plan_says_nothing_can_start_until_the_block_ends(capsys: pytest.CaptureFixture[str]) -> None:
    paths = default_paths()
    ended = datetime.now(UTC) - timedelta(hours=3)
    write(paths.history, HEADER + line(bad_steps(session(ended, CALVES))), ended)
    assert main(["plan", "feet-reset"]) == 0
    out = capsys.readouterr().out
    assert f"Nothing can start until {moment(ended + DAY)}: until then every area's daily limits count" in out
    assert "This plan cannot start now." not in out
    assert main(["plan", "feet-reset", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert datetime.fromisoformat(data["blocked_until"]) == ended + DAY and not data["can_start"]


def test_a_damaged_line_whose_times_and_steps_can_be_read_counts_as_its_time() -> None:
    paths = default_paths()
    damaged = {**session(NOW - timedelta(hours=1), CALVES), "tension_before": True}
    write(paths.history, HEADER + line(damaged), NOW)
    exposure = read_exposure(paths, NOW, GAP)
    assert not exposure.blocked and exposure.day == {("foam-roller", "calves"): 45}
    (said,) = exposure.unknown
    assert "The session on line 2 still counts towards the limits: its times and time on each area can be read." in said


def test_a_session_from_a_newer_version_counts_as_its_time() -> None:
    """It was not counted at all: a newer record is no damage, so nothing was said either."""
    paths = default_paths()
    newer = {**session(NOW - timedelta(hours=1), CALVES), "schema_version": 9, "status": "paused-forever"}
    write(paths.history, HEADER + line(session(NOW - timedelta(days=3), CALVES)) + line(newer), NOW)
    exposure = read_exposure(paths, NOW, GAP)
    assert exposure.day == {("foam-roller", "calves"): 45} and not exposure.blocked


def test_a_line_whose_times_cannot_be_read_blocks_for_a_day_after_the_file_was_last_written() -> None:
    """The strict rule stays where nothing says when the session was done; once the store sets the line aside
    (History, `companion history`), the copy keeps the time of that write and later saves no longer move it."""
    paths = default_paths()
    written = NOW - timedelta(hours=3)
    write(paths.history, HEADER + b'{"schema_version": 1, "started_at": "20\n' + line(session(written, CALVES)),
          written)  # fmt: skip
    exposure = read_exposure(paths, NOW, GAP)
    assert exposure.unknown_until == written + DAY
    (said,) = exposure.unknown
    assert "When the session on line 2 was done cannot be read" in said and HISTORY_HINT in said
    HistoryStore(paths, now=lambda: NOW).load()  # set aside: the copy is the damaged file as it was
    HistoryStore(paths).append(SessionRecord.model_validate(session(NOW, ("hands", "neck", 30))))
    after = read_exposure(paths, NOW, GAP)
    assert after.unknown_until == written + DAY
    (said,) = after.unknown
    assert "set aside as damaged" in said and COPY_HINT in said and HISTORY_HINT not in said
    assert after.day == {("foam-roller", "calves"): 45, ("hands", "neck"): 30}  # the copy's intact session once


def test_a_repaired_history_keeps_reading_what_it_can_of_the_lines_it_set_aside() -> None:
    """The copy was counted whole as unreadable for a day after it was written, however old its sessions."""
    paths = default_paths()
    write(paths.history, HEADER + line(bad_steps(session(NOW - timedelta(days=5), CALVES))), NOW)
    HistoryStore(paths, now=lambda: NOW).load()
    (copy,) = paths.history.parent.glob("history.jsonl.corrupt-*")
    exposure = read_exposure(paths, NOW, GAP)
    assert not exposure.blocked and str(copy) in exposure.unknown[0]


def test_a_damaged_ledger_counts_its_intact_entries_and_blocks_for_a_day_after_a_damaged_one_ended() -> None:
    paths = default_paths()
    ended = NOW - timedelta(minutes=90)
    note_time(paths, Bout(uuid.uuid4(), NOW - timedelta(hours=3), NOW - timedelta(hours=3), {("hands", "neck"): 20}),
              NOW)  # fmt: skip
    data = json.loads(ledger_path(paths).read_text(encoding="utf-8"))
    data["sessions"].append({"id": str(uuid.uuid4()), "started_at": (ended - timedelta(minutes=5)).isoformat(),
                             "ended_at": ended.isoformat(), "seconds": [{"tool": "hands", "area": "neck",
                                                                         "seconds": -5}]})  # fmt: skip
    write(ledger_path(paths), json.dumps(data).encode(), NOW)
    exposure = read_exposure(paths, NOW, GAP)
    assert exposure.day == {("hands", "neck"): 20} and exposure.unknown_until == ended + DAY
    assert "The session in entry 2 ended" in exposure.unknown[0]


def test_a_damaged_checkpoint_blocks_for_a_day_after_its_last_save() -> None:
    paths = default_paths()
    saved = NOW - timedelta(minutes=20)
    checkpoint = {"schema_version": 1, "session_id": str(uuid.uuid4()), "routine_id": "r", "routine_title": "R",
                  "started_at": (saved - timedelta(minutes=5)).isoformat(), "saved_at": saved.isoformat(),
                  "current_index": 0, "steps": [{"title": "t", "area": "calves", "tool": "hands",
                                                 "planned_seconds": 60, "actual_seconds": float("inf")}]}  # fmt: skip
    write(paths.checkpoint, json.dumps(checkpoint).encode(), NOW)  # JSON's Infinity: read, then refused
    exposure = read_exposure(paths, NOW, GAP)
    assert exposure.unknown_until == saved + DAY
    (said,) = exposure.unknown
    assert f"The unfinished session ended {moment(saved)} and its time on each area cannot be read" in said


# ------------------------------------------------------------------------------------------------ the property

ROUTINES = [routine for routine in CATALOG.routines if routine.source == "bundled"]
DAMAGES = ("field", "steps", "times", "id", "cut", "junk", "junk-line", "twice")
"""How a line is damaged: a field besides times and steps, a step, a time, the id missing, cut short anywhere,
replaced by random bytes; or a line added: random bytes, the same line written twice."""


@st.composite
def histories(draw: st.DrawFn) -> tuple[Routine, datetime, datetime, list[dict[str, Any]]]:
    """A routine, when the history was last written, the time now (sometimes before it: a clock set back) and
    sessions on that routine's tools and areas, each ended by the time the file was last written."""
    routine = draw(st.sampled_from(ROUTINES))
    keys = sorted({(step.tool, step.area) for step in routine.steps})
    written = NOW - timedelta(minutes=draw(st.integers(-120, 30 * 60)))
    sessions = []
    for _ in range(draw(st.integers(1, 5))):
        ended = written - timedelta(minutes=draw(st.integers(0, 36 * 60)))
        steps = draw(st.lists(st.tuples(st.sampled_from(keys), st.integers(0, 1200)), min_size=1, max_size=3))
        minutes = 1 + sum(s for _key, s in steps) // 60  # enough time for the steps: often a day's cap or more
        sessions.append(session(ended, *((tool, area, s) for (tool, area), s in steps), minutes=minutes))
    return routine, written, NOW, sessions


JUNK = st.binary(min_size=1, max_size=40).map(lambda b: b.replace(b"\n", b"") + b"\n").filter(bytes.strip)
"""A line of random bytes. Not blank: a blank line is no damage (no writer makes one, and it is skipped), as a
line deleted by hand is none either; such a file is an intact history of fewer sessions."""


def damaged_lines(data: st.DataObject, lines: list[bytes], index: int, kind: str) -> list[bytes]:
    draw = data.draw
    record = json.loads(lines[index])
    damaged = list(lines)
    if kind == "field":
        damaged[index] = line({**record, "tension_before": True})
    elif kind == "steps":
        damaged[index] = line(bad_steps(record))
    elif kind == "times":
        damaged[index] = line({**record, draw(st.sampled_from(["started_at", "ended_at"])): "yesterday"})
    elif kind == "id":
        damaged[index] = line({k: v for k, v in record.items() if k != "id"})
    elif kind == "cut":
        damaged[index] = lines[index][: draw(st.integers(1, len(lines[index]) - 2))] + b"\n"
    elif kind == "junk":
        damaged[index] = draw(JUNK)
    elif kind == "junk-line":
        damaged.insert(index, draw(JUNK))
    else:
        damaged.insert(index, lines[index])
    return damaged


def plan_from(
    folder: Path, lines: list[bytes], written: datetime, now: datetime, routine: Routine, repair: bool
) -> Plan:
    """The plan for ``routine`` from a history of ``lines`` last written at ``written`` (``repair``: after the store
    set its damage aside, as the app does at start; the copies as old as the file)."""
    paths = Paths(data=folder / "data", config=folder / "config", state=folder / "state")
    write(paths.history, HEADER + b"".join(lines), written)
    if repair:
        HistoryStore(paths, now=lambda: written).load()
        for path in paths.history.parent.iterdir():
            os.utime(path, (written.timestamp(), written.timestamp()))
    exposure = read_exposure(paths, now, GAP)
    return make_plan(routine, CATALOG, None, ScreeningAnswers.fresh(now.date()), exposure)


@hsettings(max_examples=120, deadline=None)
@given(histories(), st.data())
def test_no_damage_makes_a_plan_longer_than_the_intact_history(
    history: tuple[Routine, datetime, datetime, list[dict[str, Any]]], data: st.DataObject
) -> None:
    """Damage one line (or add one) in any way: each step of the plan is at most as long as with the intact
    history, whether the damaged file is read as it is or after the store set its damage aside."""
    routine, written, now, sessions = history
    lines = [line(s) for s in sessions]
    index = data.draw(st.integers(0, len(lines) - 1))
    kind = data.draw(st.sampled_from(DAMAGES))
    damaged = damaged_lines(data, lines, index, kind)
    repair = data.draw(st.booleans())
    with tempfile.TemporaryDirectory() as intact_folder, tempfile.TemporaryDirectory() as damaged_folder:
        intact = plan_from(Path(intact_folder), lines, written, now, routine, False)
        worse = plan_from(Path(damaged_folder), damaged, written, now, routine, repair)
    for number in range(len(routine.steps)):
        kept, planned = intact.planned(number), worse.planned(number)
        assert (planned.seconds if planned else 0) <= (kept.seconds if kept else 0), (kind, number)
