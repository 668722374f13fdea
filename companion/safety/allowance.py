"""What each body area has had in the last 24 hours, against the daily limits the next plan would count.

The statistics view shows this. The caps are the plan's own (:func:`companion.safety.plan.day_caps`), taken
from the same :class:`~companion.safety.exposure.Exposure` the plan reads (history, ledger and a run's checkpoint,
over every tool and a rolling 24 hours), so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.catalogue.models import Catalog
from companion.catalogue.validation import area_cap
from companion.safety.exposure import Exposure
from companion.safety.plan import Cap, Names, day_caps
from companion.settings.user_settings import Settings


@dataclass(frozen=True)
class ToolAllowance:
    """One tool on one area: its time in the last 24 hours and what a plan could still give it there."""

    tool: str
    seconds: int
    """Seconds with this tool on the area in the last 24 hours."""
    limit_seconds: int | None
    """The tool's own limit on the area in any 24 hours (the settings may make it stricter); ``None``: none."""
    left: int | None
    """Seconds a plan could still give this tool on the area now, the limit over every tool included."""
    binding: Cap | None
    """The limit that leaves ``left`` (``None`` when no daily limit applies)."""
    uses: int
    """Sittings in the last 24 hours that used this tool (the open one included)."""
    day_uses: int | None
    """The most sittings a day with this tool, where a source gives one."""


@dataclass(frozen=True)
class AreaAllowance:
    """One area: its time over every tool in the last 24 hours, against the limit over every tool there."""

    area: str
    seconds: int
    limit_seconds: int | None
    """The limit on the area with every tool used there together (the most permissive of those tools'; smaller
    groups of them share smaller limits, counted in each tool's ``left``)."""
    tools: tuple[ToolAllowance, ...]

    @property
    def fraction(self) -> float:
        """The largest share of a limit used, by the area or by one of its tools (above 1.0: over it)."""
        shares = [self.seconds / self.limit_seconds] if self.limit_seconds else []
        shares += [t.seconds / t.limit_seconds for t in self.tools if t.limit_seconds]
        return max(shares, default=0.0)


def day_allowances(exposure: Exposure, catalog: Catalog, settings: Settings | None = None) -> list[AreaAllowance]:
    """Every area worked in the last 24 hours, the closest to a limit first."""
    settings = settings or Settings()
    names = Names.of(catalog)
    areas: list[AreaAllowance] = []
    for area in sorted({area for (_tool, area), seconds in exposure.day.items() if seconds > 0}):
        used = exposure.tools_on(area, day=True)
        tools: list[ToolAllowance] = []
        for tool in sorted(used):
            caps = day_caps(tool, area, catalog, settings, exposure, used, names)
            own = next((cap for cap in caps if cap.key[0] == "day"), None)
            binding = min(caps, key=lambda cap: cap.total, default=None)
            uses = exposure.uses.get(tool, 0) + (1 if tool in exposure.open_tools else 0)
            tools.append(
                ToolAllowance(
                    tool=tool,
                    seconds=exposure.day.get((tool, area), 0),
                    limit_seconds=None if own is None else own.total + own.already,
                    left=None if binding is None else max(0, binding.total),
                    binding=binding,
                    uses=uses,
                    day_uses=catalog.limit_for(tool, area).day_uses,
                )
            )
        together = area_cap(catalog.safety, area, used, "day")
        limit = None if together is None else together.seconds
        areas.append(AreaAllowance(area, exposure.day_area(area), limit, tuple(tools)))
    return sorted(areas, key=lambda a: (-a.fraction, -a.seconds, a.area))
