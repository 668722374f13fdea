"""The routine builder and the home keys for the user's routines, driven with the keyboard through Pilot."""

from __future__ import annotations

import pytest
from textual.widgets import Button, Checkbox, Input, OptionList, Select, Static

from companion.catalogue.loader import load_catalog
from companion.catalogue.user_routines import routine_to_toml
from companion.disk.paths import default_paths
from screens.builder import BuilderScreen, StepList, suggest_id
from screens.confirm import ConfirmScreen
from screens.home import HomeScreen
from screens.step_editor import StepEditor
from screens.widgets.tick_list import TickList
from tests.palette import run_command

SIZES = [(80, 24), (60, 20)]


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


def preview_text(app) -> str:
    return text_of(app.screen, "#preview-text")


def home_labels(app) -> list[str]:
    routines = app.screen.query_one("#routines", OptionList)
    return [str(routines.get_option_at_index(i).prompt) for i in range(routines.option_count)]


async def type_into(pilot, widget_id: str, text: str, *, clear: bool = False) -> None:
    field = pilot.app.screen.query_one(f"#{widget_id}", Input)
    field.focus()
    await pilot.pause()
    if clear:
        field.value = ""
    await pilot.press("end", *text)
    await pilot.pause()


async def tick(pilot, selection_id: str, values: list[str]) -> None:
    """Tick options of a selection list with the keyboard: down to each, then space."""
    selection = pilot.app.screen.query_one(f"#{selection_id}", TickList)
    selection.focus()
    await pilot.pause()
    for index in range(selection.option_count):
        selection.highlighted = index
        if selection.get_option_at_index(index).id in values:
            await pilot.press("space")
    await pilot.pause()


async def wait_for_screen(pilot, kind: type, tries: int = 200) -> None:
    for _ in range(tries):
        if isinstance(pilot.app.screen, kind):
            return
        await pilot.pause(0.05)
    raise AssertionError(f"expected {kind.__name__}, got {type(pilot.app.screen).__name__}")


async def fill_step(pilot, *, area: str, tool: str, technique: str, seconds: str, title: str) -> StepEditor:
    editor = pilot.app.screen
    assert isinstance(editor, StepEditor)
    for widget_id, value in (
        ("area", area),
        ("tool", tool),
        ("technique", technique),
        ("intensity", "gentle"),
        ("position", "sitting"),
    ):
        editor.query_one(f"#{widget_id}", Select).value = value
    await pilot.pause()
    await type_into(pilot, "seconds", seconds, clear=True)
    await type_into(pilot, "title", title, clear=True)
    await type_into(pilot, "instruction", "Slow strokes; breathe out as you press.", clear=True)
    return editor


def test_suggest_id() -> None:
    assert suggest_id("My Evening: Neck & Shoulders!") == "my-evening-neck-shoulders"
    assert suggest_id("3 minute reset") == "minute-reset"
    assert len(suggest_id("x" * 80)) == 40


@pytest.mark.parametrize("size", SIZES)
async def test_create_a_routine(make_app, services, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await wait_for_screen(pilot, BuilderScreen)
        builder = app.screen
        save = builder.query_one("#save", Button)
        assert save.disabled
        assert "Save is blocked" in text_of(builder, "#save-status")

        await type_into(pilot, "title", "Evening neck")
        assert builder.query_one("#id", Input).value == "evening-neck"
        await type_into(pilot, "summary", "Gentle strokes before bed.")
        await type_into(pilot, "suits", "Anyone winding down.")
        await tick(pilot, "goals", ["sleep"])
        await tick(pilot, "therapies", ["swedish"])

        # First step: too long for hands on the neck; the editor says so as it is typed.
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, StepEditor)
        editor = await fill_step(
            pilot, area="neck", tool="hands", technique="gliding", seconds="500", title="Neck strokes"
        )
        assert "per-step limit" in text_of(editor, "#seconds-problem")
        assert "cannot be saved" in text_of(editor, "#step-status")
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, BuilderScreen)

        await pilot.press("a")  # the step list has the focus after a step was added
        await wait_for_screen(pilot, StepEditor)
        await fill_step(
            pilot, area="shoulders", tool="hands", technique="kneading", seconds="40", title="Shoulder squeeze"
        )
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, BuilderScreen)
        assert len(builder.steps) == 2
        assert save.disabled
        status = text_of(builder, "#save-status")
        assert "Step 1 seconds" in status and "per-step limit" in status
        assert "per-step limit" in text_of(builder, "#steps-problem")
        await pilot.press("ctrl+s")  # blocked: nothing is written
        await pilot.pause()
        assert isinstance(app.screen, BuilderScreen)
        assert not list(services.paths.routines.glob("*.toml"))

        # Fix it: change step 1 through the step list.
        step_list = builder.query_one("#steps", StepList)
        step_list.focus()
        step_list.highlighted = 0
        await pilot.press("enter")
        await wait_for_screen(pilot, StepEditor)
        await type_into(pilot, "seconds", "90", clear=True)
        assert not app.screen.query_one("#seconds-problem", Static).display
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, BuilderScreen)
        assert not save.disabled, text_of(builder, "#save-status")

        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, HomeScreen)
        path = services.paths.routines / "evening-neck.toml"
        assert path.exists()
        loaded = load_catalog(user_routines=services.paths.routines).catalog.routine("evening-neck")
        assert loaded is not None and loaded.source == "user"
        assert [s.seconds for s in loaded.steps] == [90, 40]
        assert path.read_text(encoding="utf-8") == routine_to_toml(loaded)
        assert app.services.catalog.routine("evening-neck") == loaded
        labels = home_labels(app)
        assert any("Evening neck" in label and "(yours)" in label for label in labels)
        assert "Evening neck" in preview_text(app)


async def test_steps_reorder_and_remove(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        routines = app.screen.query_one("#routines", OptionList)
        routines.highlighted = routines.get_option_index("desk-break-quick")
        await pilot.press("c")
        await wait_for_screen(pilot, BuilderScreen)
        builder = app.screen
        original = [s.title for s in builder.steps]
        step_list = builder.query_one("#steps", StepList)
        step_list.focus()
        step_list.highlighted = 0
        await pilot.press("m")
        assert [s.title for s in builder.steps][:2] == [original[1], original[0]]
        assert step_list.highlighted == 1
        await pilot.press("u")
        assert [s.title for s in builder.steps] == original
        await pilot.press("x")
        await pilot.pause()
        assert [s.title for s in builder.steps] == original[1:]


async def test_duplicate_a_bundled_routine(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bundled = services.catalog.routine("desk-break-quick")
        assert bundled is not None
        routines = app.screen.query_one("#routines", OptionList)
        routines.highlighted = routines.get_option_index(bundled.id)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any(
            "bundled routines cannot be edited; press c to copy it" in str(n.message) for n in app._notifications
        )

        await pilot.press("c")
        await wait_for_screen(pilot, BuilderScreen)
        builder = app.screen
        assert builder.query_one("#id", Input).value == "desk-break-quick-copy"
        assert builder.query_one("#title", Input).value == f"{bundled.title} (copy)"
        assert not builder.query_one("#save", Button).disabled
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, HomeScreen)
        copy = app.services.catalog.routine("desk-break-quick-copy")
        assert copy is not None and copy.source == "user"
        assert copy.steps == bundled.steps
        assert app.screen.highlighted_routine() == copy


async def test_copy_left_unsaved_asks_before_discarding(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await wait_for_screen(pilot, BuilderScreen)
        await pilot.press("escape")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.press("n")  # keep editing
        await wait_for_screen(pilot, BuilderScreen)
        await pilot.press("escape")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_for_screen(pilot, HomeScreen)
        assert not list(services.paths.routines.glob("*.toml"))


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (100, 30)])
async def test_enter_on_the_discard_question_keeps_editing(make_app, services, size) -> None:
    """The safe answer has the focus: Enter, pressed at once, goes back to the changes, which are all still there."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await wait_for_screen(pilot, BuilderScreen)
        await type_into(pilot, "title", " for me")
        await pilot.press("escape")
        await wait_for_screen(pilot, ConfirmScreen)
        focused = app.focused
        assert isinstance(focused, Button) and focused.id == "no" and "Keep editing" in str(focused.label)
        assert app.screen.query_one("#no").region.bottom <= size[1]  # on screen, whole
        await pilot.press("enter")
        await wait_for_screen(pilot, BuilderScreen)
        assert app.screen.query_one("#title", Input).value.endswith("(copy) for me")
        assert not list(services.paths.routines.glob("*.toml"))


async def test_untouched_new_routine_leaves_without_asking(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await wait_for_screen(pilot, BuilderScreen)
        await pilot.press("escape")
        await wait_for_screen(pilot, HomeScreen)


async def test_limit_error_shows_before_the_step_is_complete(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await wait_for_screen(pilot, BuilderScreen)
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, StepEditor)
        editor = app.screen
        editor.query_one("#area", Select).value = "neck"
        editor.query_one("#tool", Select).value = "hands"
        await type_into(pilot, "seconds", "500")
        assert "120 s per-step limit" in text_of(editor, "#seconds-problem")
        assert editor.query_one("#keep", Button).disabled
        await pilot.press("escape")
        await wait_for_screen(pilot, BuilderScreen)
        assert app.screen.steps == []


@pytest.fixture
def user_services(isolated_home):
    """Services whose user folder holds one routine of the user's, loaded at start."""
    from companion.run.clock import FakeClock
    from companion.services import build_services

    paths = default_paths()
    paths.routines.mkdir(parents=True, exist_ok=True)
    bundled = load_catalog().catalog.routine("desk-break-quick")
    assert bundled is not None
    routine = bundled.model_copy(update={"id": "mine", "title": "My desk break", "source": "user"})
    (paths.routines / "mine.toml").write_text(routine_to_toml(routine), encoding="utf-8")
    return build_services(paths, FakeClock())


@pytest.fixture
def make_user_app(user_services):
    from screens.app import CompanionApp

    return lambda: CompanionApp(user_services)


async def test_edit_a_routine_of_yours(make_user_app, user_services) -> None:
    app = make_user_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        routines = app.screen.query_one("#routines", OptionList)
        routines.highlighted = routines.get_option_index("mine")
        await pilot.press("e")
        await wait_for_screen(pilot, BuilderScreen)
        builder = app.screen
        assert builder.query_one("#id", Input).value == "mine"
        assert not builder.query_one("#save", Button).disabled
        await type_into(pilot, "title", " v2")
        assert builder.query_one("#id", Input).value == "mine"  # an existing id is never replaced
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, HomeScreen)
        assert [p.name for p in user_services.paths.routines.glob("*.toml")] == ["mine.toml"]
        edited = app.services.catalog.routine("mine")
        assert edited is not None and edited.title == "My desk break v2"
        assert any("My desk break v2" in label for label in home_labels(app))


async def test_delete_asks_and_cancel_keeps_the_file(make_user_app, user_services) -> None:
    app = make_user_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        path = user_services.paths.routines / "mine.toml"
        routines = app.screen.query_one("#routines", OptionList)
        count = routines.option_count
        routines.highlighted = routines.get_option_index("mine")
        await pilot.press("delete")
        await wait_for_screen(pilot, ConfirmScreen)
        assert "My desk break" in text_of(app.screen, "#confirm-question")
        await pilot.press("escape")
        await wait_for_screen(pilot, HomeScreen)
        assert path.exists()

        await pilot.press("delete")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_for_screen(pilot, HomeScreen)
        assert not path.exists()
        assert app.services.catalog.routine("mine") is None
        assert app.screen.query_one("#routines", OptionList).option_count == count - 1


async def test_bundled_routines_cannot_be_deleted(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert len(app.services.catalog.routines) == len(services.catalog.routines)


async def test_routine_commands_are_in_the_palette(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await run_command(pilot, "new routine")
        await wait_for_screen(pilot, BuilderScreen)


MARKUP_TITLE = "[bold red]Evil[/] routine"
MARKUP_STEP = "[link=https://example.com]click[/link] step"


@pytest.fixture
def markup_services(isolated_home):
    from companion.run.clock import FakeClock
    from companion.services import build_services

    paths = default_paths()
    paths.routines.mkdir(parents=True, exist_ok=True)
    bundled = load_catalog().catalog.routine("desk-break-quick")
    assert bundled is not None
    steps = (bundled.steps[0].model_copy(update={"title": MARKUP_STEP}), *bundled.steps[1:])
    routine = bundled.model_copy(update={"id": "evil", "title": MARKUP_TITLE, "steps": steps, "source": "user"})
    (paths.routines / "evil.toml").write_text(routine_to_toml(routine), encoding="utf-8")
    return build_services(paths, FakeClock())


async def test_markup_in_user_text_is_shown_literally(markup_services) -> None:
    from screens.app import CompanionApp

    app = CompanionApp(markup_services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        routines = app.screen.query_one("#routines", OptionList)
        routines.highlighted = routines.get_option_index("evil")
        await pilot.pause()
        assert any(MARKUP_TITLE in label for label in home_labels(app))
        assert MARKUP_TITLE in preview_text(app)
        assert MARKUP_STEP in preview_text(app)

        await pilot.press("e")
        await wait_for_screen(pilot, BuilderScreen)
        builder = app.screen
        assert builder.query_one("#title", Input).value == MARKUP_TITLE
        step_list = builder.query_one("#steps", StepList)
        assert MARKUP_STEP in str(step_list.get_option_at_index(0).prompt)

        await pilot.press("escape")
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("delete")
        await wait_for_screen(pilot, ConfirmScreen)
        assert MARKUP_TITLE in text_of(app.screen, "#confirm-question")


async def test_a_bad_user_file_is_named_and_the_app_still_starts(isolated_home) -> None:
    from companion.run.clock import FakeClock
    from companion.services import build_services
    from screens.app import CompanionApp

    paths = default_paths()
    paths.routines.mkdir(parents=True, exist_ok=True)
    bad = paths.routines / "broken.toml"
    bad.write_text('id = "broken"\ntitle = "Broken"\nsteps = 3\n', encoding="utf-8")
    app = CompanionApp(build_services(paths, FakeClock()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        messages = [str(n.message) for n in app._notifications]
        assert any(str(bad) in message for message in messages)
        assert app.services.catalog.routine("broken") is None


async def test_step_editor_breathing_cue(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await wait_for_screen(pilot, BuilderScreen)
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, StepEditor)
        editor = await fill_step(
            pilot, area="shoulders", tool="hands", technique="kneading", seconds="60", title="Squeeze"
        )
        assert not editor.query_one("#breathing-fields").display
        editor.query_one("#breathing", Checkbox).value = True
        await pilot.pause()
        assert editor.query_one("#breathing-fields").display
        await type_into(pilot, "inhale", "20", clear=True)
        assert editor.query_one("#keep", Button).disabled
        assert "Breathing" in text_of(editor, "#step-status")
        await type_into(pilot, "inhale", "4", clear=True)
        assert not editor.query_one("#keep", Button).disabled
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, BuilderScreen)
        step = app.screen.steps[0]
        assert step.breathing is not None and (step.breathing.inhale, step.breathing.exhale) == (4, 6)
