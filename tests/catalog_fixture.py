"""A small catalogue built in code for the plan, screening and run tests (independent of the bundled content)."""

from __future__ import annotations

from typing import Any

from companion.catalogue.models import Catalog, Routine, SafetyRules, Step, Vocabulary


def _vocabulary() -> Vocabulary:
    return Vocabulary.model_validate(
        {
            "areas": [
                {"id": area, "name": name, "region": region, "avoid": "Bone."}
                for area, name, region in (
                    ("neck", "Neck", "neck"),
                    ("shoulders", "Shoulders", "upper-body"),
                    ("upper-back", "Upper back", "back"),
                    ("calves", "Calves", "lower-body"),
                    ("quads", "Front of the thighs", "lower-body"),
                )
            ],
            "tools": [
                {
                    "id": "hands",
                    "name": "Hands",
                    "kind": "manual",
                    "description": "Your hands.",
                    "called": "your hands",
                },
                {"id": "massage-gun", "name": "Massage gun", "kind": "device", "description": "Percussion."},
                {"id": "massage-ball", "name": "Massage ball", "kind": "manual", "description": "A ball."},
                {"id": "electric-pad", "name": "Electric pad", "kind": "device", "description": "No limits."},
            ],
            "techniques": [{"id": "kneading", "name": "Kneading", "description": "Knead."}],
            "goals": [{"id": "relax", "name": "Relax", "prompt": "I want to relax"}],
        }
    )


def _safety() -> SafetyRules:
    return SafetyRules.model_validate(
        {
            "sources": [
                *(
                    {
                        "id": sid,
                        "fact": "A fact.",
                        "strength": "clinic",
                        "reference": f"A clinic: {sid}.example.org",
                        "cite": f"{sid}.example.org",
                    }
                    for sid in ("gun-per-area", "roll-per-area", "neck-front", "consensus")
                ),
                *(
                    {"id": sid, "fact": "A fact.", "strength": "design", "reference": "Companion design choice"}
                    for sid in ("design-day-cap", "gap")
                ),
            ],
            "session_gap_minutes": 60,
            "session_gap_source": "gap",
            "limits": [
                {
                    "tool": "massage-gun",
                    "step_seconds": 60,
                    "area_session_seconds": 120,
                    "session_seconds": 600,
                    "area_day_seconds": 240,
                    "source": "gun-per-area",
                    "day_source": "design-day-cap",
                },
                {
                    "tool": "hands",
                    "step_seconds": 120,
                    "area_day_seconds": 480,
                    "source": "roll-per-area",
                    "day_source": "design-day-cap",
                },
                {
                    "tool": "hands",
                    "area": "neck",
                    "step_seconds": 90,
                    "area_session_seconds": 150,
                    "source": "neck-front",
                },
                {"tool": "massage-ball", "step_seconds": 120, "source": "roll-per-area"},
            ],
            "avoid": [
                {"tool": "massage-gun", "areas": ["neck"], "reason": "Arteries run there.", "source": "neck-front"}
            ],
            "questions": [
                {
                    "id": "fever",
                    "text": "Do you have a fever?",
                    "kind": "stop",
                    "why": "Massage spreads infection.",
                    "instead": "Rest and see a doctor if it lasts.",
                    "source": "consensus",
                },
                {
                    "id": "blood-thinners",
                    "text": "Do you take blood thinners?",
                    "kind": "stop",
                    "why": "Bruising.",
                    "instead": "Ask your doctor.",
                    "tools": ["massage-gun"],
                    "source": "consensus",
                },
                {
                    "id": "pregnancy",
                    "text": "Are you pregnant?",
                    "kind": "ask-first",
                    "why": "Some points are not advised.",
                    "instead": "Ask your midwife or doctor.",
                    "source": "consensus",
                },
                {
                    "id": "varicose-veins",
                    "text": "Do you have varicose veins in your legs?",
                    "kind": "avoid-area",
                    "why": "Pressure can harm the veins.",
                    "instead": "Leave the legs out.",
                    "areas": ["calves", "quads"],
                    "source": "consensus",
                },
                {
                    "id": "bruise",
                    "text": "Is any area you would work bruised or strained?",
                    "kind": "avoid-area",
                    "why": "It needs rest.",
                    "instead": "Rest it.",
                    "source": "consensus",
                },
            ],
            "red_flags": [],
        }
    )


def step(area: str, tool: str, seconds: int, title: str | None = None) -> dict[str, Any]:
    """A step as a dict, for building routines."""
    return {
        "title": title or f"{tool} on {area}",
        "area": area,
        "tool": tool,
        "technique": "kneading",
        "seconds": seconds,
        "intensity": "gentle",
        "position": "sitting",
        "instruction": "Slowly.",
    }


def routine(routine_id: str, steps: list[dict[str, Any]]) -> Routine:
    """A routine with ``steps`` (no limit check: tests pass routines the loader would refuse on purpose)."""
    return Routine.model_validate(
        {
            "id": routine_id,
            "title": routine_id.replace("-", " ").capitalize(),
            "summary": "A test routine.",
            "goals": ["relax"],
            "suits": "Tests.",
            "steps": [Step.model_validate(s) for s in steps],
            "therapies": ["swedish"],
        }
    )


def thirty_minutes() -> Routine:
    """A 30-minute routine: 15 ball steps of 2 minutes each (the ball has only a per-step limit)."""
    areas = ["shoulders", "upper-back", "calves", "quads"]
    return routine(
        "thirty-minutes",
        [step(areas[i % len(areas)], "massage-ball", 120, f"Step {i + 1}") for i in range(15)],
    )


def make_catalog(routines: tuple[Routine, ...] = ()) -> Catalog:
    """The small catalogue with ``routines`` (plus a default mixed routine)."""
    mixed = routine(
        "mixed",
        [
            step("neck", "hands", 120, "Neck by hand"),
            step("neck", "massage-gun", 60, "Neck gun"),
            step("calves", "massage-gun", 60, "Calves 1"),
            step("calves", "massage-gun", 60, "Calves 2"),
            step("calves", "massage-gun", 60, "Calves 3"),
            step("shoulders", "massage-ball", 90),
            step("quads", "electric-pad", 100),
        ],
    )
    return Catalog(vocabulary=_vocabulary(), safety=_safety(), routines=(mixed, *routines), therapies=())
