"""The Companion app: wires the screens to the core's services, themes, keys and the command palette."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from companion.services import Services, build_services
from screens.help import HelpScreen, key_lines
from screens.home import HomeScreen
from screens.themes import DEFAULT_THEME, THEMES


class CompanionApp(App[int]):
    """Timed self-massage routines, therapy explanations and a private history, in the terminal."""

    TITLE = "Companion"
    CSS_PATH = "app.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (76, "-wide")]
    BINDINGS = [
        Binding("question_mark", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, services: Services, start_routine: str | None = None) -> None:
        super().__init__()
        self.services = services
        self.start_routine = start_routine
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = services.settings.theme if services.settings.theme in self.available_themes else DEFAULT_THEME

    def on_mount(self) -> None:
        self.push_screen(HomeScreen(self.services.catalog))
        for problem in self.services.user_problems:
            self.notify(str(problem), title="A routine file was left out", severity="warning", timeout=15, markup=False)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Keys for this screen, the safety notice and the red flags", self.action_help)
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

    def reload_catalog(self, highlight: str | None = None) -> None:
        """Load the catalogue again (after the user's routines changed) and refresh the routine lists."""
        from content import load_catalog

        result = load_catalog(user_routines=self.services.paths.routines)
        self.services.catalog = result.catalog
        self.services.user_problems = result.user_problems
        for problem in result.user_problems:
            self.notify(str(problem), title="A routine file was left out", severity="warning", timeout=15, markup=False)
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.catalog = result.catalog
                screen.refresh_routines()
                if highlight is not None:
                    screen.show_routine(highlight)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.services.catalog, key_lines(self.screen)))


def run_app(start_routine: str | None = None) -> int:
    """Build the services and run the app until the user quits; return the exit status."""
    app = CompanionApp(build_services(), start_routine=start_routine)
    app.run()
    return app.return_code or 0
