"""The bundled catalogue loads, is complete, and every number in it traces to a source."""

from __future__ import annotations

import tomllib

import pytest

from companion.catalogue.loader import BUNDLED_ROOT, load_catalog
from companion.catalogue.models import Catalog, QuestionKind, Strength

THERAPY_IDS = {
    "swedish",
    "deep-tissue",
    "sports",
    "trigger-point",
    "hot-stone",
    "thai",
    "prenatal",
    "shiatsu",
    "lymphatic-drainage",
}
GOAL_IDS = {"stress", "posture", "after-workout", "lower-back", "sleep", "desk-break"}
TOOL_IDS = {
    "hands",
    "massage-ball",
    "foam-roller",
    "vibration-massager",
    "massage-gun",
    "shiatsu-pillow",
    "massage-chair",
    "massage-belt",
    "neck-shoulder-wrap",
}
FACT_SOURCES = {
    "gun-per-area",
    "gun-research",
    "gun-evidence",
    "roll-per-area",
    "device-session",
    "chair-session",
    "gun-session",
    "same-area-rest",
    "neck-front",
    "bony",
    "kidneys",
}

# The "Suggested defaults" of shared/domain/safety-facts.md: our limits may be stricter, never looser.
LOOSEST_ALLOWED = {
    "massage-gun": {"step_seconds": 60, "area_session_seconds": 120, "session_seconds": 1200},
    "hands": {"step_seconds": 120},
    "massage-ball": {"step_seconds": 120, "area_session_seconds": 120},
    "foam-roller": {"step_seconds": 120, "area_session_seconds": 120},
    "vibration-massager": {"step_seconds": 120},
    "shiatsu-pillow": {"step_seconds": 900, "session_seconds": 900, "area_day_seconds": 3 * 900, "day_uses": 3},
    "massage-chair": {"step_seconds": 1200, "session_seconds": 1200},
    # The makers' own guidance: 15 minutes a use, three uses a day (maker-session-15, maker-uses-a-day).
    "massage-belt": {"step_seconds": 900, "session_seconds": 900, "area_day_seconds": 3 * 900, "day_uses": 3},
    "neck-shoulder-wrap": {"step_seconds": 900, "session_seconds": 900, "area_day_seconds": 3 * 900, "day_uses": 3},
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog().catalog


def test_counts(catalog: Catalog) -> None:
    assert len(catalog.routines) >= 20
    assert {t.id for t in catalog.therapies} == THERAPY_IDS
    used_tools = {step.tool for r in catalog.routines for step in r.steps}
    used_areas = {step.area for r in catalog.routines for step in r.steps}
    assert len(used_tools) >= 5
    assert used_tools == TOOL_IDS
    assert len(used_areas) >= 6


def test_vocabulary_ids(catalog: Catalog) -> None:
    assert set(catalog.goals) == GOAL_IDS
    assert set(catalog.tools) == TOOL_IDS
    for area in ("neck", "shoulders", "upper-back", "lower-back", "glutes", "hips", "calves", "feet", "forearms"):
        assert area in catalog.areas, area
    assert "kidneys" in catalog.areas["lower-back"].avoid
    assert "front and sides" in catalog.areas["neck"].avoid


def test_file_names_match_ids() -> None:
    for folder in ("routines", "therapies"):
        for path in (BUNDLED_ROOT / folder).glob("*.toml"):
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            assert data["id"] == path.stem, path


def test_every_routine_links_existing_therapies_and_goals(catalog: Catalog) -> None:
    for routine in catalog.routines:
        assert routine.therapies, routine.id
        for therapy in routine.therapies:
            assert catalog.therapy(therapy) is not None, (routine.id, therapy)
        assert set(routine.goals) <= GOAL_IDS, routine.id
        assert routine.source == "bundled"


def test_every_goal_has_a_routine_and_a_therapy(catalog: Catalog) -> None:
    for goal in GOAL_IDS:
        assert any(goal in r.goals for r in catalog.routines), goal
    for goal in GOAL_IDS - {"desk-break"}:
        assert any(goal in t.goals for t in catalog.therapies), goal


def test_every_step_is_complete(catalog: Catalog) -> None:
    for routine in catalog.routines:
        for index, step in enumerate(routine.steps):
            assert len(step.instruction) >= 60, (routine.id, index)
            assert step.technique in catalog.techniques
            assert step.area in catalog.areas


def test_routines_pass_limits_with_margin(catalog: Catalog) -> None:
    """The loader enforces the limits; here also check that no routine uses a tool on an area it must avoid."""
    banned = {(rule.tool, area) for rule in catalog.safety.avoid for area in rule.areas}
    for routine in catalog.routines:
        for step in routine.steps:
            assert (step.tool, step.area) not in banned, (routine.id, step.title)
            limit = catalog.limit_for(step.tool, step.area)
            assert limit.step_seconds is not None, (step.tool, step.area)
            assert step.seconds <= limit.step_seconds


def test_required_routine_themes(catalog: Catalog) -> None:
    routines = {r.id: r for r in catalog.routines}

    def has(predicate) -> bool:
        return any(predicate(r) for r in routines.values())

    assert has(lambda r: {"neck", "shoulders"} <= set(r.areas) and "posture" in r.goals)
    assert has(lambda r: "upper-back" in r.areas and "posture" in r.goals)
    assert has(lambda r: "lower-back" in r.goals and "lower-back" in r.areas)
    assert has(lambda r: {"hips", "glutes"} <= set(r.areas))
    assert has(lambda r: {"massage-gun", "foam-roller"} <= set(r.tools) and "after-workout" in r.goals)
    assert has(lambda r: r.areas[0] == "feet")
    assert has(lambda r: {"forearms", "hands"} <= set(r.areas) and "desk-break" in r.goals)
    assert has(lambda r: r.tools == ("shiatsu-pillow",) or "shiatsu-pillow" in r.tools)
    assert has(lambda r: "massage-chair" in r.tools and {"upper-back", "lower-back"} <= set(r.areas))
    assert has(lambda r: "desk-break" in r.goals and 120 <= r.total_seconds <= 240)
    assert has(lambda r: "sleep" in r.goals and all(s.breathing is not None for s in r.steps))
    assert has(lambda r: r.areas[0] == "calves" and "foam-roller" in r.tools)


def test_every_limit_and_rule_names_an_existing_source(catalog: Catalog) -> None:
    sources = catalog.sources
    assert set(sources) >= FACT_SOURCES
    rules = catalog.safety
    for limit in rules.limits:
        assert limit.source in sources
        assert (limit.day_source or limit.source) in sources
    for rule in rules.avoid:
        assert rule.source in sources
    for question in rules.questions:
        assert question.source in sources
    for source in sources.values():
        if source.strength is Strength.DESIGN:
            assert "Companion design choice" in source.reference, source.id


def test_limits_are_never_looser_than_the_sources(catalog: Catalog) -> None:
    general = {lim.tool: lim for lim in catalog.safety.limits if lim.area is None}
    assert set(general) == TOOL_IDS
    for tool, caps in LOOSEST_ALLOWED.items():
        for field, loosest in caps.items():
            value = getattr(general[tool], field)
            assert value is not None and value <= loosest, (tool, field, value)
    for lim in catalog.safety.limits:
        # A daily cap with no research behind it must be labelled as our design choice.
        if lim.area_day_seconds is not None:
            day_source = catalog.sources[lim.day_source or lim.source]
            assert day_source.strength is Strength.DESIGN or "a day" in day_source.fact, lim.tool
    assert general["massage-gun"].day_source == "design-day-cap"


def test_avoid_rules_cover_the_neck_and_kidneys(catalog: Catalog) -> None:
    banned = {(rule.tool, area): rule.source for rule in catalog.safety.avoid for area in rule.areas}
    assert banned[("massage-gun", "neck")] == "neck-front"
    assert banned[("massage-gun", "lower-back")] == "kidneys"
    for tool in (
        "vibration-massager",
        "shiatsu-pillow",
        "massage-chair",
        "massage-belt",
        "neck-shoulder-wrap",
        "foam-roller",
    ):
        assert (tool, "neck") in banned


def test_screening_questions(catalog: Catalog) -> None:
    questions = {q.id: q for q in catalog.safety.questions}
    kinds = {kind: [q for q in questions.values() if q.kind is kind] for kind in QuestionKind}
    stop_ids = {q.id for q in kinds[QuestionKind.STOP]}
    assert {"damaged-skin", "skin-infection", "fever", "suspected-dvt", "recent-fracture", "cancer-at-site"} <= stop_ids
    assert questions["blood-thinners"].kind is QuestionKind.ADAPT and not questions["blood-thinners"].tools
    assert 6 <= len(kinds[QuestionKind.ASK_FIRST]) <= 10
    assert kinds[QuestionKind.AVOID_AREA]
    assert set(questions["varicose-veins"].areas) == {"calves", "quads", "hamstrings"}
    for question in questions.values():
        assert question.why and question.instead
        assert question.text.endswith("?"), question.id
    assert "doctor" in questions["suspected-dvt"].instead


def test_every_tool_has_its_three_caps_on_every_area(catalog: Catalog) -> None:
    for tool in catalog.tools:
        for area in catalog.areas:
            limit = catalog.limit_for(tool, area)
            assert limit.step_seconds and limit.area_session_seconds and limit.area_day_seconds, (tool, area)
            for source in (limit.source, limit.area_session_source, limit.day_source):
                assert source in catalog.sources, (tool, area, source)


def test_every_step_says_its_position_and_only_device_steps_use_heat(catalog: Catalog) -> None:
    positions = {step.position for routine in catalog.routines for step in routine.steps}
    assert len(positions) >= 4
    for routine in catalog.routines:
        for step in routine.steps:
            if step.heat:
                assert catalog.tools[step.tool].kind == "device", (routine.id, step.title)
                assert "heat" in step.instruction.lower()


def test_every_rule_names_a_known_source(catalog: Catalog) -> None:
    rules = catalog.safety
    for item in (*rules.limits, *rules.avoid, *rules.area_rules, *rules.questions, *rules.adaptations,
                 *rules.red_flags):  # fmt: skip
        assert item.source in catalog.sources, item
    assert catalog.sources[rules.session_gap_source].strength is Strength.DESIGN
    assert "neck-after-fall" in {flag.id for flag in rules.red_flags}


def test_red_flags_cover_every_region(catalog: Catalog) -> None:
    regions = {flag.region for flag in catalog.safety.red_flags}
    assert regions == {"back", "neck", "anywhere"}
    assert len({flag.id for flag in catalog.safety.red_flags}) == len(catalog.safety.red_flags)
    for flag in catalog.safety.red_flags:
        assert flag.action


def test_every_therapy_is_complete(catalog: Catalog) -> None:
    for therapy in catalog.therapies:
        for name in (
            "summary",
            "what",
            "expect",
            "session_length",
            "pressure",
            "clothing",
            "setting",
            "practitioner",
            "credential",
        ):
            assert getattr(therapy, name).strip(), (therapy.id, name)
        assert therapy.best_for and therapy.avoid and therapy.conditions and therapy.areas, therapy.id
        assert therapy.sources, therapy.id
        assert "check local credentials" in therapy.credential, therapy.id
        assert set(therapy.goals) <= GOAL_IDS
        assert set(therapy.areas) <= set(catalog.areas)


def test_therapy_keywords_cover_the_seed_conditions(catalog: Catalog) -> None:
    keywords = {word for t in catalog.therapies for word in t.conditions}
    for condition in (
        "stress",
        "posture",
        "lower back pain",
        "sciatica",
        "fibromyalgia",
        "arthritis",
        "scoliosis",
        "pregnancy",
        "athletes",
        "desk work",
    ):
        assert condition in keywords, condition
    assert "swelling" in catalog.therapy("lymphatic-drainage").conditions
    assert "pregnancy" in catalog.therapy("prenatal").conditions
