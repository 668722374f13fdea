"""Real files as Companion writes them, and Hypothesis strategies that damage them as a disk, a sync tool or a
hostile sender would (issue 13): flipped, inserted and deleted bytes, truncation, values of another type, huge,
negative and not-a-number numbers, nesting far deeper than any file holds, and control characters (C0, C1, ESC
sequences, U+009B) in every string. Used by ``test_fuzzed_files.py``.

Each kind of file is written by the app's own code in the test's XDG folders (:func:`real_files`), so what is
mutated is what a user's disk really holds.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import tomllib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import strategies as st

from companion.catalogue.cache import _head, cache_key, cache_path, load_catalog_cached
from companion.catalogue.loader import BUNDLED_ROOT
from companion.cli.entry import main
from companion.disk.paths import Paths, default_paths
from companion.history.records import SessionRecord, StepDone
from companion.history.store import HistoryStore
from companion.run.checkpoint import save_checkpoint
from companion.run.clock import FakeClock
from companion.run.engine import RoutineRun
from companion.run.hands_free import HandsFree
from companion.run.status import StatusWriter, status_path
from companion.safety.plan import make_plan
from companion.safety.screening import ScreeningAnswers, save_screening
from companion.settings.user_settings import Settings, save_settings
from tests.history_support import make_record

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(UTC)
ROUTINE_ID = "neck-shoulders-desk"
USER_ROUTINE = "forearms-after-typing"
"""The id of ``docs/example-routine.toml``, the user routine file of every example."""
ROUTINE_MTIME_NS = 1_700_000_000_000_000_000
"""The user routine file is rewritten in place with this time, so the catalogue cache's key stays the same."""

KINDS = ("history", "export-json", "export-csv", "checkpoint", "status", "settings", "screening", "routine", "cache")


def real_sessions() -> list[SessionRecord]:
    """Four sessions of the last days, of a bundled routine (so the views have advice and exposure to show)."""
    sessions = []
    for number in range(4):
        start = NOW - timedelta(days=number, hours=2)
        sessions.append(
            make_record(
                number,
                routine_id=ROUTINE_ID,
                routine_title="Neck and shoulders after desk work",
                started_at=start,
                ended_at=start + timedelta(minutes=6),
                steps=(
                    StepDone(area="neck", tool="hands", planned_seconds=60, actual_seconds=60),
                    StepDone(area="shoulders", tool="hands", planned_seconds=90, actual_seconds=80 + number),
                ),
            )
        )
    return sessions


def where(kind: str, paths: Paths, home: Path) -> Path:
    """The file of ``kind`` in the folders of ``paths``."""
    return {
        "history": paths.history,
        "export-json": home / "export.json",
        "export-csv": home / "export.csv",
        "checkpoint": paths.checkpoint,
        "status": status_path(paths),
        "settings": paths.settings,
        "screening": paths.screening,
        "routine": paths.routines / "my-routine.toml",
        "cache": cache_path(),
    }[kind]


def _write_routine_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("r+b" if path.exists() else "wb") as handle:  # in place: the same inode
        handle.write(data)
        handle.truncate()
    os.utime(path, ns=(ROUTINE_MTIME_NS, ROUTINE_MTIME_NS))


def _write_real_files(home: Path) -> None:
    """Every kind of file, written by Companion's own code into the folders of ``home``."""
    paths = default_paths()
    _write_routine_file(where("routine", paths, home), (ROOT / "docs" / "example-routine.toml").read_bytes())
    catalog = load_catalog_cached(user_routines=paths.routines).catalog  # writes the cache
    HistoryStore(paths).import_records(real_sessions())
    for kind in ("export-json", "export-csv"):
        with io.StringIO() as out, _redirect(out):
            assert main(["export", str(where(kind, paths, home))]) == 0
    routine = catalog.routine(ROUTINE_ID)
    assert routine is not None
    plan = make_plan(routine, catalog)
    clock = FakeClock(NOW - timedelta(minutes=3))
    run = RoutineRun(plan, clock)
    hands = HandsFree(plan, run, status=StatusWriter(paths, plan, run))
    run.start()
    clock.advance(100)
    hands.update(run.drain_events(), run.snapshot())  # the status file of a run under way
    save_checkpoint(paths, run.checkpoint())
    save_settings(
        paths,
        Settings.model_validate(
            {
                "theme": "companion-calm",
                "limits": {"massage-gun": {"step_seconds": 45}},
                "owned_tools": ["hands", "massage-ball"],
                "prices": {"currency": "€", "device_price": 89, "session_price": 60},
                "speech": {"enabled": True, "voice": "en-gb"},
            }
        ),
    )
    question = catalog.safety.questions[0].id
    save_screening(paths, ScreeningAnswers.fresh(NOW.astimezone().date()).with_answer(question, False))


@contextlib.contextmanager
def _redirect(out: io.StringIO) -> Iterator[None]:
    """stdout and stderr into ``out``."""
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        yield


_REAL: dict[Path, dict[str, bytes]] = {}


def real_files(home: Path) -> dict[str, bytes]:
    """The bytes of every kind of file as written in ``home`` (made once per home)."""
    if home not in _REAL:
        reset(home)
        _write_real_files(home)
        paths = default_paths()
        _REAL[home] = {kind: where(kind, paths, home).read_bytes() for kind in KINDS}
    return _REAL[home]


def reset(home: Path) -> None:
    """Empty the XDG folders of ``home`` (but the user routine file, rewritten in place by :func:`plant`)."""
    for name in ("data", "state", "cache"):
        shutil.rmtree(home / name, ignore_errors=True)
        (home / name).mkdir()
    for path in (home / "config").rglob("*"):
        if path.is_file() and path.suffix != ".toml":
            path.unlink()
    for path in home.glob("export.*"):
        path.unlink()


def plant(home: Path, kind: str, data: bytes) -> Paths:
    """The real files in ``home``, with the one of ``kind`` holding ``data`` instead."""
    files = dict(real_files(home))
    reset(home)
    files[kind] = data
    paths = default_paths()
    for name, content in files.items():
        target = where(name, paths, home)
        if name == "routine":
            _write_routine_file(target, content)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        target.chmod(0o600)
    for folder in (paths.data, paths.config, paths.state, cache_path().parent):
        folder.chmod(0o700)
    return paths


# -- mutations ----------------------------------------------------------------------------------------------------

CONTROLS = [
    "\x1b[2J",
    "\x1b]0;PWNED\x07",
    "\x1b[31m",
    "\u009b2J",
    "\u009d0;x\u009c",
    "\x00",
    "\x07",
    "\x08",
    "\r",
    "\x7f",
    "\x85",
    "\u009b",
    "\u202e",
    "\u2066",
]
"""Control characters and the escape sequences they start, C0 and C1."""

DEEP = "\ue000deep\ue000"
"""A placeholder string, replaced in the written file by lists nested thousands deep (no serialiser writes those)."""

SCALARS: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    -(10**18),
    10**30,
    -(10**30),
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    0.5,
    "",
    "x" * 5000,
    "60",
    "true",
    "2026-13-45T99:99:99+25:00",
    "9999-12-31T23:59:59+14:00",
    [],
    {},
    [1, 2, 3],
    {"a": {"b": {"c": []}}},
    DEEP,
]
"""What a value may be replaced by: another type, a huge, negative or not-a-number number, nesting."""


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes flipped, inserted, deleted or a slice repeated, or cut short."""
    out = bytearray(data)
    if draw(st.integers(0, 5)) == 0:
        return bytes(out[: draw(st.integers(0, max(0, len(out) - 1)))])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(out) - 1)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "repeat"]))
        if kind == "flip" and out:
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            extra = draw(st.binary(min_size=1, max_size=8) | st.sampled_from([c.encode() for c in CONTROLS]))
            out[at:at] = extra
        elif kind == "delete":
            del out[at : at + draw(st.integers(1, 16))]
        else:
            out[at:at] = out[at : at + draw(st.integers(1, 64))] * draw(st.integers(1, 4))
    return bytes(out)


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value inside ``value`` (the root too)."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _nodes(item, (*path, index))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    copy: Any = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replace(copy[head], tuple(rest), new)
    return copy


def _with_controls(value: Any, control: str, at: float, keys: bool) -> Any:
    """``value`` with ``control`` inserted into every string (at the share ``at`` of its length), and keys too."""
    if isinstance(value, str):
        cut = int(len(value) * at)
        return value[:cut] + control + value[cut:]
    if isinstance(value, list):
        return [_with_controls(item, control, at, keys) for item in value]
    if isinstance(value, dict):
        return {
            (_with_controls(key, control, at, keys) if keys else key): _with_controls(item, control, at, keys)
            for key, item in value.items()
        }
    return value


@st.composite
def mutated_value(draw: st.DrawFn, value: Any) -> Any:
    """``value`` (parsed JSON or TOML) with one to three changes: a value replaced by one of :data:`SCALARS`,
    removed, or control characters put into every string."""
    for _ in range(draw(st.integers(1, 3))):
        change = draw(st.sampled_from(["replace", "replace", "remove", "controls"]))
        nodes = _nodes(value)
        path = nodes[draw(st.integers(0, len(nodes) - 1))]
        if change == "controls":
            value = _with_controls(value, draw(st.sampled_from(CONTROLS)), draw(st.floats(0, 1)), draw(st.booleans()))
        elif change == "remove" and path:
            parent = _nodes_value(value, path[:-1])
            trimmed: Any = (
                {k: v for k, v in parent.items() if k != path[-1]}
                if isinstance(parent, dict)
                else [v for i, v in enumerate(parent) if i != path[-1]]
            )
            value = _replace(value, path[:-1], trimmed)
        else:
            value = _replace(value, path, draw(st.sampled_from(SCALARS)))
    return value


def _nodes_value(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def _deepen(text: str, quoted: str, depth: int) -> str:
    return text.replace(quoted, "[" * depth + "]" * depth)


def json_text(value: Any, depth: int) -> bytes:
    """``value`` as JSON the way Python writes it (``NaN``, ``Infinity`` included), :data:`DEEP` nested."""
    return _deepen(json.dumps(value, ensure_ascii=False), json.dumps(DEEP, ensure_ascii=False), depth).encode(
        "utf-8", "surrogatepass"
    )


def _toml_safe(value: Any) -> Any:
    """TOML has no null and no nested mixed arrays of tables; a null becomes an empty table."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(key): _toml_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_toml_safe(item) for item in value]
    return value


@st.composite
def mutated_json(draw: st.DrawFn, data: bytes) -> bytes:
    """A JSON file damaged in its bytes or in its values."""
    if draw(st.booleans()):
        return draw(mutated_bytes(data))
    head = b""
    if data[:1] != b"{" and b"\n" in data:  # the cache: a line of key and digest, then the JSON
        head, _, data = data.partition(b"\n")
        head += b"\n"
    value = draw(mutated_value(json.loads(data)))
    return head + json_text(value, draw(st.sampled_from([50, 1000, 100_000])))


@st.composite
def mutated_history(draw: st.DrawFn, data: bytes) -> tuple[bytes, int]:
    """A history file with one of its sessions damaged; the line number (from 1, the header is line 1) too."""
    lines = data.split(b"\n")
    line = draw(st.integers(1, len(lines) - 2))
    if draw(st.booleans()):
        lines[line] = draw(mutated_bytes(lines[line]))
    else:
        value = draw(mutated_value(json.loads(lines[line])))
        lines[line] = json_text(value, draw(st.sampled_from([50, 1000, 100_000]))).replace(b"\n", b"\\n")
    return b"\n".join(lines), line + 1


@st.composite
def mutated_csv(draw: st.DrawFn, data: bytes) -> bytes:
    """A CSV export damaged in its bytes, or a cell replaced by another value (written as text)."""
    if draw(st.booleans()):
        return draw(mutated_bytes(data))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    row = draw(st.integers(0, len(rows) - 1))
    column = draw(st.integers(0, len(rows[row]) - 1))
    new = draw(st.sampled_from(SCALARS) | st.sampled_from(CONTROLS))
    cell = new if isinstance(new, str) else json.dumps(new)
    if cell == DEEP:
        cell = "[" * 10_000 + "]" * 10_000
    rows[row][column] = rows[row][column][:3] + cell if draw(st.booleans()) else cell
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


@st.composite
def mutated_toml(draw: st.DrawFn, data: bytes) -> bytes:
    """A routine file damaged in its bytes or in its values (written back as TOML)."""
    if draw(st.booleans()):
        return draw(mutated_bytes(data))
    value = _toml_safe(draw(mutated_value(tomllib.loads(data.decode("utf-8")))))
    if not isinstance(value, dict):
        value = {"steps": value}
    try:
        text = tomli_w.dumps(value)
    except (TypeError, ValueError):  # a shape TOML cannot hold (a number as the document...)
        return draw(mutated_bytes(data))
    return _deepen(text, json.dumps(DEEP, ensure_ascii=False), draw(st.sampled_from([50, 600, 5000]))).encode(
        "utf-8", "surrogatepass"
    )


def resealed_cache(data: bytes) -> bytes:
    """A mutated cache with its first line made right again (its key and digest), as a file planted by someone
    who knows the format: then the models' validation is all that stands between it and the app."""
    _head_line, _, body = data.partition(b"\n")
    key = cache_key(BUNDLED_ROOT, default_paths().routines)
    return _head(key, body) + b"\n" + body


def strategy(kind: str, data: bytes) -> st.SearchStrategy[bytes]:
    """Damage for a file of ``kind`` holding ``data`` (the history's is :func:`mutated_history`)."""
    chosen: dict[str, Callable[[bytes], st.SearchStrategy[bytes]]] = {
        "export-csv": mutated_csv,
        "routine": mutated_toml,
    }
    return chosen.get(kind, mutated_json)(data)
