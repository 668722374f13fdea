"""End to end: the installed app in tmux, driven with keys; the screen read back as text."""

from __future__ import annotations

from pathlib import Path

from tests.tmux_driver import TmuxSession, companion_command, companion_env, needs_tmux


@needs_tmux
def test_open_browse_help_and_quit(isolated_home: Path) -> None:
    session = TmuxSession(companion_command(), companion_env(isolated_home))
    try:
        screen = session.wait_for("Routines")
        assert "Companion" in screen
        session.send("f")
        session.send("Escape")
        session.send("?")
        screen = session.wait_for("Keys on this screen")
        assert "Filter" in screen and "Help" in screen
        session.send("Escape")
        session.wait_for("Routines")
        session.send("C-q")
        session.wait_for("EXITED-0")
    finally:
        session.close()
