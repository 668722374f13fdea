"""The limits that apply to a routine for one person: computed once in the core, shown alike by `companion routine
ID` (text and --json) and the home preview, the person's stricter settings applied and said so."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from companion.catalogue.loader import load_catalog
from companion.catalogue.models import Catalog
from companion.run.clock import FakeClock
from companion.safety.limits import CitationKeys, LimitKind, describe_limits, routine_limits
from companion.safety.plan import make_plan
from companion.services import build_services
from companion.settings.user_settings import Settings, StricterLimit
from screens.app import CompanionApp
from screens.home import HomeScreen
from screens.messages import SettingsChanged

STRICTER = {"hands": {"step_seconds": 60, "area_day_seconds": 300}}
"""The person's own limits in these tests: a minute a hand step, 5 minutes by hand on an area in 24 hours."""


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog().catalog


def stricter() -> Settings:
    return Settings(limits={tool: StricterLimit(**values) for tool, values in STRICTER.items()})


def write_settings(home: Path) -> None:
    path = home / "config" / "companion" / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"schema_version": 1, "limits": STRICTER}), encoding="utf-8")


def test_the_limits_of_a_known_routine(catalog: Catalog) -> None:
    """Tired feet: a ball on the feet (steps 1-2), hands on the feet (3-4) and the calves (5)."""
    limits = routine_limits(catalog.routine("feet-reset"), catalog)  # type: ignore[arg-type]
    ball = {limit.kind: limit for limit in limits.for_step(0)}
    assert (ball[LimitKind.STEP].amount, ball[LimitKind.STEP].source) == (120, "roll-per-area")
    assert (ball[LimitKind.AREA_SESSION].amount, ball[LimitKind.AREA_SESSION].steps) == (120, (0, 1))
    assert (ball[LimitKind.AREA_DAY].amount, ball[LimitKind.AREA_DAY].source) == (480, "design-day-cap")
    # Every tool on the feet together: the most permissive single tool's (the hands' 4:00), for steps 1 to 4.
    together = ball[LimitKind.AREA_SESSION_ALL_TOOLS]
    assert (together.amount, together.tool, together.area) == (240, None, "feet")
    assert together.source == "design-across-tools, design-hands-session" and together.steps == (0, 1, 2, 3)
    assert LimitKind.TOOL_SESSION not in ball  # no per-session total for a ball
    hands = {limit.kind: limit for limit in limits.for_step(2)}
    assert (hands[LimitKind.STEP].amount, hands[LimitKind.STEP].source) == (120, "design-hands-step")
    assert (hands[LimitKind.AREA_SESSION].amount, hands[LimitKind.AREA_SESSION].source) == (240, "design-hands-session")
    assert not limits.settings_applied and not any(limit.yours for limit in limits.limits)


def test_stricter_settings_apply_and_say_so(catalog: Catalog) -> None:
    limits = routine_limits(catalog.routine("feet-reset"), catalog, stricter())  # type: ignore[arg-type]
    hands = {limit.kind: limit for limit in limits.for_step(2)}
    step, day = hands[LimitKind.STEP], hands[LimitKind.AREA_DAY]
    assert (step.amount, step.yours, step.content_amount) == (60, True, 120)
    assert (day.amount, day.yours, day.content_amount) == (300, True, 480)
    assert "your own" in step.what and "your own" in day.what
    assert not hands[LimitKind.AREA_SESSION].yours  # no own session limit set: the content's stands
    assert not any(limit.yours for limit in limits.for_step(0))  # the ball is not the hands
    assert limits.settings_applied
    keys = CitationKeys(catalog)
    per_step, overall = describe_limits(limits, catalog, keys)
    assert str(per_step[2]) == "1:00 a step (yours) [3], 4:00 a session [2], 5:00 in 24 h (yours) [3]"
    assert str(per_step[0]) == "2:00 a step, 2:00 a session [1], 8:00 in 24 h [2]"
    assert [str(line) for line in overall] == ["Feet, every tool together: 4:00 a session, 8:00 in 24 h [2]"]
    assert keys.lines() == [
        ("[1]", "PubMed Central, pmc.ncbi.nlm.nih.gov/articles/PMC6358529"),
        ("[2]", "a Companion design choice"),
        ("[3]", "your own settings"),
    ]


def test_a_group_of_tools_sharing_a_smaller_cap_is_named(catalog: Catalog) -> None:
    """Ball and roller on the calves share their 2:00 beside the hands' 4:00 over every tool: both are shown."""
    limits = routine_limits(catalog.routine("calf-recovery"), catalog)  # type: ignore[arg-type]
    shared = [limit for limit in limits.limits if limit.kind is LimitKind.AREA_SESSION_ALL_TOOLS]
    assert sorted((limit.amount, limit.tools) for limit in shared) == [
        (120, ("foam-roller", "massage-ball")),
        (240, ("foam-roller", "hands", "massage-ball")),
    ]
    keys = CitationKeys(catalog)
    _per_step, overall = describe_limits(limits, catalog, keys)
    # Our design choice and the rolling study, each cited by its own number (neither listed twice).
    assert "Calves, foam roller and massage ball together: 2:00 a session [1, 2]" in [str(line) for line in overall]
    assert keys.lines() == [
        ("[1]", "a Companion design choice"),
        ("[2]", "PubMed Central, pmc.ncbi.nlm.nih.gov/articles/PMC6358529"),
    ]


def test_daily_uses_and_the_belts_own_sources(catalog: Catalog) -> None:
    """The belt's daily cap rests on the maker's uses a day, and its 3 uses a day are a limit of their own."""
    limits = routine_limits(catalog.routine("belt-lower-back-seated"), catalog)  # type: ignore[arg-type]
    belt = {limit.kind: limit for limit in limits.limits if limit.tool == "massage-belt"}
    assert belt[LimitKind.AREA_DAY].source == "maker-uses-a-day"
    assert (belt[LimitKind.USES_A_DAY].amount, belt[LimitKind.USES_A_DAY].source) == (3, "maker-uses-a-day")
    assert (belt[LimitKind.TOOL_SESSION].amount, belt[LimitKind.TOOL_SESSION].area) == (900, None)
    _per_step, overall = describe_limits(limits, catalog, CitationKeys(catalog))
    assert any(str(line).startswith("Massage belt: 15:00 a session over every area") for line in overall)
    assert any("3 sessions a day" in str(line) for line in overall)


@pytest.mark.parametrize("routine_id", ["feet-reset", "legs-after-running", "massage-chair-back", "wrap-desk-break"])
def test_the_limits_shown_are_the_plans_own(catalog: Catalog, routine_id: str) -> None:
    """Nothing done yet: no step of the plan may run longer than the step limits shown (every step is kept)."""
    routine = catalog.routine(routine_id)
    assert routine is not None
    limits = routine_limits(routine, catalog, stricter())
    plan = make_plan(routine, catalog, stricter())
    for planned in plan.steps:
        shown = {lim.kind: lim.amount for lim in limits.for_step(planned.index) if lim.kind is not LimitKind.USES_A_DAY}
        if LimitKind.STEP in shown:
            assert planned.max_seconds <= shown[LimitKind.STEP]
        assert planned.seconds <= min(shown.values())


# ------------------------------------------------------------------------------------------------ the CLI

COMPANION = shutil.which("companion") or ""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [COMPANION, *args] if COMPANION else [sys.executable, "-m", "companion", *args]
    result = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), timeout=60)
    assert result.returncode == 0, result.stderr
    return result


def test_routine_json_has_the_limits_that_apply(isolated_home: Path) -> None:
    data = json.loads(run("routine", "feet-reset", "--json").stdout)
    assert data["settings_applied"] is False
    first = {item["kind"]: item for item in data["steps"][0]["limits"]}
    assert set(first) == {"step", "area_session", "area_session_all_tools", "area_day", "area_day_all_tools"}
    assert first["step"] == {
        "kind": "step",
        "seconds": 120,
        "tool": "massage-ball",
        "area": "feet",
        "what": "the limit for a massage ball on the feet",
        "yours": False,
        "source": "roll-per-area",
        "cite": "PubMed Central, pmc.ncbi.nlm.nih.gov/articles/PMC6358529",
    }
    shared = next(item for item in data["limits"] if item["kind"] == "area_session_all_tools")
    assert shared["steps"] == [0, 1, 2, 3] and shared["cite"] == "a Companion design choice"
    assert "pmc.ncbi.nlm.nih.gov/articles/PMC6358529" in data["sources"]["roll-per-area"]["reference"]

    write_settings(isolated_home)
    data = json.loads(run("routine", "feet-reset", "--json").stdout)
    assert data["settings_applied"] is True
    hands = {item["kind"]: item for item in data["steps"][2]["limits"]}
    assert hands["step"]["seconds"] == 60 and hands["step"]["yours"] is True
    assert hands["step"]["content_seconds"] == 120 and hands["step"]["cite"] == "your own settings"
    assert hands["area_day"]["seconds"] == 300 and hands["area_day"]["content_seconds"] == 480


def test_routine_text_shows_the_same_limits(isolated_home: Path) -> None:
    write_settings(isolated_home)
    text = run("routine", "feet-reset").stdout
    assert "      Limits: 1:00 a step (yours) [3], 4:00 a session [2], 5:00 in 24 h (yours) [3]" in text
    assert "  Feet, every tool together: 4:00 a session, 8:00 in 24 h [2]" in text
    assert "Your own settings make some of these limits stricter (marked yours)." in text
    assert "  [2] a Companion design choice\n  [3] your own settings\n" in text
    assert "roll-per-area" not in text and "(source " not in text


# ------------------------------------------------------------------------------------------------ the home preview


def preview(app: CompanionApp) -> str:
    return str(app.screen.query_one("#preview-text", Static).content)  # the words shown (hanging text)


async def highlight(app: CompanionApp, routine_id: str) -> None:
    screen = app.screen
    assert isinstance(screen, HomeScreen)
    routines = screen.query_one("#routines", OptionList)
    routines.highlighted = next(
        i for i in range(routines.option_count) if routines.get_option_at_index(i).id == routine_id
    )


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_home_preview_shows_the_limits_with_the_stricter_setting(isolated_home: Path, size) -> None:
    write_settings(isolated_home)
    app = CompanionApp(build_services(clock=FakeClock()))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await highlight(app, "feet-reset")
        await pilot.pause()
        text = " ".join(preview(app).split())
        # Per step, per area in a session, per area in 24 hours, and every tool together on the feet.
        assert "limits 1:00 a step (yours) [3], 4:00 a session [2], 5:00 in 24 h (yours) [3]" in text
        assert "limits 2:00 a step, 2:00 a session [1], 8:00 in 24 h [2]" in text
        assert "Feet, every tool together: 4:00 a session, 8:00 in 24 h [2]" in text
        assert "Your own settings make some limits stricter (marked yours)." in text
        assert (
            "[1] PubMed Central, pmc.ncbi.nlm.nih.gov/articles/PMC6358529 [2] a Companion design choice "
            "[3] your own settings" in text
        )
        assert "roll-per-area" not in text and "(source " not in text

        # Settings changed in the app: the preview shows the new limits at once.
        services = app.services
        services.settings = Settings()
        app.screen.post_message(SettingsChanged(services.settings))
        await pilot.pause()
        text = " ".join(preview(app).split())
        assert "(yours)" not in text and "limits 2:00 a step, 4:00 a session, 8:00 in 24 h [2]" in text
