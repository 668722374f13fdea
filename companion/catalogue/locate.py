"""Find the line of a field in TOML text, so a problem can say ``routine.toml:12: steps[1].seconds: ...``.

``tomllib`` gives values but no positions, so this module scans the text once and records the line where each
key, array element and table starts, keyed by the same path pydantic reports (``("steps", 1, "seconds")``).
It only has to understand files that ``tomllib`` already accepted; on anything unexpected it stops quietly and
keeps what it found, so locating a line can never fail.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable

from companion.catalogue.problems import Problem, field_path
from companion.words import printable

PathKey = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_FIELD_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_TOML_ERROR_AT = re.compile(r"\s*\(at line (\d+), column \d+\)")


class _Stop(Exception):
    """The text is not in a shape this scanner understands; keep what was found so far."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[PathKey, int] = {}
        self.table: PathKey = ()
        self.array_tables: dict[PathKey, int] = {}

    # -- low-level helpers -------------------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.text[index] if index < len(self.text) else ""

    def startswith(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self.pos < len(self.text):
                if self.text[self.pos] == "\n":
                    self.line += 1
                self.pos += 1

    def skip_inline_space(self) -> None:
        while self.peek() in (" ", "\t"):
            self.advance()

    def skip_comment(self) -> None:
        if self.peek() == "#":
            while self.peek() and self.peek() != "\n":
                self.advance()

    def skip_space_and_comments(self) -> None:
        """Skip blanks, newlines and comments (inside arrays, and between statements)."""
        while True:
            char = self.peek()
            if char in (" ", "\t", "\r", "\n"):
                self.advance()
            elif char == "#":
                self.skip_comment()
            else:
                return

    def record(self, path: PathKey, line: int) -> None:
        self.lines.setdefault(path, line)

    # -- grammar -----------------------------------------------------------------------------------------------

    def run(self) -> dict[PathKey, int]:
        try:
            while True:
                self.skip_space_and_comments()
                if not self.peek():
                    break
                if self.startswith("[["):
                    self.header(array=True)
                elif self.peek() == "[":
                    self.header(array=False)
                else:
                    self.key_value(self.table)
                self.skip_inline_space()
                self.skip_comment()
        except (_Stop, tomllib.TOMLDecodeError):
            pass
        return self.lines

    def resolve(self, parts: list[str]) -> PathKey:
        """A dotted header path with the current index of every array of tables along the way."""
        resolved: PathKey = ()
        for part in parts:
            resolved = (*resolved, part)
            if resolved in self.array_tables:
                resolved = (*resolved, self.array_tables[resolved])
        return resolved

    def header(self, *, array: bool) -> None:
        line = self.line
        self.advance(2 if array else 1)
        parts = self.dotted_key()
        self.skip_inline_space()
        closing = "]]" if array else "]"
        if not self.startswith(closing):
            raise _Stop
        self.advance(len(closing))
        if array:
            parent = self.resolve(parts[:-1])
            table = (*parent, parts[-1])
            self.record(table, line)
            index = self.array_tables.get(table, -1) + 1
            self.array_tables[table] = index
            table = (*table, index)
        else:
            table = self.resolve(parts)
        self.record(table, line)
        self.table = table

    def dotted_key(self) -> list[str]:
        parts = []
        while True:
            self.skip_inline_space()
            parts.append(self.simple_key())
            self.skip_inline_space()
            if self.peek() != ".":
                return parts
            self.advance()

    def simple_key(self) -> str:
        char = self.peek()
        if char in ('"', "'"):
            start = self.pos
            self.string()
            raw = self.text[start : self.pos]
            return str(tomllib.loads(f"k = {raw}")["k"])
        match = _BARE_KEY.match(self.text, self.pos)
        if not match:
            raise _Stop
        self.advance(match.end() - self.pos)
        return match.group()

    def key_value(self, table: PathKey) -> None:
        line = self.line
        parts = self.dotted_key()
        path = (*table, *parts)
        for depth in range(len(table) + 1, len(path) + 1):
            self.record(path[:depth], line)
        self.skip_inline_space()
        if self.peek() != "=":
            raise _Stop
        self.advance()
        self.skip_inline_space()
        self.value(path)

    def value(self, path: PathKey) -> None:
        char = self.peek()
        if char in ('"', "'"):
            self.string()
        elif char == "[":
            self.array(path)
        elif char == "{":
            self.inline_table(path)
        else:
            while self.peek() and self.peek() not in ",]}#\n" and not self.peek().isspace():
                self.advance()

    def string(self) -> None:
        quote = self.peek()
        if self.startswith(quote * 3):
            self.advance(3)
            while self.peek():
                if quote == '"' and self.peek() == "\\":
                    self.advance(2)
                elif self.startswith(quote * 3):
                    self.advance(3)
                    while self.peek() == quote:  # up to two quotes may end the content
                        self.advance()
                    return
                else:
                    self.advance()
            raise _Stop
        self.advance()
        while self.peek() and self.peek() != "\n":
            if quote == '"' and self.peek() == "\\":
                self.advance(2)
            elif self.peek() == quote:
                self.advance()
                return
            else:
                self.advance()
        raise _Stop

    def array(self, path: PathKey) -> None:
        self.advance()
        index = 0
        while True:
            self.skip_space_and_comments()
            if self.peek() == "]":
                self.advance()
                return
            if not self.peek():
                raise _Stop
            item = (*path, index)
            self.record(item, self.line)
            self.value(item)
            self.skip_space_and_comments()
            if self.peek() == ",":
                self.advance()
                index += 1
            elif self.peek() != "]":
                raise _Stop

    def inline_table(self, path: PathKey) -> None:
        self.advance()
        while True:
            self.skip_inline_space()
            if self.peek() == "}":
                self.advance()
                return
            self.key_value(path)
            self.skip_inline_space()
            if self.peek() == ",":
                self.advance()
            elif self.peek() != "}":
                raise _Stop


def field_lines(text: str) -> dict[PathKey, int]:
    """The line (1-based) where each key, table and array element of a TOML document starts."""
    return _Scanner(text).run()


def parse_field(field: str) -> PathKey:
    """Turn ``steps[2].seconds`` back into ``("steps", 2, "seconds")``."""
    return tuple(int(index) if index else name for name, index in _FIELD_PART.findall(field))


def line_of(lines: dict[PathKey, int], field: str) -> int | None:
    """The line of ``field``, else of the nearest enclosing table or array; line 1 for a missing top-level key."""
    if not field:
        return None
    exact = {field_path(path): line for path, line in lines.items()}
    if field in exact:  # also right for quoted keys holding dots or brackets
        return exact[field]
    path = parse_field(field)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


def with_lines(problems: Iterable[Problem], text: str) -> list[Problem]:
    """The problems with a line number added where the field can be found in ``text``."""
    problems = list(problems)
    if not any(p.line is None and p.field for p in problems):
        return problems
    lines = field_lines(text)
    return [
        Problem(p.file, p.field, p.message, line_of(lines, p.field)) if p.line is None and p.field else p
        for p in problems
    ]


def toml_error_line(error: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    """The message of a TOML syntax error without its position, and the line it names (if any)."""
    message = str(error)
    match = _TOML_ERROR_AT.search(message)
    if match is None:
        return message, getattr(error, "lineno", None)
    return message[: match.start()] + message[match.end() :], int(match.group(1))


def printable_problem(problem: Problem) -> Problem:
    """The problem with control characters in its file name, field and message made visible and harmless."""
    file, field, message = printable(problem.file), printable(problem.field), printable(problem.message)
    if (file, field, message) == (problem.file, problem.field, problem.message):
        return problem
    return Problem(file, field, message, problem.line)
