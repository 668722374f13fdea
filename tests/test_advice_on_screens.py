"""Advice where decisions are made: home, plan, reflection and statistics, at 80x24 and 60x20."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Static

from companion.run.done import read_exposure
from companion.safety.plan import make_plan
from screens.advice import AdviceScreen
from screens.history import HistoryScreen
from screens.home import HomeScreen
from screens.messages import HistoryChanged
from screens.plan_review import PlanReviewScreen
from screens.reflection import ReflectionScreen
from screens.runner import RunnerScreen
from screens.screening import ScreeningScreen
from tests.advice_history import routine_session, save, tight_lower_back, wait_until

SIZES = [(80, 24), (60, 20)]


def shown(widget: Static) -> str:
    """The words a Static shows (its content as given: Text, or the hanging text of the red flags)."""
    return str(widget.content)


@pytest.mark.parametrize("size", SIZES)
async def test_home_shows_todays_advice_with_its_reason_and_a_key_to_the_detail(make_app, services, size) -> None:
    tight_lower_back(services)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.guidance is not None)
        await pilot.pause()
        panel = app.screen.query_one("#advice", Static)
        assert panel.display and panel.region.height >= 2
        text = shown(panel)
        # A rating is of the whole session: every area the routine worked is named, its own area first.
        assert text.startswith(
            "! See a doctor: lower back, glutes and hips. The tension in your lower back, glutes and hips has stayed "
            "at 7 or more"
        )
        assert "(a: why)" in text  # one item now: the hips and the glutes are not told to rest as well
        assert app.screen.query_one("#routines").region.height >= 3  # the list keeps room to browse
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AdviceScreen)
        detail = shown(app.screen.query_one("#advice-detail", Static))
        assert "See a doctor: lower back, glutes and hips" in detail
        assert "Ease a tight lower back on 2026-10-27" in detail  # the sessions it rests on
        assert "nhs.uk/conditions/back-pain/" in detail  # a source a person can look up
        assert "Rest:" not in detail  # the doctor's item already names the hips and the glutes: no second item
        assert "not enough data yet (" not in detail  # six rated sessions: enough for a figure
        assert (
            "Ease a tight lower back: no change on average (95% interval: from a rise of 0.4 to an easing of 0.4; "
            "6 sessions)" in detail
        )
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


@pytest.mark.parametrize("size", SIZES)
async def test_home_names_the_area_an_upper_back_routine_is_for(make_app, services, size) -> None:
    """Finding 74: "Upper back release" rated 7 -> 7 on three days sends the upper back, the chest and the shoulders
    to a doctor in one line, the upper back first (three of its six steps), not "chest" alone (its longest time)."""
    save(services, [routine_session(services, "upper-back-release", d, 7, 7) for d in (3, 2, 1)])
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.guidance is not None)
        await pilot.pause()
        text = shown(app.screen.query_one("#advice", Static))
        assert text.startswith("! See a doctor: upper back, chest and shoulders. The tension in your upper back"), text
        assert "(a: why)" in text  # one item: no second one for any of these areas


async def test_home_advice_follows_every_save_and_deletion(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.guidance is not None)
        await pilot.pause()
        panel = app.screen.query_one("#advice", Static)
        assert shown(panel).startswith("Try a routine. No sessions yet: begin with something short, such as")
        tight_lower_back(services)
        app.post_message(HistoryChanged())  # what saving a session does
        await wait_until(pilot, lambda: shown(panel).startswith("! See a doctor: lower back"))
        services.store.delete([r.id for r in services.store.records])
        app.post_message(HistoryChanged())  # what the history screen does after a deletion
        await wait_until(pilot, lambda: shown(panel).startswith("Try a routine."))


async def test_home_suggests_what_has_helped_most_within_todays_limits(make_app, services) -> None:
    # Every other day, so that no area is worked often enough to need a rest.
    good = [routine_session(services, "upper-back-release", d, 6, 2, hour=7) for d in range(1, 13, 2)]
    fair = [routine_session(services, "calf-recovery", d, 6, 5, hour=12) for d in range(2, 14, 2)]
    save(services, good + fair)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.guidance is not None)
        await pilot.pause()
        text = shown(app.screen.query_one("#advice", Static)).replace("\n", " ")
        assert "What has helped you most: Upper back release, eased by 4 points on average" in text


async def test_what_has_helped_most_is_not_offered_when_todays_limits_cut_it_short(make_app, services) -> None:
    """Finding 61: the best routine done minutes ago (its session limits mostly used) is not offered; the next
    best that fits today is."""
    good = [routine_session(services, "upper-back-release", d, 6, 2, hour=7) for d in range(1, 13, 2)]
    fair = [routine_session(services, "calf-recovery", d, 6, 5, hour=12) for d in range(2, 14, 2)]
    just_done = routine_session(services, "upper-back-release", 0, None, None)
    routine = services.catalog.routine("upper-back-release")
    assert routine is not None
    ended = services.clock.now() - timedelta(minutes=2)
    just_done = just_done.model_copy(
        update={"started_at": ended - timedelta(seconds=routine.total_seconds), "ended_at": ended}
    )
    save(services, [*good, *fair, just_done])
    planned = make_plan(
        routine,
        services.catalog,
        services.settings,
        None,
        read_exposure(
            services.paths, services.clock.now(), timedelta(minutes=services.catalog.safety.session_gap_minutes)
        ),
    )
    assert planned.total_seconds < routine.total_seconds / 2  # what today's limits leave of it
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.guidance is not None)
        await pilot.pause()
        text = shown(app.screen.query_one("#advice", Static)).replace("\n", " ")
        assert "What has helped you most: Upper back release" not in text
        assert "What has helped you most: Calf recovery with a foam roller" in text, text


@pytest.mark.parametrize("size", SIZES)
async def test_plan_warns_about_an_area_to_leave_alone_and_offers_a_routine_that_avoids_it(
    make_app, services, size
) -> None:
    tight_lower_back(services)
    app = make_app(start_routine="lower-back-ease")
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PlanReviewScreen))
        panel = app.screen.query_one("#plan-advice", Static)
        await wait_until(pilot, lambda: panel.display)
        text = shown(panel)
        assert text.startswith("Today's advice says to leave this alone:")
        assert "! See a doctor: lower back, glutes and hips." in text and "Rest:" not in text
        screen = app.screen
        assert isinstance(screen, PlanReviewScreen)
        other = screen.alternative
        assert other is not None and not set(other.areas) & {"lower-back", "hips", "glutes"}
        assert f"Instead: {other.title}" in text and "Press o to switch to it." in text
        assert panel.region.height >= 3 and panel.region.y < app.size.height  # on screen, above the steps
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, ScreeningScreen))
        assert app.screen.routine is not None and app.screen.routine.id == other.id


async def test_plan_without_advice_shows_no_warning_and_no_o(make_app, services) -> None:
    app = make_app(start_routine="lower-back-ease")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.guidance is not None and isinstance(app.screen, ScreeningScreen))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PlanReviewScreen))
        await pilot.pause()
        assert not app.screen.query_one("#plan-advice", Static).display
        assert "o" not in {key for key, active in app.screen.active_bindings.items() if active.enabled}


async def to_reflection(pilot, services, before_key: str) -> ReflectionScreen:
    app = pilot.app
    await wait_until(pilot, lambda: app.guidance is not None and isinstance(app.screen, ScreeningScreen))
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, PlanReviewScreen))
    await pilot.press(before_key, "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, RunnerScreen))
    services.clock.advance(3600)  # the whole routine
    app.screen.refresh_run()
    await wait_until(pilot, lambda: isinstance(app.screen, ReflectionScreen))
    await pilot.pause()
    return app.screen


@pytest.mark.parametrize("size", SIZES)
async def test_reflection_says_what_the_ratings_now_suggest_and_repeats_the_neck_warning(
    make_app, services, size
) -> None:
    save(services, [routine_session(services, "neck-shoulders-desk", 1, 8, 10)])
    app = make_app(start_routine="neck-shoulders-desk")
    async with app.run_test(size=size) as pilot:
        screen = await to_reflection(pilot, services, "6")
        warning = shown(screen.query_one("#neck-warning", Static))
        assert warning.startswith("! After neck work, watch for this: A sudden headache, dizziness")
        assert "trouble speaking" in warning and "call emergency services" in warning
        suggests = screen.query_one("#suggests", Static)
        assert "What your ratings now suggest" in shown(suggests)
        assert "See a doctor" not in shown(suggests)  # not rated yet: one rising session is not enough
        await pilot.press("9")  # 6 -> 9 today after 8 -> 10 yesterday: getting worse
        await pilot.pause()
        worse = (
            "! See a doctor: neck, shoulders and upper back. The tension in your neck, shoulders and upper back is "
            "getting worse over 2 sessions"
        )
        assert worse in " ".join(shown(suggests).split())
        assert screen.tension_after == 9
        await pilot.press("tab")  # to the note: the highlighted rating stays
        await pilot.press(*"sore", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        latest = max(services.store.load().records, key=lambda r: r.started_at)
        assert (latest.tension_before, latest.tension_after, latest.notes) == (6, 9, "sore")
        await wait_until(pilot, lambda: shown(app.screen.query_one("#advice", Static)).startswith("! See a doctor"))


async def test_reflection_without_neck_work_has_no_neck_warning(make_app, services) -> None:
    app = make_app(start_routine="calf-recovery")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await to_reflection(pilot, services, "5")
        assert not screen.query("#neck-warning")
        assert "Nothing in your ratings calls for a change" in shown(screen.query_one("#suggests", Static))


@pytest.mark.parametrize("size", SIZES)
async def test_statistics_show_the_advice_behind_each_area_and_what_has_helped(make_app, services, size) -> None:
    tight_lower_back(services)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.guidance is not None)
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.fresh)
        await pilot.press("s")
        await pilot.pause()
        text = shown(app.screen.query_one("#stats-text", Static))
        behind = text[text.index("Advice behind these areas") :]
        behind_words = " ".join(behind.split())
        assert "! See a doctor: lower back, glutes and hips. The tension in your lower back, glutes and hips" in (
            behind_words
        )
        assert "Rest:" not in behind  # the glutes and hips are named by the doctor's item, once
        helped = text[text.index("What has helped you") :]
        assert (
            "Ease a tight lower back: no change on average (95% interval: from a rise of 0.4 to an easing of 0.4; "
            "6 sessions)" in helped
        )
        assert "Massage ball: no change on average" in helped and "Lower back: no change on average" in helped
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AdviceScreen)


@pytest.mark.parametrize("size", SIZES)
async def test_screening_says_a_red_flag_means_a_doctor_and_r_opens_the_list(make_app, size) -> None:
    from screens.red_flags import RedFlagsScreen

    app = make_app(start_routine="neck-shoulders-desk")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ScreeningScreen)
        line = app.screen.query_one("#screening-red-flags", Static)
        assert line.region.height >= 1
        assert shown(line) == "! Any red flag (r) means stop and see a doctor, not a massage therapist."
        footer = [key.description for key in app.screen.query("FooterKey") if key.display]
        assert "Red flags" in footer
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RedFlagsScreen)
        assert "sudden headache" in shown(app.screen.query_one("#red-flags", Static)).lower()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScreeningScreen)
