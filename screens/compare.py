"""Self-massage or a professional therapist: the comparison, with the break-even number for the user's own prices."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from companion.advice.comparison import Comparison, compare
from companion.advice.models import AdviceRules
from companion.services import Services
from companion.settings.price_entry import PriceError, format_price, parse_price
from companion.settings.user_settings import Prices, Settings
from companion.words import count, money
from screens.messages import SettingsChanged
from screens.widgets.focus_marks import TextBox
from screens.widgets.key_footer import KeyFooter

FIELDS = {"device-price": "device price", "session-price": "session price"}
"""The price inputs and how messages name them."""


def comparison_points(comparison: Comparison) -> Text:
    """The points people decide by, each seen from both sides, then the summary and the sources."""
    text = Text()
    text.append(comparison.intro)
    text.append("\n")
    for point in comparison.points:
        text.append(f"\n{point.title}\n", style="bold underline")
        text.append(" Self-massage: ", style="bold")
        text.append(point.self_massage)
        text.append("\n Professional: ", style="bold")
        text.append(point.professional)
        text.append("\n")
    text.append("\nIn short\n", style="bold underline")
    text.append(comparison.summary)
    text.append("\n\nSources\n", style="bold underline")
    for source in comparison.sources:
        text.append(f" • {source.title}: ", style="bold")
        text.append(source.reference)
        text.append("\n")
    return text


def cost_text(comparison: Comparison, device: Decimal | None, session: Decimal | None, currency: str) -> Text:
    """The prices as understood and the break-even sentence (the currency is the user's text, kept plain)."""
    text = Text()
    if device is not None and session is not None:
        text.append("Device ", style="bold")
        text.append(money(device, currency))
        text.append(" · one session ", style="bold")
        text.append(money(session, currency))
        if comparison.break_even_sessions is not None:
            text.append(" → ", style="bold")
            text.append(f"break-even after {count(comparison.break_even_sessions, 'session')}", style="bold")
        text.append("\n")
    text.append(comparison.cost_line)
    return text


class CompareScreen(Screen[None]):
    """The comparison, with price inputs; valid prices take effect at once and are saved by the app."""

    CSS_PATH = "compare.tcss"
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, services: Services, rules: AdviceRules, apply_settings: Callable[[Settings], None]) -> None:
        super().__init__()
        self.services = services
        self.rules = rules
        self.apply_settings = apply_settings
        """The app's ``apply_settings``: makes new settings current everywhere and saves them in the background."""

    def compose(self) -> ComposeResult:
        prices = self.services.settings.prices
        yield Header()
        with Horizontal(id="prices"):
            with Vertical(classes="price"):
                yield Label("Device price", classes="price-label")
                yield TextBox(format_price(prices.device_price), placeholder="e.g. 89", id="device-price")
            with Vertical(classes="price"):
                yield Label("One session", classes="price-label")
                yield TextBox(format_price(prices.session_price), placeholder="e.g. 60", id="session-price")
            with Vertical(classes="price", id="currency-box"):
                yield Label("Currency", classes="price-label")
                yield TextBox(prices.currency, placeholder="€, USD", max_length=8, id="currency")
        yield Static(id="price-problem")
        with VerticalScroll(id="comparison", classes="framed -text"):
            yield Static(id="cost")
            yield Static(id="points")
        yield KeyFooter()

    def on_mount(self) -> None:
        comparison = compare(self.rules)
        self.query_one("#comparison", VerticalScroll).border_title = comparison.title
        self.query_one("#points", Static).update(comparison_points(comparison))
        self.refresh_cost()
        self.query_one("#device-price", Input).focus()

    # --- prices -----------------------------------------------------------------------------------------------

    def entered_prices(self) -> tuple[Prices | None, list[str]]:
        """The prices in the inputs, or ``None`` and what is wrong with them (one message a wrong number)."""
        problems: list[str] = []
        values: dict[str, Decimal | None] = {}
        for widget_id, name in FIELDS.items():
            try:
                values[widget_id] = parse_price(self.query_one(f"#{widget_id}", Input).value, name)
            except PriceError as error:
                problems.append(str(error))
        if problems:
            return None, problems
        device, session = values["device-price"], values["session-price"]
        prices = Prices(
            currency=self.query_one("#currency", Input).value.strip(),
            device_price=None if device is None else float(device),
            session_price=None if session is None else float(session),
        )
        return prices, []

    def refresh_cost(self) -> Prices | None:
        """Recompute the break-even number from the inputs, or say which number is wrong and how to fix it."""
        problem = self.query_one("#price-problem", Static)
        cost = self.query_one("#cost", Static)
        prices, problems = self.entered_prices()
        if prices is None:
            message = Text()
            for number, line in enumerate(problems):
                message.append("\n" if number else "")
                message.append("! ", style="bold")
                message.append(line)
            problem.update(message)
            problem.display = True
            # No break-even from a number that was not understood: say how to get one instead.
            cost.update(cost_text(compare(self.rules), None, None, ""))
            return None
        problem.display = False
        device = Decimal(str(prices.device_price)) if prices.device_price is not None else None
        session = Decimal(str(prices.session_price)) if prices.session_price is not None else None
        cost.update(cost_text(compare(self.rules, device, session), device, session, prices.currency))
        return prices

    @on(Input.Changed)
    def _price_changed(self) -> None:
        self.refresh_cost()

    def keep_prices(self) -> None:
        """Make valid, changed prices the user's settings (the app saves them in the background).

        Like the settings screen, prices are kept on Enter, on leaving a box or the screen: never half-typed.
        """
        prices, _problems = self.entered_prices()
        if prices is not None and prices != self.services.settings.prices:
            self.apply_settings(self.services.settings.updated(prices=prices.model_dump()))

    @on(Input.Submitted)
    def _price_submitted(self) -> None:
        self.keep_prices()
        self.focus_next()

    @on(Input.Blurred)
    def _price_left(self) -> None:
        self.keep_prices()

    def on_settings_changed(self, message: SettingsChanged) -> None:
        """Prices changed elsewhere (the settings screen): show them, unless they are what is typed here."""
        prices, _problems = self.entered_prices()
        if prices == message.settings.prices:
            return
        new = message.settings.prices
        self.query_one("#device-price", Input).value = format_price(new.device_price)
        self.query_one("#session-price", Input).value = format_price(new.session_price)
        self.query_one("#currency", Input).value = new.currency

    def action_back(self) -> None:
        self.keep_prices()
        self.dismiss()
