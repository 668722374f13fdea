"""Nothing read at start can stop the start (issue 13): a hostile routine, checkpoint, settings file, cache and
history all at once, east of UTC; the app starts, names each file in a message, and every view opens over what
was kept, with nothing but text on the screen. Also ``validate`` and the other readers of those files."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from companion.catalogue.cache import cache_path, load_catalog_cached
from companion.cli.entry import main
from companion.disk.paths import default_paths
from companion.history.interchange import session_json
from companion.run.clock import FakeClock
from companion.safety.screening import load_screening
from companion.services import build_services
from companion.settings.user_settings import load_settings
from screens.app import CompanionApp
from tests import hostile_corpus as corpus
from tests.history_support import HEADER, make_record

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
EAST = timezone(timedelta(hours=14))
WEST = timezone(timedelta(hours=-12))


@pytest.fixture
def east_of_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's local time 14 hours ahead of UTC (where the year 9999 once overflowed the streaks)."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def extreme_but_valid() -> list[bytes]:
    """Sessions at the edges of what the bounds let through: the views must show them, not fall over."""
    first = datetime(2000, 1, 1, 15, 0, tzinfo=EAST)  # 01:00 UTC: the first hour allowed
    last = datetime(2099, 12, 31, 9, 0, tzinfo=WEST)
    many_steps = [{"area": "neck", "tool": "hands", "planned_seconds": 1, "actual_seconds": 1}] * 200
    sessions = []
    for number, (start, changes) in enumerate(
        [
            (first, {}),
            (last, {"notes": "line\n" * 1999 + "end", "routine_title": "T" * 200}),
            (last - timedelta(days=1), {"steps": many_steps}),
            (
                first + timedelta(days=3),
                {
                    "steps": [
                        {"area": "an-area-of-later", "tool": "a-new-tool", "planned_seconds": 60, "actual_seconds": 60}
                    ]
                },
            ),
        ]
    ):
        data = session_json(make_record(number, started_at=start, ended_at=start + timedelta(hours=1)))
        data.update(changes, schema_version=1)
        sessions.append(json.dumps(data).encode())
    return sessions


def plant_everything(paths_home: Path) -> None:
    paths = default_paths()
    for folder in (paths.data, paths.config, paths.state, paths.routines):
        folder.mkdir(parents=True, exist_ok=True)
    (paths.routines / "deep.toml").write_bytes(corpus.NESTED_TOML)
    (paths.routines / "huge.toml").write_bytes(b"# " + b"x" * 300_000)
    paths.checkpoint.write_bytes(corpus.CHECKPOINT_CASES["actual_seconds Infinity"])
    paths.settings.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    paths.screening.write_bytes(b"{" * 50_000)
    lines = list(corpus.bad_history_lines().values()) + extreme_but_valid()
    paths.history.write_bytes(HEADER + b"\n".join(lines) + b"\n")
    cache = cache_path()
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"\x80\x05garbage that was once a pickle\n\x00\xff" * 100)


async def test_every_hostile_file_at_once_the_app_starts_and_every_view_opens(
    isolated_home: Path, east_of_utc: None
) -> None:
    plant_everything(isolated_home)
    services = build_services(clock=FakeClock(datetime.now(UTC)))
    app = CompanionApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            if app.history_ready:
                break
            await pilot.pause(0.05)
        assert app.history_ready
        await pilot.pause(0.2)
        said = " ".join(str(n.message) for n in app._notifications)
        for named in ("deep.toml", "huge.toml", "settings", "unfinished session", "damaged"):
            assert named in said, named
        assert len(services.store.records) == len(extreme_but_valid())
        screens_seen = []
        for key, back in (("h", "escape"), ("t", "escape"), ("comma", "escape"), ("question_mark", "escape")):
            await pilot.press(key)
            await pilot.pause(0.3)
            screens_seen.append(type(app.screen).__name__)
            if key == "h":
                await pilot.press("enter")  # the newest session's details (200 characters of title, 2,000 lines)
                await pilot.pause(0.2)
                screens_seen.append(type(app.screen).__name__)
                await pilot.press("escape")
                await pilot.press("s")  # statistics: streaks over 2000 and 2099, east of UTC
                await pilot.pause(0.3)
            assert CONTROL.search(app.export_screenshot().replace("\n", "")) is None, key
            await pilot.press(back)
            await pilot.pause(0.1)
        assert screens_seen == [
            "HistoryScreen",
            "SessionDetailScreen",
            "TherapiesScreen",
            "SettingsScreen",
            "HelpScreen",
        ]
    assert app.return_code in (None, 0)


def test_validate_reports_a_deeply_nested_file_and_still_checks_the_next(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep, fine = tmp_path / "deep.toml", tmp_path / "fine.toml"
    deep.write_bytes(corpus.NESTED_TOML)
    fine.write_text((Path(__file__).parent.parent / "docs" / "example-routine.toml").read_text(), encoding="utf-8")
    assert main(["validate", str(deep), str(fine)]) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert "nested too deeply" in text and "Traceback" not in text


def test_settings_and_screening_too_deep_or_too_large_give_defaults_and_a_message() -> None:
    paths = default_paths()
    paths.config.mkdir(parents=True, exist_ok=True)
    paths.state.mkdir(parents=True, exist_ok=True)
    for content in (b"[" * 100_000, b'{"pad": "' + b"x" * 2**21 + b'"}'):
        paths.settings.write_bytes(content)
        _settings, message = load_settings(paths)
        assert message is not None and "could not be used" in message
        paths.screening.write_bytes(content)
        assert load_screening(paths, datetime.now(UTC).date()).yes == frozenset()


def test_the_cache_of_a_hostile_start_is_replaced_by_a_valid_one(isolated_home: Path) -> None:
    plant_everything(isolated_home)
    result = load_catalog_cached(user_routines=default_paths().routines)
    assert {p.file.rsplit("/", 1)[-1] for p in result.user_problems} == {"deep.toml", "huge.toml"}
    assert cache_path().read_bytes()[:64].isascii()


def test_plan_says_when_todays_answers_could_not_be_read(capsys: pytest.CaptureFixture[str]) -> None:
    paths = default_paths()
    paths.state.mkdir(parents=True, exist_ok=True)
    paths.screening.write_bytes(b'{"day": "2026-')
    assert main(["plan", "feet-reset"]) == 0
    err = capsys.readouterr().err
    assert "Today's screening answers could not be read" in err and str(paths.screening) in err


async def test_the_screening_screen_says_when_todays_answers_could_not_be_read(isolated_home: Path) -> None:
    from textual.widgets import Static

    from screens.screening import ScreeningScreen

    paths = default_paths()
    paths.state.mkdir(parents=True, exist_ok=True)
    paths.screening.write_bytes(b"\x00\x01 cut")
    app = CompanionApp(build_services(clock=FakeClock(datetime.now(UTC))), start_routine="feet-reset")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        assert isinstance(app.screen, ScreeningScreen)
        shown = str(app.screen.query_one("#screening-unreadable", Static).render())
        assert shown.startswith("! Today's screening answers could not be read") and "again" in shown


async def test_sessions_only_an_import_would_refuse_are_kept_from_the_history_and_every_view_opens(
    isolated_home: Path,
) -> None:
    """The checks against the clock and the catalogue (a start a week ahead, a massage gun on the neck, 36,000 s of
    it) refuse an import or a recovery. In the history file such a session is kept and counted against the limits:
    setting it aside would make the next plan looser (a clock set back later, or a rule made stricter after the
    session, must never free an area). It never breaks a view."""
    from companion.run.done import read_exposure
    from tests.test_fuzzed_files import walk_every_view

    record = session_json(make_record(1))
    kept = []
    for number, (name, changes, _field) in enumerate(corpus.EXPORT_CASES):
        if name in ("a week ahead", "36,000 s of massage gun on the neck", "a massage gun on the neck"):
            kept.append(json.dumps(dict(record, **changes, id=str(make_record(50 + number).id))).encode())
    paths = default_paths()
    paths.data.mkdir(parents=True, exist_ok=True)
    paths.history.write_bytes(HEADER + b"\n".join(kept) + b"\n")
    services = build_services(clock=FakeClock(datetime.now(UTC)))
    app = CompanionApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = await walk_every_view(app, pilot)
    assert {"HistoryScreen", "SessionDetailScreen", "AdviceScreen"} <= set(seen)
    assert len(services.store.records) == 3 and not [p for p in paths.data.iterdir() if ".corrupt-" in p.name]
    exposure = read_exposure(paths, datetime.now(UTC), timedelta(hours=1))
    assert exposure.day.get(("massage-gun", "neck"), 0) >= 36_000  # counted: the plan only stricter
