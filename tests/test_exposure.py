"""Exposure: sittings, the rolling 24 hours across midnight, the ledger, and reading it all fresh from disk."""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from companion.disk.paths import Paths, default_paths
from companion.history.records import SessionRecord, SessionStatus, StepDone
from companion.history.store import HistoryStore
from companion.run.checkpoint import Checkpoint, CheckpointStep, save_checkpoint
from companion.run.done import read_exposure
from companion.safety.exposure import Bout, exposure_at, merge
from companion.safety.ledger import KEEP, ledger_path, load_ledger, note_time
from companion.settings.user_settings import Settings, StricterLimit

GAP = timedelta(minutes=60)
EVENING = datetime(2026, 11, 2, 22, 40).astimezone()


def bout(start: datetime, minutes: float, **seconds: int) -> Bout:
    """A session starting at ``start`` lasting ``minutes``, with seconds per ``tool__area``."""
    per_key = {tuple(key.split("__")): value for key, value in seconds.items()}
    return Bout(uuid.uuid4(), start, start + timedelta(minutes=minutes), per_key)  # type: ignore[arg-type]


def record(start: datetime, minutes: float, tool: str, area: str, seconds: int) -> SessionRecord:
    return SessionRecord(
        routine_id="r",
        routine_title="R",
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
        status=SessionStatus.COMPLETED,
        steps=(StepDone(area=area, tool=tool, planned_seconds=seconds, actual_seconds=seconds),),
    )


def test_four_gun_sessions_across_midnight_share_one_rolling_day() -> None:
    """The issue's 22:40 to 00:30: the calendar day resets at midnight, the rolling 24 hours do not."""
    bouts = [bout(EVENING + timedelta(minutes=35 * i), 3, **{"massage-gun__quads": 120}) for i in range(3)]
    at = EVENING + timedelta(minutes=110)  # 00:30
    exposure = exposure_at(bouts, at, GAP)
    assert exposure.day[("massage-gun", "quads")] == 360
    assert exposure.session[("massage-gun", "quads")] == 360  # 35 minutes apart: one sitting
    assert exposure.day_area("quads") == 360 and exposure.tools_on("quads", day=True) == {"massage-gun"}


def test_a_session_dated_after_now_counts_as_just_done() -> None:
    """The clock set back after a session (or an import from a clock running ahead): not "not done yet"."""
    ahead = bout(EVENING + timedelta(minutes=30), 5, **{"massage-gun__calves": 120})
    exposure = exposure_at([ahead], EVENING, GAP)
    assert exposure.session == exposure.day == {("massage-gun", "calves"): 120}
    assert exposure.open_tools == {"massage-gun"} and exposure.last_worked["calves"] == EVENING


def test_sittings_end_after_the_gap_and_the_day_after_24_hours() -> None:
    first = bout(EVENING, 10, **{"hands__neck": 60})
    assert exposure_at([first], EVENING + timedelta(minutes=69), GAP).session == {("hands", "neck"): 60}
    later = exposure_at([first], EVENING + timedelta(minutes=71), GAP)
    assert later.session == {} and later.day == {("hands", "neck"): 60}
    assert exposure_at([first], EVENING + timedelta(hours=24, minutes=11), GAP).day == {}


def test_a_tools_uses_count_sittings_not_the_open_one() -> None:
    pillow = {"shiatsu-pillow__upper-back": 300}
    bouts = [bout(EVENING - timedelta(hours=h), 5, **pillow) for h in (10, 6, 5.5)]
    exposure = exposure_at(bouts, EVENING, GAP)
    assert exposure.uses == {"shiatsu-pillow": 2}  # 6 h and 5.5 h ago are one sitting
    exposure = exposure_at(bouts, EVENING - timedelta(hours=5, minutes=20), GAP)
    assert exposure.uses == {"shiatsu-pillow": 1} and exposure.open_tools == {"shiatsu-pillow"}


def test_the_same_session_from_several_places_counts_once_with_the_most_time() -> None:
    one = bout(EVENING, 5, **{"hands__neck": 60})
    grown = Bout(one.session_id, one.started_at, one.ended_at, {("hands", "neck"): 90})
    assert [b.total for b in merge([one], [grown], [one])] == [90]


@pytest.fixture
def paths() -> Paths:
    return default_paths()


def test_ledger_keeps_48_hours_and_grows_a_session(paths: Paths) -> None:
    old = bout(EVENING - KEEP - timedelta(hours=1), 5, **{"hands__neck": 60})
    note_time(paths, old, EVENING - KEEP)
    recent = bout(EVENING - timedelta(hours=1), 5, **{"hands__neck": 30})
    note_time(paths, recent, EVENING)
    noted, problem = load_ledger(paths)
    assert problem is None and [b.session_id for b in noted] == [recent.session_id]
    note_time(paths, Bout(recent.session_id, recent.started_at, recent.ended_at, {("hands", "neck"): 10}), EVENING)
    assert [b.total for b in load_ledger(paths)[0]] == [30]  # never less than was noted
    assert os.stat(ledger_path(paths)).st_mode & 0o777 == 0o600


def test_a_damaged_ledger_is_reported_and_set_aside(paths: Paths) -> None:
    path = ledger_path(paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    noted, problem = load_ledger(paths)
    assert noted == [] and problem is not None and "damaged" in problem
    note_time(paths, bout(EVENING, 5, **{"hands__neck": 30}), EVENING)
    assert len(load_ledger(paths)[0]) == 1
    assert any(p.name.startswith("exposure.json.corrupt") for p in path.parent.iterdir())


def test_read_exposure_counts_history_ledger_and_checkpoint(paths: Paths) -> None:
    HistoryStore(paths).append(record(EVENING - timedelta(hours=3), 5, "massage-gun", "quads", 100))
    note_time(paths, bout(EVENING - timedelta(hours=2), 5, **{"massage-gun__quads": 50}), EVENING)  # discarded run
    save_checkpoint(
        paths,
        Checkpoint(
            session_id=uuid.uuid4(), routine_id="r", routine_title="R", started_at=EVENING - timedelta(minutes=30),
            saved_at=EVENING - timedelta(minutes=25), current_index=0,
            steps=(CheckpointStep(title="t", area="quads", tool="massage-gun", planned_seconds=60,
                                  actual_seconds=29.2),),
        ),
    )  # fmt: skip
    exposure = read_exposure(paths, EVENING, GAP)
    assert exposure.unknown == ()
    assert exposure.day[("massage-gun", "quads")] == 100 + 50 + 30  # the checkpoint's time rounded up
    assert exposure.session[("massage-gun", "quads")] == 30


def test_an_unreadable_history_is_named(paths: Paths) -> None:
    paths.history.parent.mkdir(parents=True, exist_ok=True)
    paths.history.mkdir()  # a folder where the file should be: reading it fails
    note_time(paths, bout(EVENING - timedelta(minutes=20), 5, **{"hands__neck": 40}), EVENING)
    exposure = read_exposure(paths, EVENING, GAP)
    assert len(exposure.unknown) == 1 and "history" in exposure.unknown[0]
    assert exposure.session == {("hands", "neck"): 40}  # the ledger still counts
    assert exposure.blocked  # and what the history held counts as every daily limit used up


def written(path: Path, moment: datetime) -> None:
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def test_a_torn_history_line_counts_as_the_limits_used_up_for_24_hours(paths: Paths) -> None:
    """A session whose line was cut short (or set aside as torn) may have used any area's allowance: until 24
    hours after the file was last written, every daily limit counts as used up; then the damage is only said."""
    HistoryStore(paths).append(record(EVENING - timedelta(minutes=30), 5, "massage-gun", "quads", 100))
    data = paths.history.read_bytes()
    paths.history.write_bytes(data[:-30])
    written(paths.history, EVENING - timedelta(minutes=20))
    exposure = read_exposure(paths, EVENING, GAP)
    assert exposure.blocked and exposure.unknown_until == EVENING - timedelta(minutes=20) + timedelta(hours=24)
    assert "could not be read" in exposure.unknown[0]
    HistoryStore(paths).load()  # the app or `history` sets the fragment aside: the copy still counts
    assert any(p.name.startswith("history.jsonl.torn-") for p in paths.history.parent.iterdir())
    assert read_exposure(paths, EVENING, GAP).blocked
    later = EVENING + timedelta(days=2)
    for copy in paths.history.parent.glob("history.jsonl.torn-*"):
        written(copy, EVENING)
    assert not read_exposure(paths, later, GAP).blocked


def test_a_damaged_checkpoint_or_ledger_counts_as_the_limits_used_up(paths: Paths) -> None:
    paths.checkpoint.parent.mkdir(parents=True, exist_ok=True)
    paths.checkpoint.write_text('{"schema_version": 1, "session_id": "7b05', encoding="utf-8")
    written(paths.checkpoint, EVENING - timedelta(minutes=5))
    exposure = read_exposure(paths, EVENING, GAP)
    assert exposure.blocked and "unfinished session" in exposure.unknown[0]
    paths.checkpoint.unlink()
    ledger_path(paths).write_text("{not json", encoding="utf-8")
    written(ledger_path(paths), EVENING - timedelta(hours=25))  # last written more than a day ago
    old = read_exposure(paths, EVENING, GAP)
    assert not old.blocked and "damaged" in old.unknown[0]  # said, but nothing it held can count any more


def test_stricter_limits_refuse_keys_they_do_not_use() -> None:
    with pytest.raises(ValidationError):
        StricterLimit.model_validate({"step_second": 30})
    settings = Settings.model_validate({"limits": {"hands": {"area_session_seconds": 100}}})
    assert settings.stricter_limit("hands").area_session_seconds == 100
    assert json.loads(settings.model_dump_json())["limits"]["hands"]["area_session_seconds"] == 100
