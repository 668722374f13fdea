"""The settings screen, and the saver that writes the settings file in the background.

Every change takes effect at once: the screen builds new (validated) settings and hands them to the app's
``apply_settings``, which replaces ``services.settings``, applies the theme, tells the other screens and asks the
:class:`SettingsSaver` to write the file. A value that cannot be used (a limit looser than the content's, a price
that is not a number) is refused with a message beside it and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Select, Static, Switch

from companion.catalogue.models import (
    BREATH_SECONDS_MIN,
    DAY_SECONDS_MAX,
    EXHALE_SECONDS_MAX,
    INHALE_SECONDS_MAX,
    STEP_SECONDS_MAX,
    Catalog,
)
from companion.run.notify import NO_NOTIFIER, find_notifier
from companion.run.speech import NO_ENGINE, SpeechEngine, Voice, find_engine, list_voices
from companion.settings.limit_entry import LIMIT_NAMES, LimitError, format_limit, parse_limit
from companion.settings.price_entry import PriceError, format_price, parse_price
from companion.settings.user_settings import DEFAULT_RATE, LIMITS_UNREAD, Breathing, Prices, Settings, StricterLimit
from companion.words import plain_text, printable
from screens.messages import SettingsChanged
from screens.screen_kinds import OpenedByKey
from screens.themes import THEMES
from screens.widgets.focus_marks import MarkedButton, TextBox
from screens.widgets.key_footer import KeyFooter
from screens.widgets.tick_list import TickList

INHALE_RANGE = range(BREATH_SECONDS_MIN, INHALE_SECONDS_MAX + 1)
EXHALE_RANGE = range(BREATH_SECONDS_MIN, EXHALE_SECONDS_MAX + 1)
"""Breathing seconds offered: every value the settings accept."""

CHANGED_ELSEWHERE = "Your limits were changed in another Companion window; they are shown here:"
PRICE_FIELDS = {"device-price": "device price", "session-price": "session price"}


SWITCHES = {
    "bell": "Terminal bell at cues (step changes, the 5-second warning, the end)",
    "reduced-motion": "Reduced motion: the breathing pacer as text, no flashes",
    "speech": "Speak the steps, the 5-second warnings, limits, pauses and the end",
    "notifications": "Desktop notification at each step change and at the end",
}
RATES = (100, 125, 150, DEFAULT_RATE, 200, 250, 300)
"""Speech rates offered, in words a minute (within the settings' bounds)."""
DEFAULT_VOICE = "The engine's own voice"


def switch_text(widget_id: str, value: bool) -> str:
    """A switch's label with its state in words ("on"/"off"), so it never rests on the knob's colour."""
    return f"{'On' if value else 'Off'}: {SWITCHES[widget_id]}"


def theme_options(available: Iterable[str]) -> list[tuple[str, str]]:
    """The themes to offer: Companion's calm ones first, then the others by name."""
    calm = [theme.name for theme in THEMES if theme.name in available]
    others = sorted(name for name in available if name not in calm)
    return [(f"{name} (calm)", name) for name in calm] + [(name, name) for name in others]


def voice_options(voices: Iterable[Voice], current: str) -> list[tuple[Text, str]]:
    """The voices to offer: the engine's default first, then the engine's (the current one even if not listed).

    Labels come from the engine's output: shown as text, never markup."""
    options = [(DEFAULT_VOICE, "")] + [(voice.label, voice.id) for voice in voices]
    if current and all(value != current for _, value in options):
        options.append((current, current))
    return [(Text(printable(label)), value) for label, value in options]


@dataclass(frozen=True)
class LimitColumn:
    """One column of the stricter limits' table: its boxes' id prefix, the limit it sets, its heading."""

    prefix: str
    field: str
    """The :class:`StricterLimit` (and content limit) field it sets."""
    heading: str
    most: int
    """The largest value the settings accept."""
    tooltip: str
    """What the box limits, with ``{tool}`` for the tool's phrase."""


LIMIT_COLUMNS = (
    LimitColumn("step", "step_seconds", "A step", STEP_SECONDS_MAX, "Most time for one step with {tool}"),
    LimitColumn(
        "session",
        "area_session_seconds",
        "A session",
        DAY_SECONDS_MAX,
        "Most time in one session with {tool} on one area",
    ),
    LimitColumn("day", "area_day_seconds", "A day", DAY_SECONDS_MAX, "Most time in 24 hours with {tool} on one area"),
)
"""The limits a person may make stricter, in the order the plan applies them (the same as ``LIMIT_NAMES``)."""
COLUMN_BY_PREFIX = {column.prefix: column for column in LIMIT_COLUMNS}


def content_limit(catalog: Catalog, tool: str, column: LimitColumn) -> int | None:
    """The content's general limit for ``tool`` in ``column`` (``None``: the content sets none)."""
    value: int | None = getattr(catalog.limit_for(tool, ""), column.field)
    return value


def problem_text(problems: Iterable[str]) -> Text:
    """Problems one a line, each marked with "!" so the meaning never rests on colour."""
    text = Text()
    for number, line in enumerate(problems):
        text.append("\n" if number else "")
        text.append("! ", style="bold")
        text.append(line)
    return text


class SettingsScreen(OpenedByKey, Screen[None]):
    """Theme, cues, breathing rhythm, stricter limits, owned tools and prices; each change applies at once."""

    OPENED_BY = "settings"
    """The app action that opens this screen (its key is left out of the Footer here)."""

    CSS_PATH = "settings.tcss"
    AUTO_FOCUS = "#theme"
    """The first choice has the focus from the first frame (Textual would give it to the scrolling form, and a
    focus moved on mount would come after a key pressed as the screen appears)."""
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, catalog: Catalog, settings: Settings, apply: Callable[[Settings, Settings], None]) -> None:
        super().__init__()
        self.catalog = catalog
        self.settings = settings
        self.apply = apply
        self.limit_problems: dict[str, str] = {}
        self.limits_told: dict[str, str] = {}
        """The refusal last told in a toast, by box (Enter then leaving the box tells it once)."""
        self.price_problems: dict[str, str] = {}
        self.engine: SpeechEngine | None = find_engine()
        self.has_notifier = find_notifier() is not None

    # --- layout -------------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        settings = self.settings
        yield Header()
        with VerticalScroll(id="settings-form", classes="barred"):
            yield Static("Look and feel", classes="section")
            with Horizontal(classes="row"):
                yield Label("Theme", classes="name")
                yield Select(
                    theme_options(self.app.available_themes),
                    value=settings.theme if settings.theme in self.app.available_themes else Select.NULL,
                    allow_blank=False,
                    id="theme",
                    compact=True,
                )
            with Horizontal(classes="row"):
                yield Switch(settings.bell, id="bell", animate=False)
                yield Label(switch_text("bell", settings.bell), id="bell-label", classes="switch")
            with Horizontal(classes="row"):
                yield Switch(settings.reduced_motion, id="reduced-motion", animate=False)
                yield Label(
                    switch_text("reduced-motion", settings.reduced_motion), id="reduced-motion-label", classes="switch"
                )

            yield Static("Hands-free cues", classes="section")
            engine = self.engine
            yield Static(
                NO_ENGINE if engine is None else f"Spoken through {engine.name} ({engine.path}).",
                id="speech-engine",
                classes="help",
            )
            with Horizontal(classes="row"):
                yield Switch(settings.speech.enabled, id="speech", animate=False)
                yield Label(switch_text("speech", settings.speech.enabled), id="speech-label", classes="switch")
            with Horizontal(classes="row"):
                yield Label("Speech rate", classes="name")
                yield Select(
                    [(f"{n} words a minute" + (" (usual)" if n == DEFAULT_RATE else ""), n) for n in RATES],
                    value=settings.speech.rate if settings.speech.rate in RATES else DEFAULT_RATE,
                    allow_blank=False,
                    id="speech-rate",
                    compact=True,
                )
            with Horizontal(classes="row"):
                yield Label("Voice", classes="name")
                yield Select(
                    voice_options([], settings.speech.voice),
                    value=settings.speech.voice,
                    allow_blank=False,
                    id="speech-voice",
                    compact=True,
                )
            with Horizontal(classes="row"):
                yield Switch(settings.notifications, id="notifications", animate=False)
                yield Label(
                    switch_text("notifications", settings.notifications), id="notifications-label", classes="switch"
                )
            if not self.has_notifier:
                yield Static(NO_NOTIFIER, id="notifier-missing", classes="help")

            yield Static("Breathing rhythm", classes="section")
            with Horizontal(classes="row"):
                yield Label("Breathe in", classes="name")
                yield Select(
                    [(f"{n} s", n) for n in INHALE_RANGE],
                    value=settings.breathing.inhale,
                    allow_blank=False,
                    id="inhale",
                    compact=True,
                )
            with Horizontal(classes="row"):
                yield Label("Breathe out", classes="name")
                yield Select(
                    [(f"{n} s", n) for n in EXHALE_RANGE],
                    value=settings.breathing.exhale,
                    allow_blank=False,
                    id="exhale",
                    compact=True,
                )

            yield Static("Stricter limits", classes="section")
            yield Static(
                "Settings can only make limits stricter, never looser. A session and a day count the time on "
                "one area (a day: the last 24 hours). Type seconds (90) or minutes:seconds (1:30); leave blank "
                "to use the content's limit, shown in brackets.",
                classes="help",
            )
            if settings.own_limits_unread:
                with Vertical(id="limits-unread"):
                    yield Static(LIMITS_UNREAD, classes="problem")
                    yield MarkedButton("My limits are right", id="limits-right", variant="warning")
            with Horizontal(classes="row heading"):
                yield Label("Tool", classes="name")
                for column in LIMIT_COLUMNS:
                    yield Label(column.heading, classes="limit-heading")
            for tool in self.catalog.vocabulary.tools:
                own = settings.stricter_limit(tool.id)
                with Horizontal(classes="row limit"):
                    yield Label(tool.name, classes="name")
                    for column in LIMIT_COLUMNS:
                        content = content_limit(self.catalog, tool.id, column)
                        yield TextBox(
                            format_limit(getattr(own, column.field)),
                            placeholder=f"({format_limit(content)})" if content else "(none)",
                            restrict=r"[0-9:]*",
                            max_length=7,
                            id=f"{column.prefix}-{tool.id}",
                            classes="limit-input",
                            compact=True,
                            tooltip=column.tooltip.format(tool=tool.phrase),
                        )
            yield Static(id="limits-problem", classes="problem")

            yield Static("Tools you own", classes="section")
            yield Static(
                "Routines that need a tool you have not ticked are marked on the home screen "
                "(none ticked: no marks). Space ticks.",
                classes="help",
            )
            yield TickList(
                [(tool.name, tool.id) for tool in self.catalog.vocabulary.tools],
                settings.owned_tools,
                id="owned-tools",
                classes="framed",
            )

            yield Static("Local prices (therapy comparison)", classes="section")
            prices = settings.prices
            with Horizontal(classes="row"):
                yield Label("Currency", classes="name")
                yield TextBox(prices.currency, placeholder="€, USD", max_length=8, id="currency", compact=True)
            with Horizontal(classes="row"):
                yield Label("Device price", classes="name")
                yield TextBox(format_price(prices.device_price), placeholder="e.g. 89", id="device-price", compact=True)
            with Horizontal(classes="row"):
                yield Label("One session", classes="name")
                yield TextBox(
                    format_price(prices.session_price), placeholder="e.g. 60", id="session-price", compact=True
                )
            yield Static(id="prices-problem", classes="problem")
        yield Static("Changes apply and are saved at once. Escape: back.", id="settings-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Settings"
        self.query_one("#limits-problem", Static).display = False
        self.query_one("#prices-problem", Static).display = False
        self.query_one("#owned-tools", TickList).border_title = "Tools"
        if self.engine is not None:
            self.load_voices(self.engine)

    @work(thread=True, exclusive=True)
    def load_voices(self, engine: SpeechEngine) -> None:
        """Ask the engine for its voices (a subprocess: never on the UI thread)."""
        voices = list_voices(engine)
        self.call_later(self._show_voices, voices)

    def _show_voices(self, voices: list[Voice]) -> None:
        select = self.query_one("#speech-voice", Select)
        select.set_options(voice_options(voices, self.settings.speech.voice))
        select.value = self.settings.speech.voice

    # --- applying changes ---------------------------------------------------------------------------------------

    def change(self, **changes: object) -> None:
        """Apply ``changes`` at once (they are valid by construction here) when they change anything."""
        settings = self.settings.updated(**changes)
        if settings == self.settings:
            return
        before, self.settings = self.settings, settings
        self.apply(settings, before)  # only what changed here is written: another window's changes stay

    def on_settings_changed(self, message: SettingsChanged) -> None:
        """The settings as the app now has them; read from disk (another window's changes), the limits are shown
        again, all but a box being typed in, and what changed is said."""
        before, self.settings = self.settings, message.settings
        if not message.elsewhere:
            return
        changed: list[str] = []
        for tool in self.catalog.vocabulary.tools:
            old, new = before.stricter_limit(tool.id), message.settings.stricter_limit(tool.id)
            for kind, cap in (("step", "step_seconds"), ("day", "area_day_seconds")):
                seconds = getattr(new, cap)
                if getattr(old, cap) == seconds:
                    continue
                box = self.query_one(f"#{kind}-{tool.id}", Input)
                if not box.has_focus:
                    box.value = format_limit(seconds)
                changed.append(f"{tool.name}, {LIMIT_NAMES[cap]}: {format_limit(seconds) or 'not set'}")
        if changed:
            self.notify(
                f"{CHANGED_ELSEWHERE} {'; '.join(changed)}.", title="Stricter limits", severity="warning",
                markup=False, timeout=15,
            )  # fmt: skip

    @on(MarkedButton.Pressed, "#limits-right")
    def _limits_checked(self) -> None:
        """The person has checked their own limits after their settings file could not be read: they hold again."""
        self.change(own_limits_unread=False)
        self.query_one("#limits-unread").remove()
        self.query_one("#theme", Select).focus()
        self.notify("Your own limits hold as they are set here.", title="Stricter limits", markup=False)

    @on(Select.Changed, "#theme")
    def _theme_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.change(theme=event.value)

    @on(Switch.Changed, "#bell, #reduced-motion, #speech, #notifications")
    def _switch_changed(self, event: Switch.Changed) -> None:
        widget_id = event.switch.id or ""
        self.query_one(f"#{widget_id}-label", Label).update(switch_text(widget_id, event.value))
        if widget_id == "bell":
            self.change(bell=event.value)
        elif widget_id == "reduced-motion":
            self.change(reduced_motion=event.value)
        elif widget_id == "notifications":
            self.change(notifications=event.value)
        else:
            self.change(speech=self.settings.speech.model_copy(update={"enabled": event.value}).model_dump())

    @on(Select.Changed, "#speech-rate, #speech-voice")
    def _speech_changed(self, event: Select.Changed) -> None:
        key = "rate" if event.select.id == "speech-rate" else "voice"
        if isinstance(event.value, int | str) and not isinstance(event.value, bool):
            self.change(speech=self.settings.speech.model_copy(update={key: event.value}).model_dump())

    @on(Select.Changed, "#inhale, #exhale")
    def _breathing_changed(self) -> None:
        inhale = self.query_one("#inhale", Select).value
        exhale = self.query_one("#exhale", Select).value
        if isinstance(inhale, int) and isinstance(exhale, int):
            self.change(breathing=Breathing(inhale=inhale, exhale=exhale).model_dump())

    @on(TickList.Changed, "#owned-tools")
    def _owned_changed(self, event: TickList.Changed) -> None:
        chosen = set(event.selected)
        self.change(owned_tools=tuple(t.id for t in self.catalog.vocabulary.tools if t.id in chosen))

    # Limits and prices are checked as they are typed but applied on Enter, on leaving the box or the screen: a
    # half-typed "1:30" must never become a 1-second limit.

    @on(Input.Changed, ".limit-input")
    def _limit_changed(self, event: Input.Changed) -> None:
        self._typed_limit(event.input)

    @on(Input.Submitted, ".limit-input")
    @on(Input.Blurred, ".limit-input")
    def _limit_done(self, event: Input.Submitted | Input.Blurred) -> None:
        widget_id = event.input.id or ""
        self._commit_limit(event.input)
        refused = self.limit_problems.get(widget_id)
        if refused is None:
            self.limits_told.pop(widget_id, None)
        elif self.limits_told.get(widget_id) != refused:
            # The problem line sits under the whole table, perhaps off screen: a refusal is also said where it is
            # seen, so nobody believes a limit was set that was not.
            self.limits_told[widget_id] = refused
            self.notify(refused, title="Stricter limits", severity="warning", markup=False)

    def _typed_limit(self, widget: Input) -> tuple[bool, int | None]:
        """Whether the box holds a usable limit, and its seconds; shows or clears the box's problem."""
        widget_id = widget.id or ""
        kind, _, tool_id = widget_id.partition("-")
        tool = self.catalog.tools.get(tool_id)
        column = COLUMN_BY_PREFIX.get(kind)
        if tool is None or column is None:
            return False, None
        name = f"{tool.name}, {LIMIT_NAMES[column.field]}"
        try:
            seconds = parse_limit(widget.value, name, content_limit(self.catalog, tool_id, column), column.most)
        except LimitError as error:
            self.limit_problems[widget_id] = str(error)
            ok = False
            seconds = None
        else:
            self.limit_problems.pop(widget_id, None)
            ok = True
        widget.set_class(not ok, "-invalid")
        self._show_problems("#limits-problem", self.limit_problems.values())
        return ok, seconds

    def _commit_limit(self, widget: Input) -> None:
        ok, seconds = self._typed_limit(widget)
        if not ok:
            return
        kind, _, tool_id = (widget.id or "").partition("-")
        own = self.settings.stricter_limit(tool_id)
        own = own.model_copy(update={COLUMN_BY_PREFIX[kind].field: seconds})
        self.change(limits=self._limits_with(tool_id, own))

    def _limits_with(self, tool_id: str, own: StricterLimit) -> dict[str, dict[str, object]]:
        limits = {tool: limit.model_dump() for tool, limit in self.settings.limits.items()}
        if all(getattr(own, column.field) is None for column in LIMIT_COLUMNS):
            limits.pop(tool_id, None)
        else:
            limits[tool_id] = own.model_dump()
        return limits

    @on(Input.Changed, "#currency, #device-price, #session-price")
    def _price_changed(self, event: Input.Changed) -> None:
        widget_id = event.input.id or ""
        try:
            if widget_id == "currency":  # pasted text may hold anything
                plain_text(event.value)
            else:
                parse_price(event.value, PRICE_FIELDS[widget_id])
        except ValueError as error:  # PriceError is one
            what = "" if isinstance(error, PriceError) else "The currency "
            self.price_problems[widget_id] = f"{what}{error}"
            event.input.add_class("-invalid")
        else:
            self.price_problems.pop(widget_id, None)
            event.input.remove_class("-invalid")
        self._show_problems("#prices-problem", self.price_problems.values())

    @on(Input.Submitted, "#currency, #device-price, #session-price")
    @on(Input.Blurred, "#currency, #device-price, #session-price")
    def _prices_done(self) -> None:
        self._commit_prices()

    def _commit_prices(self) -> None:
        prices = self._entered_prices()
        if prices is not None:
            self.change(prices=prices.model_dump())

    def _entered_prices(self) -> Prices | None:
        """The prices typed, or ``None`` while one of them is not a price (the last good ones stay)."""
        values: dict[str, Decimal | None] = {}
        try:
            for widget_id, name in PRICE_FIELDS.items():
                values[widget_id] = parse_price(self.query_one(f"#{widget_id}", Input).value, name)
        except PriceError:
            return None
        if "currency" in self.price_problems:
            return None
        device, session = values["device-price"], values["session-price"]
        return Prices(
            currency=self.query_one("#currency", Input).value.strip(),
            device_price=None if device is None else float(device),
            session_price=None if session is None else float(session),
        )

    def _show_problems(self, selector: str, problems: Iterable[str]) -> None:
        lines = list(problems)
        widget = self.query_one(selector, Static)
        widget.update(problem_text(lines))
        widget.display = bool(lines)

    def action_back(self) -> None:
        for widget in self.query(".limit-input").results(Input):
            self._commit_limit(widget)
        self._commit_prices()
        if self.limit_problems or self.price_problems:
            self.notify(
                "Values marked with ! were not used; the previous ones stay.", title="Settings", severity="warning"
            )
        self.dismiss()
