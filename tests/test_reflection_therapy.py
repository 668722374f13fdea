"""The reflection's therapy suggestion is fit for the screening answers the session went ahead with (finding 113):
pregnant and cleared by a doctor, it names prenatal massage, never a therapy whose cautions name pregnancy."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from companion.advice.advisor import matching_therapy
from companion.safety.screening import questions_for
from companion.services import Services
from screens.plan_review import PlanReviewScreen
from screens.reflection import ReflectionScreen
from screens.runner import RunnerScreen
from screens.screening_result import ClearanceScreen
from tests.test_routine_flow import tick, tick_screen

SIZES = [(80, 24), (60, 20)]
ROUTINES = ["desk-break-lower-back", "lower-back-ease"]  # trigger point and deep tissue their usual counterparts


async def _to_reflection(pilot, services: Services, routine_id: str, *, pregnant: bool) -> str:
    """Through the screening (pregnancy answered yes and cleared, or nothing), the plan and the whole run."""
    app = pilot.app
    await pilot.pause()
    if pregnant:
        routine = services.catalog.routine(routine_id)
        assert routine is not None
        position = [q.id for q in questions_for(routine, services.catalog)].index("pregnancy")
        await pilot.press("a", *(["down"] * position), "space", "c")
        await pilot.pause()
        assert isinstance(app.screen, ClearanceScreen)
        await pilot.press("y")
    else:
        await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, PlanReviewScreen)
    await pilot.press("enter")  # skip the rating
    await pilot.pause()
    assert isinstance(app.screen, RunnerScreen)
    await tick(pilot, services, 60 * 60)
    await tick_screen(pilot, ReflectionScreen)
    await pilot.pause()
    return str(app.screen.query_one("#therapy", Static).render())


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("routine_id", ROUTINES)
async def test_pregnant_and_cleared_the_reflection_names_prenatal_massage(make_app, services, size, routine_id) -> None:
    catalog = services.catalog
    routine = catalog.routine(routine_id)
    assert routine is not None
    usual = matching_therapy(routine, catalog)
    assert usual is not None and usual[0].id in {"deep-tissue", "trigger-point"}
    app = make_app(start_routine=routine_id)
    async with app.run_test(size=size) as pilot:
        text = await _to_reflection(pilot, services, routine_id, pregnant=True)
    prenatal = catalog.therapy("prenatal")
    assert prenatal is not None
    assert f"What {prenatal.name} would add" in text
    assert prenatal.what in text
    assert f"What {usual[0].name} would add" not in text
    # The usual counterpart is named only with its pregnancy caution, which sends the person to prenatal massage.
    caution = next(c for c in usual[0].avoid if "pregnancy" in c.questions)
    assert caution.text in text and "prenatal massage" in caution.text.lower()


async def test_without_the_answer_the_usual_counterpart_is_named(make_app, services) -> None:
    routine_id = ROUTINES[0]
    routine = services.catalog.routine(routine_id)
    assert routine is not None
    usual = matching_therapy(routine, services.catalog)
    assert usual is not None
    app = make_app(start_routine=routine_id)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await _to_reflection(pilot, services, routine_id, pregnant=False)
    assert f"What {usual[0].name} would add" in text
    assert "Prenatal" not in text
