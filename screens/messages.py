"""Messages that cross screens (a widget's own messages live on the widget class)."""

from __future__ import annotations

from textual.message import Message


class HistoryChanged(Message):
    """The history was loaded or changed (a session saved, edited, deleted or imported).

    Post it from any screen after writing to the store; it bubbles to the app, which refreshes today's summary.
    """
