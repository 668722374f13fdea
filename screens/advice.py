"""Today's advice in full (what to do, why, the threshold behind it and its sources) and what has helped you.

Opened with ``a`` from the home screen (and from the statistics); the guidance itself is worked out by the app in
a worker (see ``CompanionApp.refresh_guidance`` and :mod:`screens.guidance_work`), never on the UI thread.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from companion.advice.advisor import advice_lines, bundled_rules
from companion.advice.guidance import Guidance
from companion.catalogue.models import Catalog
from screens.advice_text import relief_text
from screens.widgets.hanging import HangingText
from screens.widgets.key_footer import KeyFooter


def advice_detail(catalog: Catalog, found: Guidance) -> HangingText:
    """Every piece of advice with its reason, threshold and sources, then what has helped; a line wraps under its
    own first word ("Why this threshold: ..." under "Why"), not back to the margin."""
    text = HangingText()
    text.append("Today's advice\n", style="bold")
    for line in advice_lines(catalog, bundled_rules(), list(found.items)):
        words = line.lstrip(" ")
        text.item(" " * (len(line) - len(words)), words)  # routine titles may be the user's: plain text
    text.append("\n")
    text.append(relief_text(found, bundled_rules().relief.explanation()))
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
        with VerticalScroll(id="advice-body", classes="framed -warning") as body:
            body.border_title = "Advice and what has helped you"
            body.border_subtitle = "Esc closes"
            yield Static(advice_detail(self.catalog, self.found), id="advice-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#advice-body", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss()
