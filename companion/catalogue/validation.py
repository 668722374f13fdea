"""What a routine must satisfy as written: references that exist, times within the limits, tools kept off the
areas they must avoid. Checked whenever a routine is read (bundled or the user's).

Pure functions over the catalogue's vocabulary and safety rules; the per-session plan (screening answers and
today's history) builds on the same limits in :mod:`companion.safety.plan`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from companion.catalogue.models import (
    INTENSITY_ORDER,
    AreaRule,
    Routine,
    SafetyRules,
    Step,
    Vocabulary,
    effective_limit,
)

ACROSS_TOOLS_SOURCE = "design-across-tools"
"""The source id of the rule that time on an area adds up over every tool."""


@dataclass(frozen=True)
class AreaCap:
    """A cap on an area over every tool: the most permissive single tool's cap, with that tool and its source."""

    seconds: int
    tool: str
    source: str


def area_cap(rules: SafetyRules, area: str, tools: Iterable[str], kind: str) -> AreaCap | None:
    """The cap of ``kind`` (``"session"`` or ``"day"``) on ``area`` for all ``tools`` together.

    Mixing tools never allows more than the most permissive single tool used there would allow on its own, so
    the cap is the largest of the tools' own caps (each tool keeps its own, tighter cap as well).
    """
    best: AreaCap | None = None
    for tool in sorted(set(tools)):
        limit = effective_limit(rules.limits, tool, area)
        if kind == "session":
            value, source = limit.area_session_seconds, limit.area_session_source
        else:
            value, source = limit.area_day_seconds, limit.day_source
        if value is not None and (best is None or value > best.seconds):
            best = AreaCap(value, tool, source)
    return best


def area_rule(rules: SafetyRules, area: str) -> AreaRule | None:
    """What may work ``area`` at all (allowed tools, firmest pressure), if the rules say."""
    return next((rule for rule in rules.area_rules if rule.area == area), None)


def area_rule_problem(rules: SafetyRules, step: Step) -> tuple[str, AreaRule] | None:
    """``("tool" | "intensity", rule)`` when ``step`` breaks its area's rule, else ``None``."""
    rule = area_rule(rules, step.area)
    if rule is None:
        return None
    if rule.tools and step.tool not in rule.tools:
        return "tool", rule
    if rule.max_intensity is not None and INTENSITY_ORDER.index(step.intensity) > INTENSITY_ORDER.index(
        rule.max_intensity
    ):
        return "intensity", rule
    return None


def reference_problems(routine: Routine, vocabulary: Vocabulary, therapy_ids: set[str]) -> list[tuple[str, str]]:
    """Cross references that point nowhere, as ``(field path, message)`` pairs."""
    known = {
        "area": {a.id for a in vocabulary.areas},
        "tool": {t.id for t in vocabulary.tools},
        "technique": {t.id for t in vocabulary.techniques},
    }
    goals = {g.id for g in vocabulary.goals}
    problems: list[tuple[str, str]] = []
    for index, goal in enumerate(routine.goals):
        if goal not in goals:
            problems.append((f"goals[{index}]", f"unknown goal '{goal}'; use one of: {', '.join(sorted(goals))}"))
    for index, therapy in enumerate(routine.therapies):
        if therapy not in therapy_ids:
            problems.append(
                (f"therapies[{index}]", f"unknown therapy '{therapy}'; use one of: {', '.join(sorted(therapy_ids))}")
            )
    for index, step in enumerate(routine.steps):
        for kind, ids in known.items():
            value = getattr(step, kind)
            if value not in ids:
                problems.append(
                    (f"steps[{index}].{kind}", f"unknown {kind} '{value}'; use one of: {', '.join(sorted(ids))}")
                )
    return problems


def limit_problems(routine: Routine, vocabulary: Vocabulary, rules: SafetyRules) -> list[tuple[str, str]]:
    """Every place where the routine as written breaks a safety limit, as ``(field path, message)`` pairs.

    Checks per step, per area in the session, per tool in the session, the daily cap per area (a single
    routine may not fill more than a day's allowance) and the areas a tool must avoid.
    """
    tools = {t.id: t.phrase for t in vocabulary.tools}
    areas = {a.id: a.name.lower() for a in vocabulary.areas}
    problems: list[tuple[str, str]] = []
    per_area: dict[tuple[str, str], int] = defaultdict(int)
    per_tool: dict[str, int] = defaultdict(int)
    last_index: dict[tuple[str, str], int] = {}
    last_tool_index: dict[str, int] = {}
    area_total: dict[str, int] = defaultdict(int)
    area_last: dict[str, int] = {}
    for index, step in enumerate(routine.steps):
        tool_name = tools.get(step.tool, f"the {step.tool}")
        area_name = areas.get(step.area, step.area)
        for rule in rules.avoid:
            if rule.tool == step.tool and step.area in rule.areas:
                problems.append(
                    (
                        f"steps[{index}].area",
                        f"{tool_name} must not be used on the {area_name}: {rule.reason} (source {rule.source})",
                    )
                )
        broken = area_rule_problem(rules, step)
        if broken is not None:
            what, area_rule_ = broken
            if what == "tool":
                allowed = ", ".join(tools.get(t, t) for t in area_rule_.tools)
                problems.append(
                    (
                        f"steps[{index}].tool",
                        f"only {allowed} may work the {area_name}: {area_rule_.reason} (source {area_rule_.source})",
                    )
                )
            else:
                problems.append(
                    (
                        f"steps[{index}].intensity",
                        f"{step.intensity.value} is firmer than the {area_rule_.max_intensity} allowed on the "
                        f"{area_name}: {area_rule_.reason} (source {area_rule_.source})",
                    )
                )
        limit = effective_limit(rules.limits, step.tool, step.area)
        if limit.step_seconds is not None and step.seconds > limit.step_seconds:
            problems.append(
                (
                    f"steps[{index}].seconds",
                    f"{step.seconds} s exceeds the {limit.step_seconds} s per-step limit "
                    f"for {tool_name} on the {area_name} (source {limit.source}); shorten the step",
                )
            )
        per_area[(step.tool, step.area)] += step.seconds
        per_tool[step.tool] += step.seconds
        last_index[(step.tool, step.area)] = index
        last_tool_index[step.tool] = index
        area_total[step.area] += step.seconds
        area_last[step.area] = index
    for area, total in area_total.items():
        used = {tool for tool, where in per_area if where == area}
        if len(used) < 2:
            continue  # one tool: its own caps below say it
        for kind, what in (("session", "session"), ("day", "daily")):
            across = area_cap(rules, area, used, kind)
            if across is not None and total > across.seconds:
                problems.append(
                    (
                        f"steps[{area_last[area]}].seconds",
                        f"{total} s on the {areas.get(area, area)} with every tool together exceeds the "
                        f"{across.seconds} s {what} limit there, that of {tools.get(across.tool, across.tool)}, "
                        f"the most any one of them allows (sources {ACROSS_TOOLS_SOURCE}, {across.source}); "
                        "shorten or remove a step on that area",
                    )
                )
    for (tool, area), total in per_area.items():
        limit = effective_limit(rules.limits, tool, area)
        index = last_index[(tool, area)]
        for cap, what, source in (
            (limit.area_session_seconds, "per-area session", limit.area_session_source),
            (limit.area_day_seconds, "per-area daily", limit.day_source),
        ):
            if cap is not None and total > cap:
                problems.append(
                    (
                        f"steps[{index}].seconds",
                        f"{total} s on the {areas.get(area, area)} with "
                        f"{tools.get(tool, tool)} exceeds the {cap} s {what} limit (source {source}); "
                        "shorten or remove a step on that area",
                    )
                )
    for tool, total in per_tool.items():
        general = effective_limit(rules.limits, tool, "")
        cap = general.session_seconds
        if cap is not None and total > cap:
            problems.append(
                (
                    f"steps[{last_tool_index[tool]}].seconds",
                    f"{total} s with {tools.get(tool, tool)} exceeds "
                    f"the {cap} s per-session limit for that tool (source {general.session_source}); "
                    "shorten the routine",
                )
            )
    return problems
