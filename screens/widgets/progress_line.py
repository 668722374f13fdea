"""A one-line progress bar drawn as text: full and light blocks plus the percentage.

Lighter than Textual's ``ProgressBar`` (no timers of its own, no layout pass on update), which matters on a
screen redrawn every second for half an hour; and readable without colour (█ done, ░ to go, the number).
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class ProgressLine(Widget):
    """``done`` out of ``total`` as a bar and a percentage."""

    DEFAULT_CSS = """
    ProgressLine {
        height: 1;
        width: 1fr;
    }
    ProgressLine > .progress-line--done {
        color: $primary;
    }
    ProgressLine > .progress-line--todo {
        color: $foreground 40%;
    }
    """
    COMPONENT_CLASSES = {"progress-line--done", "progress-line--todo"}

    progress: reactive[tuple[float, float]] = reactive((0.0, 1.0), layout=False)
    """``(done, total)`` in any unit (seconds here)."""

    def render(self) -> Text:
        done, total = self.progress
        fraction = min(1.0, max(0.0, done / total)) if total > 0 else 0.0
        label = f" {int(fraction * 100):>3}%"
        width = max(0, self.size.width - len(label))
        filled = round(fraction * width)
        return Text.assemble(
            ("█" * filled, self.get_component_rich_style("progress-line--done")),
            ("░" * (width - filled), self.get_component_rich_style("progress-line--todo")),
            label,
        )
