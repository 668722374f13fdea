"""Running a command from the command palette as a person does: ctrl+p, the words, Enter once it is offered."""

from __future__ import annotations

from typing import Any

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot


def highlighted_command(pilot: Pilot[Any]) -> str:
    """The command the palette's list highlights now ("" when none)."""
    screen = pilot.app.screen
    if not isinstance(screen, CommandPalette):
        return ""
    commands = screen.query_one(CommandList)
    if commands.highlighted is None:
        return ""
    return str(commands.get_option_at_index(commands.highlighted).prompt)


async def run_command(pilot: Pilot[Any], words: str, command: str | None = None, tries: int = 250) -> None:
    """Open the palette, type ``words`` and press Enter once the highlighted command contains ``command`` (the
    words themselves when not given), the same twice in a row: the palette searches as it is typed, in a worker,
    so a fixed wait could press Enter before the command is there (or on an earlier, partial answer)."""
    wanted = (command or words).casefold()
    await pilot.press("ctrl+p")
    for _ in range(tries):
        if isinstance(pilot.app.screen, CommandPalette):
            break
        await pilot.pause(0.02)
    await pilot.press(*words)
    seen = 0
    for _ in range(tries):
        seen = seen + 1 if wanted in highlighted_command(pilot).casefold() else 0
        if seen == 2:
            break
        await pilot.pause(0.02)
    else:
        raise AssertionError(f"the palette did not offer {wanted!r} for {words!r}: {highlighted_command(pilot)!r}")
    await pilot.press("enter")
    await pilot.pause()
