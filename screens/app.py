"""The Companion app: wires the screens to the core's services, themes, keys and the command palette."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.theme import Theme

from companion.disk.fileio import FolderSignature, file_signature, folder_signature
from companion.history.queries import local_date, today_summary
from companion.history.records import implausible_kept
from companion.history.store import StorageError
from companion.services import Services, build_services
from companion.settings.user_settings import DEFAULT_THEME, HandsFreeChoice, Settings, SettingsChange
from companion.words import count
from screens.help import HelpScreen, key_lines
from screens.home import HomeScreen
from screens.messages import FlowMessage, GuidanceChanged, HistoryChanged, HistoryReloaded, SettingsChanged
from screens.routine_commands import RoutineCommands
from screens.screen_kinds import NAVIGATION, NAVIGATION_ACTIONS, FlowStep, OpenedByKey
from screens.settings_saver import SettingsSaver
from screens.themes import THEMES

if TYPE_CHECKING:
    from companion.advice.guidance import Guidance
    from companion.catalogue.loader import LoadResult
    from companion.catalogue.problems import Problem
    from companion.safety.screening import ScreeningAnswers
    from screens.flow import RoutineFlow
    from screens.runner import RunnerScreen


def left_out_messages(problems: list[Problem]) -> list[str]:
    """A line per file of ``problems``: its one problem, or how many it has and the command that lists them."""
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        by_file.setdefault(problem.file, []).append(problem)
    return [
        str(found[0])
        if len(found) == 1
        else f"{Path(file).name} left out: {count(len(found), 'problem')}. First, {_without_file(found[0])}. "
        f"`companion validate {file}` lists them all."
        for file, found in by_file.items()
    ]


def _without_file(problem: Problem) -> str:
    """``line 1: goals: is required`` (the file is named before it)."""
    where = f"line {problem.line}: " if problem.line else ""
    return f"{where}{problem.field}: {problem.message}" if problem.field else f"{where}{problem.message}"


HISTORY_LOOK_SECONDS = 1.0
"""How often the app looks whether another program changed the history file (one ``stat``; a design choice: a
session saved in another window shows here within a second or so)."""


ROOMY_WIDTH = 100
"""From this width a screen may lay out side by side what it stacks below it (the statistics and their chart)."""


def width_class(width: int, breakpoints: list[tuple[int, str]]) -> str:
    """The class of the widest breakpoint that ``width`` reaches (as Textual's own breakpoints choose it)."""
    return max((point for point in breakpoints if width >= point[0]), default=min(breakpoints))[1]


class CompanionApp(App[int]):
    """Timed self-massage routines, therapy explanations and a private history, in the terminal."""

    TITLE = "Companion"
    # The home screen's styles are read with the app's: as the first screen's own CSS_PATH they would make Textual
    # parse every rule again just before the first frame.
    CSS_PATH = ["app.tcss", "home.tcss"]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (76, "-wide"), (ROOMY_WIDTH, "-roomy")]
    COMMANDS = App.COMMANDS | {RoutineCommands}  # the app's commands, and every routine by its title
    BINDINGS = [
        Binding("question_mark", "help", "Help"),
        *NAVIGATION,  # hidden while a routine's flow or a dialog is on screen (check_action)
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
    ]

    def __init__(self, services: Services, start_routine: str | None = None) -> None:
        super().__init__()
        self.services = services
        self.start_routine = start_routine
        self.history_ready = False
        """True once the history has been read (screens that need it may wait for :class:`HistoryChanged`)."""
        self.guidance: Guidance | None = None
        """Today's advice and what has helped, once worked out (see :meth:`refresh_guidance`)."""
        self._implausible: str | None = None
        """The last message about sessions no run could have given (told again only when it changes)."""
        for theme in THEMES:
            self.register_theme(theme)
        saved = services.settings.theme
        self.theme = saved if saved in self.available_themes else DEFAULT_THEME
        self.settings_saver = SettingsSaver(self, services.paths, lambda: self.services.settings, self.take_settings)
        self._flow: RoutineFlow | None = None
        self._settings_seen = file_signature(services.paths.settings)
        self._routines_seen = folder_signature(services.paths.routines, ".toml")
        """The user's routine files as last loaded (another window's builder may add, change or remove them)."""

    def get_key_display(self, binding: Binding) -> str:
        """A one-character key is shown as it is. Textual would first look it up as a Unicode character name (in
        vain: there is no character named "f"), which pages in more of Python's name table: 0.2 MiB at start.

        Textual documents this method as the one to implement "if you want to change how keys are displayed".
        """
        if not binding.key_display and len(binding.key) == 1:
            return binding.key
        return super().get_key_display(binding)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keep the screen-opening keys off flow screens and dialogs, where a stray key must not lead away."""
        if action not in NAVIGATION_ACTIONS:
            return True
        screen = self.screen
        if isinstance(screen, OpenedByKey) and action == screen.OPENED_BY:
            return False  # the key to the screen you are on: left out of its Footer
        return not isinstance(screen, ModalScreen | FlowStep)

    def get_default_screen(self) -> Screen[None]:
        """The home screen, first on the stack (rather than pushed over Textual's blank default screen, which would
        be styled, shown and suspended before it)."""
        home = HomeScreen(self.services.catalog, self.services.settings)
        # The width class the first resize would add, added now: the first frame is styled once, not twice.
        home.add_class(width_class(self.size.width, self.HORIZONTAL_BREAKPOINTS))
        return home

    def _tell_left_out(self, problems: list[Problem]) -> None:
        """One toast per routine file left out, however many problems it has (six stacked toasts for one file
        covered the whole preview): the problem itself when there is one, else how many and where to see them."""
        for message in left_out_messages(problems):
            self.notify(message, title="A routine file was left out", severity="warning", timeout=15, markup=False)

    def on_mount(self) -> None:
        if not self.is_headless:
            self._end_on_termination()
        self._tell_left_out(self.services.user_problems)
        for message in self.services.messages:
            self.notify(message, severity="warning", timeout=15, markup=False)
        self.call_after_refresh(self.load_history)  # after the first frame: reading never delays it
        self.set_interval(HISTORY_LOOK_SECONDS, self.look_elsewhere)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self._offer_recovery()  # first: a routine asked for on the command line waits for the offer
        if self.start_routine is not None:
            self.flow.start(self.start_routine)
        self.call_after_refresh(self._collect_garbage_from_now_on)

    def _collect_garbage_from_now_on(self) -> None:
        """After the first frame, when the collector was left off for the start (``open_app``): what the start built
        lives as long as the app, so it is frozen out of the collector's way (``gc.freeze``, as the Python docs
        advise) before the collector is turned back on. Full collections then look at new objects only: a few
        milliseconds instead of pauses of 50-200 ms in the middle of a key press, measured on the runner."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    @property
    def flow(self) -> RoutineFlow:
        """The one place that decides which screen comes next (loaded when first needed: a quicker start)."""
        if self._flow is None:
            from screens.flow import RoutineFlow

            self._flow = RoutineFlow(self)
        return self._flow

    @on(FlowMessage)
    def _go_on(self, message: FlowMessage) -> None:
        """A screen said what happened: the flow decides where the user goes."""
        message.stop()
        self.flow.handle(message)

    def _offer_recovery(self) -> None:
        """A run left unfinished is rare: looked for in a worker (the first frame never waits on reading the
        history), and the flow's modules are not even loaded when there is no checkpoint at all."""
        if self.services.paths.checkpoint.exists():
            self.flow.offer_recovery()

    def todays_answers(self) -> ScreeningAnswers:
        """Today's screening answers as last given in this window (see ``RoutineFlow.todays_answers``)."""
        return self.flow.todays_answers()

    def remember_answers(self, answers: ScreeningAnswers, shown: ScreeningAnswers) -> None:
        """Keep the answers changed from those ``shown`` (see ``RoutineFlow.remember_answers``)."""
        self.flow.remember_answers(answers, shown)

    def action_screening(self) -> None:
        """Change today's screening answers (every question), from anywhere."""
        from screens.runner import RunnerScreen
        from screens.screening import ScreeningScreen

        if isinstance(self.screen, RunnerScreen):
            self.screen.hold()  # no countdown while the answers are open; they are checked on the way back
        if not isinstance(self.screen, ScreeningScreen):
            self.push_screen(ScreeningScreen(self.services, None, self.todays_answers()))

    def on_app_focus(self) -> None:
        """Back to this terminal: another window may just have saved a session, settings or a routine."""
        self.look_elsewhere()

    def look_elsewhere(self) -> None:
        """What another window or command may have changed: the history, the settings, the user's routines. A
        ``stat`` of each (and a listing of the routines folder), never a read, unless one changed."""
        self.look_at_history()
        settings = file_signature(self.services.paths.settings)
        if settings != self._settings_seen:
            self._settings_seen = settings
            self.fresh_settings()  # a few hundred bytes; the screens are told when another window changed them
        reloading = any(worker.group == "reload-catalogue" for worker in self.workers)
        if not reloading and folder_signature(self.services.paths.routines, ".toml") != self._routines_seen:
            self.reload_catalog()

    def look_at_history(self) -> None:
        """When another program (a window, ``companion start --plain``, ``companion import``) has changed the history
        file, read it again in a worker: the advice, the suggestion, the header and the history follow the disk. A
        ``stat`` only, never a read, on the UI thread; this window's own writes do not count as changes."""
        if self.history_ready and self.services.store.changed_on_disk():
            self.load_history(again=True)

    @work(thread=True, exclusive=True, group="history")
    def load_history(self, again: bool = False) -> None:
        """Read the history off the UI thread, so a long history never delays the first frame; ``again``: read once
        more because another program changed it (the screens showing sessions are told)."""
        try:
            report = self.services.store.load()
        except StorageError as exc:
            self.call_from_thread(self.notify, str(exc), title="History", severity="error", timeout=20, markup=False)
            return
        kept = implausible_kept(report.records, self.services.clock.now(), self.services.catalog)
        told, self._implausible = self._implausible, kept
        for message in [*report.messages, *([kept] if kept and kept != told else [])]:
            self.call_from_thread(self.notify, message, title="History", severity="warning", timeout=20, markup=False)
        self.call_from_thread(self._history_read, again)

    def _history_read(self, again: bool) -> None:
        if again:
            for screen in self.screen_stack:
                screen.post_message(HistoryReloaded())
        self.post_message(HistoryChanged())

    @on(HistoryChanged)
    def refresh_today(self) -> None:
        """Show today's minutes and the streak in the header, on every screen."""
        records = self.services.store.records
        today = local_date(self.services.clock.now())
        self.history_ready = True
        for message in self.services.store.take_messages():  # found by a write, or by a load on first use
            self.notify(message, title="History", severity="warning", timeout=20, markup=False)
        self.sub_title = today_summary(records, today)
        self.refresh_guidance()

    def refresh_guidance(self) -> None:
        """Work out today's advice again, off the UI thread; every screen hears of it (:class:`GuidanceChanged`)."""
        self._guidance_worker()

    @work(thread=True, exclusive=True, group="guidance")
    def _guidance_worker(self) -> None:
        from screens.guidance_work import compute_guidance

        found = compute_guidance(self.services)
        self.call_from_thread(self._guidance_ready, found)

    def _guidance_ready(self, found: Guidance) -> None:
        self.guidance = found
        for screen in self.screen_stack:
            screen.post_message(GuidanceChanged(found))

    def action_advice(self) -> None:
        """Today's advice in full, with what has helped (once worked out)."""
        from screens.advice import AdviceScreen

        if self.guidance is None:
            self.notify("Still reading your history; the advice follows in a moment.", markup=False)
            return
        if not isinstance(self.screen, AdviceScreen):
            self.push_screen(AdviceScreen(self.services.catalog, self.guidance))

    def _end_on_termination(self) -> None:
        """SIGTERM (a kill, a logout) and SIGHUP (the terminal closed) end the app as quitting does: a run in
        progress checkpointed first, the terminal given back as it was (no alternate screen, no mouse reporting)."""
        loop = asyncio.get_running_loop()
        for name in ("SIGTERM", "SIGHUP"):
            number = getattr(signal, name, None)
            if number is not None:
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(number, self.terminated, number)

    def terminated(self, number: int) -> None:
        """The system asked the app to end (signal ``number``): checkpoint the run, then exit with 128 + number."""
        runner = self.running()
        if runner is not None:
            runner.checkpoint_now()
        self.exit(return_code=128 + number)

    def running(self) -> RunnerScreen | None:
        """The runner of a routine under way in this window, if any."""
        if "screens.runner" not in sys.modules:  # no routine was run in this window
            return None
        from screens.runner import RunnerScreen

        return next((s for s in self.screen_stack if isinstance(s, RunnerScreen) and not s.ended), None)

    async def action_quit(self) -> None:
        """Ctrl+Q: quit; during a run, checkpoint first and ask, as Stop does."""
        runner = self.running()
        if runner is None:
            self.exit()
        elif self.screen is runner:
            runner.ask_to_quit()
        else:  # a dialog over the run (the stop question): the run is paused and checkpointed already
            runner.checkpoint_now()
            self.exit()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Companion's commands only; of Textual's own, the theme picker (a setting) and Quit, in our words."""
        yield SystemCommand("Theme", "Pick a colour theme; it is kept in your settings", self.action_change_theme)
        yield SystemCommand("Quit", "Close Companion (ctrl+q)", self.action_quit)
        yield SystemCommand("Help", "Keys for this screen, the safety notice and the red flags", self.action_help)
        yield SystemCommand(
            "Settings", "Theme, bell, motion, breathing, stricter limits, your tools, prices (,)", self.action_settings
        )
        yield SystemCommand(
            "History", "Past sessions, details, filters, delete with undo, and statistics (h)", self.action_history
        )
        yield SystemCommand("Red flags", "When to stop and see a doctor rather than massage", self.action_red_flags)
        yield SystemCommand(
            "Advice", "Today's advice (rest, a therapist or a doctor), why, and what has helped you", self.action_advice
        )
        yield SystemCommand(
            "Therapy guide", "The professional therapies explained, searchable by condition (t)", self.action_therapies
        )
        yield SystemCommand(
            "Compare self-massage and a therapist",
            "Cost with your local prices, time, reach, advice and safety",
            self.action_compare,
        )
        yield SystemCommand(
            "Change today's screening answers",
            "The safety questions asked before a routine; answers are kept for the day",
            self.action_screening,
        )
        if isinstance(screen, HomeScreen):
            yield SystemCommand("New routine", "Build your own routine, step by step (n)", screen.action_new_routine)
            yield SystemCommand(
                "Edit routine", "Change the highlighted routine of yours (e)", screen.action_edit_routine
            )
            yield SystemCommand(
                "Copy routine", "Start a routine of yours from the highlighted one (c)", screen.action_copy_routine
            )
            yield SystemCommand(
                "Delete routine",
                "Delete the highlighted routine of yours, after asking (delete)",
                screen.action_delete_routine,
            )

    @work(thread=True, exclusive=True, group="reload-catalogue")
    def reload_catalog(self, highlight: str | None = None) -> None:
        """Load the catalogue again off the UI thread (after the user's routines changed), then show it."""
        from companion.catalogue.loader import load_catalog

        seen = folder_signature(self.services.paths.routines, ".toml")
        result = load_catalog(user_routines=self.services.paths.routines)
        self.call_from_thread(self._show_catalog, result, highlight, seen)

    def _show_catalog(self, result: LoadResult, highlight: str | None, seen: FolderSignature) -> None:
        """Make ``result`` the catalogue and refresh the routine lists (highlighting ``highlight``)."""
        self._routines_seen = seen
        self.services.catalog = result.catalog
        self.services.user_problems = result.user_problems
        self._tell_left_out(result.user_problems)
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.catalog = result.catalog
                screen.refresh_routines()
                if highlight is not None:
                    screen.show_routine(highlight)

    def action_settings(self) -> None:
        from screens.settings import SettingsScreen  # imported when first opened: a quicker start

        if not isinstance(self.screen, SettingsScreen):
            settings = self.fresh_settings()  # what another window changed since is shown
            self.push_screen(SettingsScreen(self.services.catalog, settings, self.apply_settings))

    def apply_settings(self, settings: Settings, before: Settings | None = None) -> None:
        """Make ``settings`` current at once (theme, every screen on the stack) and save them in the background:
        only the fields changed from ``before`` (else from the current settings) are written, each made to the
        settings as they are on disk then, so what another window set meanwhile is kept."""
        change = SettingsChange.between(before or self.services.settings, settings)
        if not change.fields:
            return
        settings = change.applied_to(self.services.settings)
        self.services.settings = settings
        if settings.theme in self.available_themes and settings.theme != self.theme:
            self.theme = settings.theme
        for screen in self.screen_stack:
            screen.post_message(SettingsChanged(settings))
        self.settings_saver.request(change)

    def fresh_settings(self) -> Settings:
        """The settings as they are now: the file read again (another window's changes) with this window's not yet
        written; the screens are told when that changed them."""
        self.take_settings(self.settings_saver.now())
        return self.services.settings

    def take_settings(self, settings: Settings) -> None:
        """``settings`` as read from disk (another window's changes in them) become current here."""
        if settings == self.services.settings:
            return
        self.services.settings = settings
        for screen in self.screen_stack:
            screen.post_message(SettingsChanged(settings, elsewhere=True))

    def _remember_theme(self, theme: Theme) -> None:
        """A theme picked anywhere (the palette's "Theme" too) is a setting: keep it."""
        if theme.name != self.services.settings.theme:
            self.apply_settings(self.services.settings.updated(theme=theme.name))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.services.catalog, key_lines(self.screen)))

    def action_history(self) -> None:
        from screens.history import HistoryScreen

        if not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen(self.services, history_ready=self.history_ready))

    def action_red_flags(self) -> None:
        from screens.red_flags import RedFlagsScreen

        if not isinstance(self.screen, RedFlagsScreen):
            self.push_screen(RedFlagsScreen(self.services.catalog))

    def action_therapies(self) -> None:
        from companion.advice.advisor import matching_therapy
        from screens.therapies import TherapiesScreen

        if isinstance(self.screen, TherapiesScreen):
            return
        therapy_id = None
        if isinstance(self.screen, HomeScreen):  # open on the therapy matching the routine being looked at
            routine = self.screen.highlighted_routine()
            match = matching_therapy(routine, self.services.catalog) if routine else None
            therapy_id = match[0].id if match else None
        self.push_screen(
            TherapiesScreen(self.services.catalog, therapy_id=therapy_id), callback=self._open_routine_from_guide
        )

    def action_compare(self) -> None:
        from companion.advice.advisor import bundled_rules
        from screens.compare import CompareScreen

        if not isinstance(self.screen, CompareScreen):
            self.push_screen(CompareScreen(self.services, bundled_rules(), self.apply_settings))

    def _open_routine_from_guide(self, routine_id: str | None) -> None:
        """The therapy guide was left by choosing a related routine: show it on the home screen, filters cleared."""
        if routine_id is None:
            return
        home = self.screen
        if not isinstance(home, HomeScreen):
            routine = self.services.catalog.routine(routine_id)
            title = routine.title if routine else routine_id
            self.notify(f"Find {title} on the home screen when you are done here.", markup=False)
            return
        home.action_clear_filters()
        home.refresh_routines()
        home.show_routine(routine_id)


def run_app(start_routine: str | None = None, hands_free: HandsFreeChoice | None = None) -> int:
    """Build the services and run the app until the user quits; return the exit status."""
    services = build_services()
    if hands_free is not None:
        services.hands_free = hands_free
    app = CompanionApp(services, start_routine=start_routine)
    app.run()
    problem = app.settings_saver.flush()  # a change made just before quitting is written, not lost
    if problem:
        print(problem, file=sys.stderr)
    return app.return_code or 0
