"""New, edit, copy and delete the user's routines from a routine list: opens the builder or asks to confirm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, cast

from rich.text import Text
from textual.screen import Screen

from companion.catalogue.models import Routine
from companion.catalogue.user_routines import UserRoutineError, delete_user_routine, duplicate_routine, suggest_copy_id
from companion.services import Services
from screens.builder import BuilderScreen
from screens.confirm import ConfirmScreen

BUNDLED_NOT_EDITABLE = "bundled routines cannot be edited; press c to copy it"


class RoutineApp(Protocol):
    """What these actions need from the app: its services and a way to reload the catalogue."""

    services: Services

    def reload_catalog(self, highlight: str | None = None) -> None: ...


def _app(screen: Screen[Any]) -> RoutineApp:
    return cast(RoutineApp, screen.app)


def _after_builder(screen: Screen[Any]) -> Callable[[str | None], None]:
    """Once the builder saved a routine, reload the catalogue and highlight it."""

    def done(saved_id: str | None) -> None:
        if saved_id is not None:
            _app(screen).reload_catalog(highlight=saved_id)

    return done


def new_routine(screen: Screen[Any]) -> None:
    """Open the builder on an empty routine."""
    services = _app(screen).services
    screen.app.push_screen(BuilderScreen(services.catalog, services.paths), _after_builder(screen))


def edit_routine(screen: Screen[Any], routine: Routine | None) -> None:
    """Open the builder on one of the user's routines; a bundled one is refused with a hint to copy it."""
    if routine is None:
        screen.notify("No routine is highlighted.", severity="warning", markup=False)
        return
    if routine.source != "user":
        screen.notify(BUNDLED_NOT_EDITABLE, severity="warning", markup=False)
        return
    services = _app(screen).services
    builder = BuilderScreen(services.catalog, services.paths, routine, editing=routine.id, heading="Edit routine")
    screen.app.push_screen(builder, _after_builder(screen))


def copy_routine(screen: Screen[Any], routine: Routine | None) -> None:
    """Open the builder on a copy of any routine (bundled too), under a free id, as a starting point."""
    if routine is None:
        screen.notify("No routine is highlighted.", severity="warning", markup=False)
        return
    services = _app(screen).services
    title = f"{routine.title[:113]} (copy)"
    try:
        copy = duplicate_routine(routine, suggest_copy_id(services.catalog, routine.id), title)
    except UserRoutineError as exc:
        screen.notify(str(exc), title="Cannot copy", severity="error", markup=False)
        return
    heading = "Copy of a routine: change it, then save it as yours"
    screen.app.push_screen(
        BuilderScreen(services.catalog, services.paths, copy, heading=heading), _after_builder(screen)
    )


def delete_routine(screen: Screen[Any], routine: Routine | None) -> None:
    """Ask, then delete one of the user's routine files."""
    if routine is None:
        screen.notify("No routine is highlighted.", severity="warning", markup=False)
        return
    if routine.source != "user":
        screen.notify("bundled routines cannot be deleted", severity="warning", markup=False)
        return
    app = _app(screen)

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            path = delete_user_routine(app.services.paths, routine.id)
        except (UserRoutineError, OSError) as exc:
            screen.notify(str(exc), title="Not deleted", severity="error", markup=False)
            return
        screen.notify(f"Deleted {path}", title="Routine deleted", markup=False)
        app.reload_catalog()

    question = Text("Delete your routine ")
    question.append(f"“{routine.title}”", style="bold")
    question.append("? Its file is removed; this cannot be undone.")
    screen.app.push_screen(ConfirmScreen(question, "Delete", "Keep it"), answered)
