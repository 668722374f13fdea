"""``companion validate`` and user routines in the catalogue commands, through the installed ``companion`` script."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from companion.disk.paths import default_paths

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "example-routine.toml"
PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<field>[^:]+): (?P<message>.+)$")

GOOD = """\
id = "my-forearms"
title = "My forearms"
summary = "A short routine for the forearms."
goals = ["desk-break"]
suits = "People who type a lot."
therapies = ["swedish"]

[[steps]]
title = "Warm"
area = "forearms"
tool = "hands"
technique = "gliding"
seconds = 60
intensity = "gentle"
position = "sitting"
instruction = "Stroke from wrist to elbow."
"""
# Line numbers in GOOD: id 1, title 2, goals 4, therapies 6, [[steps]] 8, area 10, tool 11, seconds 13.

MARKUP_TITLE = "[bold red]x[/]"
MARKUP_INSTRUCTION = "[link=https://example.com]click[/link] [@click=app.quit]quit[/]"


def companion(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed script (falling back to ``python -m companion`` outside an installed venv)."""
    script = shutil.which("companion", path=str(Path(sys.executable).parent)) or shutil.which("companion")
    command = [script] if script else [sys.executable, "-m", "companion"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60, cwd=cwd, env=dict(os.environ))


def write(folder: Path, name: str, content: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_valid_files_exit_0_with_one_summary_line_each(tmp_path: Path) -> None:
    good = write(tmp_path, "good.toml", GOOD)
    result = companion("validate", str(EXAMPLE), str(good))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{EXAMPLE}: ok: routine 'forearms-after-typing'")
    assert lines[1] == f"{good}: ok: routine 'my-forearms' (My forearms), 1 step, 1:00"
    assert result.stderr == ""


BAD = [
    # (name, replace this, with this, field, line)
    ("malformed toml", 'title = "My forearms"', 'title = "My forearms', None, 2),
    ("unknown key", 'suits = "People who type a lot."', 'suits = "x"\ncolour = "red"', "colour", 6),
    ("wrong type", "seconds = 60", "seconds = [60]", "steps[0].seconds", 13),
    ("unknown area", 'area = "forearms"', 'area = "elbows"', "steps[0].area", 10),
    ("unknown tool", 'tool = "hands"', 'tool = "hammer"', "steps[0].tool", 11),
    ("unknown therapy", 'therapies = ["swedish"]', 'therapies = ["swedish", "reiki"]', "therapies[1]", 6),
    ("zero seconds", "seconds = 60", "seconds = 0", "steps[0].seconds", 13),
    ("negative seconds", "seconds = 60", "seconds = -1", "steps[0].seconds", 13),
    ("over-limit seconds", "seconds = 60", "seconds = 3000", "steps[0].seconds", 13),
    ("source key", 'suits = "People who type a lot."', 'suits = "x"\nsource = "bundled"', "source", 6),
    ("limit key", "seconds = 60", "seconds = 60\nstep_seconds = 9999", "steps[0].step_seconds", 14),
    ("limits table", "", "", "limits", 18),  # appended below
    ("escape sequence", 'title = "My forearms"', 'title = "\\u001b[31mred"', "title", 2),
    ("raw escape byte", 'title = "My forearms"', 'title = "\x1b[31mred"', None, 2),
]


@pytest.mark.parametrize(("case", "old", "new", "field", "line"), BAD, ids=[b[0] for b in BAD])
def test_bad_file_exits_1_with_file_line_field_message(
    tmp_path: Path, case: str, old: str, new: str, field: str | None, line: int
) -> None:
    text = GOOD.replace(old, new, 1) if old else GOOD + "\n[limits]\nstep_seconds = 9999\n"
    path = write(tmp_path, "bad.toml", text)
    result = companion("validate", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "\x1b" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines, result.stderr
    if field is None:  # a file-level problem: FILE:LINE: message
        assert lines[0].startswith(f"{path}:{line}: "), lines
        return
    parsed = [PROBLEM_LINE.match(item) for item in lines]
    assert all(parsed), lines
    assert any(m and m["field"] == field and m["line"] == str(line) and m["file"] == str(path) for m in parsed), lines


def test_bundled_id_clash(tmp_path: Path) -> None:
    path = write(tmp_path, "clash.toml", GOOD.replace("my-forearms", "neck-shoulders-desk"))
    result = companion("validate", str(path))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{path}:1: id: 'neck-shoulders-desk' is already the id of a bundled routine")


def test_two_files_with_one_id(tmp_path: Path) -> None:
    first = write(tmp_path, "a.toml", GOOD)
    second = write(tmp_path, "b.toml", GOOD)
    result = companion("validate", str(first), str(second))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(f"{first}: ok:")
    assert result.stdout.splitlines()[1].startswith(f"{second}:1: id: ")


def test_file_in_the_user_folder_does_not_clash_with_itself() -> None:
    path = write(default_paths().routines, "mine.toml", GOOD)
    result = companion("validate", str(path))
    assert result.returncode == 0, result.stdout
    other = write(Path(path.parent.parent), "elsewhere.toml", GOOD)
    result = companion("validate", str(other))
    assert result.returncode == 1 and "already the id of your routine" in result.stdout


def test_non_utf8_big_and_missing_files(tmp_path: Path) -> None:
    latin = write(tmp_path, "latin.toml", GOOD.replace("Stroke", "Caf\xe9").encode("latin-1"))
    big = write(tmp_path, "big.toml", GOOD + "#" * (300 * 1024) + "\n")
    missing = tmp_path / "missing.toml"
    result = companion("validate", str(latin), str(big), str(missing))
    assert result.returncode == 1
    out = result.stdout.splitlines()
    assert out[0].startswith(f"{latin}:16: is not UTF-8 text")
    assert out[1].startswith(f"{big}: is larger than 256 KiB")
    assert out[2].startswith(f"{missing}: cannot be read")


def test_every_error_is_listed_and_the_valid_file_summarised(tmp_path: Path) -> None:
    good = write(tmp_path, "good.toml", GOOD)
    bad = write(
        tmp_path,
        "bad.toml",
        GOOD.replace("seconds = 60", "seconds = 3000").replace('title = "My forearms"', 'title = ""\nextra = 1'),
    )
    result = companion("validate", str(good), str(bad))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{good}: ok:")
    fields = [m["field"] for m in map(PROBLEM_LINE.match, lines[1:]) if m]
    assert {"title", "extra", "steps[0].seconds"} <= set(fields)
    assert len(fields) == len(lines) - 1


def test_an_unknown_field_in_a_step_hides_none_of_that_steps_other_errors(tmp_path: Path) -> None:
    """A typo beside a tool the area forbids and a step too long: all three are reported at once."""
    second = GOOD[GOOD.index("[[steps]]") :].replace('area = "forearms"', 'area = "calves"')
    second = second.replace('tool = "hands"', 'tool = "massage-gun"').replace("seconds = 60", "seconds = 900")
    bad = write(
        tmp_path,
        "bad.toml",
        GOOD.replace('area = "forearms"', 'area = "neck"').replace(
            'tool = "hands"', 'tool = "massage-ball"\ncolour = "red"'
        )
        + "\n"
        + second,
    )
    result = companion("validate", str(bad))
    assert result.returncode == 1
    problems = [(m["field"], m["message"]) for m in map(PROBLEM_LINE.match, result.stdout.splitlines()) if m]
    fields = [field for field, _message in problems]
    assert "steps[0].colour" in fields
    assert any(field == "steps[0].tool" and "may work the neck" in message for field, message in problems)
    assert any(field == "steps[1].seconds" and "per-step limit" in message for field, message in problems)
    assert len(problems) == len(result.stdout.splitlines())


def test_an_unknown_tool_hides_no_limit_broken_by_another_step(tmp_path: Path) -> None:
    second = GOOD[GOOD.index("[[steps]]") :].replace("seconds = 60", "seconds = 3000")
    bad = write(tmp_path, "bad.toml", GOOD.replace('tool = "hands"', 'tool = "ball"') + "\n" + second)
    result = companion("validate", str(bad))
    fields = [m["field"] for m in map(PROBLEM_LINE.match, result.stdout.splitlines()) if m]
    assert "steps[0].tool" in fields and "steps[1].seconds" in fields


def test_json_output(tmp_path: Path) -> None:
    good = write(tmp_path, "good.toml", GOOD)
    bad = write(tmp_path, "bad.toml", GOOD.replace("seconds = 60", "seconds = 0"))
    result = companion("validate", "--json", str(good), str(bad))
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data[0] == {
        "file": str(good),
        "valid": True,
        "routine": {"id": "my-forearms", "title": "My forearms", "steps": 1, "total_seconds": 60},
        "problems": [],
    }
    assert data[1]["valid"] is False and data[1]["routine"] is None
    assert data[1]["problems"] == [
        {"file": str(bad), "line": 13, "field": "steps[0].seconds", "message": "input should be greater than 0"}
    ]
    assert json.loads(companion("validate", "--json", str(good)).stdout)[0]["valid"] is True


def test_no_files_is_a_usage_error() -> None:
    result = companion("validate")
    assert result.returncode == 2 and "FILE" in result.stderr


# -- user routines in the catalogue commands -------------------------------------------------------------------


def test_user_routine_listed_as_user_with_markup_shown_literally() -> None:
    folder = default_paths().routines
    write(
        folder,
        "markup.toml",
        GOOD.replace("My forearms", MARKUP_TITLE).replace("Stroke from wrist to elbow.", MARKUP_INSTRUCTION),
    )
    listing = companion("routines")
    assert listing.returncode == 0 and listing.stderr == ""
    line = next(item for item in listing.stdout.splitlines() if item.startswith("my-forearms"))
    assert line.endswith(f"{MARKUP_TITLE} (yours)")

    data = json.loads(companion("routines", "--json").stdout)
    mine = next(r for r in data if r["id"] == "my-forearms")
    assert mine["source"] == "user" and mine["title"] == MARKUP_TITLE
    assert mine["steps"][0]["instruction"] == MARKUP_INSTRUCTION
    assert all(r["source"] == "bundled" for r in data if r["id"] != "my-forearms")

    shown = companion("routine", "my-forearms")
    assert shown.returncode == 0
    assert shown.stdout.splitlines()[0] == f"{MARKUP_TITLE} (your routine)"
    assert MARKUP_INSTRUCTION in shown.stdout
    detail = json.loads(companion("routine", "my-forearms", "--json").stdout)
    assert detail["title"] == MARKUP_TITLE and detail["source"] == "user"


def test_bad_user_file_is_reported_and_left_out() -> None:
    folder = default_paths().routines
    bad = write(folder, "bad.toml", GOOD.replace("seconds = 60", "seconds = 3000"))
    write(folder, "good.toml", GOOD.replace("my-forearms", "my-other"))
    result = companion("routines", "--json")
    assert result.returncode == 0
    ids = [r["id"] for r in json.loads(result.stdout)]
    assert "my-other" in ids and "my-forearms" not in ids
    lines = result.stderr.splitlines()
    assert lines
    assert all(line.startswith(f"companion: skipped routine file: {bad}:13: steps[0].seconds: ") for line in lines)
