"""Help: the keys of the screen you came from, how Companion works, and when to get medical help."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from companion.catalogue.models import Catalog
from screens.safety_text import SAFETY_NOTICE, red_flag_text
from screens.widgets.key_footer import KeyFooter


def _declared_by_companion(node: DOMNode, binding: Binding) -> bool:
    """Whether ``binding`` is one of Companion's (declared by a class of ours), not one Textual gives every list,
    scroll area or text box (Scroll Left, Page Right, Focus Next...)."""
    for cls in type(node).__mro__:
        for declared in cls.__dict__.get("BINDINGS", ()):
            key, action = (declared.key, declared.action) if isinstance(declared, Binding) else declared[:2]
            if action == binding.action and binding.key in key.split(","):
                return cls.__module__.split(".")[0] == "screens"
    return False


def key_lines(screen: Screen[Any]) -> Text:
    """The key bindings active on ``screen`` (its own, its widgets' and the app's), one per line: Companion's
    first, then Textual's own under a heading of their own."""
    ours, textual = Text(), Text()
    seen: set[str] = set()
    for node, binding, enabled, tooltip in screen.active_bindings.values():
        if not binding.description or binding.description in seen or not enabled:
            continue
        seen.add(binding.description)
        text = ours if _declared_by_companion(node, binding) else textual
        key = screen.app.get_key_display(binding)
        text.append(f"{key:>12}  ", style="bold")
        text.append(f"{binding.description}")
        if tooltip:
            text.append(f" — {tooltip}", style="dim")
        text.append("\n")
    if textual:
        ours.append("\nTextual's own keys (lists, scrolling, text)\n", style="bold")
        ours.append_text(textual)
    return ours


class HelpScreen(ModalScreen[None]):
    """Keys for the current screen, a short guide and the red flags."""

    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, catalog: Catalog, keys: Text) -> None:
        super().__init__()
        self.catalog = catalog
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body", classes="framed") as body:
            body.border_title = "Help"
            yield Static("Keys on this screen", classes="heading")
            yield Static(self.keys, id="help-keys")
            yield Static("Everywhere", classes="heading")
            yield Static(
                "Ctrl+P opens the command palette: every screen and action by name. "
                "Tab moves between areas of a screen; Escape goes back.",
            )
            yield Static("Safety", classes="heading")
            yield Static(SAFETY_NOTICE, id="safety-notice")
            yield Static("Red flags: stop and get medical help", classes="heading")
            yield Static(red_flag_text(self.catalog), id="red-flags")
        yield KeyFooter()

    def action_close(self) -> None:
        self.dismiss()
