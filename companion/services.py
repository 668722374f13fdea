"""The app's dependencies, built once at start and handed to the UI (screens never build their own)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from companion.catalogue.models import Catalog
from companion.catalogue.problems import Problem
from companion.disk.paths import Paths, default_paths
from companion.history.queries import local_date
from companion.history.store import HistoryStore
from companion.run.clock import Clock, SystemClock
from companion.settings.user_settings import HandsFreeChoice, Settings, load_settings


@dataclass
class Services:
    """Everything a screen may need: the catalogue, settings, the history store, where files live and the clock.

    ``settings`` is replaced (never mutated) when the user changes a setting; the history is loaded by the app
    in a worker so that a long history never delays the first frame.
    """

    catalog: Catalog
    paths: Paths
    clock: Clock
    settings: Settings
    store: HistoryStore
    user_problems: list[Problem] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    """Things the user should be told at start (a settings file kept aside, ...)."""
    hands_free: HandsFreeChoice = field(default_factory=HandsFreeChoice)
    """Spoken cues and notifications asked for on the command line (the settings may turn them on too)."""

    def today(self) -> date:
        """The user's local day, from the clock."""
        return local_date(self.clock.now())


def build_services(paths: Paths | None = None, clock: Clock | None = None) -> Services:
    """Load the catalogue (bundled and the user's routines) and gather the app's dependencies."""
    from companion.catalogue.cache import load_catalog_cached

    paths = paths or default_paths()
    result = load_catalog_cached(user_routines=paths.routines)
    settings, message = load_settings(paths)
    return Services(
        catalog=result.catalog,
        paths=paths,
        clock=clock or SystemClock(),
        settings=settings,
        store=HistoryStore(paths),
        user_problems=result.user_problems,
        messages=[message] if message else [],
    )
