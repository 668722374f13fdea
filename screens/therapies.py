"""The therapy guide: the nine professional therapies, searchable, each explained for someone deciding to book one."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from companion.advice.advisor import RED_FLAG_RULE
from companion.advice.therapy_search import (
    SafetyNote,
    TherapyMatch,
    match_summary,
    related_routines,
    safety_notes,
    search_therapies,
)
from companion.catalogue.models import Catalog, Question, QuestionKind, Therapy, TherapyCaution
from screens.routine_text import routine_label
from screens.screen_kinds import OpenedByKey
from screens.widgets.focus_marks import TextBox
from screens.widgets.hanging import HangingText
from screens.widgets.key_footer import KeyFooter
from screens.widgets.marked_list import MarkedOptionList

SECTION_TITLES = (
    "What it is",
    "Best for",
    "What a session is like",
    "Who should avoid it or ask a doctor first",
    "Who performs it",
    "Routines in Companion",
    "Sources",
)
"""The headings of every explanation, in order (the routines heading is a widget of its own)."""


FOUND_BY_CAUTION = "Listed for your search because you should avoid it, or ask a doctor first, if:"


def _heading(text: HangingText, title: str) -> None:
    text.append(f"\n{title}\n", style="bold underline")


def therapy_explanation(therapy: Therapy, cautions: tuple[TherapyCaution, ...] = ()) -> HangingText:
    """What the therapy is, what it is best for, what a session is like, who should avoid it and who performs it
    (bullets wrap under their words); first, the ``cautions`` a search found it by."""
    text = HangingText()
    text.append(therapy.name, style="bold")
    text.append("\n")
    if cautions:
        text.append(FOUND_BY_CAUTION, style="bold")
        for caution in cautions:
            text.item(Text(" ! ", style="bold"), caution.text)
        text.append("\n")
    text.append(therapy.summary)
    text.append("\n")
    _heading(text, "What it is")
    text.append(therapy.what)
    text.append("\n")
    _heading(text, "Best for")
    for item in therapy.best_for:
        text.item(" • ", item)
    if therapy.conditions:
        text.append("People look for it with: ", style="italic")
        text.append(", ".join(therapy.conditions))
        text.append("\n")
    _heading(text, "What a session is like")
    for label, value in (
        ("Length", therapy.session_length),
        ("Pressure", therapy.pressure),
        ("Clothing", therapy.clothing),
        ("Setting", therapy.setting),
    ):
        text.item(Text(f" {label}: ", style="bold"), value)
    text.append(therapy.expect)
    text.append("\n")
    _heading(text, "Who should avoid it or ask a doctor first")
    for caution in therapy.avoid:
        text.item(Text(" ! ", style="bold"), caution.text)
    _heading(text, "Who performs it")
    text.append(therapy.practitioner)
    text.append("\n")
    text.append("Credential to look for: ", style="bold")
    text.append(therapy.credential)
    return text


def therapy_sources(therapy: Therapy) -> HangingText:
    """The sources the explanation rests on, one a line."""
    text = HangingText()
    _heading(text, "Sources")
    for source in therapy.sources:
        text.item(" • ", Text.assemble((f"{source.title}: ", "bold"), source.reference))
    return text


QUESTION_WORDS = {
    QuestionKind.STOP: "No massage with it",
    QuestionKind.ASK_FIRST: "Ask a doctor first",
    QuestionKind.ADAPT: "Gentle pressure only",
    QuestionKind.AVOID_AREA: "Leave the area alone",
}
"""A screening question found by a search, as its list entry says what a yes to it means."""
RED_FLAG_WORDS = "See a doctor first"


def note_option(note: SafetyNote) -> Option:
    """A red flag's or a screening question's entry in the list, above every therapy: what it means, what matched."""
    item = note.item
    words = QUESTION_WORDS[item.kind] if isinstance(item, Question) else RED_FLAG_WORDS
    label = HangingText().append(f"! {words}", style="bold")
    label.item("  ", f"{'warning sign' if note.is_red_flag else 'before massage'}: {note.term}", style="dim italic")
    return Option(label, id=note.key)


def note_text(catalog: Catalog, note: SafetyNote, query: str, therapies: int) -> HangingText:
    """A red flag (see a doctor, before any therapy) or a screening question, with its source; when no therapy
    matches too, that said (``query`` shown as the user's plain text)."""
    item = note.item
    text = HangingText()
    if isinstance(item, Question):
        text.append(QUESTION_WORDS[item.kind], style="bold")
        text.append("\nCompanion asks before every routine: ")
        text.append(item.text)
        text.item(Text("Why: ", style="bold"), item.why)
        text.item(Text("What to do: ", style="bold"), item.instead)
    else:
        text.append(f"Warning sign: {RED_FLAG_RULE}", style="bold")
        text.item(Text(" ! ", style="bold"), item.text)
        text.item("   ", item.action)
    text.item("", catalog.cite(item.source), style="dim")  # the source at once, before anything to scroll to
    if note.is_red_flag:
        text.append("\nIf this is you, see a doctor before booking any therapy listed here.")
    if not therapies:
        text.append("\n\nNo therapy in this guide mentions “")
        text.append(query.strip())
        text.append("”.")
    return text


def therapy_option(match: TherapyMatch) -> Option:
    """One entry of the therapy list: the name, and what matched the search (if anything other than the name)."""
    label = HangingText().append(match.therapy.name)
    matched = match_summary(match, limit=2)
    if matched:
        label.item("  ", matched, style="dim italic")
    return Option(label, id=match.therapy.id)


class TherapiesScreen(OpenedByKey, Screen[str | None]):
    """Search and browse the therapies; dismissed with the id of a related routine to open, or ``None``."""

    OPENED_BY = "therapies"
    """The app action that opens this screen (its key is left out of the Footer here)."""

    CSS_PATH = "therapies.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("slash", "focus_search", "Search", priority=True),  # never typed into the box it focuses
        Binding("t", "focus_search", "Search", show=False),  # already in the guide: t does not stack another
        Binding("c", "compare", "Costs"),
        Binding("down", "cursor_down", "Browse", key_display="↑↓"),
        Binding("up", "cursor_up", "Previous", show=False),
    ]

    def __init__(self, catalog: Catalog, query: str = "", therapy_id: str | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.initial_query = query
        self.initial_therapy = therapy_id
        """The therapy to highlight first (the one matching the routine the user was looking at)."""
        self.matches: dict[str, TherapyMatch] = {}
        """What the search found, by therapy id, with what matched."""
        self.notes: dict[str, SafetyNote] = {}
        """The red flags and screening questions the search found, by their key (listed first)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="search-row"):
            yield Label("Search", id="search-label")
            yield TextBox(
                self.initial_query,
                placeholder="name, goal, area or condition, e.g. sciatica",
                id="therapy-search",
                compact=True,
            )
        with Horizontal(id="guide"):
            yield MarkedOptionList(id="therapies", classes="framed")
            with VerticalScroll(id="explanation", classes="framed -text"):
                yield Static(id="therapy-text")
                yield Static(Text("\nRoutines in Companion", style="bold underline"), id="related-heading")
                yield Static(id="related-none")
                yield MarkedOptionList(id="related")
                yield Static(id="therapy-sources")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#therapies", OptionList).border_title = "Therapies"
        self.query_one("#explanation", VerticalScroll).border_title = "About"
        self.refresh_therapies()
        if self.initial_therapy is not None:
            self.show_therapy(self.initial_therapy)
        self.query_one("#therapy-search", Input).focus()

    def show_therapy(self, therapy_id: str) -> None:
        """Highlight the therapy with this id, if the search shows it."""
        option_list = self.query_one("#therapies", OptionList)
        try:
            option_list.highlighted = option_list.get_option_index(therapy_id)
        except OptionDoesNotExist:
            return
        # On a freshly mounted screen the list has no size yet: scroll once it has been laid out.
        self.call_after_refresh(option_list.scroll_to_highlight)
        self._show_explanation()

    # --- the list ---------------------------------------------------------------------------------------------

    def refresh_therapies(self) -> None:
        """Rebuild the list from the search box, keeping the highlighted therapy where possible (not where it is
        listed only for a caution)."""
        option_list = self.query_one("#therapies", OptionList)
        highlighted = self.highlighted_therapy()
        query = self.query_one("#therapy-search", Input).value
        matches = search_therapies(self.catalog, query)
        notes = safety_notes(self.catalog, query)
        self.matches = {match.therapy.id: match for match in matches}
        self.notes = {note.key: note for note in notes}
        option_list.clear_options()
        option_list.add_options(note_option(note) for note in notes)  # the red flags first, before any therapy
        option_list.add_options(therapy_option(match) for match in matches)
        option_list.border_subtitle = f"{len(matches)} of {len(self.catalog.therapies)}"
        if notes:
            option_list.highlighted = 0
        elif matches:
            # The highlighted therapy stays, unless it is listed only as one to avoid: then the first listed.
            ids = [match.therapy.id for match in matches]
            kept = highlighted is not None and highlighted.id in ids and not self.matches[highlighted.id].only_cautions
            option_list.highlighted = ids.index(highlighted.id) if kept and highlighted else 0
        self._show_explanation()

    def highlighted_therapy(self) -> Therapy | None:
        """The therapy under the cursor, if any."""
        option_list = self.query_one("#therapies", OptionList)
        if option_list.highlighted is None or option_list.option_count == 0:
            return None
        option_id = option_list.get_option_at_index(option_list.highlighted).id
        return self.catalog.therapy(option_id) if option_id else None

    def highlighted_note(self) -> SafetyNote | None:
        """The red flag or screening question under the cursor, if that is what it is on."""
        option_list = self.query_one("#therapies", OptionList)
        if option_list.highlighted is None or option_list.option_count == 0:
            return None
        return self.notes.get(option_list.get_option_at_index(option_list.highlighted).id or "")

    def _show_explanation(self) -> None:
        therapy = self.highlighted_therapy()
        note = self.highlighted_note()
        explanation = self.query_one("#therapy-text", Static)
        related = self.query_one("#related", OptionList)
        none = self.query_one("#related-none", Static)
        heading = self.query_one("#related-heading", Static)
        sources = self.query_one("#therapy-sources", Static)
        related.clear_options()
        self.query_one("#explanation", VerticalScroll).scroll_home(animate=False)
        if therapy is None:
            query = self.query_one("#therapy-search", Input).value
            if note is not None:
                explanation.update(note_text(self.catalog, note, query, len(self.matches)))
            else:
                message = Text("No therapy matches “")
                message.append(query.strip())  # the user's words, as plain text
                message.append("”. Try a body area, a goal or a condition such as stress, sciatica or desk work.")
                explanation.update(message)
            for widget in (related, none, heading, sources):
                widget.display = False
            return
        found = self.matches.get(therapy.id)
        explanation.update(therapy_explanation(therapy, found.cautions if found else ()))
        routines = related_routines(self.catalog, therapy.id)
        related.add_options(Option(routine_label(r), id=r.id) for r in routines)
        if routines:
            related.highlighted = 0
        heading.display = sources.display = True
        related.display = bool(routines)
        none.display = not routines
        none.update("No routine in Companion links to it yet.")
        sources.update(therapy_sources(therapy))

    @on(Input.Changed, "#therapy-search")
    def _search_changed(self) -> None:
        self.refresh_therapies()

    @on(Input.Submitted, "#therapy-search")
    def _search_submitted(self) -> None:
        self.query_one("#therapies", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#therapies")
    def _therapy_highlighted(self) -> None:
        self._show_explanation()

    @on(OptionList.OptionSelected, "#therapies")
    def _therapy_selected(self) -> None:
        self.query_one("#explanation", VerticalScroll).focus()

    @on(OptionList.OptionSelected, "#related")
    def _routine_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    # --- actions ----------------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_focus_search(self) -> None:
        self.query_one("#therapy-search", Input).focus()

    async def action_compare(self) -> None:
        await self.app.run_action("app.compare")

    def _move(self, delta: int) -> None:
        """Up and down in the search box move through the list, so you can search and browse without Tab."""
        option_list = self.query_one("#therapies", OptionList)
        if delta > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_cursor_up(self) -> None:
        self._move(-1)
