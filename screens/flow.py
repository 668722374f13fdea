"""The routine flow, screen to screen: screening -> plan and tension -> runner -> reflection, and back home.

Each step of the flow is a screen pushed on the one before it, so Escape (a pop) goes back one step. Once the
routine has ended, the flow is folded back down to the home screen and the reflection is pushed on top of it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from companion.catalogue.models import Routine
from companion.disk.fileio import LockTimeout
from companion.history.queries import local_date
from companion.history.records import SessionRecord
from companion.history.store import StorageError
from companion.run.checkpoint import clear_checkpoint, run_elsewhere
from companion.safety.plan import Plan, plan_for_day
from companion.safety.screening import ScreeningAnswers
from companion.services import Services

if TYPE_CHECKING:
    from textual.app import App


def today(services: Services) -> date:
    """The user's local day, from the services' clock."""
    return local_date(services.clock.now())


def build_plan(app: App[Any], services: Services, routine: Routine, answers: ScreeningAnswers) -> Plan:
    """The plan for ``routine`` today, counting today's history (an unreadable history counts as empty, said so)."""
    try:
        records = services.store.records
    except StorageError as exc:
        app.notify(f"{exc} Today's earlier sessions are not counted.", severity="warning", markup=False)
        records = []
    return plan_for_day(routine, services.catalog, services.settings, answers, records, services.clock.now())


RUN_ELSEWHERE = "A routine is running in another Companion window. Finish or stop it there first."


def services_of(app: App[Any]) -> Services:
    """The services the Companion app carries."""
    services = getattr(app, "services", None)
    assert isinstance(services, Services), "the app has no services"
    return services


def start_flow(app: App[Any], routine_id: str) -> bool:
    """Open the flow for ``routine_id`` at the screening; ``False`` (and a message) if there is no such routine."""
    from screens.screening import ScreeningScreen

    services = services_of(app)
    routine = services.catalog.routine(routine_id)
    if routine is None:
        app.notify(f"There is no routine “{routine_id}”.", severity="error", markup=False)
        return False
    if run_elsewhere(services.paths):
        app.notify(RUN_ELSEWHERE, title="One routine at a time", severity="warning", timeout=10)
        return False
    app.push_screen(ScreeningScreen(services, routine))
    return True


def back_to_home(app: App[Any]) -> None:
    """Pop every screen above the home screen (the flow ends there)."""
    from screens.home import HomeScreen

    while len(app.screen_stack) > 1 and not isinstance(app.screen, HomeScreen):
        app.pop_screen()


def forget_checkpoint(app: App[Any], services: Services) -> None:
    """Clear the run checkpoint once its session is safely recorded (a failure is only reported)."""
    try:
        clear_checkpoint(services.paths)
    except (OSError, LockTimeout) as exc:
        app.notify(
            f"The session is saved, but its checkpoint could not be removed ({exc}); "
            "if you are offered to record it at the next start, it will be recognised as already saved.",
            severity="warning",
            markup=False,
        )


def save_record(app: App[Any], services: Services, record: SessionRecord) -> None:
    """Save ``record`` (appended when new, else replacing the saved one with the same id); tell the app.

    Raises :class:`SaveError` (with the record) when it cannot be saved.
    """
    from screens.messages import HistoryChanged

    services.store.save(record)
    app.post_message(HistoryChanged())
