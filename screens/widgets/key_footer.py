"""The Footer of every screen, rebuilt only when the keys it shows change.

Textual's ``Footer`` rebuilds itself (every ``FooterKey`` created, styled and mounted) each time its screen says its
bindings may have changed: on every change of focus and of the screen stack, whether or not a key changed. A
screen that opens focused is told so three times before its first full frame, so the home screen built its keys
three times before it could show them: about 70 ms of a 0.6 s start, measured headless. ``KeyFooter`` compares what
it would show with what it shows and rebuilds only when they differ.
"""

from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):
    """A ``Footer`` that recomposes only when the keys it would show (or how it shows them) differ."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[object, ...] | None = None
        """What the keys were composed from (see :meth:`_keys`); ``None`` before the first keys."""

    def _keys(self) -> tuple[object, ...]:
        """Everything the Footer's keys are composed from: each active binding with whether it is enabled and its
        tooltip, and the Footer's own options."""
        bindings = tuple(
            (active.binding, active.enabled, active.tooltip) for active in self.screen.active_bindings.values()
        )
        return (bindings, self.show_command_palette, self.compact, self.combine_groups)

    async def recompose(self) -> None:
        if not self.is_attached:
            return  # taken down meanwhile (its screen closed): there is nothing to show keys for
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await super().recompose()
