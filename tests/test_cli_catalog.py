"""The catalogue commands, run as a user would: the installed ``companion`` script in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

COMPANION = shutil.which("companion") or ""


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [COMPANION, *args] if COMPANION else [sys.executable, "-m", "companion", *args]
    result = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}: {result.stderr}")
    return result


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("companion ")
    help_text = run("--help").stdout
    for command in ("routines", "routine", "therapies", "therapy", "paths"):
        assert command in help_text


def test_routines_json_has_the_documented_fields() -> None:
    routines = json.loads(run("routines", "--json").stdout)
    assert len(routines) >= 12
    for routine in routines:
        assert {"id", "title", "summary", "source", "total_seconds", "therapies", "steps"} <= routine.keys()
        assert routine["source"] == "bundled"
        assert routine["total_seconds"] == sum(step["seconds"] for step in routine["steps"])
        for step in routine["steps"]:
            assert {"area", "tool", "technique", "seconds", "instruction"} <= step.keys()


def test_routines_text_lists_every_routine() -> None:
    lines = run("routines").stdout.splitlines()
    ids = [r["id"] for r in json.loads(run("routines", "--json").stdout)]
    assert len(lines) == len(ids)
    assert all(line.split()[0] == routine_id for line, routine_id in zip(lines, ids, strict=True))


def test_routine_in_full_shows_steps_limits_and_therapies() -> None:
    first = json.loads(run("routines", "--json").stdout)[0]
    text = run("routine", first["id"]).stdout
    assert first["title"] in text
    assert "Limits:" in text
    assert "Professional therapies for the same need:" in text
    for step in first["steps"]:
        assert step["instruction"] in text


def test_therapies_json_and_full_explanation() -> None:
    therapies = json.loads(run("therapies", "--json").stdout)
    assert len(therapies) == 9
    for therapy in therapies:
        assert {"id", "name", "summary", "best_for", "expect", "avoid", "practitioner", "sources"} <= therapy.keys()
    text = run("therapy", "deep-tissue").stdout
    assert "Best for:" in text and "Who performs it:" in text and "Sources:" in text


def test_paths_follow_xdg(isolated_home: Path) -> None:
    paths = json.loads(run("paths", "--json").stdout)
    assert paths["data"] == str(isolated_home / "data" / "companion")
    assert paths["config"] == str(isolated_home / "config" / "companion")
    assert paths["state"] == str(isolated_home / "state" / "companion")
    assert paths["routines"] == str(isolated_home / "config" / "companion" / "routines")
    assert "data" in run("paths").stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("routine", "no-such-routine"), "no routine 'no-such-routine'"),
        (("therapy", "reiki"), "no therapy 'reiki'"),
        (("routines", "--bogus"), "unrecognized arguments: --bogus"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
    ],
)
def test_user_mistakes_give_one_line_and_exit_2(args: tuple[str, ...], expected: str) -> None:
    result = run(*args, check=False)
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "companion", "--version"], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.startswith("companion ")
