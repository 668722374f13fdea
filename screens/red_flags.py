"""The red flags on their own, reachable at any time from the command palette."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from companion.advice.advisor import RED_FLAG_RULE
from companion.catalogue.models import Catalog
from screens.safety_text import SAFETY_NOTICE, red_flag_text
from screens.widgets.key_footer import KeyFooter


class RedFlagsScreen(ModalScreen[None]):
    """When to stop and see a doctor rather than massage, grouped by region."""

    CSS_PATH = "red_flags.tcss"
    BINDINGS = [Binding("escape,q", "close", "Close")]

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="red-flags-body", classes="framed -error") as body:
            body.border_title = "Red flags: stop and get medical help"
            yield Static(f"If any of these applies, do not massage the area: {RED_FLAG_RULE}.", classes="lead")
            yield Static(red_flag_text(self.catalog), id="red-flags")
            yield Static(SAFETY_NOTICE, id="safety-notice")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#red-flags-body", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss()
