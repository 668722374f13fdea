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
from companion.words import join_and

ACROSS_TOOLS_SOURCE = "design-across-tools"
"""The source id of the rule that time on an area adds up over every tool."""


@dataclass(frozen=True)
class AreaCap:
    """A cap on an area shared by a group of tools: the most permissive of the group's own caps, with that tool
    and its source."""

    seconds: int
    tool: str
    source: str
    tools: frozenset[str]
    """The group: every tool used there whose own cap is at most ``seconds``."""


def area_caps(rules: SafetyRules, area: str, tools: Iterable[str], kind: str) -> list[AreaCap]:
    """The caps of ``kind`` (``"session"`` or ``"day"``) on ``area`` shared by ``tools``, loosest last.

    Mixing tools never allows more than the most permissive tool among them would allow on its own, and that
    holds for every group of them: so each tool's cap is shared by it and every tool whose cap is no larger
    (ball and roller on the calves share 2:00 even when hands also work there; all three share the hands' 4:00).
    Each tool keeps its own cap as well.
    """
    own: dict[str, tuple[int, str]] = {}
    for tool in sorted(set(tools)):
        limit = effective_limit(rules.limits, tool, area)
        value, source = (
            (limit.area_session_seconds, limit.area_session_source)
            if kind == "session"
            else (limit.area_day_seconds, limit.day_source)
        )
        if value is not None:
            own[tool] = (value, source)
    caps: list[AreaCap] = []
    for tool, (value, source) in sorted(own.items(), key=lambda item: (item[1][0], item[0])):
        if caps and caps[-1].seconds == value:
            continue  # the same cap as a tool before it: one group
        caps.append(AreaCap(value, tool, source, frozenset(t for t, (v, _s) in own.items() if v <= value)))
    return caps


def area_cap(rules: SafetyRules, area: str, tools: Iterable[str], kind: str) -> AreaCap | None:
    """The loosest of :func:`area_caps`: the cap on ``area`` with every one of ``tools`` together."""
    caps = area_caps(rules, area, tools, kind)
    return caps[-1] if caps else None


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
                        f"{tool_name} must not be used on the {area_name}: {rule.reason} {rules.cite(rule.source)}",
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
                        f"only {allowed} may work the {area_name}: {area_rule_.reason} {rules.cite(area_rule_.source)}",
                    )
                )
            else:
                problems.append(
                    (
                        f"steps[{index}].intensity",
                        f"{step.intensity.value} is firmer than the {area_rule_.max_intensity} allowed on the "
                        f"{area_name}: {area_rule_.reason} {rules.cite(area_rule_.source)}",
                    )
                )
        limit = effective_limit(rules.limits, step.tool, step.area)
        if limit.step_seconds is not None and step.seconds > limit.step_seconds:
            problems.append(
                (
                    f"steps[{index}].seconds",
                    f"{step.seconds} s exceeds the {limit.step_seconds} s per-step limit "
                    f"for {tool_name} on the {area_name} {rules.cite(limit.source)}; shorten the step",
                )
            )
        per_area[(step.tool, step.area)] += step.seconds
        per_tool[step.tool] += step.seconds
        last_index[(step.tool, step.area)] = index
        last_tool_index[step.tool] = index
        area_total[step.area] += step.seconds
        area_last[step.area] = index
    for area in area_total:
        used = {tool for tool, where in per_area if where == area}
        for kind, what in (("session", "session"), ("day", "daily")):
            for group in area_caps(rules, area, used, kind):
                if len(group.tools) < 2:
                    continue  # one tool: its own caps below say it
                total = sum(per_area[(tool, area)] for tool in group.tools)
                if total <= group.seconds:
                    continue
                together = (
                    "every tool" if group.tools == used else join_and(sorted(tools.get(t, t) for t in group.tools))
                )
                problems.append(
                    (
                        f"steps[{area_last[area]}].seconds",
                        f"{total} s on the {areas.get(area, area)} with {together} together exceeds the "
                        f"{group.seconds} s {what} limit there, that of {tools.get(group.tool, group.tool)}, "
                        f"the most any one of them allows {rules.cite(f'{ACROSS_TOOLS_SOURCE}, {group.source}')}; "
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
                        f"{tools.get(tool, tool)} exceeds the {cap} s {what} limit {rules.cite(source)}; "
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
                    f"the {cap} s per-session limit for that tool {rules.cite(general.session_source)}; "
                    "shorten the routine",
                )
            )
    return problems
