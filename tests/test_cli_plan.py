"""``companion plan`` and ``companion screening``: the plan fitted to now, and the questions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from companion.cli.entry import main
from companion.disk.paths import default_paths
from companion.history.records import SessionRecord, SessionStatus, StepDone
from companion.history.store import HistoryStore


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def plan_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, "plan", *args, "--json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_plan_json_lists_every_step_with_position_and_notes(capsys: pytest.CaptureFixture[str]) -> None:
    data = plan_json(capsys, "legs-after-running", "--answer", "pregnancy=cleared")
    assert data["can_start"] and data["cleared"] == ["pregnancy"]
    steps = data["steps"]
    assert len(steps) == 7
    assert {"title", "area", "tool", "position", "instruction", "seconds", "trimmed_from", "notes"} <= set(steps[0])
    gun = [s for s in steps if s["tool"] == "massage-gun"]
    assert gun and all(s["seconds"] == 0 and s["trimmed_from"] == written for s, written in
                       zip(gun, (30, 30, 60, 60), strict=True))  # fmt: skip
    assert all(n["source"] == "design-pregnancy" for s in gun for n in s["notes"])
    assert "matria.in" in data["sources"]["prenatal-positions"]
    face_down = [s for s in steps if s["position"] == "lying-face-down"]
    assert face_down and face_down[0]["notes"][0]["source"] == "prenatal-positions"


def test_plan_counts_the_history_of_the_last_24_hours(capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(UTC)
    HistoryStore(default_paths()).append(
        SessionRecord(
            routine_id="legs-after-running",
            routine_title="Legs after a run",
            started_at=now - timedelta(hours=23),
            ended_at=now - timedelta(hours=23) + timedelta(minutes=4),
            status=SessionStatus.COMPLETED,
            steps=(StepDone(area="quads", tool="massage-gun", planned_seconds=240, actual_seconds=240),),
        )
    )
    data = plan_json(capsys, "legs-after-running")
    quads_gun = [s for s in data["steps"] if s["area"] == "quads" and s["tool"] == "massage-gun"]
    assert [s["seconds"] for s in quads_gun] == [0, 0]
    assert "4:00 already done in the last 24 hours" in quads_gun[0]["notes"][0]["text"]
    code, out, _err = run(capsys, "plan", "legs-after-running")
    assert code == 0 and "(not today)" in out and "(a Companion design choice)" in out


def test_plan_avoid_area_with_named_areas(capsys: pytest.CaptureFixture[str]) -> None:
    data = plan_json(capsys, "calf-recovery", "--answer", "bruise-or-strain=yes:calves")
    assert {s["area"] for s in data["steps"] if s["seconds"] > 0} == {"feet"}
    emptied = plan_json(capsys, "calf-recovery", "--answer", "bruise-or-strain=yes")
    assert emptied["total_seconds"] == 0 and emptied["alternatives"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "no-such-routine"], "no routine 'no-such-routine'"),
        (["plan", "calf-recovery", "--answer", "fever"], "no screening question 'fever'"),
        (["plan", "calf-recovery", "--answer", "nope=yes"], "no screening question 'nope'"),
        (["plan", "calf-recovery", "--answer", "fever=maybe"], "the answer must be one of yes, no, cleared"),
        (["plan", "calf-recovery", "--answer", "fever=cleared"], "is not an ask-a-doctor-first question"),
        (["plan", "calf-recovery", "--answer", "bruise-or-strain=yes:elbows"], "unknown area 'elbows'"),
        (["plan", "calf-recovery", "--answer", "fever=yes:calves"], "does not ask which areas"),
    ],
)
def test_bad_ids_and_values_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_a_stop_answer_means_the_plan_cannot_start(capsys: pytest.CaptureFixture[str]) -> None:
    data = plan_json(capsys, "calf-recovery", "--answer", "fever=yes")
    assert data["stop"] == ["fever"] and not data["can_start"]


def test_screening_lists_the_questions_and_what_they_do(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "screening", "--json")
    assert code == 0
    questions = {q["id"]: q for q in json.loads(out)}
    assert questions["fever"]["kind"] == "stop"
    assert questions["blood-thinners"]["kind"] == "adapt" and questions["blood-thinners"]["adaptations"]
    assert questions["bruise-or-strain"]["asks_which_areas"]
    assert all(q["source"] for q in questions.values())
    code, out, _err = run(capsys, "screening")
    assert code == 0 and "pregnancy: Are you pregnant?" in out and "adapts: no percussive or vibrating device" in out
