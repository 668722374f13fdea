"""The user's own routine files: loading with file:line problems, the TOML writer, save/delete/duplicate, drafts."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from companion.catalogue.loader import MAX_USER_FILE_BYTES, load_catalog, load_routine_file
from companion.catalogue.locate import field_lines, line_of
from companion.catalogue.models import Catalog, Routine, Step
from companion.catalogue.problems import Problem
from companion.catalogue.user_routines import (
    UserRoutineError,
    delete_user_routine,
    duplicate_routine,
    routine_to_dict,
    routine_to_toml,
    save_user_routine,
    suggest_copy_id,
    user_routine_files,
    validate_draft,
)
from companion.disk.paths import default_paths
from companion.words import printable

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "example-routine.toml"

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

[[steps]]
title = "Knead"
area = "forearms"
tool = "hands"
technique = "kneading"
seconds = 60
intensity = "moderate"
position = "sitting"
instruction = "Squeeze and let go."
"""
# Line numbers in GOOD: id 1, title 2, goals 4, therapies 6, first [[steps]] 8, its seconds 13, second [[steps]] 17.


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog().catalog


def _load(tmp_path: Path, catalog: Catalog, content: str | bytes) -> tuple[Routine | None, list[Problem]]:
    path = tmp_path / "routine.toml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    therapy_ids = {t.id for t in catalog.therapies}
    return load_routine_file(path, "routine.toml", catalog.vocabulary, catalog.safety, therapy_ids, user=True)


# -- the documented example and a good file --------------------------------------------------------------------


def test_documented_example_is_valid(tmp_path: Path, catalog: Catalog) -> None:
    routine, problems = _load(tmp_path, catalog, EXAMPLE.read_text(encoding="utf-8"))
    assert problems == []
    assert routine is not None and routine.source == "user"
    assert catalog.routine(routine.id) is None, "the example's id must not clash with a bundled routine"


def test_good_file_loads_as_user_routine(tmp_path: Path, catalog: Catalog) -> None:
    routine, problems = _load(tmp_path, catalog, GOOD)
    assert problems == []
    assert routine is not None
    assert routine.source == "user" and routine.id == "my-forearms" and len(routine.steps) == 2


# -- every kind of bad input: a clear problem with file, line and field -------------------------------------------


BAD_CASES = [
    # (name, replace this, with this, expected field, expected line, words in the message)
    ("malformed toml", 'id = "my-forearms"', 'id = "my-forearms', "", 1, "not valid TOML"),
    ("unknown top-level key", 'suits = "People who type a lot."', 'suits = "x"\ncolour = "red"', "colour", 6, "known"),
    (
        "unknown step key",
        'seconds = 60\nintensity = "gentle"',
        'seconds = 60\nspeed = 3\nintensity = "gentle"',
        "steps[0].speed",
        14,
        "known",
    ),
    (
        "wrong type seconds",
        'seconds = 60\nintensity = "gentle"',
        'seconds = "a minute"\nintensity = "gentle"',
        "steps[0].seconds",
        13,
        "integer",
    ),
    ("wrong type goals", 'goals = ["desk-break"]', 'goals = "desk-break"', "goals", 4, "tuple"),
    (
        "unknown area",
        'area = "forearms"\ntool = "hands"\ntechnique = "kneading"',
        'area = "elbows"\ntool = "hands"\ntechnique = "kneading"',
        "steps[1].area",
        20,
        "unknown area 'elbows'",
    ),
    (
        "unknown tool",
        'tool = "hands"\ntechnique = "gliding"',
        'tool = "hammer"\ntechnique = "gliding"',
        "steps[0].tool",
        11,
        "unknown tool 'hammer'",
    ),
    ("unknown technique", 'technique = "gliding"', 'technique = "pummel"', "steps[0].technique", 12, "unknown"),
    ("unknown therapy", 'therapies = ["swedish"]', 'therapies = ["reiki"]', "therapies[0]", 6, "unknown therapy"),
    ("unknown goal", 'goals = ["desk-break"]', 'goals = ["flying"]', "goals[0]", 4, "unknown goal"),
    (
        "zero seconds",
        'seconds = 60\nintensity = "gentle"',
        'seconds = 0\nintensity = "gentle"',
        "steps[0].seconds",
        13,
        "greater than 0",
    ),
    (
        "negative seconds",
        'seconds = 60\nintensity = "gentle"',
        'seconds = -30\nintensity = "gentle"',
        "steps[0].seconds",
        13,
        "greater than 0",
    ),
    (
        "over-limit seconds",
        'seconds = 60\nintensity = "gentle"',
        'seconds = 600\nintensity = "gentle"',
        "steps[0].seconds",
        13,
        "per-step limit",
    ),
    (
        "absurd seconds",
        'seconds = 60\nintensity = "gentle"',
        'seconds = 99999999\nintensity = "gentle"',
        "steps[0].seconds",
        13,
        "less than or equal",
    ),
    (
        "tool on an area it must avoid",
        'area = "forearms"\ntool = "hands"\ntechnique = "gliding"',
        'area = "neck"\ntool = "massage-gun"\ntechnique = "gliding"',
        "steps[0].area",
        10,
        "must not be used",
    ),
    ("source key", 'suits = "People who type a lot."', 'suits = "x"\nsource = "bundled"', "source", 6, "remove it"),
    (
        "limit key at top level",
        'suits = "People who type a lot."',
        'suits = "x"\nstep_seconds = 9999',
        "step_seconds",
        6,
        "known",
    ),
    (
        "limit key in a step",
        'seconds = 60\nintensity = "gentle"',
        'seconds = 60\nstep_seconds = 9999\nintensity = "gentle"',
        "steps[0].step_seconds",
        14,
        "known",
    ),
    (
        "limits table",
        'therapies = ["swedish"]\n',
        'therapies = ["swedish"]\n[[limits]]\ntool = "hands"\nstep_seconds = 9999\n',
        "limits",
        7,
        "known",
    ),
    ("missing key", 'summary = "A short routine for the forearms."\n', "", "summary", 1, "required"),
    ("missing step key", 'instruction = "Squeeze and let go."', "", "steps[1].instruction", 18, "required"),
    (
        "escape sequence via TOML escape",
        'title = "My forearms"',
        'title = "My \\u001b[31mforearms"',
        "title",
        2,
        "control character (U+001B)",
    ),
    ("C1 control introducer", 'title = "Warm"', 'title = "Warm \\u009b2J"', "steps[0].title", 9, "U+009B"),
    (
        "escape in an instruction",
        'instruction = "Squeeze and let go."',
        'instruction = "\\u001b]8;;x\\u0007hi"',
        "steps[1].instruction",
        26,
        "control character",
    ),
    ("empty title", 'title = "My forearms"', 'title = "   "', "title", 2, "at least 1"),
    ("bad id", 'id = "my-forearms"', 'id = "My Forearms!"', "id", 1, "lower-case letters"),
]


@pytest.mark.parametrize(("case", "old", "new", "field", "line", "words"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_gets_a_clear_problem(
    tmp_path: Path, catalog: Catalog, case: str, old: str, new: str, field: str, line: int, words: str
) -> None:
    assert old in GOOD
    routine, problems = _load(tmp_path, catalog, GOOD.replace(old, new, 1))
    assert routine is None
    matching = [p for p in problems if p.field == field]
    assert matching, f"{case}: no problem on {field!r} in {[str(p) for p in problems]}"
    problem = matching[0]
    assert problem.file == "routine.toml"
    assert problem.line == line, str(problem)
    assert words.lower() in problem.message.lower(), str(problem)
    assert str(problem).startswith(f"routine.toml:{line}: ")
    for p in problems:
        assert "\x1b" not in str(p) and "\x9b" not in str(p)


def test_raw_escape_byte_is_rejected(tmp_path: Path, catalog: Catalog) -> None:
    routine, problems = _load(tmp_path, catalog, GOOD.replace("My forearms", "My \x1b[2Jforearms"))
    assert routine is None
    assert problems and "\x1b" not in str(problems[0])
    assert problems[0].line == 2


def test_non_utf8_file(tmp_path: Path, catalog: Catalog) -> None:
    content = GOOD.replace("Stroke from", "Stroke caf\xe9 from").encode("latin-1")
    routine, problems = _load(tmp_path, catalog, content)
    assert routine is None
    assert len(problems) == 1
    assert "not UTF-8" in problems[0].message and problems[0].line == 16


def test_file_over_256_kib(tmp_path: Path, catalog: Catalog) -> None:
    padding = ("# " + "x" * 98 + "\n") * (MAX_USER_FILE_BYTES // 100 + 10)
    routine, problems = _load(tmp_path, catalog, GOOD + padding)
    assert routine is None
    assert len(problems) == 1 and "256 KiB" in problems[0].message


def test_file_just_under_the_size_limit_is_fine(tmp_path: Path, catalog: Catalog) -> None:
    text = GOOD + "#" * (MAX_USER_FILE_BYTES - len(GOOD.encode()) - 1) + "\n"
    assert len(text.encode()) == MAX_USER_FILE_BYTES
    routine, problems = _load(tmp_path, catalog, text)
    assert problems == [] and routine is not None


def test_too_many_steps(tmp_path: Path, catalog: Catalog) -> None:
    step = GOOD[GOOD.index("[[steps]]") : GOOD.index("[[steps]]", GOOD.index("[[steps]]") + 1)]
    step = step.replace("seconds = 60", "seconds = 1")
    text = GOOD[: GOOD.index("[[steps]]")] + step * 41
    routine, problems = _load(tmp_path, catalog, text)
    assert routine is None and problems[0].field == "steps" and "at most 40" in problems[0].message


def test_unknown_key_with_control_characters_is_shown_harmlessly(tmp_path: Path, catalog: Catalog) -> None:
    text = GOOD.replace('suits = "People who type a lot."', 'suits = "x"\n"\\u001b[2J" = 1')
    routine, problems = _load(tmp_path, catalog, text)
    assert routine is None
    assert problems[0].field == "\\u001b[2J" and problems[0].line == 6


def test_over_limit_step_reported_even_with_other_errors(tmp_path: Path, catalog: Catalog) -> None:
    text = GOOD.replace('title = "My forearms"', 'title = ""').replace("seconds = 60", "seconds = 600", 1)
    _, problems = _load(tmp_path, catalog, text)
    fields = {p.field for p in problems}
    assert {"title", "steps[0].seconds"} <= fields


def test_markup_in_text_is_allowed_and_kept_literally(tmp_path: Path, catalog: Catalog) -> None:
    text = GOOD.replace("My forearms", "[bold red]x[/]").replace(
        "Squeeze and let go.", "[link=https://example.com]click[/link] and [@click=app.quit]quit[/]"
    )
    routine, problems = _load(tmp_path, catalog, text)
    assert problems == [] and routine is not None
    assert routine.title == "[bold red]x[/]"
    assert routine.steps[1].instruction.startswith("[link=https://example.com]click[/link]")


# -- the catalogue with a user folder ----------------------------------------------------------------------------


def test_user_routines_join_the_catalogue_and_bad_ones_are_left_out(tmp_path: Path, catalog: Catalog) -> None:
    folder = tmp_path / "routines"
    folder.mkdir()
    (folder / "a-good.toml").write_text(GOOD, encoding="utf-8")
    (folder / "b-bad.toml").write_text(GOOD.replace("seconds = 60", "seconds = 0", 1), encoding="utf-8")
    (folder / "c-clash.toml").write_text(GOOD.replace("my-forearms", catalog.routines[0].id), encoding="utf-8")
    (folder / "d-same-id.toml").write_text(GOOD, encoding="utf-8")
    (folder / "e-binary.toml").write_bytes(b"\xff\xfe\x00")
    (folder / "not-toml.txt").write_text("ignored", encoding="utf-8")
    result = load_catalog(user_routines=folder)
    mine = [r for r in result.catalog.routines if r.source == "user"]
    assert [r.id for r in mine] == ["my-forearms"]
    assert len(result.catalog.routines) == len(catalog.routines) + 1
    assert result.user_files == {"my-forearms": folder / "a-good.toml"}
    problems = {Path(p.file).name: p for p in result.user_problems}
    assert set(problems) == {"b-bad.toml", "c-clash.toml", "d-same-id.toml", "e-binary.toml"}
    assert str(problems["b-bad.toml"]).endswith("b-bad.toml:13: steps[0].seconds: input should be greater than 0")
    assert problems["c-clash.toml"].line == 1 and "bundled routine" in problems["c-clash.toml"].message
    assert "a-good.toml" in problems["d-same-id.toml"].message


def test_missing_user_folder_is_fine(tmp_path: Path, catalog: Catalog) -> None:
    result = load_catalog(user_routines=tmp_path / "nothing-here")
    assert result.user_problems == [] and len(result.catalog.routines) == len(catalog.routines)


# -- the TOML writer ----------------------------------------------------------------------------------------------


def test_every_bundled_routine_round_trips(catalog: Catalog) -> None:
    for routine in catalog.routines:
        text = routine_to_toml(routine)
        assert "source" not in tomllib.loads(text)
        assert Routine.model_validate(tomllib.loads(text)) == routine


def test_writer_quotes_tricky_text(catalog: Catalog) -> None:
    tricky = 'quote " backslash \\ [steps] = """ \'\'\' # not a comment é 😀'
    routine = catalog.routines[0]
    step = routine.steps[0].model_copy(update={"instruction": tricky})
    changed = routine.model_copy(update={"title": tricky[:60], "steps": (step, *routine.steps[1:])})
    text = routine_to_toml(changed)
    assert Routine.model_validate(tomllib.loads(text)) == changed
    assert text.count("[[steps]]") == len(routine.steps)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200))
def test_writer_round_trips_any_instruction_the_model_accepts(value: str) -> None:
    routine = _bundled_routine()
    try:
        step = Step.model_validate(routine.steps[-1].model_dump() | {"instruction": value})
    except ValidationError:
        assume(False)
    changed = routine.model_copy(update={"steps": (*routine.steps[:-1], step)})
    assert Routine.model_validate(tomllib.loads(routine_to_toml(changed))) == changed


@functools.cache
def _bundled_routine() -> Routine:
    """A bundled routine with a breathing cue on a step (written as a sub-table), loaded once."""
    routines = load_catalog().catalog.routines
    return next((r for r in routines if any(s.breathing for s in r.steps)), routines[0])


def test_written_file_lines_are_located(catalog: Catalog) -> None:
    text = routine_to_toml(catalog.routines[0])
    lines = field_lines(text)
    assert text.splitlines()[lines[("steps", 1, "seconds")] - 1].startswith("seconds = ")


# -- save, delete, duplicate -------------------------------------------------------------------------------------


def _mine(catalog: Catalog, routine_id: str = "my-forearms") -> Routine:
    data = tomllib.loads(GOOD)
    data["id"] = routine_id
    return Routine.model_validate(data).model_copy(update={"source": "user"})


def test_saved_routine_loads_identically(isolated_home: Path, catalog: Catalog) -> None:
    paths = default_paths()
    routine = _mine(catalog)
    path = save_user_routine(paths, routine, catalog)
    assert path == paths.routines / "my-forearms.toml"
    assert path.stat().st_mode & 0o777 == 0o600
    result = load_catalog(user_routines=paths.routines)
    assert result.user_problems == []
    assert result.catalog.routine("my-forearms") == routine


def test_saved_copy_of_every_bundled_routine_loads_identically(isolated_home: Path, catalog: Catalog) -> None:
    paths = default_paths()
    copies = []
    for routine in catalog.routines:
        copy = duplicate_routine(routine, suggest_copy_id(catalog, routine.id), f"My {routine.title}"[:120])
        save_user_routine(paths, copy, catalog)
        copies.append(copy)
    loaded = load_catalog(user_routines=paths.routines)
    assert loaded.user_problems == []
    for copy in copies:
        assert loaded.catalog.routine(copy.id) == copy


def test_save_refuses_a_bundled_id(isolated_home: Path, catalog: Catalog) -> None:
    paths = default_paths()
    bundled = catalog.routines[0]
    with pytest.raises(UserRoutineError) as error:
        save_user_routine(paths, bundled.model_copy(update={"source": "user"}), catalog)
    assert error.value.problems[0].field == "id" and "bundled" in error.value.problems[0].message
    assert not paths.routines.exists() or list(paths.routines.iterdir()) == []


def test_save_refuses_an_invalid_routine(isolated_home: Path, catalog: Catalog) -> None:
    paths = default_paths()
    routine = _mine(catalog)
    too_long = routine.model_copy(
        update={"steps": (routine.steps[0].model_copy(update={"seconds": 900}), *routine.steps[1:])}
    )
    with pytest.raises(UserRoutineError) as error:
        save_user_routine(paths, too_long, catalog)
    assert error.value.problems[0].field == "steps[0].seconds"
    assert not paths.routines.exists() or list(paths.routines.iterdir()) == []


def test_save_never_clobbers_another_user_routine(isolated_home: Path) -> None:
    paths = default_paths()
    save_user_routine(paths, _mine(load_catalog().catalog))
    with pytest.raises(UserRoutineError) as error:
        save_user_routine(paths, _mine(load_catalog(user_routines=paths.routines).catalog))
    assert "another of your routines" in error.value.problems[0].message


def test_save_never_overwrites_an_unrelated_file(isolated_home: Path, catalog: Catalog) -> None:
    paths = default_paths()
    paths.routines.mkdir(parents=True)
    (paths.routines / "my-forearms.toml").write_text("broken = [", encoding="utf-8")
    path = save_user_routine(paths, _mine(catalog), catalog)
    assert path.name == "my-forearms-2.toml"
    assert (paths.routines / "my-forearms.toml").read_text(encoding="utf-8") == "broken = ["


def test_edit_in_place_and_rename(isolated_home: Path) -> None:
    paths = default_paths()
    first = save_user_routine(paths, _mine(load_catalog().catalog))
    catalog = load_catalog(user_routines=paths.routines).catalog
    edited = catalog.routine("my-forearms")
    assert edited is not None
    edited = edited.model_copy(update={"title": "Edited"})
    assert save_user_routine(paths, edited, catalog, replacing="my-forearms") == first
    assert load_catalog(user_routines=paths.routines).catalog.routine("my-forearms") == edited

    renamed = edited.model_copy(update={"id": "my-arms"})
    catalog = load_catalog(user_routines=paths.routines).catalog
    new_path = save_user_routine(paths, renamed, catalog, replacing="my-forearms")
    assert new_path.name == "my-arms.toml" and not first.exists()
    assert set(user_routine_files(paths)) == {"my-arms"}


def test_delete(isolated_home: Path, catalog: Catalog) -> None:
    paths = default_paths()
    path = save_user_routine(paths, _mine(catalog), catalog)
    assert delete_user_routine(paths, "my-forearms") == path
    assert not path.exists()
    with pytest.raises(UserRoutineError):
        delete_user_routine(paths, "my-forearms")
    with pytest.raises(UserRoutineError, match="bundled routines cannot be deleted"):
        delete_user_routine(paths, catalog.routines[0].id)


def test_duplicate_checks_the_new_id(catalog: Catalog) -> None:
    with pytest.raises(UserRoutineError) as error:
        duplicate_routine(catalog.routines[0], "Not An Id", "Copy")
    assert error.value.problems[0].field == "id"
    copy = duplicate_routine(catalog.routines[0], "copy-one", "Copy")
    assert copy.source == "user" and copy.steps == catalog.routines[0].steps


def test_suggest_copy_id_is_free_and_short(catalog: Catalog) -> None:
    routine_id = catalog.routines[0].id
    assert suggest_copy_id(catalog, routine_id) == f"{routine_id}-copy"
    assert len(suggest_copy_id(catalog, "a" * 40)) <= 40


# -- live validation of drafts ----------------------------------------------------------------------------------


def test_valid_draft_has_no_problems(catalog: Catalog) -> None:
    assert validate_draft(routine_to_dict(_mine(catalog)), catalog) == []


def test_draft_takes_typed_strings(catalog: Catalog) -> None:
    draft = routine_to_dict(_mine(catalog))
    draft["steps"][0]["seconds"] = "90"
    assert validate_draft(draft, catalog) == []
    draft["steps"][0]["seconds"] = "ninety"
    assert [p.field for p in validate_draft(draft, catalog)] == ["steps[0].seconds"]


def test_draft_reports_limits_while_still_incomplete(catalog: Catalog) -> None:
    draft = {"steps": [{}, {**routine_to_dict(_mine(catalog))["steps"][0], "seconds": 900}]}
    fields = [p.field for p in validate_draft(draft, catalog)]
    assert "title" in fields and "steps[0].area" in fields
    assert "steps[1].seconds" in fields


def test_draft_id_clashes(isolated_home: Path) -> None:
    paths = default_paths()
    save_user_routine(paths, _mine(load_catalog().catalog))
    catalog = load_catalog(user_routines=paths.routines).catalog
    draft = routine_to_dict(_mine(catalog))
    assert [p.field for p in validate_draft(draft, catalog)] == ["id"]
    assert validate_draft(draft, catalog, editing="my-forearms") == []
    draft["id"] = catalog.routines[0].id
    assert "bundled" in validate_draft(draft, catalog, editing=catalog.routines[0].id)[0].message


def test_draft_cannot_set_source_or_limits(catalog: Catalog) -> None:
    draft = routine_to_dict(_mine(catalog))
    assert validate_draft({**draft, "source": "bundled"}, catalog)[0].field == "source"
    problems = validate_draft({**draft, "limits": [{"tool": "hands", "step_seconds": 9999}]}, catalog)
    assert [p.field for p in problems] == ["limits"]


# -- the line locator --------------------------------------------------------------------------------------------


def test_locator_handles_arrays_inline_tables_and_multiline_strings() -> None:
    text = (
        'id = "x"  # comment\n'
        "goals = [\n"
        '  "a",  # one\n'
        '  "b",\n'
        "]\n"
        "[[steps]]\n"
        'title = """two\n'
        "[[steps]]\n"
        'lines"""\n'
        "breathing = { inhale = 4, exhale = 6 }\n"
        "[[steps]]\n"
        "seconds = 9\n"
        "[steps.breathing]\n"
        "inhale = 3\n"
    )
    tomllib.loads(text)
    lines = field_lines(text)
    assert line_of(lines, "goals[1]") == 4
    assert line_of(lines, "steps[0].breathing.exhale") == 10
    assert line_of(lines, "steps[1]") == 11
    assert line_of(lines, "steps[1].breathing.inhale") == 14
    assert line_of(lines, "steps[1].breathing.exhale") == 13
    assert line_of(lines, "summary") == 1
    assert line_of(lines, "") is None


def test_locator_never_fails_on_odd_text() -> None:
    for text in ("", "[[", "key", '"unterminated', "a = [1, 2", "= 3", "a.b. = 1"):
        assert isinstance(field_lines(text), dict)


def test_printable() -> None:
    assert printable("a\x1b[31mb\x9b\x00") == "a\\u001b[31mb\\u009b\\u0000"
    assert printable("plain [bold] text\n") == "plain [bold] text\n"


def test_docs_list_every_catalogue_id(catalog: Catalog) -> None:
    docs = (ROOT / "docs" / "routines.md").read_text(encoding="utf-8")
    for group in (catalog.goals, catalog.areas, catalog.tools, catalog.techniques):
        for item_id in group:
            assert f"`{item_id}`" in docs, f"docs/routines.md does not list {item_id}"
