"""Catalogue subcommands: ``routines``, ``routine ID``, ``therapies``, ``therapy ID`` and ``paths``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from companion.catalogue.models import Catalog, Routine, Therapy
from companion.cli.options import add_json_option
from companion.cli.support import CliError, find_routine, load_catalog_for_cli, print_json
from companion.disk.paths import default_paths
from companion.safety.limits import (
    CitationKeys,
    RoutineLimits,
    describe_limits,
    limit_json,
    limits_json,
    limits_note,
    routine_limits,
)
from companion.words import format_seconds


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the catalogue subcommands to the ``companion`` parser (each takes ``--json``; two take an id)."""
    commands: list[tuple[str, str, str | None, Callable[[argparse.Namespace], int]]] = [
        ("routines", "list the routines", None, cmd_routines),
        ("routine", "show one routine in full", "routine id (see 'companion routines')", cmd_routine),
        ("therapies", "list the professional therapies explained", None, cmd_therapies),
        ("therapy", "explain one therapy in full", "therapy id (see 'companion therapies')", cmd_therapy),
        ("paths", "show where Companion keeps its files", None, cmd_paths),
    ]
    for name, summary, id_help, handler in commands:
        p = subparsers.add_parser(name, help=summary)
        if id_help is not None:
            p.add_argument("id", help=id_help)
        add_json_option(p)
        p.set_defaults(handler=handler)


def routine_json(
    routine: Routine, limits: RoutineLimits | None = None, catalog: Catalog | None = None
) -> dict[str, Any]:
    """A routine as the ``--json`` output documents it; with ``limits`` (``routine ID --json``), the limits that
    apply to this person: each step's, and every limit once with the steps it bears on and its sources."""
    item: dict[str, Any] = {
        "id": routine.id,
        "title": routine.title,
        "summary": routine.summary,
        "source": routine.source,
        "goals": list(routine.goals),
        "suits": routine.suits,
        "total_seconds": routine.total_seconds,
        "areas": list(routine.areas),
        "tools": list(routine.tools),
        "therapies": list(routine.therapies),
        "steps": [
            {
                "title": step.title,
                "area": step.area,
                "tool": step.tool,
                "technique": step.technique,
                "seconds": step.seconds,
                "intensity": step.intensity.value,
                "position": step.position.value,
                "heat": step.heat,
                "instruction": step.instruction,
                "breathing": step.breathing.model_dump() if step.breathing else None,
            }
            for step in routine.steps
        ],
    }
    if limits is not None and catalog is not None:
        for index, step_item in enumerate(item["steps"]):
            step_item["limits"] = [limit_json(limit, catalog) for limit in limits.for_step(index)]
        item["limits"] = limits_json(limits, catalog)
        item["settings_applied"] = limits.settings_applied
        item["sources"] = {
            i: {"cite": catalog.sources[i].citation, "reference": catalog.sources[i].reference}
            for i in limits.source_ids
            if i in catalog.sources
        }
    return item


def therapy_json(therapy: Therapy) -> dict[str, Any]:
    """A therapy as the ``--json`` output documents it."""
    return therapy.model_dump(mode="json")


def _find_therapy(catalog: Catalog, therapy_id: str) -> Therapy:
    therapy = catalog.therapy(therapy_id)
    if therapy is None:
        raise CliError(f"no therapy '{therapy_id}'; run 'companion therapies' to list them")
    return therapy


def cmd_routines(args: argparse.Namespace) -> int:
    catalog = load_catalog_for_cli()
    if args.json:
        print_json([routine_json(r) for r in catalog.routines])
        return 0
    width = max(len(r.id) for r in catalog.routines)
    for routine in catalog.routines:
        mark = " (yours)" if routine.source == "user" else ""
        print(f"{routine.id:<{width}}  {format_seconds(routine.total_seconds):>5}  {routine.title}{mark}")
    return 0


def routine_lines(catalog: Catalog, routine: Routine, limits: RoutineLimits) -> list[str]:
    """The routine in full as plain text: steps, times, the limits that apply (``limits``, with their numbered
    sources listed after the steps) and linked therapies."""
    areas, tools, techniques = catalog.areas, catalog.tools, catalog.techniques
    lines = [
        routine.title + (" (your routine)" if routine.source == "user" else ""),
        routine.summary,
        f"Suits: {routine.suits}",
        f"Total: {format_seconds(routine.total_seconds)}",
        "",
        "Steps:",
    ]
    keys = CitationKeys(catalog)
    per_step, others = describe_limits(limits, catalog, keys)
    for number, step in enumerate(routine.steps, start=1):
        area = areas[step.area].name
        lines.append(
            f"{number:>2}. {format_seconds(step.seconds):>5}  {step.title}: {area}, "
            f"{tools[step.tool].name}, {techniques[step.technique].name}, {step.intensity.value}, "
            f"{step.position.value.replace('-', ' ')}"
        )
        lines.append(f"      {step.instruction}")
        if step.breathing:
            lines.append(f"      Breathe in for {step.breathing.inhale}, out for {step.breathing.exhale}.")
        if number - 1 in per_step:
            lines.append(f"      Limits: {per_step[number - 1]}")
    if others:
        lines += ["", "Limits over the whole routine:"]
        lines += [f"  {line}" for line in others]
    if per_step or others:
        lines += ["", limits_note(catalog)]
    if limits.settings_applied:
        lines.append("Your own settings make some of these limits stricter (marked yours).")
    if keys.keys:
        lines += ["", "Where the limits come from:"]
        lines += [f"  {key} {citation}" for key, citation in keys.lines()]
    lines += ["", "Professional therapies for the same need:"]
    for therapy_id in routine.therapies:
        therapy = catalog.therapy(therapy_id)
        if therapy is not None:
            lines.append(f"  {therapy.name}: {therapy.summary}")
    return lines


def cmd_routine(args: argparse.Namespace) -> int:
    from companion.settings.user_settings import load_settings

    paths = default_paths()
    catalog = load_catalog_for_cli(paths)
    routine = find_routine(catalog, args.id)
    settings, message = load_settings(paths)
    if message:
        print(f"companion: {message}", file=sys.stderr)
    limits = routine_limits(routine, catalog, settings)
    if args.json:
        print_json(routine_json(routine, limits, catalog))
    else:
        print("\n".join(routine_lines(catalog, routine, limits)))
    return 0


def cmd_therapies(args: argparse.Namespace) -> int:
    catalog = load_catalog_for_cli()
    if args.json:
        print_json([therapy_json(t) for t in catalog.therapies])
        return 0
    width = max(len(t.id) for t in catalog.therapies)
    for therapy in catalog.therapies:
        print(f"{therapy.id:<{width}}  {therapy.name}: {therapy.summary}")
    return 0


def therapy_lines(therapy: Therapy) -> list[str]:
    """A therapy's full explanation as plain text."""
    lines = [therapy.name, therapy.summary, "", "What it is:", f"  {therapy.what}", "", "Best for:"]
    lines += [f"  - {item}" for item in therapy.best_for]
    lines += [
        "",
        "What to expect:",
        f"  {therapy.expect}",
        f"  Length: {therapy.session_length}. Pressure: {therapy.pressure}.",
        f"  Clothing: {therapy.clothing}. Setting: {therapy.setting}.",
        "",
        "Avoid it, or ask a doctor first, if:",
    ]
    lines += [f"  - {item.text}" for item in therapy.avoid]
    lines += [
        "",
        "Who performs it:",
        f"  {therapy.practitioner}",
        f"  Credential: {therapy.credential}",
        "",
        "Sources:",
    ]
    lines += [f"  - {s.title}: {s.reference}" for s in therapy.sources]
    return lines


def cmd_therapy(args: argparse.Namespace) -> int:
    catalog = load_catalog_for_cli()
    therapy = _find_therapy(catalog, args.id)
    if args.json:
        print_json(therapy_json(therapy))
    else:
        print("\n".join(therapy_lines(therapy)))
    return 0


def cmd_paths(args: argparse.Namespace) -> int:
    paths = default_paths().as_dict()
    if args.json:
        print_json(paths)
    else:
        width = max(len(key) for key in paths)
        for key, value in paths.items():
            print(f"{key:<{width}}  {value}")
    return 0
