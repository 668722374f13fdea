"""The history screen: past sessions in a table with details, filters, delete with undo, and statistics.

The table is filled at once from what the app read at start; the history is then read again (in a worker) each
time the screen opens, and whenever the app finds the file changed by another program (``HistoryReloaded``), so
sessions saved, imported or deleted elsewhere appear a moment later.
Writes (delete, undo) run in a worker too, since they rewrite the whole file; the store refuses them with its own
message when the file comes from a newer version. Deletions can be undone with ``u`` until the screen is left.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, VerticalScroll
from textual.coordinate import Coordinate
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Select, Static, TabbedContent, TabPane

from companion.history.queries import filter_records, local_date, statistics
from companion.history.records import SessionRecord
from companion.history.store import LoadReport, StorageError
from companion.run.done import note_deleted, read_exposure
from companion.safety.allowance import AreaAllowance, day_allowances
from companion.services import Services
from companion.words import count, moment
from screens.advice_text import statistics_advice_text
from screens.confirm import ConfirmScreen
from screens.history_text import (
    ROW_MARK,
    ROW_MARK_UNFOCUSED,
    area_name,
    daily_chart,
    date_cell,
    local_time,
    parse_day,
    row_height,
    session_detail,
    session_row,
    statistics_text,
    stats_areas,
)
from screens.messages import HistoryChanged, HistoryReloaded
from screens.screen_kinds import NAVIGATION_UNSHOWN, OpenedByKey, guidance_of
from screens.widgets.focus_marks import TextBox
from screens.widgets.hanging import HangingText
from screens.widgets.key_footer import KeyFooter

T = TypeVar("T")

PAGE = 500
"""Rows added to the table at a time: 20,000 rows in a DataTable take seconds to lay out; 500 take milliseconds."""
COLUMNS = (("Date", "date", 18), ("Routine", "routine", 0), ("Time", "time", 5), ("Status", "status", 11))
"""Label, key and width (the date after the cursor's two-cell mark; the routine's title takes the room left)."""
TENSION_WIDTH = 7
FIXED_COLUMNS_WIDTH = sum(width for _label, _key, width in COLUMNS) + TENSION_WIDTH
CELL_PADDING = 2 * (len(COLUMNS) + 1)
SHORT_DATE_BELOW = 76
"""Narrower than this, dates leave out the year and put the time under the day (``11-02`` over ``07:00``; the
details keep the year): the titles get 11 cells more."""
SHORT_DATE_WIDTH = 7


class SessionDetailScreen(ModalScreen[None]):
    """One session in full: every step planned against done, tension and notes (as plain text)."""

    CSS_PATH = "history.tcss"
    BINDINGS = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, detail: Text) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-dialog", classes="framed") as dialog:
            dialog.border_title = "Session"
            dialog.border_subtitle = "Esc closes"
            yield Static(self.detail, id="detail-text")

    def on_mount(self) -> None:
        self.query_one("#detail-dialog").focus()

    def action_close(self) -> None:
        self.dismiss()


class HistoryScreen(OpenedByKey, Screen[None]):
    """Sessions, newest first, and the statistics over all of them."""

    OPENED_BY = "history"
    """The app action that opens this screen (its key is left out of the Footer here)."""

    CSS_PATH = "history.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        # One key, labelled by where it leads: the view not shown (check_action leaves out the other).
        Binding("s", "show_view('statistics')", "Stats"),
        Binding("s", "show_view('sessions')", "Sessions"),
        Binding("enter", "details", "Details"),
        Binding("delete", "delete", "Delete"),
        Binding("u", "undo", "Undo"),
        Binding("f", "focus_filters", "Filter", show=False),
        Binding("m", "more", "More"),
        Binding("a", "app.advice", "Advice", show=False),  # also in the palette (every Footer fits 60)
        *NAVIGATION_UNSHOWN,
    ]

    def __init__(self, services: Services, *, history_ready: bool = False) -> None:
        super().__init__()
        self.history_ready = history_ready
        """Whether the app has read the history already (then the table is filled at once from it)."""
        self.services = services
        self.store = services.store
        self.records: list[SessionRecord] = []
        """Every session, newest first."""
        self.matching: list[SessionRecord] = []
        """The sessions the filters let through, newest first; the table shows the first ``shown`` of them."""
        self.shown = 0
        self.loaded = False
        """True once the table is filled (at once from what the app read at start, else after reading the file)."""
        self.fresh = False
        """True once the file has been read again since the screen opened (tests and the benchmark wait for it)."""
        self.read_only = False
        self.undo_stack: list[list[SessionRecord]] = []
        """Deleted sessions, last deletion last; dropped when the screen is left."""
        self.writing = False
        self._stats_stale = True
        self.allowances: list[AreaAllowance] | None = None
        """Each area's time in the last 24 hours against the plan's daily limits (``None`` until read)."""
        self.unreadable: tuple[str, ...] = ()
        """What could not be read of the time done (the history, the exposure ledger)."""
        self.short_dates = False
        """Dates without the year in a narrow terminal (set as the table is built)."""
        self.title_width = 0
        """The routine column's width: a longer title wraps, its row as high as its lines (set as it is built)."""
        self._marked: int | None = None
        """The row whose date shows the cursor's mark."""

    # -- layout ----------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="sessions"):
            with TabPane("Sessions", id="sessions"):
                with Horizontal(id="history-filters"):
                    yield Select[str]([], prompt="Any routine", id="routine-filter", compact=True)
                    yield Select[str]([], prompt="Any area", id="area-filter", compact=True)
                    yield TextBox(placeholder="since", id="since", max_length=10, compact=True)
                    yield TextBox(placeholder="until", id="until", max_length=10, compact=True)
                yield Static("", id="filter-message", markup=False)
                yield DataTable(id="sessions-table", cursor_type="row", zebra_stripes=True, classes="barred")
                yield Static("Reading your history…", id="sessions-status", markup=False)
            # The daily chart beside the figures from 100 columns (a column of its own, at the top: it was below
            # the fold), under them when narrower.
            with (
                TabPane("Statistics", id="statistics"),
                VerticalScroll(id="stats-scroll", classes="barred"),
                Container(id="stats-columns"),
            ):
                yield Static("Reading your history…", id="stats-text")
                yield Static("", id="stats-chart")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#sessions-table", DataTable)
        self._lay_out_columns(self.app.size.width)
        table.focus()
        if self.history_ready:
            # What the app already read is shown at once; the re-read below adds what other windows saved.
            self._show(self.store.records, self.store.read_only)
        self.call_after_refresh(self.load)

    def _lay_out_columns(self, screen_width: int) -> bool:
        """The table's columns for a terminal ``screen_width`` wide: the routine's title takes the room the others
        leave, dates lose their year when narrow. ``False`` when they are laid out so already."""
        short_dates = screen_width < SHORT_DATE_BELOW
        saved = COLUMNS[0][2] - SHORT_DATE_WIDTH if short_dates else 0
        routine_width = max(10, screen_width - FIXED_COLUMNS_WIDTH - CELL_PADDING - 4 + saved)
        table = self.query_one("#sessions-table", DataTable)
        if table.columns and (short_dates, routine_width) == (self.short_dates, self.title_width):
            return False
        self.short_dates, self.title_width = short_dates, routine_width
        table.clear(columns=True)
        self._marked = None
        self.shown = 0
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=(width - saved if key == "date" else width) or routine_width)
        table.add_column("Tension", key="tension", width=TENSION_WIDTH)
        return True

    def on_resize(self) -> None:
        """A terminal made wider or narrower: the titles wrapped again in their new column (never cut off)."""
        if not self.is_mounted:
            return
        highlighted = self.highlighted_record()
        if self._lay_out_columns(self.app.size.width) and self.loaded:
            self.apply_filters()
            self._move_to(highlighted)

    # -- reading ---------------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="history-screen")
    def load(self) -> None:
        """Read the history again off the UI thread: sessions saved by another window appear."""
        try:
            report = self.store.load()
        except StorageError as exc:
            self._read_allowances(None)
            self.call_later(self._load_failed, str(exc))
            return
        self._read_allowances(report.records)
        self.call_later(self._loaded, report)

    def on_history_reloaded(self, _message: HistoryReloaded) -> None:
        """Another program changed the history and the app has read it again: its sessions and statistics shown."""
        records = self.store.records
        self._show(records, self.store.read_only)
        self._allowances_again(records)

    @work(thread=True, exclusive=True, group="history-allowances")
    def _allowances_again(self, records: list[SessionRecord]) -> None:
        self._read_allowances(records)

    def _read_allowances(self, records: list[SessionRecord] | None) -> None:
        """Read (in a worker) the time done in the last 24 hours as a plan made now would count it: the history
        as just read (``None``: read it again), the exposure ledger and a run's checkpoint."""
        catalog = self.services.catalog
        gap = timedelta(minutes=catalog.safety.session_gap_minutes)
        exposure = read_exposure(self.services.paths, self.services.clock.now(), gap, records)
        allowances = day_allowances(exposure, catalog, self.services.settings)
        self.call_later(self._take_allowances, allowances, exposure.unknown)

    def _take_allowances(self, allowances: list[AreaAllowance], unreadable: tuple[str, ...]) -> None:
        self.allowances, self.unreadable = allowances, unreadable
        self._stats_stale = True
        if self.loaded and self.query_one(TabbedContent).active == "statistics":
            self.show_statistics()

    def _load_failed(self, message: str) -> None:
        self.notify(message, title="History", severity="error", timeout=20, markup=False)
        if not self.loaded:
            self.query_one("#sessions-status", Static).update("Your history could not be read (see the message).")
        self.loaded = self.fresh = True

    def _loaded(self, report: LoadReport) -> None:
        for message in report.messages:
            self.notify(message, title="History", severity="warning", timeout=20, markup=False)
        unchanged = (
            self.loaded
            and report.read_only == self.read_only
            and len(report.records) == len(self.records)
            and {record.id for record in report.records} == {record.id for record in self.records}
        )
        if not unchanged:
            self._show(report.records, report.read_only)
            self.post_message(HistoryChanged())
        self.fresh = True

    def _show(self, records: list[SessionRecord], read_only: bool) -> None:
        """Fill the table and the filter choices, keeping the cursor on the same session where possible."""
        highlighted = self.highlighted_record()
        self.read_only = read_only
        self._take(records)
        self._fill_filter_choices()
        self._move_to(highlighted)
        self.loaded = True

    def _move_to(self, record: SessionRecord | None) -> None:
        """The cursor on ``record`` again, if it is still in the table."""
        if record is not None:
            index = next((i for i, r in enumerate(self.matching[: self.shown]) if r.id == record.id), None)
            if index is not None:
                self.query_one("#sessions-table", DataTable).move_cursor(row=index)

    def _take(self, records: list[SessionRecord]) -> None:
        self.records = sorted(records, key=lambda record: record.started_at, reverse=True)
        self._stats_stale = True
        self.apply_filters()
        if self.query_one(TabbedContent).active == "statistics":
            self.show_statistics()

    def _fill_filter_choices(self) -> None:
        titles: dict[str, str] = {}
        areas: dict[str, None] = {}
        for record in self.records:  # newest first: the first title seen is the latest one
            titles.setdefault(record.routine_id, record.routine_title)
            for step in record.steps:
                areas[step.area] = None
        catalog = self.services.catalog
        routine_select = self.query_one("#routine-filter", Select)
        area_select = self.query_one("#area-filter", Select)
        with self.prevent(Select.Changed):
            routine_value, area_value = routine_select.value, area_select.value
            by_title = sorted(titles.items(), key=lambda item: item[1].lower())
            routine_select.set_options([(Text(title), rid) for rid, title in by_title])
            by_name = sorted((area_name(catalog, a), a) for a in areas)
            area_select.set_options(by_name)
            if routine_value in titles:
                routine_select.value = routine_value
            if area_value in areas:
                area_select.value = area_value

    # -- the table -------------------------------------------------------------------------------------------

    def _filter_day(self, widget_id: str, name: str, problems: list[str]) -> date | None:
        try:
            return parse_day(self.query_one(f"#{widget_id}", Input).value)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            return None

    def filters(self) -> tuple[dict[str, object], list[str]]:
        """The filter arguments for :func:`filter_records`, and what is wrong with the typed dates."""
        problems: list[str] = []
        since = self._filter_day("since", "Since", problems)
        until = self._filter_day("until", "Until", problems)
        if since and until and since > until:
            problems.append(f"Since ({since}) is after until ({until}): no session can match; swap them.")
        routine = self.query_one("#routine-filter", Select).value
        area = self.query_one("#area-filter", Select).value
        return {
            "since": since,
            "until": until,
            "routine_id": routine if isinstance(routine, str) else None,
            "area": area if isinstance(area, str) else None,
        }, problems

    def apply_filters(self) -> None:
        """Show the sessions the filters let through (a badly typed date is ignored, and said so)."""
        arguments, problems = self.filters()
        message = self.query_one("#filter-message", Static)
        message.update(" ".join(problems))
        message.display = bool(problems)
        if any(arguments.values()):
            self.matching = filter_records(self.records, **arguments)  # type: ignore[arg-type]
        else:
            self.matching = self.records
        table = self.query_one("#sessions-table", DataTable)
        table.clear()
        self._marked = None
        self.shown = 0
        self._add_page()

    def _add_page(self) -> None:
        table = self.query_one("#sessions-table", DataTable)
        page = self.matching[self.shown : self.shown + PAGE]
        for record in page:
            height = row_height(record, self.title_width, short_date=self.short_dates)
            table.add_row(*session_row(record, short_date=self.short_dates), height=height)
        self.shown += len(page)
        self._mark_cursor()
        self._show_status()
        self.refresh_bindings()

    def _show_status(self) -> None:
        total, matching, shown = len(self.records), len(self.matching), self.shown
        if total == 0:
            status = "No sessions yet. Sessions you finish or stop are kept here, on this machine only."
        elif matching == 0:
            status = f"No session of {total} matches these filters."
        else:
            which = f"{matching} of {count(total, 'session')} match" if matching < total else count(total, "session")
            status = f"{which}, newest first"
            if shown < matching:
                status += f"; showing {shown}, m shows {min(PAGE, matching - shown)} more"
        if self.read_only:
            status += " · read-only (written by a newer version)"
        self.query_one("#sessions-status", Static).update(status)

    def highlighted_record(self) -> SessionRecord | None:
        """The session under the table's cursor, if any."""
        table = self.query_one("#sessions-table", DataTable)
        if table.row_count == 0 or not 0 <= table.cursor_row < self.shown:
            return None
        return self.matching[table.cursor_row]

    @on(Select.Changed)
    @on(Input.Changed)
    def _filters_changed(self) -> None:
        if self.loaded:
            self.apply_filters()

    @on(Input.Submitted)
    def _date_submitted(self) -> None:
        self.query_one("#sessions-table", DataTable).focus()

    @on(DataTable.RowHighlighted, "#sessions-table")
    def _mark_cursor(self) -> None:
        """Mark the session under the cursor in characters, not by colour alone: ``▸`` before its date while the
        table has the focus, ``›`` when the focus is elsewhere (as every list marks its highlighted row)."""
        table = self.query_one("#sessions-table", DataTable)
        row = table.cursor_row if 0 <= table.cursor_row < min(self.shown, table.row_count) else None
        mark = ROW_MARK if table.has_focus else ROW_MARK_UNFOCUSED
        for index, shown in ((self._marked, "  "), (row, mark)):
            if index is not None and index < min(self.shown, table.row_count):
                key = table.coordinate_to_cell_key(Coordinate(index, 0)).row_key
                cell = date_cell(self.matching[index], short_date=self.short_dates, mark=shown)
                table.update_cell(key, "date", cell)
        self._marked = row

    def on_descendant_focus(self) -> None:
        self._mark_cursor()

    def on_descendant_blur(self) -> None:
        self._mark_cursor()

    @on(DataTable.RowSelected, "#sessions-table")
    def _row_selected(self) -> None:
        self.action_details()

    # -- statistics ------------------------------------------------------------------------------------------

    def show_statistics(self) -> None:
        """Draw the statistics over every session (not only the filtered ones) as of today on the clock, with the
        advice behind each area and what has helped (the app's latest guidance)."""
        if self._stats_stale:
            from companion.advice.advisor import bundled_rules

            today = local_date(self.services.clock.now())
            stats = statistics(self.records, today)
            found = guidance_of(self.app)
            why = bundled_rules().relief.explanation()
            advice = statistics_advice_text(found, stats_areas(stats), why) if found is not None else None
            text = statistics_text(self.services.catalog, stats, advice, self.allowances, self.unreadable)
            self.query_one("#stats-text", Static).update(HangingText.indented(text))
            self.query_one("#stats-chart", Static).update(daily_chart(stats.daily))
            self._stats_stale = False

    def on_guidance_changed(self) -> None:
        self._stats_stale = True
        if self.loaded and self.query_one(TabbedContent).active == "statistics":
            self.show_statistics()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "statistics":
            if self.loaded:
                self.show_statistics()
            self.query_one("#stats-scroll").focus()
        else:
            self.query_one("#sessions-table").focus()
        self.refresh_bindings()

    # -- actions ---------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        on_sessions = self.is_mounted and self.query_one(TabbedContent).active == "sessions"
        if action == "show_view":
            return parameters[0] == ("statistics" if on_sessions else "sessions")
        if action == "undo":
            return on_sessions and bool(self.undo_stack)
        if action == "more":
            return on_sessions and self.shown < len(self.matching)
        if action in ("details", "delete", "focus_filters"):
            return on_sessions
        return True

    def action_show_view(self, view: str) -> None:
        """Show the sessions or the statistics."""
        self.query_one(TabbedContent).active = view

    def action_back(self) -> None:
        table = self.query_one("#sessions-table", DataTable)
        if self.query_one(TabbedContent).active == "sessions" and not table.has_focus:
            table.focus()  # Escape first leaves the filters, then the screen
            return
        self.dismiss()

    def action_focus_filters(self) -> None:
        self.query_one("#routine-filter", Select).focus()

    def action_more(self) -> None:
        self._add_page()

    def action_details(self) -> None:
        record = self.highlighted_record()
        if record is not None:
            self.app.push_screen(SessionDetailScreen(session_detail(self.services.catalog, record)))

    def action_delete(self) -> None:
        record = self.highlighted_record()
        if record is None or self._busy():
            return
        if self.read_only:
            self._write(self._delete, [record])  # refused by the store, with its own message
            return
        question = Text("Delete the session ")
        question.append(record.routine_title, style="bold")
        question.append(
            f" of {local_time(record.started_at)}?\nYou can undo it with u until you leave this screen. Its time "
            "still counts towards the limits for 24 hours after it ended."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(self._delete, [record])

        self.app.push_screen(ConfirmScreen(question, "Delete", "Keep"), answered)

    def action_undo(self) -> None:
        if self.undo_stack and not self._busy():
            self._write(self._restore, self.undo_stack.pop())

    # -- writing ---------------------------------------------------------------------------------------------

    def _busy(self) -> bool:
        if self.writing:
            self.notify("Still saving your history; try again in a moment.", markup=False)
        return self.writing

    def _write(self, write: Callable[[T], object], what: T) -> None:
        """Start a write of the history (in a worker: it rewrites the whole file), saying so under the table."""
        self.writing = True
        self.query_one("#sessions-status", Static).update("Saving your history…")
        write(what)

    @work(thread=True, group="history-write")
    def _delete(self, doomed: list[SessionRecord]) -> None:
        until, problem = (
            (None, None) if self.read_only else note_deleted(self.services.paths, doomed, self.services.clock.now())
        )  # the time first: a crash in between then leaves it counted twice over, never not at all
        try:
            removed = self.store.delete(record.id for record in doomed)
            records = self.store.records
        except StorageError as exc:
            self.call_later(self._write_failed, str(exc))
            return
        self._read_allowances(records)
        self.call_later(self._deleted, removed, records, until, problem)

    def _deleted(
        self, removed: list[SessionRecord], records: list[SessionRecord], until: datetime | None, problem: str | None
    ) -> None:
        self.writing = False
        row = self.query_one("#sessions-table", DataTable).cursor_row
        if removed:
            self.undo_stack.append(removed)
            counted = "" if until is None else f" Its time still counts towards the limits until {moment(until)}."
            self.notify(f"Session deleted.{counted} Press u to undo (until you leave this screen).", markup=False)
        else:
            self.notify("That session was already deleted (perhaps in another window).", markup=False)
        if problem:
            self.notify(problem, severity="warning", markup=False)
        self._after_write(records, row)

    @work(thread=True, group="history-write")
    def _restore(self, records_back: list[SessionRecord]) -> None:
        try:
            self.store.restore(records_back)
            records = self.store.records
        except StorageError as exc:
            self.call_later(self._write_failed, str(exc), records_back)
            return
        self._read_allowances(records)
        self.call_later(self._restored, records_back, records)

    def _restored(self, records_back: list[SessionRecord], records: list[SessionRecord]) -> None:
        self.writing = False
        self.notify(f"{count(len(records_back), 'session').capitalize()} restored.", markup=False)
        self._after_write(records, None, records_back[0].id if records_back else None)

    def _write_failed(self, message: str, undo: list[SessionRecord] | None = None) -> None:
        self.writing = False
        self._show_status()
        if undo is not None:
            self.undo_stack.append(undo)  # still undoable once the problem is fixed
        self.notify(message, title="History not changed", severity="error", timeout=20, markup=False)
        self.refresh_bindings()

    def _after_write(self, records: list[SessionRecord], row: int | None, show: uuid.UUID | None = None) -> None:
        self._take(records)
        self._fill_filter_choices()
        table = self.query_one("#sessions-table", DataTable)
        if show is not None:
            index = next((i for i, r in enumerate(self.matching) if r.id == show), None)
            while index is not None and index >= self.shown:
                self._add_page()
            row = index
        if row is not None and table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self.refresh_bindings()
        self.post_message(HistoryChanged())
