"""Text whose bullets and marked lines wrap with a hanging indent: a wrapped line starts under the first word of
its item, never under the mark nor at the left margin.

Rich's ``Text`` wraps every line back to column 0, so ``" ! Pain that spreads down an arm"`` continues under the
``!``. ``HangingText`` is built like a ``Text`` (``append``) plus ``item(mark, body)``; it wraps each item's body in
the cells right of its mark. It is a Rich renderable (a ``Static`` shows it, an ``OptionList`` takes it as a
prompt) and ``str()`` gives its plain text, the words a person reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text


@dataclass(frozen=True)
class _Item:
    mark: Text
    body: Text
    tail: Text = field(default_factory=Text)
    """Kept on the body's last line, never wrapped onto a line of its own (a drop-down's ``▾``)."""

    def lines(self, console: Console, width: int) -> Text:
        """The item wrapped by hand in ``width`` cells, its lines after the first under the body's first cell (a
        Rich table an item would measure and lay out a grid on every redraw of a list)."""
        indent = cell_len(self.mark.plain)
        column = max(1, width - indent - cell_len(self.tail.plain))
        shown = Text(no_wrap=True, overflow="fold")
        for number, line in enumerate(self.body.wrap(console, column, overflow="fold")):
            if number:
                shown.append("\n")
                shown.append(" " * indent)
            else:
                shown.append_text(self.mark)
            shown.append_text(line)
        shown.append_text(self.tail)
        return shown


def _text(value: str | Text, style: str) -> Text:
    return value.copy() if isinstance(value, Text) else Text(value, style=style)


class HangingText:
    """Paragraphs (``append``, as on a ``Text``) and items (``item``) whose wrapped lines hang under their text."""

    def __init__(self) -> None:
        self._parts: list[Text | _Item] = []
        self._run = Text()

    def append(self, text: str | Text, style: str = "") -> HangingText:
        """Text at the left margin, as ``Text.append`` (``text`` is plain text, never markup)."""
        if isinstance(text, Text):
            self._run.append_text(text)
        else:
            self._run.append(text, style=style)
        return self

    def item(self, mark: str | Text, body: str | Text, style: str = "", *, tail: str = "") -> HangingText:
        """``mark`` (such as ``" • "`` or ``"    "``) on a new line, then ``body`` wrapping under its first word, and
        ``tail`` after it, on its last line."""
        self._flush()
        self._parts.append(_Item(_text(mark, style), _text(body, style), _text(tail, style)))
        return self

    @classmethod
    def indented(cls, text: Text) -> HangingText:
        """``text`` with each indented line as an item whose indent is its mark: a long line wraps under its own
        first word, never back to the margin, where it would read as a heading (the statistics' figures)."""
        hanging = cls()
        for line in text.split("\n", allow_blank=True):
            body = line.plain.lstrip(" ")
            indent = len(line.plain) - len(body)
            if indent and body:
                hanging.item(" " * indent, line[indent:])
            else:
                hanging.append(line).append("\n")
        return hanging

    def _flush(self) -> None:
        run = self._run
        if run.plain:
            if run.plain.endswith("\n"):
                run.right_crop(1)  # the item starts on a line of its own anyway
            self._parts.append(run)
        self._run = Text()

    @property
    def plain(self) -> str:
        """The words, each item on a line of its own after its mark."""
        blocks = [
            f"{part.mark.plain}{part.body.plain}{part.tail.plain}" if isinstance(part, _Item) else part.plain
            for part in self._parts
        ]
        return "\n".join([*blocks, self._run.plain] if self._run.plain else blocks)

    def __str__(self) -> str:
        return self.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        parts: list[Text | _Item] = [*self._parts, self._run] if self._run.plain else list(self._parts)
        for part in parts:
            yield part.lines(console, options.max_width) if isinstance(part, _Item) else part

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, Text(self.plain))
