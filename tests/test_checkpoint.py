"""Checkpoints: the run in progress saved atomically, recorded as interrupted after a crash, bad files kept aside."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from companion.disk.paths import Paths
from companion.history.records import SessionStatus
from companion.run.checkpoint import (
    Checkpoint,
    checkpoint_to_record,
    clear_checkpoint,
    load_checkpoint,
    round_seconds,
    save_checkpoint,
)
from companion.run.clock import FakeClock
from companion.run.engine import RoutineRun
from companion.safety.plan import make_plan
from tests.catalog_fixture import make_catalog, thirty_minutes


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(data=tmp_path / "data", config=tmp_path / "config", state=tmp_path / "state")


def running() -> tuple[RoutineRun, FakeClock]:
    item = thirty_minutes()
    clock = FakeClock()
    run = RoutineRun(make_plan(item, make_catalog((item,))), clock, tension_before=7)
    run.start()
    return run, clock


def test_no_checkpoint(paths: Paths) -> None:
    assert load_checkpoint(paths) == (None, None)
    clear_checkpoint(paths)  # nothing to clear: no error


def test_checkpoint_round_trip_and_record(paths: Paths) -> None:
    run, clock = running()
    clock.advance(130.6)
    run.pause()
    clock.advance(50)
    checkpoint = run.checkpoint()
    assert checkpoint.current_index == 1 and checkpoint.paused
    assert checkpoint.actual_seconds == pytest.approx(130.6)
    assert checkpoint.saved_at == clock.now()
    save_checkpoint(paths, checkpoint)
    assert stat.S_IMODE(paths.checkpoint.stat().st_mode) == 0o600
    loaded, message = load_checkpoint(paths)
    assert message is None and loaded == checkpoint

    record = checkpoint_to_record(loaded)
    assert record.status is SessionStatus.INTERRUPTED
    assert record.id == run.session_id
    assert record.routine_id == "thirty-minutes" and record.tension_before == 7
    assert [s.actual_seconds for s in record.steps][:3] == [120, 11, 0]
    assert record.started_at == run.started_at
    assert record.ended_at == clock.now()
    clear_checkpoint(paths)
    assert not paths.checkpoint.exists()


def test_checkpoint_record_matches_the_run_record() -> None:
    run, clock = running()
    clock.advance(400.4)
    from_checkpoint = checkpoint_to_record(run.checkpoint())
    direct = run.to_record()
    assert from_checkpoint.steps == direct.steps
    assert from_checkpoint.id == direct.id


@pytest.mark.parametrize("content", [b"", b"{broken", b'{"routine_id": 3}', b"\xff"])
def test_unreadable_checkpoint_is_kept_aside(paths: Paths, content: bytes) -> None:
    paths.state.mkdir(parents=True)
    paths.checkpoint.write_bytes(content)
    checkpoint, message = load_checkpoint(paths, now=datetime(2026, 11, 2, 10, 0, tzinfo=UTC))
    assert checkpoint is None
    assert message is not None and "could not be read" in message
    moved = paths.state / "run-checkpoint.json.corrupt-20261102T100000Z"
    assert moved.read_bytes() == content
    assert not paths.checkpoint.exists()


def test_newer_checkpoint_is_left_alone(paths: Paths) -> None:
    paths.state.mkdir(parents=True)
    paths.checkpoint.write_text(json.dumps({"schema_version": 7, "something": "else"}))
    checkpoint, message = load_checkpoint(paths)
    assert checkpoint is None and message is not None and "newer" in message
    assert paths.checkpoint.exists()


def test_newer_checkpoint_that_still_fits_is_read(paths: Paths) -> None:
    run, _ = running()
    data = run.checkpoint().model_dump(mode="json")
    data["schema_version"] = 2
    data["future"] = True
    paths.state.mkdir(parents=True)
    paths.checkpoint.write_text(json.dumps(data))
    checkpoint, message = load_checkpoint(paths)
    assert checkpoint is not None and message is None


def test_saved_at_before_start_is_clamped() -> None:
    run, clock = running()
    checkpoint = run.checkpoint().model_copy(update={"saved_at": clock.now() - timedelta(hours=1)})
    record = checkpoint_to_record(checkpoint)
    assert record.ended_at == record.started_at


def test_round_seconds_keeps_the_sum() -> None:
    assert round_seconds([0.5, 0.5, 0.5, 0.5]) == [1, 0, 1, 0]
    assert sum(round_seconds([10.4] * 10)) == 104
    assert round_seconds([60.0, 59.6, 0.0]) == [60, 60, 0]
    assert round_seconds([]) == []


def test_checkpoint_model_is_strict_about_tension() -> None:
    run, _ = running()
    data = run.checkpoint().model_dump()
    data["tension_before"] = 11
    with pytest.raises(ValueError):
        Checkpoint.model_validate(data)
