"""Messages that cross screens (a widget's own messages live on the widget class)."""

from __future__ import annotations

from textual.message import Message

from companion.settings.user_settings import Settings


class HistoryChanged(Message):
    """The history was loaded or changed (a session saved, edited, deleted or imported).

    Post it from any screen after writing to the store; it bubbles to the app, which refreshes today's summary.
    """


class SettingsChanged(Message, bubble=False):
    """The user's settings were replaced (``services.settings`` holds them): redraw what depends on them.

    The app posts it to every screen on its stack; it does not bubble.
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
