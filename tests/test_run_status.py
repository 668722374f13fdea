"""The run's status file and ``companion status``: written every second, read with the time counted on, a dead
process reported as idle or interrupted."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest

from companion.cli.entry import main
from companion.cli.status import status_json, status_line
from companion.disk.paths import default_paths
from companion.run.checkpoint import save_checkpoint
from companion.run.clock import FakeClock
from companion.run.engine import RoutineRun
from companion.run.hands_free import HandsFree
from companion.run.status import RunState, StatusWriter, read_status, status_path
from companion.safety.plan import make_plan
from tests.catalog_fixture import make_catalog, routine, step

ALIVE = os.getpid()


def running(pid: int = ALIVE):
    item = routine(
        "calves",
        [step("calves", "massage-gun", 50, "Calves first"), step("shoulders", "massage-ball", 30, "Shoulders")],
    )
    plan = make_plan(item, make_catalog((item,)))
    clock = FakeClock()
    run = RoutineRun(plan, clock)
    paths = default_paths()
    writer = StatusWriter(paths, plan, run, pid=pid)
    hands = HandsFree(plan, run, status=writer)
    run.start()
    hands.update(run.drain_events(), run.snapshot())
    return paths, clock, run, hands


def test_the_file_is_replaced_every_second_and_read_with_the_time_counted_on() -> None:
    paths, clock, run, hands = running()
    path = status_path(paths)
    first = json.loads(path.read_text())
    assert first["step_number"] == 1 and first["step_seconds_left"] == 50 and first["routine_seconds_left"] == 80
    clock.advance(0.5)
    hands.update(run.drain_events(), run.snapshot())
    assert json.loads(path.read_text()) == first  # not yet a second
    clock.advance(0.6)
    hands.update(run.drain_events(), run.snapshot())
    assert json.loads(path.read_text())["step_seconds_left"] == pytest.approx(48.9)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []

    report = read_status(paths, clock.now() + timedelta(seconds=3))  # the reader comes 3 s after the write
    assert report.state is RunState.RUNNING
    assert report.step_seconds_left == pytest.approx(45.9) and report.routine_seconds_left == pytest.approx(75.9)
    assert status_line(report) == ("running: step 1 of 2, Calves first (Calves), 0:46 left; routine 1:16 left")


def test_paused_time_stands_still_and_the_end_removes_the_file() -> None:
    paths, clock, run, hands = running()
    clock.advance(10)
    run.pause()
    hands.update(run.drain_events(), run.snapshot())
    hands.status.update(run.snapshot(), changed=True)
    report = read_status(paths, clock.now() + timedelta(seconds=5))
    assert report.state is RunState.PAUSED and report.step_seconds_left == pytest.approx(40)
    data = status_json(report)
    assert data["paused"] is True and data["step_title"] == "Calves first" and data["steps"] == 2
    run.stop()
    hands.update(run.drain_events(), run.snapshot())
    hands.close()
    assert not status_path(paths).exists()
    assert read_status(paths, clock.now()).state is RunState.IDLE


def test_a_dead_process_is_interrupted_while_its_checkpoint_waits_else_idle() -> None:
    paths, clock, run, hands = running(pid=ALIVE)
    clock.advance(20)
    hands.update(run.drain_events(), run.snapshot())
    save_checkpoint(paths, run.checkpoint())
    dead = lambda pid: False  # noqa: E731
    report = read_status(paths, clock.now(), alive=dead)
    assert report.state is RunState.INTERRUPTED and report.seconds_done == pytest.approx(20)
    assert status_line(report) == "interrupted: Calves, 0:20 done"
    assert status_json(report) == {
        "state": "interrupted",
        "routine_id": "calves",
        "routine_title": "Calves",
        "seconds_done": 20.0,
    }
    # a living process that stopped writing long ago (its id reused, or frozen) is not taken as running
    assert read_status(paths, clock.now() + timedelta(seconds=60)).state is RunState.INTERRUPTED
    paths.checkpoint.unlink()  # the session was recorded at the next start
    assert read_status(paths, clock.now(), alive=dead).state is RunState.IDLE


def test_an_unfinished_run_leaves_the_file_for_status_to_report() -> None:
    paths, _, _, hands = running()
    hands.close()  # the app closed mid-run
    assert status_path(paths).exists()


@pytest.mark.parametrize("content", [b"", b"{", b'{"pid": -1}', b"\xff\xfe", b"[]"])
def test_a_bad_status_file_is_idle(content: bytes) -> None:
    path = status_path(default_paths())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    assert read_status(default_paths(), FakeClock().now()).state is RunState.IDLE


def test_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status"]) == 0
    assert capsys.readouterr().out == "idle\n"
    assert main(["status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"state": "idle"}
