"""Less noise: step cues on the runner's own cue line (no toasts over the instruction), help and the palette show
Companion's keys and commands, and / focuses the therapy search without typing."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette
from textual.widgets import Input, OptionList, Static

from screens.help import HelpScreen
from screens.reflection import ReflectionScreen
from screens.screen_kinds import OpenedByKey
from screens.therapies import TherapiesScreen
from tests.test_routine_flow import ROUTINE, tick, tick_screen, to_runner


def toasts(app: Any) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def test_step_cues_take_the_cue_line_never_a_toast(make_app, services) -> None:
    app = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        runner = await to_runner(pilot)

        def cue_line() -> str:
            return str(runner.query_one("#cue-line", Static).render())

        assert cue_line() == ""  # the first step: the screen itself is the news
        await tick(pilot, services, 56)  # the 5-second warning of step 1
        assert "Warm the shoulders ends in 4 s; then Knead the tops" in cue_line()
        await tick(pilot, services, 5)  # step 2 begins
        assert cue_line().startswith("Now: Knead the tops")
        await pilot.press("n")  # skip ahead: the new step's cue replaces the old one
        await pilot.pause()
        await tick(pilot, services, 0.1)
        assert cue_line().startswith("Now: Back of the neck")
        assert toasts(app) == []
        await tick(pilot, services, 8 * 60)
        await tick_screen(pilot, ReflectionScreen)
        assert toasts(app) == []


async def test_help_lists_companions_keys_first_and_textuals_under_their_own_heading(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("#help-keys", Static).render())
        ours, _, textuals = keys.partition("Textual's own keys")
        for word in ("Start", "Filter", "Sort", "Help", "Guide", "History", "Settings"):
            assert word in ours
        for word in ("Scroll Left", "Page Right", "Focus Next"):
            assert word not in ours
        assert "Page Down" in textuals


async def test_the_palette_offers_companions_commands_not_textuals(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Keys" not in titles and "Maximize" not in titles and "Screenshot" not in titles
        assert {"Help", "Settings", "History", "Therapy guide", "Theme", "Quit"} <= set(titles)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"keys")
        await pilot.pause(0.3)
        shown = app.screen.query_one("CommandList", OptionList)
        assert all("Keys" not in str(shown.get_option_at_index(i).prompt) for i in range(shown.option_count))


async def test_slash_focuses_the_therapy_search_without_typing_a_slash(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TherapiesScreen)
        search = app.screen.query_one("#therapy-search", Input)
        await pilot.press(*"neck", "enter")  # Enter goes to the list
        await pilot.pause()
        assert not search.has_focus
        await pilot.press("slash")
        await pilot.pause()
        assert search.has_focus and search.value == "neck"
        await pilot.press("slash")  # in the box too: never typed
        await pilot.pause()
        assert search.value == "neck"


async def footer_keys(pilot) -> list[tuple[str, int]]:
    """The Footer's keys as shown: description and right edge."""
    await pilot.pause()
    return [(key.description, key.region.right) for key in pilot.app.screen.query("FooterKey") if key.display]


async def test_every_footer_fits_60_columns_and_leaves_out_the_screen_you_are_on(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        for key, description in (("", "Sort"), ("h", "Stats"), ("escape", ""), ("comma", "Back"), ("escape", "")):
            if key:
                await pilot.press(key)
            shown = await footer_keys(pilot)
            assert shown and all(right <= 60 for _description, right in shown), shown
            if description:
                assert description in [d for d, _right in shown]
            descriptions = [d for d, _right in shown]
            opened_by = app.screen.OPENED_BY if isinstance(app.screen, OpenedByKey) else None
            if opened_by == "history":  # its own keys fill the Footer: Help lists the app's (and t still works)
                assert "History" not in descriptions and "Guide" not in descriptions and "Help" in descriptions
            if opened_by == "settings":
                assert "Settings" not in descriptions


async def test_keys_left_out_of_a_full_footer_are_listed_by_help(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert "Guide" not in [description for description, _right in await footer_keys(pilot)]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ours = str(app.screen.query_one("#help-keys", Static).render()).partition("Textual's own keys")[0]
        assert "Guide" in ours and "Settings" in ours and "History" not in ours


async def test_a_bad_routine_file_gives_one_toast_however_many_its_problems(isolated_home) -> None:
    from companion.disk.paths import default_paths
    from companion.run.clock import FakeClock
    from companion.services import build_services
    from screens.app import CompanionApp

    folder = default_paths().routines
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evil.toml").write_text('id = "evil"\ntitle = "Evil"\n', encoding="utf-8")  # no summary, steps, ...
    (folder / "odd.toml").write_bytes(b"\xff\xfe\x00")  # one problem: said as it is
    services = build_services(clock=FakeClock())
    evil = [p for p in services.user_problems if p.file.endswith("evil.toml")]
    assert len(evil) > 1
    app = CompanionApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        left_out = [n for n in app._notifications if n.title == "A routine file was left out"]
        assert len(left_out) == 2, [n.message for n in left_out]
        evil_toast = next(n.message for n in left_out if "evil.toml" in n.message)
        assert evil_toast.startswith(f"evil.toml left out: {len(evil)} problems. First, line 1: ")
        assert f"`companion validate {folder / 'evil.toml'}` lists them all." in evil_toast
        assert any(n.message.startswith(str(folder / "odd.toml")) for n in left_out)
