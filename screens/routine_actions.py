"""New, edit, copy and delete the user's routines, as the flow asks: opens the builder or asks to confirm."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from companion.catalogue.models import Routine
from companion.catalogue.user_routines import UserRoutineError, delete_user_routine, duplicate_routine, suggest_copy_id
from screens.confirm import ConfirmScreen
from screens.messages import RoutineChange

if TYPE_CHECKING:
    from screens.app import CompanionApp

BUNDLED_NOT_EDITABLE = "bundled routines cannot be edited; press c to copy it"


def change_routine(app: CompanionApp, change: RoutineChange, routine: Routine | None) -> None:
    """Create a routine, or edit, copy or delete ``routine`` (the highlighted one, if any)."""
    if change == "new":
        open_builder(app, None)
    elif routine is None:
        app.notify("No routine is highlighted.", severity="warning", markup=False)
    elif change == "edit":
        edit_routine(app, routine)
    elif change == "copy":
        copy_routine(app, routine)
    else:
        delete_routine(app, routine)


def open_builder(
    app: CompanionApp, routine: Routine | None, *, editing: str | None = None, heading: str = "New routine"
) -> None:
    """Open the builder on ``routine`` (``None``: an empty one); once it saved a routine, reload the catalogue
    and highlight it."""
    from screens.builder import BuilderScreen  # the builder loads when first used

    def done(saved_id: str | None) -> None:
        if saved_id is not None:
            app.reload_catalog(highlight=saved_id)

    services = app.services
    builder = BuilderScreen(services.catalog, services.paths, routine, editing=editing, heading=heading)
    app.push_screen(builder, done)


def edit_routine(app: CompanionApp, routine: Routine) -> None:
    """Open the builder on one of the user's routines; a bundled one is refused with a hint to copy it."""
    if routine.source != "user":
        app.notify(BUNDLED_NOT_EDITABLE, severity="warning", markup=False)
        return
    open_builder(app, routine, editing=routine.id, heading="Edit routine")


def copy_routine(app: CompanionApp, routine: Routine) -> None:
    """Open the builder on a copy of any routine (bundled too), under a free id, as a starting point."""
    title = f"{routine.title[:113]} (copy)"
    try:
        copy = duplicate_routine(routine, suggest_copy_id(app.services.catalog, routine.id), title)
    except UserRoutineError as exc:
        app.notify(str(exc), title="Cannot copy", severity="error", markup=False)
        return
    open_builder(app, copy, heading="Copy of a routine: change it, then save it as yours")


def delete_routine(app: CompanionApp, routine: Routine) -> None:
    """Ask, then delete one of the user's routine files."""
    if routine.source != "user":
        app.notify("bundled routines cannot be deleted", severity="warning", markup=False)
        return

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            path = delete_user_routine(app.services.paths, routine.id)
        except (UserRoutineError, OSError) as exc:
            app.notify(str(exc), title="Not deleted", severity="error", markup=False)
            return
        app.notify(f"Deleted {path}", title="Routine deleted", markup=False)
        app.reload_catalog()

    question = Text("Delete your routine ")
    question.append(f"“{routine.title}”", style="bold")
    question.append("? Its file is removed; this cannot be undone.")
    app.push_screen(ConfirmScreen(question, "Delete", "Keep it"), answered)
