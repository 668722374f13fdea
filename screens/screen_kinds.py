"""What kind of screen a screen is, as the app's keys need to know it, and what a screen may ask of its app: markers
and a protocol checked with ``isinstance`` (typed; never an attribute looked up by name)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from textual.binding import Binding

if TYPE_CHECKING:
    from companion.advice.guidance import Guidance
    from companion.safety.screening import ScreeningAnswers
    from companion.services import Services
    from companion.settings.user_settings import Settings


NAVIGATION = (
    Binding("t", "therapies", "Guide"),
    Binding("h", "history", "History"),
    Binding("comma", "settings", "Settings", key_display=","),
)
"""The app's keys that open another screen (``CompanionApp.BINDINGS``)."""
NAVIGATION_ACTIONS = frozenset(binding.action for binding in NAVIGATION)

NAVIGATION_UNSHOWN = [replace(binding, action=f"app.{binding.action}", show=False) for binding in NAVIGATION]
"""For the ``BINDINGS`` of a screen whose own keys fill its Footer (history, builder): the app's navigation keys
work there as everywhere, but the Footer leaves them out so that every key it shows fits 60 columns; Help (shown
in the Footer) lists them, and the palette offers the screens by name."""


class FlowStep:
    """A step of a routine's flow (screening, plan, runner, reflection): the keys that open other screens are off
    there, so a stray key never leads away from an answer or a countdown (``CompanionApp.check_action``)."""


class OpenedByKey:
    """A screen that one of the app's keys opens (the guide, the history, the settings): that key is left out of
    its own Footer, since it would lead where the person already is."""

    OPENED_BY: ClassVar[str]
    """The app action that opens the screen (``"history"`` for ``h``)."""


class FocusedOnMount:
    """A screen whose ``on_mount`` gives the focus to the widget a first key should reach (the safe answer, the
    primary button, the rating). Textual's auto-focus is off there: it would first focus the first focusable widget,
    and a key pressed before the intended focus came (a quick Enter) would press that one instead: "yes" before
    "no", the export path before "Retry", the plan's text before the rating. (The screening names its button in
    ``AUTO_FOCUS`` instead; here the focus is given on mount, which works too when the terminal is not focused.)"""

    AUTO_FOCUS: ClassVar[str | None] = ""


@runtime_checkable
class GuidedApp(Protocol):
    """What a screen may ask of the app it runs in (``CompanionApp`` is one): the services and today's guidance.
    Checked with ``isinstance`` on ``self.app``, so a screen shown in another app (a test's) simply has neither."""

    services: Services
    guidance: Guidance | None
    """Today's advice and what has helped, once the app has worked it out."""


def guidance_of(app: object) -> Guidance | None:
    """Today's guidance from ``app``, if it is a :class:`GuidedApp` that has worked it out."""
    return app.guidance if isinstance(app, GuidedApp) else None


@runtime_checkable
class AnswersApp(Protocol):
    """An app that knows today's screening answers as last given, even while their write is under way."""

    def todays_answers(self) -> ScreeningAnswers: ...


@runtime_checkable
class RulesApp(AnswersApp, Protocol):
    """An app that also reads the settings fresh (another window's changes in them) and keeps answers changed on a
    screen of its own (a clearance confirmed during a run)."""

    def fresh_settings(self) -> Settings: ...

    def remember_answers(self, answers: ScreeningAnswers, shown: ScreeningAnswers) -> None: ...
