"""What has helped this person: the average change in tension per routine, tool and body area, and how sure it is.

Only sessions rated both before and after count. A session's relief (tension before minus after: positive means
it eased) counts once for its routine, once for each tool and once for each area it really used. Below the rules'
``min_sessions`` a figure has no average: "not enough data yet". The interval is the 95% confidence interval of
the mean (Student's t), so a figure from few or scattered ratings says so by being wide; it is never narrower
than the rounding of whole-number ratings allows (:data:`RATING_ROUNDING_SD`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from companion.advice.models import ReliefRule, format_number
from companion.catalogue.models import Catalog, Routine
from companion.history.records import SessionRecord

Kind = Literal["routine", "tool", "area"]

T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
    2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
"""Student's t at 97.5% for 1 to 30 degrees of freedom (two-sided 95%), from the standard tables."""
Z_975 = 1.959964


def t_975(degrees: int) -> float:
    """Student's t quantile for a two-sided 95% interval; beyond the table, the normal value with two
    Cornish-Fisher corrections (within 0.001 of the exact value from 31 degrees of freedom on)."""
    if degrees < 1:
        raise ValueError("an interval needs at least two ratings")
    if degrees <= len(T_975):
        return T_975[degrees - 1]
    z = Z_975
    return z + (z**3 + z) / (4 * degrees) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * degrees**2)


@dataclass(frozen=True)
class ReliefFigure:
    """How much one routine, tool or area has eased this person's tension."""

    kind: Kind
    key: str
    name: str
    sessions: int
    """Rated sessions (before and after) it rests on."""
    needed: int
    """Rated sessions needed before an average is given."""
    mean: float | None = None
    """Average of tension before minus after (positive: eased); ``None`` below ``needed``."""
    low: float | None = None
    high: float | None = None
    """The 95% interval of the average."""

    @property
    def enough(self) -> bool:
        return self.mean is not None

    def text(self) -> str:
        """``eased by 2.4 points on average (95% interval: eased by 1.6 to 3.2; 7 sessions)`` or "not enough data
        yet"."""
        if self.mean is None or self.low is None or self.high is None:
            return f"not enough data yet ({self.sessions} of {self.needed} rated sessions)"
        return f"{_change(self.mean)} on average ({_interval(self.low, self.high)}; {self.sessions} sessions)"

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "id": self.key,
            "name": self.name,
            "sessions": self.sessions,
            "needed": self.needed,
            "mean_relief": self.mean,
            "interval_95": None if self.low is None else [self.low, self.high],
        }


def _change(mean: float) -> str:
    rounded = round(mean, 1)
    if rounded == 0:
        return "no change"
    points = f"{format_number(abs(rounded))} point{'' if abs(rounded) == 1 else 's'}"
    return f"eased by {points}" if rounded > 0 else f"rose by {points}"


def _interval(low: float, high: float) -> str:
    """The 95% interval in the headline's own words (eased or rose, in points), never in signed relief units:
    ``95% interval: eased by 1.6 to 3.2``, ``... rose by 0.2 to 1.4``, ``... from a rise of 1.2 to an easing of
    0.5``."""
    low, high = round(low, 1), round(high, 1)
    if low >= 0:
        return f"95% interval: eased by {format_number(low)} to {format_number(high)}"
    if high <= 0:
        return f"95% interval: rose by {format_number(-high)} to {format_number(-low)}"
    return f"95% interval: from a rise of {format_number(-low)} to an easing of {format_number(high)}"


RATING_ROUNDING_SD = math.sqrt(2 / 12)
"""The least spread a session's relief is taken to have (about 0.41 points). Ratings are whole numbers, so each
stands for a true value up to half a point either side (a uniform rounding error of standard deviation
1/sqrt(12)); a relief is the difference of two ratings. Identical ratings therefore still give an interval of
some width: five sessions rated alike are not certainty."""


def figure(kind: Kind, key: str, name: str, reliefs: Sequence[int], needed: int) -> ReliefFigure:
    """The figure over ``reliefs`` (tension before minus after per session)."""
    count = len(reliefs)
    if count < needed or count < 2:
        return ReliefFigure(kind, key, name, count, needed)
    mean = statistics.fmean(reliefs)
    spread = max(statistics.stdev(reliefs), RATING_ROUNDING_SD)
    half = t_975(count - 1) * spread / math.sqrt(count)
    return ReliefFigure(kind, key, name, count, needed, mean, mean - half, mean + half)


def relief_figures(catalog: Catalog, rule: ReliefRule, records: Iterable[SessionRecord]) -> list[ReliefFigure]:
    """Per routine, then per tool, then per area: every one rated at least once, the most helpful first within
    each kind (figures with an average before those without; then most sessions; then name)."""
    reliefs: dict[tuple[Kind, str], list[int]] = {}
    titles: dict[str, tuple[datetime, str]] = {}
    for record in records:
        if record.tension_before is None or record.tension_after is None:
            continue
        relief = record.tension_before - record.tension_after
        used = [step for step in record.steps if step.actual_seconds > 0]
        keys: list[tuple[Kind, str]] = [("routine", record.routine_id)]
        keys += [("tool", tool) for tool in dict.fromkeys(step.tool for step in used)]
        keys += [("area", area) for area in dict.fromkeys(step.area for step in used)]
        for key in keys:
            reliefs.setdefault(key, []).append(relief)
        known = titles.get(record.routine_id)
        if known is None or record.started_at >= known[0]:
            titles[record.routine_id] = (record.started_at, record.routine_title)

    def name(kind: Kind, key: str) -> str:
        if kind == "routine":
            return titles[key][1]
        found = catalog.tools.get(key) if kind == "tool" else catalog.areas.get(key)
        return found.name if found is not None else key

    figures = [figure(kind, key, name(kind, key), values, rule.min_sessions) for (kind, key), values in reliefs.items()]
    order: dict[Kind, int] = {"routine": 0, "tool": 1, "area": 2}
    return sorted(
        figures,
        key=lambda f: (order[f.kind], f.mean is None, -(f.mean or 0.0), -f.sessions, f.name.lower()),
    )


def most_helpful_routine(
    catalog: Catalog, figures: Iterable[ReliefFigure], fits_today: Callable[[Routine], bool]
) -> tuple[Routine, ReliefFigure] | None:
    """The routine that has eased this person's tension most (with enough data, on average more than not at all)
    among those ``fits_today`` allows (within today's limits, no area to rest); ``None`` if there is none."""
    ranked = sorted(
        (f for f in figures if f.kind == "routine" and f.mean is not None and f.mean > 0),
        key=lambda f: (-(f.mean or 0.0), -(f.low or 0.0)),
    )
    for item in ranked:
        routine = catalog.routine(item.key)
        if routine is not None and fits_today(routine):
            return routine, item
    return None
