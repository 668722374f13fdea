"""Safety subcommands: ``plan ROUTINE_ID`` (the plan fitted to now) and ``screening`` (the questions).

``plan`` counts what the app would: today's stored screening answers with those given by ``--answer``, the
history, the exposure ledger and a run's checkpoint read fresh from disk, and the settings. Bad ids or values
are one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from companion.cli.support import CliError, find_routine, load_catalog_for_cli, print_json
from companion.disk.paths import default_paths

if TYPE_CHECKING:
    from companion.catalogue.models import Catalog, Question
    from companion.safety.plan import Plan
    from companion.safety.screening import ScreeningAnswers

ANSWER_VALUES = ("yes", "no", "cleared")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``plan`` and ``screening`` to the ``companion`` parser."""
    p = subparsers.add_parser(
        "plan",
        help="the plan for a routine now: what is trimmed, left out or adapted for safety, and why",
        description=(
            "The routine fitted to now: the limits, the time already done (read fresh from your history and the "
            "record of time done), today's screening answers plus any given here, and your settings."
        ),
    )
    p.add_argument("routine_id", metavar="ROUTINE_ID", help="a routine id (see 'companion routines')")
    p.add_argument(
        "--answer",
        action="append",
        default=[],
        metavar="QUESTION_ID=VALUE",
        help="answer a screening question: yes, no or cleared (yes, and a doctor has cleared it); for questions "
        "that ask which areas, yes:AREA,AREA; repeatable (see 'companion screening')",
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(handler=cmd_plan)

    p = subparsers.add_parser("screening", help="the safety questions asked before a session, and what each does")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(handler=cmd_screening)


def apply_answer(answers: ScreeningAnswers, catalog: Catalog, text: str) -> ScreeningAnswers:
    """``answers`` with one ``QUESTION_ID=yes|no|cleared`` (or ``=yes:AREA,AREA``) applied; raises ``CliError``."""
    from companion.catalogue.models import QuestionKind
    from companion.safety.screening import asks_which_areas

    question_id, sep, value = text.partition("=")
    questions = {q.id: q for q in catalog.safety.questions}
    if not sep or question_id not in questions:
        raise CliError(f"no screening question '{question_id}'; run 'companion screening' to list them")
    question = questions[question_id]
    value, _colon, area_text = value.partition(":")
    if value not in ANSWER_VALUES:
        raise CliError(f"'{text}': the answer must be one of {', '.join(ANSWER_VALUES)}")
    if value == "cleared" and question.kind is not QuestionKind.ASK_FIRST:
        raise CliError(f"'{question_id}' is not an ask-a-doctor-first question; answer yes or no")
    if area_text:
        if value == "no" or not asks_which_areas(question):
            raise CliError(f"'{question_id}' does not ask which areas; answer {value or 'yes'} without areas")
        named = frozenset(a for a in area_text.split(",") if a)
        unknown = sorted(named - set(catalog.areas))
        if unknown or not named:
            raise CliError(f"unknown area '{','.join(unknown)}'; use one of: {', '.join(sorted(catalog.areas))}")
        return answers.with_areas(question_id, named)
    if value == "no":
        return answers.with_answer(question_id, False)
    answers = answers.with_answer(question_id, True)
    return answers.with_cleared(question_id) if value == "cleared" else answers


def plan_json(plan: Plan, others: list[Plan], catalog: Catalog) -> dict[str, Any]:
    """The plan as ``plan --json`` documents it: one entry per written step, planned or not."""
    steps = []
    for index, step in enumerate(plan.routine.steps):
        planned = plan.planned(index)
        steps.append(
            {
                "title": step.title,
                "area": step.area,
                "tool": step.tool,
                "position": step.position.value,
                "instruction": step.instruction,
                "seconds": planned.seconds if planned else 0,
                "max_seconds": planned.max_seconds if planned else 0,
                "trimmed_from": step.seconds if planned is None or planned.trimmed else None,
                "intensity": (planned.intensity if planned else step.intensity).value,
                "heat": planned.heat if planned else False,
                "notes": [{"kind": n.kind.value, "text": n.text, "source": n.source} for n in plan.notes_for(index)],
            }
        )
    screening = plan.screening
    return {
        "routine": plan.routine.id,
        "title": plan.routine.title,
        "can_start": plan.can_start,
        "total_seconds": plan.total_seconds,
        "written_seconds": plan.routine.total_seconds,
        "stop": [q.id for q in screening.stop],
        "needs_clearance": [q.id for q in screening.needs_clearance],
        "cleared": [q.id for q in screening.cleared],
        "adapted": [q.id for q in screening.adapted],
        "warnings": [w.text for w in plan.warnings],
        "unknown": list(plan.unknown),
        "blocked_until": None if plan.blocked_until is None else plan.blocked_until.isoformat(),
        "steps": steps,
        "sources": {i: catalog.sources[i].reference for i in plan.source_ids if i in catalog.sources},
        "alternatives": [other.routine.id for other in others],
    }


def plan_lines(plan: Plan, others: list[Plan], catalog: Catalog) -> list[str]:
    """The plan in plain words, as ``plan`` prints it."""
    from companion.catalogue.models import references
    from companion.run.unread import nothing_starts
    from companion.words import format_seconds

    lines = [f"{plan.routine.title}: {format_seconds(plan.total_seconds)} planned now "
             f"(written as {format_seconds(plan.routine.total_seconds)})"]  # fmt: skip
    lines += [f"! {problem}" for problem in plan.unknown]
    screening = plan.screening
    lines += [f"Stop: {q.text} {q.instead}" for q in screening.stop]
    lines += [f"Ask a doctor first: {q.text} {q.instead}" for q in screening.needs_clearance]
    if plan.blocked_until is not None:
        lines.append(nothing_starts(plan.blocked_until))
    elif not plan.can_start:
        lines.append("This plan cannot start now.")
    lines.append("")
    for number, step in enumerate(plan.routine.steps, start=1):
        planned = plan.planned(number - 1)
        if planned is None:
            head = f"{number:>2}.   --  {step.title} (not today)"
        else:
            head = f"{number:>2}. {format_seconds(planned.seconds):>5}  {step.title}"
            if planned.trimmed:
                head += f" (trimmed from {format_seconds(step.seconds)})"
        position = step.position.value.replace("-", " ")
        lines.append(head)
        lines.append(f"      {step.area}, {step.tool}, {position}, {(planned or step).intensity.value} pressure")
        lines += [f"      * {note.text}" for note in plan.notes_for(number - 1)]
    cited = references(catalog.sources, plan.source_ids)
    if cited:
        lines += ["", "Where these come from:"]
        lines += [f"  - {reference}" for reference in cited]
    lines += [f"Take care: {warning.text}" for warning in plan.warnings]
    if others:
        lines += ["", "Routines that fit your answers today:"]
        lines += [f"  {other.routine.id}: {other.routine.title} ({format_seconds(other.total_seconds)})" for other in
                  others]  # fmt: skip
    return lines


def cmd_plan(args: argparse.Namespace) -> int:
    from companion.history.queries import local_date
    from companion.run.clock import SystemClock
    from companion.run.done import fresh_plan
    from companion.safety.plan import alternatives
    from companion.safety.screening import load_screening
    from companion.settings.limit_entry import looser_limits
    from companion.settings.user_settings import load_settings

    paths = default_paths()
    catalog = load_catalog_for_cli(paths)
    routine = find_routine(catalog, args.routine_id)
    now = SystemClock().now()
    answers = load_screening(paths, local_date(now))
    if answers.unreadable is not None and not args.answer:
        print(f"companion: {answers.unreadable} This plan assumes none of the questions applies.", file=sys.stderr)
    for text in args.answer:
        answers = apply_answer(answers, catalog, text)
    settings, message = load_settings(paths)
    if message:
        print(f"companion: {message}", file=sys.stderr)
    for said in looser_limits(settings, catalog):
        print(f"companion: your settings: {said}", file=sys.stderr)
    plan = fresh_plan(paths, catalog, settings, answers, routine, now)
    others = alternatives(plan, catalog, settings, answers)
    if args.json:
        print_json(plan_json(plan, others, catalog))
    else:
        print("\n".join(plan_lines(plan, others, catalog)))
    return 0


OUTCOMES = {
    "stop": "yes stops the session: do not self-massage today",
    "ask-first": "yes needs a doctor's clearance first; once cleared, the plan may be adapted",
    "avoid-area": "yes leaves areas out of the plan",
    "adapt": "yes adapts the plan (tools, positions, pressure or heat left out)",
}


def question_json(question: Question, catalog: Catalog) -> dict[str, Any]:
    """A question as ``screening --json`` documents it."""
    from companion.safety.screening import asks_which_areas

    adaptations = [a for a in catalog.safety.adaptations if a.question == question.id]
    return {
        "id": question.id,
        "text": question.text,
        "kind": question.kind.value,
        "outcome": OUTCOMES[question.kind.value],
        "why": question.why,
        "instead": question.instead,
        "areas": list(question.areas),
        "asks_which_areas": asks_which_areas(question),
        "tools": list(question.tools),
        "adaptations": [{"reason": a.reason, "source": a.source} for a in adaptations],
        "source": question.source,
    }


def cmd_screening(args: argparse.Namespace) -> int:
    catalog = load_catalog_for_cli(default_paths())
    questions = [question_json(q, catalog) for q in catalog.safety.questions]
    if args.json:
        print_json(questions)
        return 0
    for item in questions:
        print(f"{item['id']}: {item['text']}")
        print(f"    {item['outcome']} {catalog.cite(item['source'])}")
        if item["asks_which_areas"]:
            print("    asks which areas: answer yes:AREA,AREA")
        elif item["areas"]:
            print(f"    areas: {', '.join(item['areas'])}")
        for adaptation in item["adaptations"]:
            print(f"    adapts: {adaptation['reason']} {catalog.cite(adaptation['source'])}")
    return 0
