"""Problems found in content or user files, worded for people: where, what, and what to do."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from companion.catalogue.models import ID_PATTERN, ID_RULE


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: ``file: field.path: message`` (with a line number when known)."""

    file: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ContentError(Exception):
    """The bundled catalogue failed validation; every problem is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def field_path(loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic location such as ``('steps', 2, 'seconds')`` into ``steps[2].seconds``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def id_taken(routine_id: str, owner: str) -> str:
    """Why ``routine_id`` cannot be used: ``owner`` (a bundled routine, your routine in a file...) has it."""
    return f"'{routine_id}' is already the id of {owner}; choose another id"


def _describe(error: ErrorDetails) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "is required but missing; add it"
    if kind == "extra_forbidden":
        return "is not a known field; check the spelling or remove it"
    if kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == ID_PATTERN:
        return f"{ID_RULE} (for example 'my-neck-routine')"
    message = str(error.get("msg", "is not valid"))
    message = message.removeprefix("Value error, ")
    return message[0].lower() + message[1:] if message else "is not valid"


def validation_problems(file: str, error: ValidationError, prefix: tuple[int | str, ...] = ()) -> list[Problem]:
    """One :class:`Problem` per pydantic error, with the field path and a readable message."""
    problems = []
    for item in error.errors():
        loc = tuple(part for part in item["loc"] if not (isinstance(part, str) and part.startswith("function-")))
        problems.append(Problem(file, field_path(prefix + loc), _describe(item)))
    return problems
