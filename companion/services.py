"""The app's dependencies, built once at start and handed to the UI (screens never build their own)."""

from __future__ import annotations

from dataclasses import dataclass, field

from companion.clock import Clock, SystemClock
from companion.models import Catalog
from companion.paths import Paths, default_paths
from companion.problems import Problem


@dataclass
class Services:
    """Everything a screen may need: the catalogue, where files live and the clock."""

    catalog: Catalog
    paths: Paths
    clock: Clock
    user_problems: list[Problem] = field(default_factory=list)


def build_services(paths: Paths | None = None, clock: Clock | None = None) -> Services:
    """Load the catalogue (bundled and the user's routines) and gather the app's dependencies."""
    from content import load_catalog

    paths = paths or default_paths()
    result = load_catalog(user_routines=paths.routines)
    return Services(
        catalog=result.catalog, paths=paths, clock=clock or SystemClock(), user_problems=result.user_problems
    )
