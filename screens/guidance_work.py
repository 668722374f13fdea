"""Today's guidance worked out from the services, for the app's worker and the plan screen (no Textual here).

Kept apart from the advice screen so that the screens which need it (the plan, the app) import no other screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from companion.advice.advisor import bundled_rules
from companion.advice.guidance import Guidance, guidance
from companion.catalogue.models import Routine
from companion.history.records import COMPLETED_SHARE
from companion.history.store import StorageError
from companion.run.done import read_exposure
from companion.safety.plan import make_plan
from companion.safety.screening import ScreeningAnswers, load_screening
from companion.services import Services


def fits_today(services: Services, answers: ScreeningAnswers) -> Callable[[Routine], bool]:
    """Whether a routine can be done today: the plan for it, with the same limits and the exposure read fresh from
    disk (history, ledger, a run's checkpoint) as when the person chooses it, can start and keeps at least the share
    of its time a run must reach to count as completed (:data:`COMPLETED_SHARE`): a routine today's limits cut to a
    fraction of itself is not offered as the one to do (safe to call from a worker thread). The history in memory
    is not used for it: another window may have saved since."""
    catalog, now = services.catalog, services.clock.now()
    exposure = read_exposure(services.paths, now, timedelta(minutes=catalog.safety.session_gap_minutes))

    def can_plan(routine: Routine) -> bool:
        plan = make_plan(routine, catalog, services.settings, answers, exposure)
        return plan.can_start and plan.total_seconds >= COMPLETED_SHARE * routine.total_seconds > 0

    return can_plan


def compute_guidance(services: Services, *, fresh: bool = False) -> Guidance:
    """Today's guidance from the history and today's screening answers (safe in a worker thread). The history is
    the store's, as the app last read it, or with ``fresh`` read from disk now (for a plan just made: another window
    may have saved a session the app has not read yet)."""
    store = services.store
    try:
        records = store.intact_records() if fresh else store.records
    except StorageError:
        try:
            records = store.records  # the file cannot be read now: what was read of it before still counts
        except StorageError:
            records = []  # the app has said why; advice from no history is the cautious reading
    day = services.today()
    answers = load_screening(services.paths, day)
    return guidance(services.catalog, bundled_rules(), records, day, answers, fits_today(services, answers))
