"""End to end at 60x20 with NO_COLOR=1: the installed app in tmux, and every mark that carries meaning read back
from the screen as text (a focused row, a ticked box, a focused button, a hanging red flag, the Footer whole)."""

from __future__ import annotations

from pathlib import Path

from companion.advice.advisor import red_flags_by_region
from companion.catalogue.loader import load_catalog
from tests.tmux_driver import TmuxSession, companion_command, companion_env, needs_tmux

WIDTH, HEIGHT = 60, 20


@needs_tmux
def test_every_meaningful_mark_reads_as_text_at_60x20(isolated_home: Path) -> None:
    env = companion_env(isolated_home) | {"NO_COLOR": "1"}
    session = TmuxSession(companion_command(), env, size=(WIDTH, HEIGHT))
    try:
        session.wait_for("Routines")
        # The Footer whole ("... h History , Settings") once the narrow layout applies (a first frame may be drawn
        # before the app has taken in the terminal's width, with the palette hint still taking room).
        screen = session.wait_for(", Settings")
        lines = screen.splitlines()
        assert len(lines) == HEIGHT and max(len(line) for line in lines) <= WIDTH
        assert lines[-1].rstrip().endswith(", Settings")
        assert any(line.lstrip("│┃ ").startswith("▸ ") for line in lines), screen  # the highlighted routine
        session.send("Tab")  # the focus leaves the list: its choice still marked, as not focused
        screen = session.wait_for("┏━ Preview")  # the focused panel: a heavy frame
        assert any(line.lstrip("│┃ ").startswith("› ") for line in screen.splitlines()), screen
        session.send("BTab", "Enter")
        # The safe answer has the focus from the first frame: the button reads "▸ ... ◂", the list's frame is light.
        screen = session.wait_for("▸ None of these apply (Enter) ◂")
        assert "┏━ Today" not in screen and "╭─ Today" in screen, screen
        session.send("a")  # to the questions: the focused list has a heavy frame, its row "▸ [ ]", and the
        # button is no longer marked (each mark is redrawn in its own time: the test waits for all three)
        session.wait_until(
            lambda screen: "┏━ Today" in screen and "▸ [ ] " in screen and "◂" not in screen,
            "the focus marks did not all move to the questions",
        )
        session.send("Enter")  # ticks it (as Space does)
        screen = session.wait_for("▸ [x] ")
        assert "(yes" in screen
        session.send("Enter")
        session.wait_for("▸ [ ] ")
        session.send("Escape")
        session.wait_for("Routines")
        session.send("?", "End")
        screen = session.wait_for("Anywhere")
        flags = [line.strip("│┃ ") for line in screen.splitlines()]
        assert any(line.startswith("! ") for line in flags), screen
        # A flag's wrapped lines and its advice start under its words: four cells in from the frame, not one.
        assert "┏━ Help" in screen, screen  # the help has the focus: its frame is heavy
        inside = [  # each row inside the frame, without the scrollbar's thumb at its right end
            line[line.index("┃") + 1 : line.rindex("┃")].rstrip(" ▁▂▃▄▅▆▇█")
            for line in screen.splitlines()
            if line.count("┃") == 2
        ]
        titles = {title for title, _flags in red_flags_by_region(load_catalog().catalog)}
        flag_rows = [row for row in inside if row.strip() and not row.strip().startswith("!")]
        sources = [row for row in flag_rows if row.startswith("   ") and not row.startswith("    ")]  # one cell in
        assert flag_rows and all(
            row.startswith("     ") or row.strip() in titles or row in sources for row in flag_rows
        ), screen
        session.send("Escape")
        session.wait_for("Routines")
        reflection_marks(session)
        settings_marks(session)
        copy_marks(session)
        session.send("C-q")
        session.wait_for("EXITED-0")
    finally:
        session.close()


def inside_frame(screen: str) -> list[str]:
    """The rows of the screen without the frames' sides (light or heavy) and the scrollbar's thumb."""
    return [line.strip(" │┃▁▂▃▄▅▆▇█") for line in screen.splitlines()]


def reflection_marks(session: TmuxSession) -> None:
    """Run the highlighted routine a few seconds into its first step, skip the second, stop: the reflection marks
    each step "–" cut short or "·" not reached, and says what its marks mean."""
    session.send("Enter")  # the highlighted routine
    session.wait_for("▸ None of these apply (Enter) ◂")
    session.send("Enter")
    session.wait_for("▸ Skip rating")
    session.send("Enter")  # no rating: the runner starts
    screen = session.wait_for("Step 1 of ")
    full = next(line for line in screen.splitlines() if " left of " in line).split(" left of ")[1].strip()
    # Until the first step's clock has moved (a second done), however long that takes on a busy machine.
    session.wait_until(
        lambda screen: " left of " in screen and f"{full} left of {full}" not in screen, "the countdown did not move"
    )
    session.send("n")
    session.wait_for("Step 2 of ")
    session.send("s")
    session.wait_for("(y)")
    session.send("y")
    screen = session.wait_until(  # the legend under the steps, and the rating focused (a heavy frame, its "▸")
        lambda screen: "✓ done  – cut short  · not reached" in screen and "┏━━" in screen and "▸ Skip rating" in screen,
        "no reflection with its legend and its focused rating",
    )
    rows = inside_frame(screen)
    assert any(row.startswith("Routine stopped: ") for row in rows), screen
    cut = [row for row in rows if row.startswith("– ")]
    assert cut and cut[0].split()[1] != "0:00", screen  # the first step: cut short after its time done
    assert any(row.split()[:2] == ["·", "0:00"] for row in rows), screen  # steps never reached
    session.send("Escape")  # saves and closes
    session.wait_for("Routines")


def settings_marks(session: TmuxSession) -> None:
    """Settings: the focused chooser has a bar beside it, a focused switch a heavy frame, each switch says On/Off;
    the tools you own are ticked [x]/[ ], and the home list then says which routines need a tool not ticked."""
    session.send(",")
    session.wait_for("Look and feel")
    session.wait_until(lambda screen: any("Theme" in row and "▌" in row for row in screen.splitlines()),
                       "the focused theme chooser had no bar")  # fmt: skip
    session.send("Tab")  # to the bell's switch: a heavy frame, and the theme's bar gone
    session.wait_until(
        lambda screen: "┏━━" in screen and not any("Theme" in row and "▌" in row for row in screen.splitlines()),
        "the focus marks did not move to the bell's switch",
    )
    session.wait_for("Off: Terminal bell")
    session.send("Space")
    session.wait_for("On: Terminal bell")
    session.send("Space")
    session.wait_for("Off: Terminal bell")
    # Back from the bell: the theme, the form, the three prices, then the tools you own (keys are taken in order).
    session.send(*["BTab"] * 6)
    session.wait_until(lambda screen: "┏━ Tools" in screen and "▸ [ ] Hands" in screen, "the tools had no focus")
    session.send("Space")  # own only your hands
    session.wait_for("▸ [x] Hands")
    assert any(row.startswith("[ ] Massage ball") for row in inside_frame(session.screen()))
    session.send("Escape")
    session.wait_for("needs: ")  # routines that need a tool not ticked say so, in words
    session.wait_for("Routines")


def copy_marks(session: TmuxSession) -> None:
    """A copy of the highlighted routine, saved from the builder: the list reads "(copy)" and "(yours)" beside it."""
    session.send("c")
    session.wait_for("Copy of a routine")
    session.send("C-s")
    screen = session.wait_until(lambda screen: "Routines by" in screen and "(copy)" in screen, "no copy on the list")
    words = " ".join(" ".join(inside_frame(screen)).split())
    assert "(copy) (yours)" in words or "(copy) needs: " in words, screen
    assert "(yours)" in words, screen
