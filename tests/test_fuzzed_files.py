"""Fuzzed mutations of real files through import, start-up and every view (issue 13).

Each kind of file Companion reads (the history, an export as JSON and CSV, the checkpoint of a run, the run's
status file, the settings, today's screening answers, a user routine file, the catalogue cache) is written by the
app's own code, then damaged by Hypothesis (``tests/fuzzed_files.py``) and read again: by every command that reads
it (many examples: they are quick) and by the app started with the Pilot and walked through every view (a few
examples: each starts the app). Whatever the damage: no traceback, the intact sessions kept, nothing but text on
the terminal (no ESC, no C1, no other control character in any output), and a file that could not be used set
aside and named in a message.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.catalogue.cache import load_catalog_cached
from companion.catalogue.loader import load_catalog
from companion.cli.entry import main
from companion.disk.paths import Paths
from companion.history.store import HistoryStore
from companion.run.checkpoint import load_checkpoint
from companion.run.clock import FakeClock
from companion.services import build_services
from companion.settings.user_settings import load_settings
from companion.words import CONTROL_CHARACTERS
from screens.app import CompanionApp
from tests import fuzzed_files as fuzz

CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
"""Any control character but tab and new line, bidirectional overrides too (CSV's CR LF is made LF first)."""
CATALOG = load_catalog().catalog
ROUTINE = fuzz.ROUTINE_ID
COMMANDS: dict[str, list[tuple[str, ...]]] = {
    "history": [("history",), ("history", "--json"), ("history", "--csv"), ("advice",), ("advice", "--json")],
    "export-json": [("import", "FILE"), ("history",), ("history", "--json"), ("history", "--csv")],
    "export-csv": [("import", "FILE"), ("history",), ("history", "--csv")],
    "checkpoint": [("status",), ("status", "--json"), ("plan", ROUTINE)],
    "status": [("status",), ("status", "--json")],
    "settings": [("compare",), ("compare", "--json"), ("plan", ROUTINE)],
    "screening": [("plan", ROUTINE), ("plan", ROUTINE, "--json")],
    "routine": [
        ("validate", "FILE"),
        ("validate", "FILE", "--json"),
        ("routines",),
        ("routine", fuzz.USER_ROUTINE),
        ("routine", fuzz.USER_ROUTINE, "--json"),
    ],
}
"""The commands that read each kind of file (``FILE``: the damaged file itself)."""

CORE = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
VIEWS = settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def inert(text: str) -> bool:
    return CONTROL.search(text.replace("\r\n", "\n")) is None


def run(args: tuple[str, ...], file: Path) -> tuple[str, str]:
    """Run ``companion ARGS`` in this process (an exception would be a traceback); its stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(file) if arg == "FILE" else arg for arg in args])
    assert code in (0, 1, 2), (args, code)
    assert inert(out.getvalue()) and inert(err.getvalue()), (args, out.getvalue()[-300:], err.getvalue()[-300:])
    return out.getvalue(), err.getvalue()


def kept_copies(path: Path) -> list[Path]:
    """What Companion set aside of ``path`` (``<name>.corrupt-<time>`` and the like)."""
    return sorted(p for p in path.parent.glob(f"{path.name}.*") if p.name != f"{path.name}.lock")


def intact_ids(paths: Paths) -> set[str]:
    return {str(record.id) for record in HistoryStore(paths).load().records}


def real_ids() -> set[str]:
    return {str(record.id) for record in fuzz.real_sessions()}


# -- the commands -------------------------------------------------------------------------------------------------


@CORE
@given(line_and_data=st.data())
def test_a_damaged_history_keeps_every_intact_session_in_every_command(
    isolated_home: Path, line_and_data: st.DataObject
) -> None:
    real = fuzz.real_files(isolated_home)
    data, line = line_and_data.draw(fuzz.mutated_history(real["history"]))
    paths = fuzz.plant(isolated_home, "history", data)
    said = ""
    for args in COMMANDS["history"]:
        _out, err = run(args, paths.history)
        said += err
    records = HistoryStore(paths).load().records
    damaged = real_ids() - {str(record.id) for record in records}
    assert len(damaged) <= 1  # only the session on the damaged line, and only if it no longer reads
    for copy in kept_copies(paths.history):
        assert str(copy) in said and copy.read_bytes() == data  # the original, kept whole and named
    left = data.split(b"\n")[line - 1].strip(b" \t\r\x00")
    if len(records) < len(real_ids()) and left and "newer version" not in said:
        assert kept_copies(paths.history), f"line {line} dropped without a copy"  # (a blank line held nothing)


@pytest.mark.parametrize("kind", ["export-json", "export-csv"])
@CORE
@given(damage=st.data())
def test_a_damaged_export_is_imported_or_refused_in_one_line_and_the_history_kept(
    isolated_home: Path, kind: str, damage: st.DataObject
) -> None:
    real = fuzz.real_files(isolated_home)
    data = damage.draw(fuzz.strategy(kind, real[kind]))
    paths = fuzz.plant(isolated_home, kind, data)
    before = paths.history.read_bytes()
    file = fuzz.where(kind, paths, isolated_home)
    out, err = run(COMMANDS[kind][0], file)
    if err:
        assert err.count("\n") == 1 and "nothing was imported" in err.lower(), err
        assert paths.history.read_bytes() == before
    else:
        assert out.startswith("Imported ")
    assert real_ids() <= intact_ids(paths)
    for args in COMMANDS[kind][1:]:
        run(args, file)


@pytest.mark.parametrize("kind", ["checkpoint", "status", "settings", "screening", "routine"])
@CORE
@given(damage=st.data())
def test_a_damaged_file_is_read_by_every_command_without_a_traceback_and_set_aside_named(
    isolated_home: Path, kind: str, damage: st.DataObject
) -> None:
    real = fuzz.real_files(isolated_home)
    data = damage.draw(fuzz.strategy(kind, real[kind]))
    paths = fuzz.plant(isolated_home, kind, data)
    file = fuzz.where(kind, paths, isolated_home)
    said = ""
    for args in COMMANDS[kind]:
        out, err = run(args, file)
        said += out + err
    assert real_ids() <= intact_ids(paths)
    if kind == "checkpoint":
        checkpoint, message = load_checkpoint(paths, fuzz.NOW, CATALOG)
        assert (checkpoint is None) == (message is not None) or not file.exists()
        if message is not None:
            assert inert(message)
            for copy in kept_copies(file):
                assert str(copy) in message and copy.read_bytes() == data
    elif kind == "settings":
        for copy in kept_copies(file):
            assert str(copy) in said and copy.read_bytes() == data
        _settings, message = load_settings(paths)
        assert message is None or inert(message)
    elif kind == "routine" and "ok: routine" not in said:
        assert str(file) in said  # validate names the file in every problem it reports


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(damage=st.data(), reseal=st.booleans())
def test_a_damaged_cache_gives_the_catalogue_or_one_that_shows_only_text(
    isolated_home: Path, damage: st.DataObject, reseal: bool
) -> None:
    real = fuzz.real_files(isolated_home)
    data = damage.draw(fuzz.strategy("cache", real["cache"]))
    if reseal:
        data = fuzz.resealed_cache(data)
    paths = fuzz.plant(isolated_home, "cache", data)
    result = load_catalog_cached(user_routines=paths.routines)
    assert all(inert(text) for text in strings(result.catalog.model_dump()))
    if not reseal:  # a file whose digest no longer matches is never used
        assert result.catalog == load_catalog(user_routines=paths.routines).catalog


def strings(value: Any) -> list[str]:
    """Every string inside ``value`` (dicts, lists and tuples of them), keys too."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in strings(key) + strings(item)]
    if isinstance(value, list | tuple | set | frozenset):
        return [s for item in value for s in strings(item)]
    return []


# -- start-up and every view --------------------------------------------------------------------------------------

VIEW_KINDS = ["history", "checkpoint", "settings", "routine", "cache"]
"""The files the app reads at start (the screening answers and the run's status file are read by the routine flow
and ``companion status``, above)."""


async def walk_every_view(app: CompanionApp, pilot: Any) -> list[str]:
    """Home, the recovery offer if any, history and a session's details, statistics, advice: each checked to
    show only text. The names of the screens seen."""
    seen: list[str] = []

    async def look() -> None:
        await pilot.pause(0.05)
        seen.append(type(app.screen).__name__)
        assert inert(app.export_screenshot()), seen

    for _ in range(100):
        if app.history_ready:
            break
        await pilot.pause(0.05)
    await look()
    if seen[-1] == "RecoveryScreen":
        await pilot.press("escape")  # later: the checkpoint stays for the next start
        await look()
    for keys in (["h"], ["enter"], ["escape", "s"], ["escape", "escape", "a"], ["escape"]):
        await pilot.press(*keys)
        await look()
    return seen


@pytest.mark.parametrize("kind", VIEW_KINDS)
@VIEWS
@given(damage=st.data())
async def test_the_app_starts_over_a_damaged_file_and_every_view_shows_only_text(
    isolated_home: Path, kind: str, damage: st.DataObject
) -> None:
    real = fuzz.real_files(isolated_home)
    if kind == "history":
        data, _line = damage.draw(fuzz.mutated_history(real["history"]))
    else:
        data = damage.draw(fuzz.strategy(kind, real[kind]))
    paths = fuzz.plant(isolated_home, kind, data)
    file = fuzz.where(kind, paths, isolated_home)
    services = build_services(clock=FakeClock(fuzz.NOW))
    app = CompanionApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = await walk_every_view(app, pilot)
        said = " ".join(str(n.message) for n in app._notifications)
    assert app.return_code in (None, 0)
    assert {"HistoryScreen", "SessionDetailScreen", "AdviceScreen"} <= set(seen), seen
    assert inert(said)
    assert real_ids() - intact_ids(paths) <= ({str(r.id) for r in fuzz.real_sessions()} if kind == "history" else set())
    if kind in ("history", "settings", "checkpoint"):
        for copy in kept_copies(file):
            assert copy.name in said or str(copy) in said, (copy, said)
    if kind == "routine" and services.catalog.routine(fuzz.USER_ROUTINE) is None:
        assert str(file) in said


# -- every value of the small files, replaced by every hostile value ---------------------------------------------


def read_status_shown(paths: Paths) -> list[str]:
    from companion.cli.status import status_json, status_line
    from companion.cli.support import json_text
    from companion.run.status import read_status
    from companion.words import one_line

    report = read_status(paths, fuzz.NOW)
    return [one_line(status_line(report)), json_text(status_json(report))]


def read_checkpoint_shown(paths: Paths) -> list[str]:
    checkpoint, message = load_checkpoint(paths, fuzz.NOW, CATALOG)
    assert (checkpoint is None) != (message is None) or (checkpoint, message) == (None, None)
    return [message or "", "" if checkpoint is None else checkpoint.routine_title]


def read_settings_shown(paths: Paths) -> list[str]:
    from companion.words import money

    settings_, message = load_settings(paths)
    prices = settings_.prices
    shown = [
        money(price, prices.currency) for price in (prices.device_price, prices.session_price) if price is not None
    ]
    return [message or "", *shown, settings_.speech.voice]


def read_screening_shown(paths: Paths) -> list[str]:
    from companion.safety.screening import load_screening

    answers = load_screening(paths, fuzz.NOW.astimezone().date())
    return [*answers.yes, *answers.cleared, answers.unreadable or ""]


READERS = {
    "status": read_status_shown,
    "checkpoint": read_checkpoint_shown,
    "settings": read_settings_shown,
    "screening": read_screening_shown,
}
"""Each small file's loader, and the text its views would show of it."""


@pytest.mark.parametrize("kind", list(READERS))
def test_every_value_of_a_small_file_replaced_by_each_hostile_value_is_read_without_a_traceback(
    isolated_home: Path, kind: str
) -> None:
    """Exhaustive where Hypothesis samples: each value of the file in turn becomes each hostile value (another
    type, a huge, negative or not-a-number number, deep nesting), and its loader keeps to text."""
    import json

    real = fuzz.real_files(isolated_home)
    paths = fuzz.plant(isolated_home, kind, real[kind])
    file = fuzz.where(kind, paths, isolated_home)
    document = json.loads(real[kind])
    for path in fuzz._nodes(document)[1:]:
        for value in fuzz.SCALARS:
            file.write_bytes(fuzz.json_text(fuzz._replace(document, path, value), 1000))
            shown = READERS[kind](paths)
            assert all(inert(text) for text in shown), (path, value, shown)
