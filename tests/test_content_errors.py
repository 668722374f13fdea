"""Broken copies of the bundled content: every problem is reported, with the file, field, line and a fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from companion.catalogue.loader import BUNDLED_ROOT, load_catalog
from companion.catalogue.problems import ContentError

LEGS = "routines/legs-after-running.toml"
PILLOW = "routines/shiatsu-pillow-back.toml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A private copy of the bundled content (data files only) to break."""
    target = tmp_path / "content"
    shutil.copytree(BUNDLED_ROOT, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def edit(root: Path, name: str, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` (which must occur exactly ``count`` times) in a content file."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(root: Path, name: str, snippet: str, occurrence: int = 1) -> int:
    """The 1-based line where ``snippet`` occurs for the ``occurrence``-th time in a content file."""
    lines = (root / name).read_text(encoding="utf-8").splitlines()
    hits = [number for number, line in enumerate(lines, start=1) if snippet in line]
    return hits[occurrence - 1]


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_catalog(root)
    found = [str(problem) for problem in caught.value.problems]
    assert str(caught.value) == "\n".join(found)
    return found


def test_the_copy_loads(root: Path) -> None:
    catalog = load_catalog(root).catalog
    assert len(catalog.routines) == len(load_catalog().catalog.routines)


def test_malformed_toml(root: Path) -> None:
    edit(root, LEGS, 'title = "Legs after a run"', 'title = "Legs after a run')
    [problem] = problems(root)
    line = line_of(root, LEGS, 'title = "Legs after a run')
    assert problem.startswith(f"{LEGS}:{line}: is not valid TOML: ")
    assert problem.endswith("; fix the syntax")


def test_malformed_vocabulary_stops_early(root: Path) -> None:
    (root / "catalog.toml").write_text("schema_version = = 1\n", encoding="utf-8")
    [problem] = problems(root)
    assert problem.startswith("catalog.toml:1: is not valid TOML: ")


def test_missing_field(root: Path) -> None:
    edit(root, LEGS, 'suits = "Runners and people', 'not_suits = "Runners and people')
    found = problems(root)
    assert f"{LEGS}:1: suits: is required but missing; add it" in found


def test_unknown_key(root: Path) -> None:
    edit(root, LEGS, 'intensity = "gentle"\n', 'intensity = "gentle"\ncolour = "red"\n', count=3)
    line = line_of(root, LEGS, 'colour = "red"')
    found = problems(root)
    assert found[0] == f"{LEGS}:{line}: steps[2].colour: is not a known field; check the spelling or remove it"
    assert len(found) == 3


def test_unknown_area(root: Path) -> None:
    edit(root, LEGS, 'area = "hamstrings"\ntool = "hands"', 'area = "knees"\ntool = "hands"')
    line = line_of(root, LEGS, 'area = "knees"')
    [problem] = problems(root)
    assert problem.startswith(f"{LEGS}:{line}: steps[6].area: unknown area 'knees'; use one of: calves, chest, ")


def test_unknown_therapy(root: Path) -> None:
    edit(root, LEGS, 'therapies = ["sports", "deep-tissue"]', 'therapies = ["sports", "reiki"]')
    line = line_of(root, LEGS, "therapies = ")
    [problem] = problems(root)
    assert problem == (
        f"{LEGS}:{line}: therapies[1]: unknown therapy 'reiki'; use one of: deep-tissue, hot-stone, "
        "lymphatic-drainage, prenatal, shiatsu, sports, swedish, thai, trigger-point"
    )


def test_unknown_goal_and_technique(root: Path) -> None:
    edit(root, LEGS, 'goals = ["after-workout"]', 'goals = ["recovery"]')
    edit(
        root,
        LEGS,
        'technique = "rolling"\nseconds = 60\nintensity = "moderate"\nposition = "sitting"\ninstruction = "Sit on',
        'technique = "tapping"\nseconds = 60\nintensity = "moderate"\nposition = "sitting"\ninstruction = "Sit on',
    )
    goal_line = line_of(root, LEGS, "goals = ")
    technique_line = line_of(root, LEGS, 'technique = "tapping"')
    found = problems(root)
    assert found[0].startswith(f"{LEGS}:{goal_line}: goals[0]: unknown goal 'recovery'")
    assert found[1].startswith(
        f"{LEGS}:{technique_line}: steps[4].technique: "
        "unknown technique 'tapping'; use one of: circles, device-programme, gliding, "
    )


def test_negative_seconds(root: Path) -> None:
    edit(
        root,
        LEGS,
        'seconds = 30\nintensity = "moderate"\nposition = "sitting"\ninstruction = "Sit with',
        'seconds = -45\nintensity = "moderate"\nposition = "sitting"\ninstruction = "Sit with',
    )
    line = line_of(root, LEGS, "seconds = -45")
    [problem] = problems(root)
    assert problem == f"{LEGS}:{line}: steps[0].seconds: input should be greater than 0"


def test_over_the_per_step_limit(root: Path) -> None:
    edit(
        root,
        LEGS,
        'title = "Calves"\narea = "calves"\ntool = "massage-gun"\ntechnique = "percussion-glide"\nseconds = 60',
        'title = "Calves"\narea = "calves"\ntool = "massage-gun"\ntechnique = "percussion-glide"\nseconds = 61',
    )
    line = line_of(root, LEGS, "seconds = 61")
    roller_line = line_of(root, LEGS, "seconds = 60", occurrence=2)
    assert problems(root) == [
        f"{LEGS}:{line}: steps[3].seconds: 61 s exceeds the 60 s per-step limit for a massage gun on the calves "
        "(source: Thrive Now Physio, thrivenowphysio.com); shorten the step",
        f"{LEGS}:{roller_line}: steps[4].seconds: 121 s on the calves with every tool together exceeds the 120 s "
        "session limit there, that of a foam roller, the most any one of them allows "
        "(sources: a Companion design choice; PubMed Central, pmc.ncbi.nlm.nih.gov/articles/PMC6358529); shorten "
        "or remove a step on that area",
    ]


def test_over_every_limit_at_once(root: Path) -> None:
    """A 300 s massage-gun step breaks the per-step, per-area session and daily limits, alone and with the roller."""
    edit(
        root,
        LEGS,
        'seconds = 30\nintensity = "moderate"\nposition = "sitting"\ninstruction = "Sit with',
        'seconds = 300\nintensity = "moderate"\nposition = "sitting"\ninstruction = "Sit with',
    )
    step_line = line_of(root, LEGS, "seconds = 300")
    last_gun_quads = line_of(root, LEGS, "seconds = 30", occurrence=2)
    roller_quads = line_of(root, LEGS, "seconds = 60", occurrence=4)
    found = problems(root)
    assert found == [
        f"{LEGS}:{step_line}: steps[0].seconds: 300 s exceeds the 60 s per-step limit for a massage gun on the "
        "front of the thighs (source: Thrive Now Physio, thrivenowphysio.com); shorten the step",
        f"{LEGS}:{roller_quads}: steps[5].seconds: 390 s on the front of the thighs with every tool together "
        "exceeds the 120 s session limit there, that of a foam roller, the most any one of them allows "
        "(sources: a Companion design choice; PubMed Central, pmc.ncbi.nlm.nih.gov/articles/PMC6358529); shorten "
        "or remove a step on that area",
        f"{LEGS}:{last_gun_quads}: steps[1].seconds: 330 s on the front of the thighs with a massage gun exceeds "
        "the 120 s per-area session limit (source: Thrive Now Physio, thrivenowphysio.com); shorten or remove a "
        "step on that area",
        f"{LEGS}:{last_gun_quads}: steps[1].seconds: 330 s on the front of the thighs with a massage gun exceeds "
        "the 240 s per-area daily limit (a Companion design choice); shorten or remove a step on that area",
    ]


def test_over_the_per_session_limit(root: Path) -> None:
    edit(root, PILLOW, "seconds = 360", "seconds = 700")
    line = line_of(root, PILLOW, "seconds = 180")
    [problem] = problems(root)
    assert problem == (
        f"{PILLOW}:{line}: steps[2].seconds: 1180 s with a shiatsu pillow exceeds the 900 s per-session limit "
        "for that tool (source: KLCOSY, klcosymassager.com/help-center/faqs/223.html); shorten the routine"
    )


def test_tool_on_an_area_it_must_avoid(root: Path) -> None:
    edit(root, LEGS, 'title = "Calves"\narea = "calves"', 'title = "Calves"\narea = "neck"')
    line = line_of(root, LEGS, 'area = "neck"')
    assert problems(root) == [
        f"{LEGS}:{line}: steps[3].area: a massage gun must not be used on the neck: percussion near the neck's "
        "arteries and vertebrae has been linked to artery tears (source: Western Journal of Emergency Medicine, "
        "westjem.com)",
        f"{LEGS}:{line + 1}: steps[3].tool: only your hands may work the neck: the neck is worked by hand only, "
        "with light pressure, on the muscles at the back (a Companion design choice)",
    ]


def test_massage_gun_on_the_lower_back(root: Path) -> None:
    edit(root, LEGS, 'title = "Calves"\narea = "calves"', 'title = "Calves"\narea = "lower-back"')
    [problem] = problems(root)
    assert ": steps[3].area: a massage gun must not be used on the lower back: " in problem
    assert problem.endswith("(a Companion design choice)")


def test_duplicate_routine_id(root: Path) -> None:
    shutil.copy(root / LEGS, root / "routines" / "zz-copy.toml")
    [problem] = problems(root)
    assert problem == (
        "routines/zz-copy.toml: id: duplicate id 'legs-after-running' (also in routines/legs-after-running.toml); "
        "ids must be unique"
    )


def test_duplicate_therapy_id(root: Path) -> None:
    shutil.copy(root / "therapies" / "thai.toml", root / "therapies" / "thai-2.toml")
    [problem] = problems(root)
    assert problem == "therapies/thai.toml: id: duplicate id 'thai' (also in therapies/thai-2.toml); ids must be unique"


def test_duplicate_vocabulary_and_source_ids(root: Path) -> None:
    edit(root, "catalog.toml", 'id = "chest"', 'id = "shoulders"')
    edit(root, "safety.toml", 'id = "kidneys"', 'id = "bony"')
    found = problems(root)
    assert "safety.toml: sources[10].id: duplicate id 'bony'; ids must be unique" in found
    assert "catalog.toml: areas[2].id: duplicate id 'shoulders'; ids must be unique" in found


def test_unknown_source_in_safety(root: Path) -> None:
    edit(root, "safety.toml", 'source = "chair-session"', 'source = "chair-blog"')
    edit(
        root,
        "safety.toml",
        'day_source = "design-day-cap"\n\n[[limits]]\ntool = "hands"',
        'day_source = "design-week-cap"\n\n[[limits]]\ntool = "hands"',
    )
    found = problems(root)
    assert found == [
        "safety.toml: limits[0].day_source: unknown source 'design-week-cap'",
        "safety.toml: limits[6].source: unknown source 'chair-blog'",
    ]


def test_unknown_tool_and_area_in_safety(root: Path) -> None:
    edit(root, "safety.toml", 'tool = "massage-chair"\nareas = ["neck"]', 'tool = "massage-bed"\nareas = ["head"]')
    found = problems(root)
    assert found == ["safety.toml: avoid[5]: unknown tool 'massage-bed'", "safety.toml: avoid[5]: unknown area 'head'"]


def test_missing_source_field_in_safety(root: Path) -> None:
    edit(root, "safety.toml", 'strength = "weak"\n', "", count=5)
    found = problems(root)
    assert len(found) == 5
    assert found[0].startswith("safety.toml:")
    assert found[0].endswith(": sources[5].strength: is required but missing; add it")


def test_a_source_a_person_cannot_look_up(root: Path) -> None:
    """A researched source needs a short citation and an address; our own choices are cited as such."""
    edit(root, "safety.toml", 'cite = "Symbeo Health, symbeohealth.com"\n', "")
    edit(root, "safety.toml", 'cite = "Biology Insights, biologyinsights.com"', 'cite = "consumer articles"')
    edit(
        root, "safety.toml", 'cite = "PhysioWorks, physioworks.com.au"\n', 'cite = "PhysioWorks (physioworks.com.au)"\n'
    )
    edit(
        root,
        "safety.toml",
        'reference = "Companion design choice"\n',
        'reference = "Companion design choice"\ncite = "us"\n',
        count=4,
    )
    found = problems(root)
    assert [problem.split(": ", 2)[1:] for problem in found[:4]] == [
        ["sources[5]", "'cite' is required: the publisher and address shown beside a limit or a rule"],
        ["sources[6]", "'cite' and 'reference' must each give an address a person can look up"],
        ["sources[7]", "'cite' is shown inside brackets; write it without any"],
        ["sources[15]", "a design choice is cited as 'a Companion design choice'; remove 'cite'"],
    ]
    assert len(found) == 7  # the four design choices given a cite: one problem each


def test_therapy_source_without_an_address(root: Path) -> None:
    edit(
        root,
        "therapies/sports.toml",
        "svmassagetherapy.com/blog/2014/09/01/sports-massage/ (pre-event",
        "a sports massage blog (pre-event",
    )
    problem = problems(root)[0]
    assert problem.startswith("therapies/sports.toml:")
    assert problem.endswith("sources[1].reference: must give the publisher and an address a person can look up")


def test_therapy_problems(root: Path) -> None:
    edit(root, "therapies/thai.toml", 'pressure = "Moderate to firm, with stretching"\n', "")
    edit(root, "therapies/prenatal.toml", 'goals = ["lower-back", "stress", "sleep"]', 'goals = ["labour"]')
    edit(root, "therapies/sports.toml", 'areas = ["shoulders",', 'areas = ["wrists",')
    found = problems(root)
    assert found[0] == "therapies/thai.toml:1: pressure: is required but missing; add it"
    assert found[1].startswith("therapies/prenatal.toml: goals[0]: unknown goal 'labour'; use one of: after-workout, ")
    assert found[2].startswith("therapies/sports.toml: areas[0]: unknown area 'wrists'; use one of: calves, ")


def test_a_therapy_naming_an_unknown_screening_question(root: Path) -> None:
    edit(root, "therapies/prenatal.toml", 'adapted_to = ["pregnancy"]', 'adapted_to = ["pregnant"]')
    edit(root, "therapies/deep-tissue.toml", 'questions = ["fragile-bones"]', 'questions = ["osteoporosis"]')
    found = problems(root)
    assert found[0].startswith(
        "therapies/deep-tissue.toml: avoid[2].questions[0]: unknown screening question 'osteoporosis'; use one of: "
    )
    assert found[1].startswith("therapies/prenatal.toml: adapted_to[0]: unknown screening question 'pregnant'")
    assert "pregnancy" in found[1]


def test_control_character_in_text(root: Path) -> None:
    edit(root, LEGS, 'title = "Legs after a run"', 'title = "Legs \\u001b[31mafter a run"')
    [problem] = problems(root)
    assert problem.startswith(f"{LEGS}:{line_of(root, LEGS, 'title = ')}: title: contains a control character (U+001B)")


def test_source_set_in_a_bundled_routine(root: Path) -> None:
    edit(root, LEGS, 'goals = ["after-workout"]', 'goals = ["after-workout"]\nsource = "user"')
    [problem] = problems(root)
    assert (
        problem == f"{LEGS}:{line_of(root, LEGS, 'source = ')}: source: is set by Companion, not by the file; remove it"
    )


def test_every_broken_file_is_reported_together(root: Path) -> None:
    edit(root, LEGS, 'therapies = ["sports", "deep-tissue"]', 'therapies = ["reiki"]')
    edit(root, PILLOW, "seconds = 360", "seconds = 1000")
    (root / "therapies" / "reiki.toml").write_text('id = "reiki"\n', encoding="utf-8")
    found = problems(root)
    files = {problem.split(":", 1)[0] for problem in found}
    assert files == {LEGS, PILLOW, "therapies/reiki.toml"}


def test_a_tool_without_its_per_area_caps_is_refused(root: Path) -> None:
    edit(
        root,
        "safety.toml",
        'tool = "massage-ball"\nstep_seconds = 120\narea_session_seconds = 120\n',
        'tool = "massage-ball"\nstep_seconds = 120\n',
    )
    found = problems(root)
    assert len(found) == 1
    assert found[0].startswith("safety.toml: limits[2].area_session_seconds: ")
    assert found[0].endswith("tool 'massage-ball' needs its area_session_seconds cap")


def test_a_tool_with_no_limits_at_all_is_refused(root: Path) -> None:
    edit(root, "catalog.toml", '[[tools]]\nid = "hands"', '[[tools]]\nid = "belt"\nname = "Belt"\nkind = "device"\n'
         'description = "A massage belt."\n\n[[tools]]\nid = "hands"')  # fmt: skip
    found = problems(root)
    assert found == [
        "safety.toml: limits: tool 'belt' has no limits; give it step_seconds, area_session_seconds, area_day_seconds"
    ]


def test_an_area_limit_looser_than_the_tools_is_refused(root: Path) -> None:
    edit(
        root,
        "safety.toml",
        "# ================================================================ areas a tool must never be used on",
        '[[limits]]\ntool = "hands"\narea = "calves"\narea_session_seconds = 600\nsource = "roll-per-area"\n\n'
        "# ================================================================ areas a tool must never be used on",
    )
    [problem] = problems(root)
    assert problem.endswith(".area_session_seconds: 600 is looser than the tool's general 240")


def test_firm_pressure_on_the_neck_is_refused(root: Path) -> None:
    neck = "routines/neck-shoulders-desk.toml"
    old = 'technique = "circles"\nseconds = 60\nintensity = "gentle"'
    edit(root, neck, old, old.replace("gentle", "firm"))
    line = line_of(root, neck, 'intensity = "firm"')
    assert problems(root) == [
        f"{neck}:{line}: steps[2].intensity: firm is firmer than the gentle allowed on the neck: the neck is worked "
        "by hand only, with light pressure, on the muscles at the back (a Companion design choice)"
    ]


def test_a_ball_on_the_neck_is_refused(root: Path) -> None:
    neck = "routines/neck-shoulders-desk.toml"
    edit(root, neck, 'area = "neck"\ntool = "hands"\ntechnique = "circles"', 'area = "neck"\ntool = "massage-ball"\n'
         'technique = "circles"')  # fmt: skip
    [problem] = problems(root)
    assert ": steps[2].tool: only your hands may work the neck: " in problem
    assert problem.endswith("(a Companion design choice)")


def test_stacking_tools_on_one_area_is_refused(root: Path) -> None:
    """Each tool within its own caps, but together more than the most permissive one allows (the issue's calves)."""
    calves = "routines/calf-recovery.toml"
    edit(root, calves, 'tool = "hands"\ntechnique = "gliding"\nseconds = 60', 'tool = "hands"\ntechnique = "gliding"\n'
         "seconds = 120")  # fmt: skip
    found = problems(root)
    assert len(found) == 1
    assert (
        "steps[5].seconds: 300 s on the calves with every tool together exceeds the 240 s session limit there, "
        in (found[0])
    )
    assert "that of your hands" in found[0]
    # Both rules behind it (adding up over tools, the hands' session time) are our design choices.
    assert found[0].endswith("the most any one of them allows (a Companion design choice); shorten or remove a step "
                             "on that area")  # fmt: skip


def test_the_hands_do_not_lend_ball_and_roller_their_cap(root: Path) -> None:
    """Ball and roller on the calves share their own 2:00, even though the hands there allow 4:00 in all."""
    calves = "routines/calf-recovery.toml"
    edit(root, calves, 'technique = "static-pressure"\nseconds = 30', 'technique = "static-pressure"\nseconds = 60')
    edit(root, calves, 'title = "Finish"\narea = "calves"\ntool = "hands"\ntechnique = "kneading"\nseconds = 60',
         'title = "Finish"\narea = "calves"\ntool = "hands"\ntechnique = "kneading"\nseconds = 30')  # fmt: skip
    [problem] = problems(root)  # 240 s in all, within the hands' 4:00; 150 s of ball and roller
    assert (
        "150 s on the calves with a foam roller and a massage ball together exceeds the 120 s session limit there, "
        "that of a foam roller, the most any one of them allows"
    ) in problem
