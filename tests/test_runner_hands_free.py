"""The runner's hands-free hook, pressing its keys: every cue goes to the (fake) speaker and notifier, the status
file follows the run; and the settings screen's hands-free section."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from textual.widgets import Select, Static, Switch

import screens.runner
import screens.settings
from companion.run.cues import spoken_seconds
from companion.run.engine import EXTEND_SECONDS
from companion.run.hands_free import Outputs
from companion.run.speech import NO_ENGINE, SpeechEngine, Voice
from companion.run.status import status_path
from companion.safety.plan import make_plan
from companion.services import Services
from companion.settings.user_settings import HandsFreeChoice
from companion.words import format_seconds
from screens.app import CompanionApp
from screens.runner import StopConfirmScreen
from screens.settings import SettingsScreen
from tests.test_hands_free import FakeNotifier, FakeSpeaker
from tests.test_routine_flow import ROUTINE, clock_of, tick, to_runner


@pytest.fixture
def outputs(services: Services, monkeypatch: pytest.MonkeyPatch) -> tuple[FakeSpeaker, FakeNotifier, list[Any]]:
    speaker, notifier = FakeSpeaker(clock_of(services)), FakeNotifier(clock_of(services))
    asked: list[Any] = []

    def fake_outputs(settings: Any, choice: HandsFreeChoice) -> Outputs:
        asked.append(choice)
        return Outputs(speaker, notifier, ("A notice for the test.",))

    monkeypatch.setattr(screens.runner, "outputs_for", fake_outputs)
    return speaker, notifier, asked


async def test_every_runner_key_gives_its_cue(make_app, services: Services, outputs) -> None:
    speaker, notifier, asked = outputs
    services.hands_free = HandsFreeChoice(speak=True)
    routine = services.catalog.routine(ROUTINE)
    assert routine is not None
    plan = make_plan(routine, services.catalog)  # today's plan, as the flow makes it (no history yet)
    first, second = plan.steps[0], plan.steps[1]
    count = len(plan.steps)
    adds = math.ceil((first.max_seconds - first.seconds) / EXTEND_SECONDS)
    # 0 when the step's area has no room left (its session limit over every tool is planned in full): the one
    # press below is then refused at once.
    app: CompanionApp = make_app(start_routine=ROUTINE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await to_runner(pilot)
        assert asked == [HandsFreeChoice(speak=True)]
        assert "A notice for the test." in [str(n.message) for n in app._notifications]
        assert speaker.said[0].text.startswith(
            f"Step 1 of {count}. {first.title}. {first.area_name}, {spoken_seconds(first.seconds)}."
        )
        status = json.loads(status_path(services.paths).read_text())
        assert status["step_number"] == 1 and status["routine_id"] == ROUTINE

        await tick(pilot, services, 3)
        await pilot.press("space")
        await pilot.pause()
        await tick(pilot, services, 10)
        await pilot.press("space")
        await pilot.press(*["plus"] * adds)  # up to the step's limit
        await pilot.pause()
        await pilot.press("plus")  # refused
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        await tick(pilot, services, 1)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StopConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not status_path(services.paths).exists()

    texts = [u.text for u in speaker.said]
    assert texts[1:3] == ["Paused.", "Resumed."]
    added = texts[3 : 3 + adds]
    assert len(added) == adds and all(t.startswith(("Added ", "Nearly at the limit")) for t in added)
    texts = texts[3 + adds :]
    assert texts[0].startswith(f"Time is up for the {first.area_name.lower()}.")
    assert texts[1].startswith(f"Step 2 of {count}. {second.title}.")
    assert texts[2].startswith(f"Step 1 of {count}. {first.title}.")
    assert texts[3:] == [
        "Stop the routine? Press y to stop, or n to keep going.",
        "Going on.",
        "Stop the routine? Press y to stop, or n to keep going.",
        "Routine stopped.",
    ]
    assert [title for _, title, _ in notifier.shown] == [
        f"Now: {first.title} ({first.area_name}, {format_seconds(first.seconds)})",
        f"Now: {second.title} ({second.area_name}, {format_seconds(second.seconds)})",
        # back: the step again, with what its most leaves after the 3 s done
        f"Now: {first.title} ({first.area_name}, {format_seconds(min(first.seconds, first.max_seconds - 3))})",
        routine.title,
    ]


async def test_settings_hands_free_section(make_app, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(screens.settings, "find_engine", lambda: SpeechEngine("espeak-ng", "/usr/bin/espeak-ng"))
    monkeypatch.setattr(screens.settings, "find_notifier", lambda: None)
    monkeypatch.setattr(screens.settings, "list_voices", lambda engine: [Voice("en-gb", "English (en-gb)")])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("comma")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "espeak-ng" in str(screen.query_one("#speech-engine", Static).render())
        assert "notify-send" in str(screen.query_one("#notifier-missing", Static).render())
        speech = screen.query_one("#speech", Switch)
        speech.focus()
        await pilot.press("space")
        await pilot.pause()
        assert services.settings.speech.enabled
        assert "On: Speak the steps" in str(screen.query_one("#speech-label").render())
        screen.query_one("#speech-rate", Select).value = 250
        screen.query_one("#speech-voice", Select).value = "en-gb"
        screen.query_one("#notifications", Switch).focus()
        await pilot.press("space")
        await pilot.pause()
        assert services.settings.speech.rate == 250 and services.settings.speech.voice == "en-gb"
        assert services.settings.notifications
        await app.workers.wait_for_complete()
        data = json.loads(services.paths.settings.read_text())
        assert data["speech"] == {"enabled": True, "rate": 250, "voice": "en-gb"} and data["notifications"]


async def test_voices_found_while_settings_close_are_let_go(make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine answers while Settings is being taken down (its widgets gone, the screen not yet unmounted):
    the answer is dropped and the app goes on (it ended the app with NoMatches once)."""
    import asyncio
    import time

    watched: list[Select[str]] = []

    def slow_voices(engine: SpeechEngine) -> list[Voice]:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (watched and not watched[0].children):
            time.sleep(0.001)
        return [Voice("en-gb", "English (en-gb)")]

    async def slow_unmount(screen: SettingsScreen) -> None:
        await asyncio.sleep(0.3)  # the window in which the answer arrives

    monkeypatch.setattr(screens.settings, "find_engine", lambda: SpeechEngine("espeak-ng", "/usr/bin/espeak-ng"))
    monkeypatch.setattr(screens.settings, "list_voices", slow_voices)
    monkeypatch.setattr(SettingsScreen, "on_unmount", slow_unmount, raising=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("comma")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        watched.append(app.screen.query_one("#speech-voice", Select))
        await pilot.press("escape")
        await pilot.pause(0.5)
        assert not isinstance(app.screen, SettingsScreen) and app.is_running


async def test_settings_without_an_engine_say_so(make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(screens.settings, "find_engine", lambda: None)
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.press("comma")
        await pilot.pause()
        assert str(app.screen.query_one("#speech-engine", Static).render()) == NO_ENGINE


def test_a_voice_that_could_be_read_as_an_option_is_refused() -> None:
    from pydantic import ValidationError

    from companion.settings.user_settings import Settings

    with pytest.raises(ValidationError):
        Settings().updated(speech={"voice": "-w /tmp/x"})
    with pytest.raises(ValidationError):
        Settings().updated(speech={"rate": 20})
    assert Settings().updated(speech={"voice": "English (Great Britain)"}).speech.voice


def test_settings_hands_free_snapshot(snap_compare, make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hands-free section with no speech engine and no notifier on PATH (as on a bare machine)."""
    monkeypatch.setattr(screens.settings, "find_engine", lambda: None)
    monkeypatch.setattr(screens.settings, "find_notifier", lambda: None)

    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("comma")
        await pilot.pause()
        pilot.app.screen.query_one("#speech", Switch).focus()  # scrolls the section into view
        await pilot.pause()

    assert snap_compare(make_app(), run_before=run_before, terminal_size=(80, 24))
