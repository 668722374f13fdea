"""The user's own routines: write them as TOML, save, delete, duplicate, and validate drafts as they are typed.

This is the core the routine builder screen uses; it never imports Textual. A user routine is held to exactly the
rules of a bundled one (schema, known ids, safety limits), and its id may not clash with any other routine.
Files are written atomically, one routine a file, named after the routine's id.
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from companion.catalogue.models import Catalog, Routine
from companion.catalogue.problems import Problem, id_taken, validation_problems
from companion.disk.fileio import atomic_write, file_lock
from companion.disk.paths import Paths

FILE_HEADER = "# A Companion routine: the format is described in docs/routines.md.\n"


class UserRoutineError(Exception):
    """A user routine cannot be saved, deleted or copied; ``problems`` says why, field by field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# -- writing TOML ------------------------------------------------------------------------------------------------


def routine_to_toml(routine: Routine) -> str:
    """The routine as a TOML file in the documented schema; loading it gives back an equal routine.

    tomli-w writes every key and value (quoting and escaping all text); each step is written as its own
    ``[[steps]]`` table, one key a line, so that a problem found in the file later points at its line.
    """
    data = routine_to_dict(routine)
    steps: list[dict[str, Any]] = data.pop("steps", [])
    parts = [FILE_HEADER, tomli_w.dumps(data)]
    for step in steps:
        tables = {key: value for key, value in step.items() if isinstance(value, dict)}
        keys = {key: value for key, value in step.items() if key not in tables}
        parts += ["\n[[steps]]\n", tomli_w.dumps(keys)]
        for key, table in tables.items():  # a step's breathing cue: a sub-table of that step
            parts += [f"\n[steps.{key}]\n", tomli_w.dumps(table)]
    return "".join(parts)


def routine_to_dict(routine: Routine) -> dict[str, Any]:
    """The routine as the plain data a file (or the builder's draft) holds, without ``source``."""
    return routine.model_dump(mode="json", exclude={"source"}, exclude_none=True)


# -- validating drafts -------------------------------------------------------------------------------------------


def validate_draft(
    draft: Mapping[str, Any], catalog: Catalog, *, editing: str | None = None, name: str = "draft"
) -> list[Problem]:
    """Every problem with a routine being built, for live validation as the user types.

    ``draft`` has the file's shape (``routine_to_dict``); values may still be the strings typed (``"90"``).
    ``editing`` is the id of the user routine being edited, which the draft may keep. Limits are checked on the
    steps that are complete even while other fields are still missing, so the user learns about a too-long step
    at once. An empty list means the draft can be saved.
    """
    from companion.catalogue.loader import validate_routine_data

    data = dict(draft)
    therapy_ids = {t.id for t in catalog.therapies}
    _, problems = validate_routine_data(data, name, catalog.vocabulary, catalog.safety, therapy_ids, user=True)
    clash = _id_clash(data.get("id"), catalog, editing, name)
    if clash is not None:
        problems.insert(0, clash)
    return problems


def _id_clash(routine_id: object, catalog: Catalog, editing: str | None, name: str) -> Problem | None:
    if not isinstance(routine_id, str):
        return None
    other = catalog.routine(routine_id)
    if other is None:
        return None
    if other.source == "bundled":
        return Problem(name, "id", id_taken(routine_id, f"a bundled routine ({other.title})"))
    if routine_id != editing:
        return Problem(name, "id", id_taken(routine_id, "another of your routines"))
    return None


# -- files -------------------------------------------------------------------------------------------------------


def user_routine_files(paths: Paths) -> dict[str, Path]:
    """The user's routine files by the id they declare (valid or not); the first file wins, as when loading."""
    from companion.catalogue.loader import MAX_USER_FILE_BYTES, read_toml

    files: dict[str, Path] = {}
    if not paths.routines.is_dir():
        return files
    for path in sorted(paths.routines.glob("*.toml")):
        data = read_toml(path, str(path), MAX_USER_FILE_BYTES)
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            files.setdefault(data["id"], path)
    return files


def _free_path(folder: Path, routine_id: str) -> Path:
    """``<id>.toml`` in ``folder``, or ``<id>-2.toml``... when a file of that name already exists."""
    candidate = folder / f"{routine_id}.toml"
    number = 2
    while candidate.exists():
        candidate = folder / f"{routine_id}-{number}.toml"
        number += 1
    return candidate


def save_user_routine(
    paths: Paths, routine: Routine, catalog: Catalog | None = None, *, replacing: str | None = None
) -> Path:
    """Validate the routine and write it to the user folder atomically; return the file written.

    ``replacing`` is the id of the user routine being edited (it may differ from ``routine.id`` when the user
    renamed it: the old file is then removed once the new one is safely written). Never overwrites a bundled
    routine, another user routine or a file that holds something else. Raises :class:`UserRoutineError`.
    ``catalog`` defaults to the bundled catalogue plus the user's routines as they are on disk.
    """
    if catalog is None:
        from companion.catalogue.loader import load_catalog

        catalog = load_catalog(user_routines=paths.routines).catalog
    data = routine_to_dict(routine)
    problems = validate_draft(data, catalog, editing=replacing)
    if problems:
        raise UserRoutineError(problems)
    text = routine_to_toml(routine)
    try:
        encoded = text.encode("utf-8")
        reread = Routine.model_validate(tomllib.loads(text))
    except (UnicodeEncodeError, tomllib.TOMLDecodeError, ValidationError) as exc:
        message = f"cannot be written as a routine file ({exc}); remove unusual characters"
        raise UserRoutineError([Problem("draft", "", message)]) from exc
    if reread != routine.model_copy(update={"source": "bundled"}):
        raise UserRoutineError([Problem("draft", "", "would not read back identically; nothing was saved")])
    with file_lock(paths.lock):
        files = user_routine_files(paths)
        old = files.get(replacing) if replacing else None
        taken = files.get(routine.id)
        if taken is not None and taken != old:
            message = id_taken(routine.id, f"your routine in {taken}")
            raise UserRoutineError([Problem(str(taken), "id", message)])
        target = old if old is not None and replacing == routine.id else _free_path(paths.routines, routine.id)
        atomic_write(target, encoded)
        if old is not None and old != target:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
    return target


def delete_user_routine(paths: Paths, routine_id: str) -> Path:
    """Remove the user's routine file declaring ``routine_id``; return the path removed.

    Raises :class:`UserRoutineError` when no user file declares it (bundled routines cannot be deleted).
    """
    with file_lock(paths.lock):
        path = user_routine_files(paths).get(routine_id)
        if path is None:
            message = f"no routine file of yours has the id '{routine_id}' (bundled routines cannot be deleted)"
            raise UserRoutineError([Problem(str(paths.routines), "id", message)])
        path.unlink()
    return path


def duplicate_routine(routine: Routine, new_id: str, new_title: str) -> Routine:
    """A copy of ``routine`` (bundled or the user's) under a new id and title, as a user routine to edit.

    Raises :class:`UserRoutineError` when the id or title is not valid.
    """
    data = routine_to_dict(routine)
    data.update(id=new_id, title=new_title)
    try:
        copy = Routine.model_validate(data)
    except ValidationError as exc:
        raise UserRoutineError(validation_problems("draft", exc)) from exc
    return copy.model_copy(update={"source": "user"})


def suggest_copy_id(catalog: Catalog, routine_id: str) -> str:
    """A free id for a copy of ``routine_id``: ``<id>-copy``, ``<id>-copy-2``..., at most 40 characters."""
    base = f"{routine_id[:35]}-copy"
    candidate, number = base, 2
    while catalog.routine(candidate) is not None:
        suffix = f"-{number}"
        candidate = base[: 40 - len(suffix)] + suffix
        number += 1
    return candidate
