"""Catalogue subcommands: ``routines``, ``routine ID``, ``therapies``, ``therapy ID`` and ``paths``."""

from __future__ import annotations

import argparse
from typing import Any

from companion.catalogue.models import Catalog, Routine, Therapy
from companion.cli.options import add_json_option
from companion.cli.support import CliError, load_catalog_for_cli, print_json
from companion.disk.paths import default_paths
from companion.words import format_seconds


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the catalogue subcommands to the ``companion`` parser."""
    p = subparsers.add_parser("routines", help="list the routines")
    add_json_option(p)
    p.set_defaults(handler=cmd_routines)

    p = subparsers.add_parser("routine", help="show one routine in full")
    p.add_argument("id", help="routine id (see 'companion routines')")
    add_json_option(p)
    p.set_defaults(handler=cmd_routine)

    p = subparsers.add_parser("therapies", help="list the professional therapies explained")
    add_json_option(p)
    p.set_defaults(handler=cmd_therapies)

    p = subparsers.add_parser("therapy", help="explain one therapy in full")
    p.add_argument("id", help="therapy id (see 'companion therapies')")
    add_json_option(p)
    p.set_defaults(handler=cmd_therapy)

    p = subparsers.add_parser("paths", help="show where Companion keeps its files")
    add_json_option(p)
    p.set_defaults(handler=cmd_paths)


def routine_json(routine: Routine) -> dict[str, Any]:
    """A routine as the ``--json`` output documents it."""
    return {
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


def therapy_json(therapy: Therapy) -> dict[str, Any]:
    """A therapy as the ``--json`` output documents it."""
    return therapy.model_dump(mode="json")


def _find_routine(catalog: Catalog, routine_id: str) -> Routine:
    routine = catalog.routine(routine_id)
    if routine is None:
        raise CliError(f"no routine '{routine_id}'; run 'companion routines' to list them")
    return routine


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


def routine_lines(catalog: Catalog, routine: Routine) -> list[str]:
    """The routine in full as plain text: steps, times, the limits that apply and linked therapies."""
    areas, tools, techniques = catalog.areas, catalog.tools, catalog.techniques
    lines = [
        routine.title + (" (your routine)" if routine.source == "user" else ""),
        routine.summary,
        f"Suits: {routine.suits}",
        f"Total: {format_seconds(routine.total_seconds)}",
        "",
        "Steps:",
    ]
    for number, step in enumerate(routine.steps, start=1):
        limit = catalog.limit_for(step.tool, step.area)
        area = areas[step.area].name
        lines.append(
            f"{number:>2}. {format_seconds(step.seconds):>5}  {step.title}: {area}, "
            f"{tools[step.tool].name}, {techniques[step.technique].name}, {step.intensity.value}, "
            f"{step.position.value.replace('-', ' ')}"
        )
        lines.append(f"      {step.instruction}")
        if step.breathing:
            lines.append(f"      Breathe in for {step.breathing.inhale}, out for {step.breathing.exhale}.")
        caps = []
        if limit.step_seconds:
            caps.append(f"step {format_seconds(limit.step_seconds)}")
        if limit.area_session_seconds:
            caps.append(f"area per session {format_seconds(limit.area_session_seconds)}")
        if limit.area_day_seconds:
            caps.append(f"area per day {format_seconds(limit.area_day_seconds)}")
        if caps:
            lines.append(f"      Limits: {', '.join(caps)} (source {limit.source})")
    lines += ["", "Professional therapies for the same need:"]
    for therapy_id in routine.therapies:
        therapy = catalog.therapy(therapy_id)
        if therapy is not None:
            lines.append(f"  {therapy.name}: {therapy.summary}")
    return lines


def cmd_routine(args: argparse.Namespace) -> int:
    catalog = load_catalog_for_cli()
    routine = _find_routine(catalog, args.id)
    if args.json:
        print_json(routine_json(routine))
    else:
        print("\n".join(routine_lines(catalog, routine)))
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
    lines += [f"  - {item}" for item in therapy.avoid]
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
