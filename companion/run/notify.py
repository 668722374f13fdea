"""Desktop notifications at each step change and at the end, through the platform's command on ``PATH``.

``notify-send`` (libnotify, on Linux and the BSDs) or, on macOS, ``osascript`` with the text passed as arguments
(never spliced into the script). Commands run from a thread of their own (see
:class:`companion.run.speech.BackgroundCommands`), so a slow notification daemon never holds up the run.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from typing import Protocol

from companion.run.speech import BackgroundCommands, Which

NO_NOTIFIER = "No notification command found on PATH (notify-send, or osascript on macOS): no desktop notifications."
_OSASCRIPT = ("on run argv", "display notification (item 2 of argv) with title (item 1 of argv)", "end run")


@dataclass(frozen=True)
class NotifyCommand:
    """A notification command found on ``PATH``."""

    name: str
    """``notify-send`` or ``osascript``."""
    path: str

    def command(self, title: str, body: str) -> list[str]:
        if self.name == "osascript":
            script = [part for line in _OSASCRIPT for part in ("-e", line)]
            return [self.path, *script, title, body]
        return [self.path, "--app-name=Companion", "--", title, body]


def find_notifier(which: Which = shutil.which, platform: str = sys.platform) -> NotifyCommand | None:
    """The notification command to use, or ``None`` when there is none."""
    name = "osascript" if platform == "darwin" else "notify-send"
    path = which(name)
    return NotifyCommand(name, path) if path else None


class Notifier(Protocol):
    """Where desktop notifications go."""

    def notify(self, title: str, body: str) -> None:
        """Show a notification; returns at once."""
        ...

    def close(self) -> None: ...


class ProcessNotifier:
    """Notifications through ``command``, one after another."""

    def __init__(self, command: NotifyCommand) -> None:
        self.notifier = command
        self.commands = BackgroundCommands(cut=False, name="companion-notify")

    def notify(self, title: str, body: str) -> None:
        self.commands.run(self.notifier.command(title, body))

    def close(self) -> None:
        self.commands.close()
