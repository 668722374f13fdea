"""Load the catalogue from TOML files and validate it with the core's models.

Bundled content must be perfect: any problem raises :class:`ContentError` listing all of them. The user's own
routine files are held to the same rules, but a bad one is left out and reported, never fatal.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from companion.catalogue.locate import printable_problem, toml_error_line, with_lines
from companion.catalogue.models import Catalog, Limit, Routine, SafetyRules, Step, Therapy, Vocabulary
from companion.catalogue.problems import ContentError, Problem, id_taken, validation_problems
from companion.catalogue.validation import limit_problems, reference_problems
from companion.disk.fileio import open_regular

BUNDLED_ROOT = Path(str(resources.files("content")))
"""The bundled data files. The `content` package is installed as a plain folder (never zipped), so its
resources are real files with real line numbers for the loader's messages."""
MAX_USER_FILE_BYTES = 256 * 1024
_STEP_INDEX = re.compile(r"^steps\[(\d+)\]")
ModelT = TypeVar("ModelT", Vocabulary, SafetyRules, Routine, Therapy)


@dataclass
class LoadResult:
    """The catalogue and the problems found in the user's own routine files (which were left out)."""

    catalog: Catalog
    user_problems: list[Problem] = field(default_factory=list)
    user_files: dict[str, Path] = field(default_factory=dict)
    """The file each user routine was read from, by routine id."""


def _display_name(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def read_text(path: Path, name: str, max_bytes: int | None = None) -> str | Problem:
    """Read a UTF-8 text file of at most ``max_bytes``, or return a :class:`Problem` saying what is wrong."""
    try:
        with open_regular(path) as handle:
            raw = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except OSError as exc:
        return Problem(name, "", f"cannot be read: {exc.strerror or exc}")
    if max_bytes is not None and len(raw) > max_bytes:
        return Problem(name, "", f"is larger than {max_bytes // 1024} KiB, the most a routine file may be; shorten it")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return Problem(name, "", f"is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8", line=line)


def parse_toml(text: str, name: str) -> dict[str, Any] | Problem:
    """Parse TOML text, or return a :class:`Problem` with the line of the syntax error."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = toml_error_line(exc)
        return Problem(name, "", f"is not valid TOML: {message}; fix the syntax", line=line)
    except RecursionError:  # arrays or tables within each other hundreds deep: no routine is shaped so
        return Problem(name, "", "is nested too deeply (lists or tables within each other); fix the syntax")


def read_toml(path: Path, name: str, max_bytes: int | None = None) -> dict[str, Any] | Problem:
    """Parse a TOML file, or return a :class:`Problem` saying what is wrong with it."""
    text = read_text(path, name, max_bytes)
    return text if isinstance(text, Problem) else parse_toml(text, name)


def _parse(
    model: type[ModelT], path: Path, name: str, problems: list[Problem], max_bytes: int | None = None
) -> ModelT | None:
    text = read_text(path, name, max_bytes)
    data = text if isinstance(text, Problem) else parse_toml(text, name)
    if isinstance(data, Problem):
        problems.append(printable_problem(data))
        return None
    assert isinstance(text, str)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(printable_problem(p) for p in with_lines(validation_problems(name, exc), text))
        return None


REQUIRED_CAPS = ("step_seconds", "area_session_seconds", "area_day_seconds")
"""Every tool's general limit sets these: a tool without them is refused."""


def _safety_problems(rules: SafetyRules, vocabulary: Vocabulary, name: str) -> list[Problem]:
    """Sources named by limits and rules must exist; tools, areas and questions must be known; every tool has
    its caps, and an area's own limit is never looser than its tool's general one."""
    sources = {s.id for s in rules.sources}
    tools = {t.id for t in vocabulary.tools}
    areas = {a.id for a in vocabulary.areas}
    questions = {q.id for q in rules.questions}
    problems: list[Problem] = []
    if rules.session_gap_source not in sources:
        problems.append(Problem(name, "session_gap_source", f"unknown source '{rules.session_gap_source}'"))
    for group in ("limits", "avoid", "area_rules", "questions", "adaptations", "red_flags"):
        for index, item in enumerate(getattr(rules, group)):
            for key in ("source", "session_source", "area_session_source", "day_source", "uses_source"):
                value = getattr(item, key, None)
                if value is not None and value not in sources:
                    problems.append(Problem(name, f"{group}[{index}].{key}", f"unknown source '{value}'"))
            tool_ids = [item.tool] if hasattr(item, "tool") else list(getattr(item, "tools", ()))
            for tool in tool_ids:
                if tool not in tools:
                    problems.append(Problem(name, f"{group}[{index}]", f"unknown tool '{tool}'"))
            area_ids = [item.area] if getattr(item, "area", None) else list(getattr(item, "areas", ()))
            for area in area_ids:
                if area not in areas:
                    problems.append(Problem(name, f"{group}[{index}]", f"unknown area '{area}'"))
            question = getattr(item, "question", None)
            if question is not None and question not in questions:
                problems.append(Problem(name, f"{group}[{index}].question", f"unknown question '{question}'"))
    problems.extend(_cap_problems(rules, vocabulary, name))
    problems.extend(_duplicates(name, "sources", [s.id for s in rules.sources]))
    problems.extend(_duplicates(name, "questions", [q.id for q in rules.questions]))
    problems.extend(_duplicates(name, "red_flags", [f.id for f in rules.red_flags]))
    problems.extend(_duplicates(name, "area_rules", [r.area for r in rules.area_rules]))
    return problems


def _cap_problems(rules: SafetyRules, vocabulary: Vocabulary, name: str) -> list[Problem]:
    """Each tool has one general limit with every required cap; area limits only tighten it."""
    problems: list[Problem] = []
    general: dict[str, Limit] = {}
    for index, limit in enumerate(rules.limits):
        if limit.area is None:
            if limit.tool in general:
                problems.append(Problem(name, f"limits[{index}]", f"a second general limit for '{limit.tool}'"))
            general[limit.tool] = limit
    for tool in vocabulary.tools:
        own = general.get(tool.id)
        if own is None:
            problems.append(
                Problem(name, "limits", f"tool '{tool.id}' has no limits; give it {', '.join(REQUIRED_CAPS)}")
            )
            continue
        index = rules.limits.index(own)
        for cap in REQUIRED_CAPS:
            if getattr(own, cap) is None:
                problems.append(Problem(name, f"limits[{index}].{cap}", f"tool '{tool.id}' needs its {cap} cap"))
    for index, limit in enumerate(rules.limits):
        base = general.get(limit.tool)
        if limit.area is None or base is None:
            continue
        for cap in (*REQUIRED_CAPS, "session_seconds", "day_uses"):
            own, broad = getattr(limit, cap), getattr(base, cap)
            if own is not None and broad is not None and own > broad:
                problems.append(
                    Problem(name, f"limits[{index}].{cap}", f"{own} is looser than the tool's general {broad}")
                )
    return problems


def _therapy_reference_problems(
    therapies: list[Therapy], files: list[str], vocabulary: Vocabulary, rules: SafetyRules
) -> list[Problem]:
    """A therapy's goals and areas must be known ids, like a routine's, and the screening questions it names too."""
    questions = {q.id for q in rules.questions}
    known = {"goal": {g.id for g in vocabulary.goals}, "area": {a.id for a in vocabulary.areas}}
    problems = []

    def check(name: str, field: str, value: str, kind: str, ids: set[str]) -> None:
        if value not in ids:
            problems.append(Problem(name, field, f"unknown {kind} '{value}'; use one of: {', '.join(sorted(ids))}"))

    for therapy, name in zip(therapies, files, strict=True):
        for kind, ids in known.items():
            for index, value in enumerate(getattr(therapy, f"{kind}s")):
                check(name, f"{kind}s[{index}]", value, kind, ids)
        for index, value in enumerate(therapy.adapted_to):
            check(name, f"adapted_to[{index}]", value, "screening question", questions)
        for index, caution in enumerate(therapy.avoid):
            for at, value in enumerate(caution.questions):
                check(name, f"avoid[{index}].questions[{at}]", value, "screening question", questions)
    return problems


def _duplicates(name: str, group: str, ids: list[str]) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for index, item_id in enumerate(ids):
        if item_id in seen:
            problems.append(Problem(name, f"{group}[{index}].id", f"duplicate id '{item_id}'; ids must be unique"))
        seen.add(item_id)
    return problems


def routine_file_problems(
    routine: Routine, name: str, vocabulary: Vocabulary, rules: SafetyRules, therapy_ids: set[str]
) -> list[Problem]:
    """Cross-reference and safety-limit problems of one routine, attributed to its file."""
    found = reference_problems(routine, vocabulary, therapy_ids) + limit_problems(routine, vocabulary, rules)
    return [Problem(name, path, message) for path, message in found]


def _without_echoes(problems: list[Problem]) -> list[Problem]:
    """Drop "should have at least 1 item after validation" on a list whose items already have problems."""
    return [
        p
        for p in problems
        if not (
            "after validation" in p.message and any(q.field.startswith(f"{p.field}[") for q in problems if q is not p)
        )
    ]


def _step_ignoring_unknown_fields(step: object) -> Step | None:
    """``step`` as the model reads it once the fields it does not know are left out (each is reported on its
    own), so an unknown field never hides the step's other problems; ``None`` when it is invalid even so."""
    try:
        return Step.model_validate(step)
    except ValidationError as exc:
        errors = exc.errors()
    unknown = {e["loc"][0] for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 1}
    if not isinstance(step, dict) or len(unknown) < len(errors):
        return None
    try:
        return Step.model_validate({key: value for key, value in step.items() if key not in unknown})
    except ValidationError:
        return None


def _valid_steps_problems(steps: object, name: str, vocabulary: Vocabulary, rules: SafetyRules) -> list[Problem]:
    """Reference and limit problems of the steps that are valid on their own, while other fields are not.

    So a file (or a draft in the builder) with a typo elsewhere still hears about a step that is too long.
    """
    if not isinstance(steps, list | tuple):
        return []
    valid: list[Step] = []
    positions: list[int] = []
    for index, step in enumerate(steps):
        parsed = _step_ignoring_unknown_fields(step)
        if parsed is not None:
            valid.append(parsed)
            positions.append(index)
    if not valid:
        return []
    partial = Routine.model_construct(
        id="partial", title="partial", summary="partial", goals=(), suits="partial", steps=tuple(valid), therapies=()
    )
    found = reference_problems(partial, vocabulary, set())
    found += limit_problems(partial, vocabulary, rules)

    def renumber(path: str) -> str:
        return _STEP_INDEX.sub(lambda m: f"steps[{positions[int(m.group(1))]}]", path)

    return [Problem(name, renumber(path), message) for path, message in found]


def validate_routine_data(
    data: dict[str, Any], name: str, vocabulary: Vocabulary, rules: SafetyRules, therapy_ids: set[str], *, user: bool
) -> tuple[Routine | None, list[Problem]]:
    """Validate parsed routine data: schema, references and safety limits (no line numbers)."""
    if "source" in data:
        return None, [Problem(name, "source", "is set by Companion, not by the file; remove it")]
    try:
        routine = Routine.model_validate(data)
    except ValidationError as exc:
        problems = _without_echoes(validation_problems(name, exc))
        seen = {(p.field, p.message) for p in problems}
        partial = _valid_steps_problems(data.get("steps"), name, vocabulary, rules)
        return None, problems + [p for p in partial if (p.field, p.message) not in seen]
    problems = routine_file_problems(routine, name, vocabulary, rules, therapy_ids)
    if problems:
        return None, problems
    if user:
        routine = routine.model_copy(update={"source": "user"})
    return routine, []


def load_routine_file(
    path: Path, name: str, vocabulary: Vocabulary, rules: SafetyRules, therapy_ids: set[str], *, user: bool
) -> tuple[Routine | None, list[Problem]]:
    """Read and fully validate one routine file; the routine is ``None`` when anything is wrong.

    Problems carry the line of the field they name, and never contain control characters.
    """
    text = read_text(path, name, MAX_USER_FILE_BYTES if user else None)
    data = text if isinstance(text, Problem) else parse_toml(text, name)
    if isinstance(data, Problem):
        return None, [printable_problem(data)]
    assert isinstance(text, str)
    routine, problems = validate_routine_data(data, name, vocabulary, rules, therapy_ids, user=user)
    return routine, [printable_problem(p) for p in with_lines(problems, text)]


def id_clash_problem(routine_id: str, name: str, text: str, other: Routine, other_file: str | None) -> Problem:
    """The problem for a user routine whose id is already taken by a bundled routine or another user file."""
    if other.source == "bundled":
        message = id_taken(routine_id, f"a bundled routine ({other.title})")
    else:
        message = id_taken(routine_id, f"your routine in {other_file}")
    return printable_problem(with_lines([Problem(name, "id", message)], text)[0])


def load_catalog(root: Path = BUNDLED_ROOT, user_routines: Path | None = None) -> LoadResult:
    """Load and validate the catalogue under ``root`` plus the user's routine files, if a folder is given.

    Raises :class:`ContentError` when the bundled content has any problem.
    """
    problems: list[Problem] = []
    vocabulary = _parse(Vocabulary, root / "catalog.toml", "catalog.toml", problems)
    rules = _parse(SafetyRules, root / "safety.toml", "safety.toml", problems)
    therapies: list[Therapy] = []
    therapy_files: list[str] = []
    for path in sorted((root / "therapies").glob("*.toml")):
        name = _display_name(path, root)
        therapy = _parse(Therapy, path, name, problems)
        if therapy is not None:
            therapies.append(therapy)
            therapy_files.append(name)
    if vocabulary is None or rules is None:
        raise ContentError(problems)
    problems.extend(_safety_problems(rules, vocabulary, "safety.toml"))
    for group in ("areas", "tools", "techniques", "goals"):
        problems.extend(_duplicates("catalog.toml", group, [item.id for item in getattr(vocabulary, group)]))
    problems.extend(_duplicate_files(therapy_files, [t.id for t in therapies]))
    problems.extend(_therapy_reference_problems(therapies, therapy_files, vocabulary, rules))
    therapy_ids = {t.id for t in therapies}

    routines: list[Routine] = []
    routine_files: list[str] = []
    for path in sorted((root / "routines").glob("*.toml")):
        name = _display_name(path, root)
        routine, found = load_routine_file(path, name, vocabulary, rules, therapy_ids, user=False)
        problems.extend(found)
        if routine is not None:
            routines.append(routine)
            routine_files.append(name)
    problems.extend(_duplicate_files(routine_files, [r.id for r in routines]))
    if problems:
        raise ContentError(problems)

    user_problems: list[Problem] = []
    user_files: dict[str, Path] = {}
    if user_routines is not None and user_routines.is_dir():
        taken = {r.id: r for r in routines}
        for path in sorted(user_routines.glob("*.toml")):
            name = str(path)
            routine, found = load_routine_file(path, name, vocabulary, rules, therapy_ids, user=True)
            if routine is not None and routine.id in taken:
                other_file = user_files.get(routine.id)
                text = read_text(path, name, MAX_USER_FILE_BYTES)
                found = [
                    id_clash_problem(
                        routine.id,
                        name,
                        text if isinstance(text, str) else "",
                        taken[routine.id],
                        str(other_file) if other_file else None,
                    )
                ]
                routine = None
            user_problems.extend(found)
            if routine is not None:
                taken[routine.id] = routine
                routines.append(routine)
                user_files[routine.id] = path
    catalog = Catalog(vocabulary=vocabulary, safety=rules, routines=tuple(routines), therapies=tuple(therapies))
    return LoadResult(catalog, user_problems, user_files)


def _duplicate_files(names: list[str], ids: list[str]) -> list[Problem]:
    first: dict[str, str] = {}
    problems = []
    for name, item_id in zip(names, ids, strict=True):
        if item_id in first:
            problems.append(
                Problem(name, "id", f"duplicate id '{item_id}' (also in {first[item_id]}); ids must be unique")
            )
        else:
            first[item_id] = name
    return problems
