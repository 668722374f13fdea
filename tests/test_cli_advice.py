"""``companion advice``, ``redflags`` and ``compare``, run as a user would: the installed script in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from companion.disk.paths import default_paths
from companion.history.records import SessionRecord, SessionStatus, StepDone
from tests.advice_history import completed_session

COMPANION = shutil.which("companion") or ""
TODAY = date(2026, 11, 20)


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [COMPANION, *args] if COMPANION else [sys.executable, "-m", "companion", *args]
    result = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}: {result.stderr}")
    return result


def needs_storage() -> None:
    pytest.importorskip("companion.history.store", reason="the history store is not part of this build yet")


def write_history(records: list[SessionRecord]) -> None:
    """Save ``records`` the way the app does (the test's XDG folders are already in the environment)."""
    from companion.history.store import HistoryStore

    store = HistoryStore(default_paths())
    for item in records:
        store.append(item)


def record(days_ago: int, area: str = "neck", before: int = 6, after: int = 6) -> SessionRecord:
    day = TODAY - timedelta(days=days_ago)
    start = datetime(day.year, day.month, day.day, 12, 0).astimezone()
    return SessionRecord(
        routine_id="neck-shoulders-desk",
        routine_title="Neck and shoulders at the desk",
        started_at=start,
        ended_at=start + timedelta(minutes=6),
        status=SessionStatus.COMPLETED,
        steps=(StepDone(area=area, tool="hands", planned_seconds=90, actual_seconds=90),),
        tension_before=before,
        tension_after=after,
    )


def red_flag_ids() -> list[str]:
    return [flag["id"] for flag in json.loads(run("redflags", "--json").stdout)]


def test_help_lists_the_advisor_commands() -> None:
    help_text = run("--help").stdout
    for command in ("advice", "redflags", "compare"):
        assert command in help_text


def test_redflags_text_and_json() -> None:
    flags = json.loads(run("redflags", "--json").stdout)
    assert flags
    assert {"id", "region", "text", "action"} <= flags[0].keys()
    text = run("redflags").stdout
    assert text.startswith("Red flags")
    for flag in flags:
        assert flag["text"] in text and flag["action"] in text
        # Each flag's source as a person can look it up, and each region's sources under it.
        assert "nhs.uk" in flag["cite"] or "physioworks.com.au" in flag["cite"], flag
    assert text.count("\n  Source") == 3 and "  Sources: NHS, nhs.uk/conditions/back-pain/" in text


def test_advice_with_no_history_suggests_a_first_routine() -> None:
    needs_storage()
    items = json.loads(run("advice", "--json", "--today", TODAY.isoformat()).stdout)
    assert [item["kind"] for item in items] == ["try-routine"]
    item = items[0]
    assert item["area"] is None and item["therapy_ids"] == [] and item["routine_ids"]
    routines = {r["id"] for r in json.loads(run("routines", "--json").stdout)}
    assert set(item["routine_ids"]) <= routines
    assert "No sessions recorded yet" in item["reason"]


def test_advice_from_history_names_the_sessions() -> None:
    needs_storage()
    write_history([record(d) for d in (0, 1, 3, 5, 6, 13)])
    items = json.loads(run("advice", "--json", "--today", TODAY.isoformat()).stdout)
    assert [(i["kind"], i["area"]) for i in items] == [("rest-area", "neck"), ("see-professional", "neck")]
    for item in items:
        assert {"kind", "area", "therapy_ids", "routine_ids", "reason"} <= item.keys()
        assert item["therapy_ids"]
        assert "Neck and shoulders at the desk" in item["reason"]
    assert (TODAY - timedelta(days=13)).isoformat() in items[1]["reason"]

    text = run("advice", "--today", TODAY.isoformat()).stdout
    assert "Rest: neck" in text and "See a professional therapist: neck" in text
    assert "Why this threshold:" in text and "design choice" in text


def test_advice_with_a_red_flag_says_see_a_doctor() -> None:
    needs_storage()
    flag = red_flag_ids()[0]
    items = json.loads(run("advice", "--json", "--yes", flag, "--today", TODAY.isoformat()).stdout)
    assert [i["kind"] for i in items] == ["see-doctor"]
    assert items[0]["therapy_ids"] == [] and items[0]["area"] is None


def test_compare_uses_settings_and_flags(isolated_home: Path) -> None:
    data = json.loads(run("compare", "--json").stdout)
    assert data["break_even_sessions"] is None
    assert [p["id"] for p in data["points"]] == ["cost", "time", "reach", "personal", "safety"]

    settings = isolated_home / "config" / "companion" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"prices": {"currency": "EUR", "device_price": 150, "session_price": 60}}))
    data = json.loads(run("compare", "--json").stdout)
    assert data["break_even_sessions"] == 3 and data["currency"] == "EUR"
    assert json.loads(run("compare", "--json", "--session-price", "75").stdout)["break_even_sessions"] == 2

    text = run("compare").stdout
    assert "Prices: device 150 EUR, session 60 EUR." in text and "3 sessions" in text


def test_compare_with_free_sessions_does_not_ask_for_a_price(isolated_home: Path) -> None:
    text = run("compare", "--device-price", "89.9", "--session-price", "0").stdout
    assert "Prices: device 89.90, session 0." in text
    assert "Enter the price" not in text and "nothing for a device to pay back" in text
    assert "Self-massage:" in text and "Professional:" in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("advice", "--yes", "no-such-flag"), "no red flag or screening question 'no-such-flag'"),
        (("advice", "--today", "yesterday"), "is not a date like"),
        (("compare", "--device-price", "-3", "--session-price", "60"), "The device price cannot be negative"),
        (("compare", "--device-price", "cheap", "--session-price", "60"), "The device price is not a number"),
    ],
)
def test_user_mistakes_give_one_line_and_exit_2(args: tuple[str, ...], expected: str) -> None:
    result = run(*args, check=False)
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_damaged_history_is_reported_and_advice_still_given(isolated_home: Path) -> None:
    needs_storage()
    history = isolated_home / "data" / "companion" / "history.jsonl"
    history.parent.mkdir(parents=True, exist_ok=True)
    history.write_text("not json\n", encoding="utf-8")
    result = run("advice", "--json", "--today", TODAY.isoformat())
    assert [item["kind"] for item in json.loads(result.stdout)] == ["try-routine"]
    assert result.stderr.startswith("companion: ")
    assert "Traceback" not in result.stderr


def test_todays_saved_screening_answers_count() -> None:
    needs_storage()
    from companion.safety.screening import ScreeningAnswers, save_screening

    before = json.loads(run("advice", "--json", "--today", TODAY.isoformat()).stdout)
    assert [item["kind"] for item in before] == ["try-routine"]
    save_screening(default_paths(), ScreeningAnswers(day=TODAY, yes=frozenset({"fever"})))
    items = json.loads(run("advice", "--json", "--today", TODAY.isoformat()).stdout)
    assert [item["kind"] for item in items] == ["see-doctor"]
    # Answers apply to their own day only.
    later = (TODAY + timedelta(days=1)).isoformat()
    assert [item["kind"] for item in json.loads(run("advice", "--json", "--today", later).stdout)] == ["try-routine"]


def bundled_session(catalog, routine_id: str, days_ago: int, before: int, after: int) -> SessionRecord:
    """A session of a bundled routine, every step done as planned, ``days_ago`` days before ``TODAY``."""
    day = TODAY - timedelta(days=days_ago)
    return completed_session(
        catalog, routine_id, datetime(day.year, day.month, day.day, 8, 0).astimezone(), before, after
    )


def test_a_doctor_is_named_for_every_area_the_rated_routine_worked_its_own_area_first(services) -> None:
    """Finding 74: "Upper back release" (chest 2:30 over two steps, upper back 2:00 over three, shoulders 1:00)
    rated 7 -> 7 on three days: one item for the upper back, the chest and the shoulders, the upper back first,
    never "chest" alone."""
    needs_storage()
    write_history([bundled_session(services.catalog, "upper-back-release", d, 7, 7) for d in (3, 2, 1)])
    items = json.loads(run("advice", "--json", "--today", TODAY.isoformat()).stdout)
    doctor = [item for item in items if item["kind"] == "see-doctor"]
    assert [(i["rule"], i["areas"], i["area_name"]) for i in doctor] == [
        ("persistent-high", ["upper-back", "chest", "shoulders"], "upper back, chest and shoulders")
    ]
    assert [item["kind"] for item in items] == ["see-doctor"]  # no second item for any of those areas
    text = run("advice", "--today", TODAY.isoformat()).stdout
    assert "See a doctor: upper back, chest and shoulders\n" in text
    assert "See a doctor: chest\n" not in text and text.count("See a doctor") == 1


def test_two_routines_sharing_areas_name_each_area_once_the_neck_first(services) -> None:
    """A neck routine and an upper-back routine both getting worse: the neck's item comes first and names the
    neck, shoulders and upper back, and the upper back's routine joins it (one item naming the chest too) rather
    than a second item naming the shoulders again."""
    needs_storage()
    neck = [bundled_session(services.catalog, "neck-shoulders-desk", d, 8, 10) for d in (4, 2)]
    back = [bundled_session(services.catalog, "upper-back-release", d, 7, 9) for d in (3, 1)]
    write_history(neck + back)
    items = json.loads(run("advice", "--json", "--today", TODAY.isoformat()).stdout)
    assert [(item["kind"], item["areas"]) for item in items] == [
        ("see-doctor", ["neck", "shoulders", "upper-back", "chest"])
    ]
    assert {"Neck and shoulders after desk work", "Upper back release"} == {
        session["routine_title"] for session in items[0]["sessions"]
    }
    text = run("advice", "--today", TODAY.isoformat()).stdout
    assert "See a doctor: neck, shoulders, upper back and chest\n" in text and text.count("See a doctor") == 1
