"""Today's advice in full (what to do, why, the threshold behind it and its sources) and what has helped you.

Opened with ``a`` from the home screen (and from the statistics); the guidance itself is worked out by the app in
a worker (see ``CompanionApp.refresh_guidance``), never on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from companion.advice.advisor import advice_lines, bundled_rules
from companion.advice.guidance import Guidance, guidance
from companion.catalogue.models import Catalog, Routine
from companion.history.records import SessionRecord
from companion.history.store import StorageError
from companion.run.done import read_exposure
from companion.safety.plan import make_plan
from companion.safety.screening import ScreeningAnswers, load_screening
from companion.services import Services
from screens.advice_text import relief_text


def fits_today(
    services: Services, answers: ScreeningAnswers, records: Sequence[SessionRecord]
) -> Callable[[Routine], bool]:
    """Whether a routine can be done today: the plan for it, with the same limits and the exposure read fresh from
    disk as when the person chooses it, can start and keeps some steps (safe to call from a worker thread).
    ``records`` are not needed by the plan (it reads the exposure ledger); kept for the caller's one history."""
    catalog, now = services.catalog, services.clock.now()
    exposure = read_exposure(services.paths, now, timedelta(minutes=catalog.safety.session_gap_minutes))

    def can_plan(routine: Routine) -> bool:
        plan = make_plan(routine, catalog, services.settings, answers, exposure)
        return plan.can_start and not plan.is_empty

    return can_plan


def compute_guidance(services: Services) -> Guidance:
    """Today's guidance from the history in memory and today's screening answers (safe in a worker thread)."""
    try:
        records = list(services.store.records)
    except StorageError:
        records = []  # the app has said why; advice from no history is the cautious reading
    day = services.today()
    answers = load_screening(services.paths, day)
    return guidance(services.catalog, bundled_rules(), records, day, answers, fits_today(services, answers, records))


def advice_detail(catalog: Catalog, found: Guidance) -> Text:
    """Every piece of advice with its reason, threshold and sources, then what has helped."""
    text = Text()
    text.append("Today's advice\n", style="bold")
    for line in advice_lines(catalog, bundled_rules(), list(found.items)):
        text.append(line)  # routine titles may be the user's: plain text, never markup
        text.append("\n")
    text.append("\n")
    text.append_text(relief_text(found, bundled_rules().relief.explanation()))
    return text


class AdviceScreen(ModalScreen[None]):
    """Today's advice and what has helped you, over the screen it was opened from."""

    CSS_PATH = "advice.tcss"
    BINDINGS = [Binding("escape,q", "close", "Close")]

    def __init__(self, catalog: Catalog, found: Guidance) -> None:
        super().__init__()
        self.catalog = catalog
        self.found = found

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="advice-body") as body:
            body.border_title = "Advice and what has helped you"
            body.border_subtitle = "Esc closes"
            yield Static(advice_detail(self.catalog, self.found), id="advice-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#advice-body", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss()
