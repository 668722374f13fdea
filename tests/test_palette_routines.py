"""Every routine in the command palette by its title: choosing one opens its flow (the safety questions, then today's
plan) from any screen, never during a run; a user's title is shown as text, never as markup."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette
from textual.pilot import Pilot

from companion.catalogue.user_routines import routine_to_toml
from companion.disk.paths import default_paths
from companion.run.clock import FakeClock
from companion.services import Services, build_services
from screens.app import CompanionApp
from screens.history import HistoryScreen
from screens.home import HomeScreen
from screens.plan_review import PlanReviewScreen
from screens.runner import RunnerScreen
from screens.screening import ScreeningScreen
from tests.palette import highlighted_command, run_command
from tests.test_footer_keys import settle


async def to_plan_from_palette(pilot: Pilot[Any], words: str, title: str) -> PlanReviewScreen:
    await run_command(pilot, words, title)
    screening = await settle(pilot, ScreeningScreen)
    assert screening.routine is not None and screening.routine.title == title
    await pilot.press("enter")  # "None of these apply", focused
    plan = await settle(pilot, PlanReviewScreen)
    assert plan.plan.routine.title == title
    return plan


async def test_a_routine_found_by_its_title_opens_its_plan(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await to_plan_from_palette(pilot, "tired feet", "Tired feet")
        await pilot.press("escape", "escape")  # the plan, the screening: back home
        await settle(pilot, HomeScreen)
        # From another screen too, by a few letters of a longer title.
        await pilot.press("h")
        await settle(pilot, HistoryScreen)
        await to_plan_from_palette(pilot, "calf recov", "Calf recovery with a foam roller")


async def test_no_routine_starts_from_the_palette_during_a_run(make_app, services: Services) -> None:
    app = make_app(start_routine="feet-reset")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, ScreeningScreen)
        await pilot.press("enter")
        await settle(pilot, PlanReviewScreen)
        await pilot.press("enter")
        runner = await settle(pilot, RunnerScreen)
        await run_command(pilot, "calf recov", "Calf recovery with a foam roller")
        assert app.screen is runner and not runner.ended
        assert any("finish or stop it" in str(n.message) for n in app._notifications)


async def test_a_title_with_markup_is_offered_as_it_is_written(isolated_home) -> None:
    paths = default_paths()
    paths.routines.mkdir(parents=True, exist_ok=True)
    bundled = build_services(paths, FakeClock()).catalog.routine("desk-break-quick")
    assert bundled is not None
    title = "[bold red]Evil[/] routine"
    routine = bundled.model_copy(update={"id": "evil", "title": title, "source": "user"})
    (paths.routines / "evil.toml").write_text(routine_to_toml(routine), encoding="utf-8")
    app = CompanionApp(build_services(paths, FakeClock()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await settle(pilot, CommandPalette)
        await pilot.press(*"evil")
        for _ in range(100):
            if title in highlighted_command(pilot):
                break
            await pilot.pause(0.02)
        assert title in highlighted_command(pilot), highlighted_command(pilot)
        await pilot.press("enter")
        screening = await settle(pilot, ScreeningScreen)
        assert screening.routine is not None and screening.routine.id == "evil"
