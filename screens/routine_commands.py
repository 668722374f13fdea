"""The routines in the command palette, found by their titles: choosing one starts its flow, as Enter on the home
list does (the safety questions, then today's plan). The palette only posts ``RoutineChosen``; the flow decides."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider
from textual.content import Content

from companion.words import format_seconds
from screens.messages import RoutineChosen
from screens.screen_kinds import GuidedApp

HELP = "Routine ({length}): the safety questions, then today's plan"


class RoutineCommands(Provider):
    """A hit for every routine whose title matches what is typed (the bundled ones and the user's own)."""

    async def search(self, query: str) -> Hits:
        app = self.app
        if not isinstance(app, GuidedApp):
            return
        matcher = self.matcher(query)
        for routine in app.services.catalog.routines:
            score, offsets = matcher.fuzzy_search.match(matcher.query, routine.title)
            if score <= 0:
                continue
            # A title is the user's text: shown as it is, never read as markup (as Matcher.highlight would read it).
            shown = Content(routine.title)
            for offset in offsets:
                if not routine.title[offset].isspace():
                    shown = shown.stylize(matcher.match_style, offset, offset + 1)
            yield Hit(
                score,
                shown,
                partial(self._choose, routine.id),
                text=routine.title,
                help=HELP.format(length=format_seconds(routine.total_seconds)),
            )

    def _choose(self, routine_id: str) -> None:
        """Tell the flow, from the screen the palette was opened on (it bubbles up to the app)."""
        self.screen.post_message(RoutineChosen(routine_id))
