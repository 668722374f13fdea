"""The home screen: pick a routine, filtered by goal, body area and tool, with a full preview."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from companion.advice.advisor import goal_suggestions
from companion.catalogue.models import Catalog, Routine
from companion.safety.limits import routine_limits
from companion.settings.user_settings import Settings
from screens.advice_text import advice_banner, goal_suggestion_text
from screens.messages import GuidanceChanged, RoutineChange, RoutineChangeWanted, RoutineChosen, SettingsChanged
from screens.routine_text import missing_tool_names, routine_label, routine_preview
from screens.widgets.filter_chooser import FilterChooser
from screens.widgets.key_footer import KeyFooter
from screens.widgets.marked_list import MarkedOptionList

ANY = "any"

ORDERS = ("goal", "length", "title")
"""The orders of the routine list, in the order the sort key (o) goes through them; the first is the default."""
ORDER_WORDS = {"goal": "by goal, then length", "length": "shortest first", "title": "by title"}


def matching_routines(catalog: Catalog, goal: str, area: str, tool: str) -> list[Routine]:
    """Routines that serve ``goal``, work ``area`` and use ``tool`` (``ANY`` matches everything)."""
    return [
        routine
        for routine in catalog.routines
        if (goal == ANY or goal in routine.goals)
        and (area == ANY or area in routine.areas)
        and (tool == ANY or tool in routine.tools)
    ]


def first_goal(routine: Routine, chosen: str = ANY) -> str:
    """The goal a routine is listed under: the goal chosen in the filter, else the first of its own."""
    return chosen if chosen != ANY else routine.goals[0]


def ordered_routines(catalog: Catalog, routines: list[Routine], order: str, goal: str = ANY) -> list[Routine]:
    """``routines`` in ``order``: by goal (the vocabulary's order of goals; ``goal`` when one is chosen), then
    length; shortest first; or by title. Ties fall back to the title, so the order never depends on file ids."""
    goal_rank = {known.id: rank for rank, known in enumerate(catalog.vocabulary.goals)}

    def by_title(routine: Routine) -> tuple[str, str]:
        return routine.title.casefold(), routine.id

    if order == "goal":
        return sorted(
            routines,
            key=lambda r: (goal_rank.get(first_goal(r, goal), len(goal_rank)), r.total_seconds, by_title(r)),
        )
    if order == "length":
        return sorted(routines, key=lambda r: (r.total_seconds, by_title(r)))
    return sorted(routines, key=by_title)


class HomeScreen(Screen[None]):
    """Routines to choose from, with filters and a preview of the highlighted one."""

    # Styles: home.tcss, read with the app's stylesheet (CompanionApp.CSS_PATH).
    AUTO_FOCUS = "#routines"
    BINDINGS = [
        # A priority binding, so the footer shows it over the list's own (hidden) Enter; see check_action.
        Binding("enter", "start_routine", "Start", priority=True),
        Binding("f", "focus_filters", "Filter"),
        Binding("o", "next_order", "Sort"),
        Binding("a", "app.advice", "Advice", show=False),  # the advice line names it (every Footer fits 60)
        Binding("escape", "clear_filters", "Clear filters", show=False),
        Binding("n", "new_routine", "New", show=False),
        Binding("e", "edit_routine", "Edit", show=False),
        Binding("c", "copy_routine", "Copy", show=False),
        Binding("delete", "delete_routine", "Delete", show=False),
    ]

    def __init__(self, catalog: Catalog, settings: Settings | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.settings = settings or Settings()
        """The user's settings: routines needing tools they do not own are marked."""
        self.order = ORDERS[0]
        """The order of the routine list (see :data:`ORDERS`); o moves to the next one."""
        self._previewed: str | None = None
        """The id of the routine the preview shows."""

    def compose(self) -> ComposeResult:
        catalog = self.catalog
        yield Header()
        with Horizontal(id="filters"):
            yield FilterChooser(
                "Goal", "Any goal", [(goal.name, goal.id) for goal in catalog.vocabulary.goals], id="goal"
            )
            yield FilterChooser(
                "Area",
                "Any area",
                [(area.name, area.id) for area in catalog.vocabulary.areas if self._area_used(area.id)],
                id="area",
            )
            yield FilterChooser(
                "Tool",
                "Any tool",
                [(tool.name, tool.id) for tool in catalog.vocabulary.tools if self._tool_used(tool.id)],
                id="tool",
            )
        yield Static(id="advice")
        yield Static(id="goal-suggestion")
        with Horizontal(id="browser"):
            yield MarkedOptionList(id="routines", classes="framed")
            with VerticalScroll(id="preview", classes="framed -text"):
                yield Static(id="preview-text")
        yield KeyFooter()

    def _area_used(self, area_id: str) -> bool:
        return any(area_id in routine.areas for routine in self.catalog.routines)

    def _tool_used(self, tool_id: str) -> bool:
        return any(tool_id in routine.tools for routine in self.catalog.routines)

    def on_mount(self) -> None:
        self.query_one("#preview", VerticalScroll).border_title = "Preview"
        self.refresh_routines()

    def _filter_value(self, widget_id: str) -> str:
        value = self.query_one(f"#{widget_id}", FilterChooser).value
        return ANY if value is None else value

    def refresh_routines(self) -> None:
        """Rebuild the list from the filters, keeping the highlighted routine where possible."""
        option_list = self.query_one("#routines", OptionList)
        highlighted = self.highlighted_routine()
        goal = self._filter_value("goal")
        routines = ordered_routines(self.catalog, self.shown_routines(), self.order, goal)
        option_list.border_title = f"Routines {ORDER_WORDS[self.order]}"
        option_list.clear_options()
        options: list[Option] = []
        heading = None
        for routine in routines:
            # By goal, each goal's routines under its name (not when one goal is chosen: it is in the filter).
            if self.order == "goal" and goal == ANY and first_goal(routine) != heading:
                heading = first_goal(routine)
                name = self.catalog.goals[heading].name if heading in self.catalog.goals else heading
                options.append(Option(Text(name, style="bold"), disabled=True))
            options.append(Option(routine_label(routine, self._needs(routine)), id=routine.id))
        option_list.add_options(options)
        option_list.border_subtitle = f"{len(routines)} of {len(self.catalog.routines)}"
        if routines:
            ids = [r.id for r in routines]
            chosen = highlighted.id if highlighted and highlighted.id in ids else ids[0]
            option_list.highlighted = option_list.get_option_index(chosen)
        self._show_preview()

    def listed_routines(self) -> list[Routine]:
        """The routines in the list, top to bottom (goal headings left out)."""
        option_list = self.query_one("#routines", OptionList)
        found = (self.catalog.routine(option.id) for option in option_list.options if option.id is not None)
        return [routine for routine in found if routine is not None]

    def shown_routines(self) -> list[Routine]:
        """The routines every filter lets through (in catalogue order)."""
        return matching_routines(
            self.catalog, self._filter_value("goal"), self._filter_value("area"), self._filter_value("tool")
        )

    def action_next_order(self) -> None:
        """Order the list the next way (goal, length, title), keeping the highlighted routine."""
        self.order = ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)]
        self.refresh_routines()

    def highlighted_routine(self) -> Routine | None:
        """The routine under the cursor, if any."""
        option_list = self.query_one("#routines", OptionList)
        if option_list.highlighted is None or option_list.option_count == 0:
            return None
        option_id = option_list.get_option_at_index(option_list.highlighted).id
        return self.catalog.routine(option_id) if option_id else None

    def _show_preview(self) -> None:
        routine = self.highlighted_routine()
        preview = self.query_one("#preview-text", Static)
        self._previewed = routine.id if routine else None
        if routine is None:
            preview.update("No routine matches these filters. Press Escape to clear them.")
        else:
            limits = routine_limits(routine, self.catalog, self.settings)
            preview.update(routine_preview(self.catalog, routine, self._needs(routine), limits))

    def _needs(self, routine: Routine) -> tuple[str, ...]:
        return missing_tool_names(self.catalog, self.settings, routine)

    def on_guidance_changed(self, message: GuidanceChanged) -> None:
        """Today's advice, above the routines: the most urgent item and why, and what has helped most."""
        panel = self.query_one("#advice", Static)
        banner = advice_banner(message.guidance)
        panel.update(banner)
        panel.display = bool(banner)

    def on_settings_changed(self, message: SettingsChanged) -> None:
        self.settings = message.settings
        self.refresh_routines()
        self._show_preview()  # the limits it shows are the person's, stricter settings included

    @on(FilterChooser.Changed)
    def _filters_changed(self) -> None:
        self.refresh_routines()
        self._show_goal_suggestion()

    def _show_goal_suggestion(self) -> None:
        """Under the filters, for a chosen goal: the routines every filter lets through for it (the quickest named)
        and, where one fits, a professional therapy."""
        suggestion = self.query_one("#goal-suggestion", Static)
        goal = self._filter_value("goal")
        if goal == ANY or goal not in self.catalog.goals:
            suggestion.display = False
            return
        found = goal_suggestions(self.catalog, goal)
        shown = {routine.id for routine in self.shown_routines()}
        narrowed = replace(found, routines=tuple(r for r in found.routines if r.id in shown))
        filtered = self._filter_value("area") != ANY or self._filter_value("tool") != ANY
        suggestion.update(goal_suggestion_text(narrowed, filtered))
        suggestion.display = True

    @on(OptionList.OptionHighlighted, "#routines")
    def _routine_highlighted(self) -> None:
        routine = self.highlighted_routine()
        # Rebuilding the list moves the highlight and draws the preview; the list's message for it then comes after.
        if routine is None or routine.id != self._previewed:
            self._show_preview()

    def action_focus_filters(self) -> None:
        self.query_one("#goal", FilterChooser).focus()

    def _change_routine(self, change: RoutineChange) -> None:
        self.post_message(RoutineChangeWanted(change, self.highlighted_routine()))

    def action_new_routine(self) -> None:
        self._change_routine("new")

    def action_edit_routine(self) -> None:
        self._change_routine("edit")

    def action_copy_routine(self) -> None:
        self._change_routine("copy")

    @on(OptionList.OptionSelected, "#routines")
    def _routine_chosen(self) -> None:
        self.action_start_routine()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "start_routine":
            # Enter starts a routine only from the list; elsewhere (a filter, a dialog) it keeps its usual meaning.
            focused = self.focused
            return focused is not None and focused.id == "routines" and self.highlighted_routine() is not None
        return True

    def action_start_routine(self) -> None:
        """Start the flow (screening, plan, runner) for the highlighted routine."""
        routine = self.highlighted_routine()
        if routine is not None:
            self.post_message(RoutineChosen(routine.id))

    def action_delete_routine(self) -> None:
        self._change_routine("delete")

    def show_routine(self, routine_id: str) -> None:
        """Highlight the routine with this id, if the filters show it."""
        option_list = self.query_one("#routines", OptionList)
        try:
            option_list.highlighted = option_list.get_option_index(routine_id)
        except OptionDoesNotExist:  # hidden by the filters: leave the cursor where it is
            return
        self._show_preview()

    def action_clear_filters(self) -> None:
        for widget_id in ("goal", "area", "tool"):
            self.query_one(f"#{widget_id}", FilterChooser).clear()
        self.query_one("#routines", OptionList).focus()
