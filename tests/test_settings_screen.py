"""The settings screen driven with the keyboard at 80x24 and 60x20: every change applies at once and is saved."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Input, OptionList, Select, Static, Switch

from companion.run.clock import FakeClock
from companion.services import build_services
from companion.settings.limit_entry import LimitError, parse_limit
from companion.settings.user_settings import SETTINGS_SCHEMA_VERSION
from screens.app import CompanionApp
from screens.home import HomeScreen
from screens.settings import SettingsScreen, theme_options
from screens.themes import THEMES
from screens.widgets.tick_list import TickList
from tests.palette import run_command

SIZES = [(80, 24), (60, 20)]


async def open_settings(app, pilot) -> SettingsScreen:
    await pilot.pause()
    await pilot.press("comma")
    await pilot.pause()
    assert isinstance(app.screen, SettingsScreen)
    return app.screen


async def saved(app) -> dict:
    """The settings file once every save worker has finished."""
    await app.workers.wait_for_complete()
    return json.loads(app.services.paths.settings.read_text(encoding="utf-8"))


async def type_into(pilot, widget: Input, text: str) -> None:
    widget.focus()
    await pilot.pause()
    widget.clear()
    await pilot.press(*text, "enter")  # Enter applies what was typed (so does leaving the box)
    await pilot.pause()


def notices(app) -> str:
    return " ".join(str(n.message) for n in app._notifications)


def gun_routine(services):
    return next(r for r in services.catalog.routines if "massage-gun" in r.tools)


# --- the pure parts ---------------------------------------------------------------------------------------------


def test_limits_parse_seconds_and_minutes_and_refuse_looser() -> None:
    assert parse_limit("", "Gun, a step", 60, 3600) is None
    assert parse_limit("45", "Gun, a step", 60, 3600) == 45
    assert parse_limit("0:45", "Gun, a step", 60, 3600) == 45
    assert parse_limit("1:00", "Gun, a step", 60, 3600) == 60
    with pytest.raises(LimitError, match="only make limits stricter"):
        parse_limit("1:30", "Gun, a step", 60, 3600)
    with pytest.raises(LimitError, match="at least 1 second"):
        parse_limit("0", "Gun, a step", 60, 3600)
    with pytest.raises(LimitError, match="minutes:seconds"):
        parse_limit("1m", "Gun, a step", 60, 3600)
    with pytest.raises(LimitError, match="at most"):
        parse_limit("5000", "Gun, a step", None, 3600)


def test_calm_themes_come_first() -> None:
    options = theme_options(["nord", "companion-light", "textual-dark", "companion-calm"])
    assert [value for _label, value in options] == [THEMES[0].name, THEMES[1].name, "nord", "textual-dark"]
    assert "calm" in options[0][0]


# --- the screen ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_theme_bell_and_motion_apply_at_once_and_are_saved(make_app, services, isolated_home, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_settings(app, pilot)
        theme = screen.query_one("#theme", Select)
        assert theme.has_focus and app.theme == "companion-calm"
        await pilot.press("enter")  # open the list, then the next theme (the light calm one)
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.theme == "companion-light"
        assert services.settings.theme == "companion-light"

        await pilot.press("tab")  # the bell switch
        assert screen.query_one("#bell", Switch).has_focus
        await pilot.press("space")
        await pilot.press("tab", "space")  # reduced motion
        await pilot.pause()
        assert services.settings.bell and services.settings.reduced_motion
        assert "On: Terminal bell" in str(screen.query_one("#bell-label").render())

        data = await saved(app)
        assert data["theme"] == "companion-light"
        assert data["bell"] is True and data["reduced_motion"] is True
        assert services.paths.settings.is_relative_to(isolated_home / "config")  # the test's own folder
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.theme == "companion-light"


async def test_palette_entry_opens_settings(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await run_command(pilot, "Settings")
        assert isinstance(app.screen, SettingsScreen)


@pytest.mark.parametrize("size", SIZES)
async def test_stricter_limit_is_saved_and_a_looser_one_refused(make_app, services, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_settings(app, pilot)
        step = screen.query_one("#step-massage-gun", Input)
        assert step.placeholder == "(1:00)"  # the content's limit, in brackets: not a typed value
        await type_into(pilot, step, "0:45")
        assert services.settings.limits["massage-gun"].step_seconds == 45
        assert not screen.query_one("#limits-problem", Static).display
        assert (await saved(app))["limits"]["massage-gun"]["step_seconds"] == 45

        await type_into(pilot, step, "1:30")
        problem = screen.query_one("#limits-problem", Static)
        assert problem.display
        message = str(problem.render())
        assert "1:30 is looser than the content's 1:00: not applied" in message
        assert "only make limits stricter" in message and message.startswith("!")
        assert step.has_class("-invalid")
        assert services.settings.limits["massage-gun"].step_seconds == 45  # the refused value changed nothing
        assert (await saved(app))["limits"]["massage-gun"]["step_seconds"] == 45

        day = screen.query_one("#day-massage-gun", Input)
        await type_into(pilot, day, "180")
        assert services.settings.limits["massage-gun"].area_day_seconds == 180
        await type_into(pilot, step, "")  # blank: back to the content's limit for a step
        assert not screen.query_one("#limits-problem", Static).display
        limit = services.settings.limits["massage-gun"]
        assert limit.step_seconds is None and limit.area_day_seconds == 180

        step.focus()
        await pilot.press(*"50", "escape")  # no Enter: leaving the screen applies it
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert services.settings.limits["massage-gun"].step_seconds == 50
        assert (await saved(app))["limits"]["massage-gun"] == {
            "step_seconds": 50,
            "area_session_seconds": None,
            "area_day_seconds": 180,
        }


@pytest.mark.parametrize("size", SIZES)
async def test_a_looser_limit_reached_by_tab_is_said_not_applied_where_it_is_seen(make_app, services, size) -> None:
    """Finding 30: 9:00 typed for a step with the gun (the content allows 1:00) saved nothing without a word."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_settings(app, pilot)
        for _ in range(60):
            if app.focused is not None and app.focused.id == "step-massage-gun":
                break
            await pilot.press("tab")
        await pilot.press(*"9:00", "enter")
        await pilot.pause()
        said = "Massage gun, a step: 9:00 is looser than the content's 1:00: not applied."
        assert said in notices(app)
        await pilot.press("tab")  # leaving the box: the same refusal is not told twice
        await pilot.pause()
        assert notices(app).count(said) == 1
        assert "massage-gun" not in services.settings.limits
        assert not app.services.paths.settings.exists() or (await saved(app))["limits"] == {}
        assert screen.query_one("#step-massage-gun", Input).value == "9:00"  # kept, to be corrected


@pytest.mark.parametrize("size", SIZES)
async def test_owned_tools_mark_routines_on_home(make_app, services, size) -> None:
    routine = gun_routine(services)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        home = app.screen
        assert "needs:" not in str(home.query_one("#routines", OptionList).get_option(routine.id).prompt)
        screen = await open_settings(app, pilot)
        tools = screen.query_one("#owned-tools", TickList)
        tools.focus()
        await pilot.pause()
        hands = [t.id for t in services.catalog.vocabulary.tools].index("hands")
        await pilot.press(*["down"] * hands, "space")  # tick "Hands" only
        await pilot.pause()
        assert services.settings.owned_tools == ("hands",)
        assert (await saved(app))["owned_tools"] == ["hands"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is home
        routines = home.query_one("#routines", OptionList)
        assert "needs: massage gun" in str(routines.get_option(routine.id).prompt)
        home.show_routine(routine.id)
        await pilot.pause()
        preview = str(home.query_one("#preview-text", Static).content)
        assert "Needs: " in preview and "massage gun" in preview
        hands_only = next(r for r in services.catalog.routines if r.tools == ("hands",))
        assert "needs:" not in str(routines.get_option(hands_only.id).prompt)


@pytest.mark.parametrize("size", SIZES)
async def test_prices_breathing_and_a_bad_price(make_app, services, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_settings(app, pilot)
        await type_into(pilot, screen.query_one("#currency", Input), "EUR")
        await type_into(pilot, screen.query_one("#device-price", Input), "89,90")
        await type_into(pilot, screen.query_one("#session-price", Input), "60")
        prices = services.settings.prices
        assert (prices.currency, prices.device_price, prices.session_price) == ("EUR", 89.9, 60.0)

        await type_into(pilot, screen.query_one("#session-price", Input), "sixty")
        problem = screen.query_one("#prices-problem", Static)
        assert problem.display and "session price is not a number" in str(problem.render())
        assert services.settings.prices.session_price == 60.0

        inhale = screen.query_one("#inhale", Select)
        inhale.focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("down", "enter")  # 4 s -> 5 s
        await pilot.pause()
        assert services.settings.breathing.inhale == 5
        data = await saved(app)
        assert data["prices"] == {"currency": "EUR", "device_price": 89.9, "session_price": 60.0}
        assert data["breathing"] == {"inhale": 5, "exhale": 6}


async def test_settings_are_there_after_a_restart(make_app, services) -> None:
    routine = gun_routine(services)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(app, pilot)
        screen.query_one("#theme", Select).value = "companion-light"
        screen.query_one("#bell", Switch).value = True
        await type_into(pilot, screen.query_one("#step-massage-gun", Input), "30")
        screen.query_one("#owned-tools", TickList).select("hands")
        await type_into(pilot, screen.query_one("#session-price", Input), "55")
        await pilot.pause()
        await saved(app)

    again = CompanionApp(build_services(services.paths, clock=FakeClock()))
    async with again.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        settings = again.services.settings
        assert again.theme == "companion-light"
        assert settings.bell and settings.owned_tools == ("hands",) and settings.prices.session_price == 55
        assert settings.limits["massage-gun"].step_seconds == 30
        routines = again.screen.query_one("#routines", OptionList)
        assert "needs: massage gun" in str(routines.get_option(routine.id).prompt)
        screen = await open_settings(again, pilot)
        assert screen.query_one("#step-massage-gun", Input).value == "0:30"
        assert screen.query_one("#bell", Switch).value
        assert screen.query_one("#owned-tools", TickList).selected == ["hands"]


async def test_a_corrupt_settings_file_gives_defaults_and_a_notice(services) -> None:
    services.paths.settings.parent.mkdir(parents=True, exist_ok=True)
    services.paths.settings.write_text('{"theme": "companion-light", "bell": ', encoding="utf-8")
    app = CompanionApp(build_services(services.paths, clock=FakeClock()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "companion-calm" and not app.services.settings.bell
        assert "could not be used" in notices(app) and "defaults" in notices(app)
        kept = list(services.paths.settings.parent.glob("settings.json.corrupt-*"))
        assert len(kept) == 1
        screen = await open_settings(app, pilot)
        screen.query_one("#bell", Switch).value = True
        await pilot.pause()
        assert (await saved(app))["bell"] is True
        assert kept[0].exists()  # the unreadable file is kept, never overwritten


async def test_a_save_that_fails_is_reported_and_the_change_still_applies(services) -> None:
    services.paths.settings.parent.mkdir(parents=True, exist_ok=True)
    newer = {"schema_version": SETTINGS_SCHEMA_VERSION + 1, "theme": "companion-calm", "future": 1}
    services.paths.settings.write_text(json.dumps(newer), encoding="utf-8")
    app = CompanionApp(build_services(services.paths, clock=FakeClock()))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(app, pilot)
        screen.query_one("#theme", Select).value = "companion-light"
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.theme == "companion-light"
        assert "newer Companion" in notices(app) and "not saved" in notices(app)
        assert json.loads(services.paths.settings.read_text(encoding="utf-8")) == newer
    assert "newer Companion" in (app.settings_saver.flush() or "")  # tried again on the way out, still refused


async def test_a_change_not_yet_written_is_written_when_the_app_ends(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.apply_settings(services.settings.updated(bell=True))  # its worker may not have run before the end
    assert app.settings_saver.flush() is None
    assert json.loads(services.paths.settings.read_text(encoding="utf-8"))["bell"] is True
    assert app.settings_saver.flush() is None  # nothing left to write


async def test_a_theme_picked_from_the_palette_is_kept(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.theme = "companion-light"  # what the palette's own "Theme" command does
        await pilot.pause()
        assert services.settings.theme == "companion-light"
        assert (await saved(app))["theme"] == "companion-light"


@pytest.mark.parametrize("name", ["companion-calm", "companion-light", "nord", "no-such-theme"])
async def test_the_app_starts_in_the_saved_theme_with_its_colours(services, name) -> None:
    from textual.color import Color

    from screens.app import CompanionApp

    services.settings = services.settings.updated(theme=name)
    app = CompanionApp(services)
    expected = name if name != "no-such-theme" else "companion-calm"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        theme = app.available_themes[expected]
        assert app.theme == expected and app.current_theme is theme
        assert app.screen.styles.background == Color.parse(theme.background)
        assert app.has_class(f"-theme-{expected}")
        assert app.has_class("-dark-mode") == theme.dark and app.has_class("-light-mode") == (not theme.dark)


async def test_limits_that_could_not_be_read_hold_at_their_strictest_until_checked(services) -> None:
    """Finding 72: a torn settings file that held limits leaves no step to plan until the person has checked their
    limits here and pressed 'My limits are right'."""
    from companion.safety.plan import make_plan

    services.paths.settings.parent.mkdir(parents=True, exist_ok=True)
    services.paths.settings.write_text('{"limits": {"hands": {"step_se', encoding="utf-8")
    app = CompanionApp(build_services(services.paths, clock=FakeClock()))
    routine = app.services.catalog.routine("feet-reset")
    assert routine is not None
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "counts as 1 second" in notices(app)
        assert not make_plan(routine, app.services.catalog, app.services.settings).steps
        screen = await open_settings(app, pilot)
        assert "counts as 1 second" in str(screen.query_one("#limits-unread Static", Static).render())
        screen.query_one("#limits-right").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert not screen.query("#limits-unread") and not app.services.settings.own_limits_unread
        assert (await saved(app))["own_limits_unread"] is False
        assert make_plan(routine, app.services.catalog, app.services.settings).can_start
        assert "Your own limits hold as they are set here." in notices(app)


@pytest.mark.parametrize("size", SIZES)
async def test_a_session_limit_per_area_is_set_refused_when_looser_and_planned(make_app, services, size) -> None:
    """Finding 54: the per-area session limit the plan and `companion routine` apply can be made stricter here too,
    and then bears on the plan, the home preview and the routine's limits, marked as the person's own."""
    from companion.safety.plan import make_plan
    from tests.test_routine_limits import highlight, preview, run

    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_settings(app, pilot)
        box = screen.query_one("#session-hands", Input)
        assert box.placeholder == "(4:00)"  # the content's 4:00 by hand on one area in a session
        await type_into(pilot, box, "1:30")
        assert services.settings.limits["hands"].area_session_seconds == 90
        assert (await saved(app))["limits"]["hands"] == {
            "step_seconds": None,
            "area_session_seconds": 90,
            "area_day_seconds": None,
        }
        await type_into(pilot, box, "5:00")  # looser than the content's: said, and nothing changes
        said = "Hands, a session on one area: 5:00 is looser than the content's 4:00: not applied."
        assert said in str(screen.query_one("#limits-problem", Static).render()) and said in notices(app)
        assert services.settings.limits["hands"].area_session_seconds == 90
        await type_into(pilot, box, "1:30")
        await pilot.press("escape")
        await pilot.pause()
        await highlight(app, "feet-reset")
        await pilot.pause()
        assert "1:30 a session (yours) [3]" in " ".join(preview(app).split())

    routine = services.catalog.routine("feet-reset")
    assert routine is not None
    plan = make_plan(routine, services.catalog, services.settings)
    by_area: dict[str, int] = {}
    for planned in plan.steps:
        if planned.tool == "hands":
            by_area[planned.area] = by_area.get(planned.area, 0) + planned.seconds
    assert by_area and max(by_area.values()) == 90  # trimmed to the person's own 1:30 on the feet
    assert "your own session limit for your hands on" in " ".join(map(str, plan.notes)), plan.notes
    assert "1:30 a session (yours)" in run("routine", "feet-reset").stdout  # the saved file, read by the CLI
