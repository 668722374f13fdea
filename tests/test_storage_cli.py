"""``companion history``, ``export`` and ``import`` as a user runs them: the installed script in a subprocess.

Also test 6 through the command line: with a history from a newer version, every command leaves the file's bytes
and mtime unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from companion.disk.paths import default_paths
from tests.history_support import dumped, fresh_store, history_bytes, make_record, side_files, write_history
from tests.test_storage import newer_file, snapshot

COMPANION = shutil.which("companion") or ""


def run(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    command = [COMPANION, *args] if COMPANION else [sys.executable, "-m", "companion", *args]
    env = {**os.environ, "TZ": "UTC"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == code, f"{args} exited {result.returncode}: {result.stderr}"
    return result


RECORDS = [make_record(i) for i in range(4)]


@pytest.fixture
def saved() -> Path:
    return write_history(default_paths(), history_bytes(RECORDS))


def test_history_lists_sessions_newest_first_as_the_app(saved: Path) -> None:
    out = run("history").stdout.splitlines()
    assert out[0].split() == ["started", "time", "status", "tension", "routine"]
    assert len(out) == 1 + len(RECORDS) + 1 and out[-1].startswith("4 sessions, ")
    assert out[-1].endswith("(newest first)")
    assert out[-2].startswith("2026-10-01 08:00") and "completed" in out[-2] and "0 -> -" in out[-2]
    starts = [line[:16] for line in out[1:-1]]
    assert starts == sorted(starts, reverse=True)


def test_history_oldest_first_reverses_every_output(saved: Path) -> None:
    out = run("history", "--oldest-first").stdout.splitlines()
    assert out[1].startswith("2026-10-01 08:00") and out[-1].endswith("(oldest first)")
    doc = json.loads(run("history", "--json", "--oldest-first").stdout)
    assert [s["id"] for s in doc["sessions"]] == [str(r.id) for r in RECORDS]


def test_one_session_is_one_session(tmp_path: Path) -> None:
    write_history(default_paths(), history_bytes(RECORDS[:1]))
    assert run("history").stdout.splitlines()[-1].startswith("1 session, ")
    assert "Exported 1 session to" in run("export", str(tmp_path / "one.json")).stdout


def test_history_with_no_sessions() -> None:
    assert run("history").stdout.strip() == "No sessions yet."


def test_history_json_is_the_interchange_document_and_filters_apply(saved: Path) -> None:
    doc = json.loads(run("history", "--json").stdout)
    assert doc["format"] == "companion-history" and len(doc["sessions"]) == 4
    doc = json.loads(run("history", "--json", "--routine", "routine-1").stdout)
    assert [s["id"] for s in doc["sessions"]] == [str(RECORDS[1].id)]
    since = RECORDS[2].started_at.astimezone().date().isoformat()
    doc = json.loads(run("history", "--json", "--since", since).stdout)
    assert [s["id"] for s in doc["sessions"]] == [str(r.id) for r in reversed(RECORDS[2:])]
    assert run("history", "--routine", "calf-recovery").stdout.strip() == "No sessions match."  # a real routine


def test_history_of_an_unknown_routine_id_is_one_line_on_stderr_and_status_2(saved: Path) -> None:
    """An id neither in the catalogue nor in the history is a mistake (README: one line, status 2)."""
    result = run("history", "--routine", "nosuch", code=2)
    assert (
        result.stdout == ""
        and result.stderr == "companion: no routine 'nosuch'; run 'companion routines' to list them\n"
    )
    for args in (("--json",), ("--csv",)):
        assert run("history", "--routine", "nosuch", *args, code=2).stdout == ""


def test_history_csv(saved: Path) -> None:
    lines = run("history", "--csv").stdout.splitlines()
    assert lines[0].startswith("id,routine_id,") and len(lines) > len(RECORDS)


def test_bad_date_is_one_clear_line() -> None:
    result = run("history", "--since", "yesterday", code=2)
    assert "'yesterday' is not a date like 2026-11-02" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["out.json", "out.csv"])
def test_export_then_import_into_another_home(saved: Path, tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    out = run("export", str(target)).stdout
    assert "Exported 4 sessions" in out and "Created the folder" not in out
    assert (target.stat().st_mode & 0o777) == 0o600
    saved.unlink()
    assert "Imported 4 sessions; skipped 0" in run("import", str(target)).stdout
    assert dumped(fresh_store().records) == dumped(RECORDS)
    assert "Imported 0 sessions; skipped 4" in run("import", str(target)).stdout


def test_export_into_missing_folders_names_every_folder_it_created(saved: Path, tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "out.json"
    out = run("export", str(target)).stdout.splitlines()
    assert out[0] == f"Created the folders {tmp_path / 'new'} and {target.parent}, which did not exist."
    assert out[1].startswith("Exported 4 sessions") and target.exists()
    target = tmp_path / "new" / "a" / "b" / "c" / "out.csv"
    out = run("export", str(target)).stdout.splitlines()
    a = tmp_path / "new" / "a"
    assert out[0] == f"Created the folders {a}, {a / 'b'} and {a / 'b' / 'c'}, which did not exist."
    target = tmp_path / "new" / "a" / "d" / "out.csv"
    assert run("export", str(target)).stdout.splitlines()[0] == f"Created the folder {a / 'd'}, which did not exist."


def test_export_format_option_overrides_the_suffix(saved: Path, tmp_path: Path) -> None:
    run("export", str(tmp_path / "data.txt"), "--format", "csv")
    assert (tmp_path / "data.txt").read_text().startswith("id,")


def test_export_refuses_the_history_file_itself(saved: Path) -> None:
    before = saved.read_bytes()
    assert "another file than the history" in run("export", str(saved), code=2).stderr
    assert saved.read_bytes() == before


def test_import_of_a_bad_file_names_record_and_field_and_writes_nothing(saved: Path, tmp_path: Path) -> None:
    doc = json.loads(run("history", "--json").stdout)
    doc["sessions"].append(dict(doc["sessions"][0], id="0b6ee7f4-7b9e-4b51-9b77-1f1a4dc0e0f1", tension_before=42))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    before = saved.read_bytes()
    result = run("import", str(bad), code=2)
    assert "session 5 (id 0b6ee7f4-7b9e-4b51-9b77-1f1a4dc0e0f1): field 'tension_before'" in result.stderr
    assert "nothing was imported" in result.stderr
    assert saved.read_bytes() == before
    assert "no file" in run("import", str(tmp_path / "missing.json"), code=2).stderr


def test_a_session_copied_under_a_new_id_is_refused_whole(saved: Path, tmp_path: Path) -> None:
    """A row copied under a new id shares its time with the first: one routine runs at a time (finding 63)."""
    doc = json.loads(run("history", "--json").stdout)
    copy = dict(doc["sessions"][0], id="0b6ee7f4-7b9e-4b51-9b77-1f1a4dc0e0f1")
    export = tmp_path / "copied.json"
    export.write_text(json.dumps({**doc, "sessions": [copy]}))
    before = saved.read_bytes()
    result = run("import", str(export), code=2)
    [line] = result.stderr.splitlines()
    assert "0b6ee7f4-7b9e-4b51-9b77-1f1a4dc0e0f1" in line and doc["sessions"][0]["id"] in line
    assert "overlaps one already in your history" in line and "Nothing was imported" in line
    assert saved.read_bytes() == before


def test_a_damaged_history_is_reported_on_stderr_and_set_aside(saved: Path) -> None:
    saved.write_bytes(saved.read_bytes() + b"garbage\n")
    result = run("history")
    assert "damaged" in result.stderr and ".corrupt-" in result.stderr
    assert len(result.stdout.splitlines()) == 1 + len(RECORDS) + 1
    assert len(side_files(default_paths())) == 1


def test_an_unreadable_history_is_an_error_not_corruption() -> None:
    default_paths().history.mkdir(parents=True)
    result = run("history", code=1)
    assert "Cannot read your history" in result.stderr


def test_newer_version_bytes_and_mtime_unchanged_after_every_command(tmp_path: Path) -> None:
    paths = default_paths()
    write_history(paths, newer_file())
    os.utime(paths.history, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = snapshot(paths.history)
    importable = tmp_path / "in.json"
    fresh_store().export_unsaved(make_record(30), importable)
    commands = [
        (("history",), 0),
        (("history", "--json"), 0),
        (("history", "--csv"), 0),
        (("history", "--since", "2026-10-01", "--routine", "routine-1"), 0),
        (("export", str(tmp_path / "out.json")), 0),
        (("export", str(tmp_path / "out.csv")), 0),
        (("import", str(importable)), 1),
        (("import", str(tmp_path / "out.json")), 1),
        (("paths",), 0),
        (("routines",), 0),
        (("--version",), 0),
    ]
    for args, code in commands:
        result = run(*args, code=code)
        assert snapshot(paths.history) == before, f"'companion {' '.join(args)}' changed the file"
        if args[0] in ("history", "export", "import"):
            assert "newer version" in result.stderr
    assert side_files(paths) == []
    assert len(json.loads(run("history", "--json").stdout)["sessions"]) == 3
