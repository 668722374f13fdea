"""The home list's entries: the length in its column, the title wrapping beside it, the marks under it."""

from __future__ import annotations

import io

from rich.cells import cell_len
from rich.console import Console

from screens.routine_text import INDENT_WIDTH, RoutineLabel


def lines_of(label: RoutineLabel, width: int) -> list[str]:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(label)
    return console.export_text().splitlines()


def test_a_long_title_wraps_beside_its_length_and_the_marks_follow_under_it() -> None:
    label = RoutineLabel("12:30", "Neck and shoulders after a long day at the desk (copy)", ("needs: massage gun",))
    lines = lines_of(label, 30)
    assert lines[0].startswith("12:30  Neck and")
    assert all(line.startswith(" " * INDENT_WIDTH) for line in lines[1:])
    words = " ".join(line[INDENT_WIDTH:].strip() for line in lines)
    assert "Neck and shoulders after a long day at the desk (copy)" in words  # nothing cut, "(copy)" kept
    assert words.index("(copy)") < words.index("needs: massage gun")


def test_wide_characters_keep_every_line_the_column_s_width() -> None:
    lines = lines_of(RoutineLabel(" 5:00", "Ünïcödé 日本語 title", ("needs: x",)), 40)
    assert [cell_len(line.rstrip()) for line in lines] == [INDENT_WIDTH + 20, INDENT_WIDTH + 8]
    assert len({cell_len(line) for line in lines}) == 1


def test_a_length_too_long_for_its_column_is_cut_with_an_ellipsis() -> None:
    assert lines_of(RoutineLabel("1:00:00", "Long"), 30)[0].startswith("1:00…  Long")


def test_the_user_s_words_are_text_never_markup() -> None:
    assert "[bold]x[/bold]" in lines_of(RoutineLabel(" 1:00", "[bold]x[/bold]"), 40)[0]
