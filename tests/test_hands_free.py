"""Hands-free cues on the fake clock: a fake speaker and notifier record every call, with its time."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.run.clock import FakeClock
from companion.run.cues import Action, CueKind, CueMaker, speakable, spoken_seconds
from companion.run.engine import RoutineRun
from companion.run.hands_free import HandsFree
from companion.safety.plan import Plan, make_plan
from tests.catalog_fixture import make_catalog, routine, step

WORDS_PER_SECOND = 175 / 60


@dataclass
class Utterance:
    start: float
    text: str
    end: float
    """When it would have finished (at 175 words a minute), or when the next one cut it."""


@dataclass
class FakeSpeaker:
    """Records every utterance against the clock; one still playing when the next comes is cut (as the real one)."""

    clock: FakeClock
    said: list[Utterance] = field(default_factory=list)
    cut: int = 0
    closed: bool = False

    def say(self, text: str) -> None:
        now = self.clock.monotonic()
        if self.said and self.said[-1].end > now:
            self.said[-1].end = now
            self.cut += 1
        self.said.append(Utterance(now, text, now + len(text.split()) / WORDS_PER_SECOND))

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeNotifier:
    clock: FakeClock
    shown: list[tuple[float, str, str]] = field(default_factory=list)

    def notify(self, title: str, body: str) -> None:
        self.shown.append((self.clock.monotonic(), title, body))

    def close(self) -> None:
        pass


def calf_plan() -> Plan:
    """Three steps on the calves with the massage gun (a 60 s step limit, 120 s for the area in a session), then
    a ball step."""
    item = routine(
        "calves",
        [
            step("calves", "massage-gun", 50, "Calves first"),
            step("calves", "massage-gun", 40, "Calves second"),
            step("shoulders", "massage-ball", 30, "Shoulders"),
        ],
    )
    return make_plan(item, make_catalog((item,)))


def started(plan: Plan) -> tuple[RoutineRun, FakeClock, HandsFree, FakeSpeaker, FakeNotifier]:
    clock = FakeClock()
    run = RoutineRun(plan, clock)
    speaker, notifier = FakeSpeaker(clock), FakeNotifier(clock)
    hands = HandsFree(plan, run, speaker=speaker, notifier=notifier)
    run.start()
    hands.update(run.drain_events(), run.snapshot())
    return run, clock, hands, speaker, notifier


def tick(run: RoutineRun, hands: HandsFree, clock: FakeClock, seconds: int) -> None:
    for _ in range(seconds):
        clock.advance(1)
        hands.update(run.drain_events(), run.snapshot())


def assert_no_overlap(said: list[Utterance]) -> None:
    for before, after in itertools.pairwise(said):
        assert before.end <= after.start, f"{before.text!r} still playing when {after.text!r} began"


def test_one_utterance_per_step_boundary_and_per_refusal_in_order() -> None:
    plan = calf_plan()
    run, clock, hands, speaker, notifier = started(plan)
    tick(run, hands, clock, 2)
    # the first calves step can be extended by 10 s only (the 60 s step limit): partly added, said why
    partly = run.extend()
    assert partly.ok and partly.seconds == 10
    hands.acted(Action.EXTEND, partly)
    clock.advance(1)
    hands.acted(Action.EXTEND, run.extend())  # now at the limit: refused
    tick(run, hands, clock, 200)
    assert speaker.said[1].text.startswith("Nearly at the limit for the calves. Added only 10 seconds")

    starts = [u for u in speaker.said if u.text.startswith("Step ")]
    assert [u.text.split(".")[0] for u in starts] == ["Step 1 of 3", "Step 2 of 3", "Step 3 of 3"]
    assert [u.start - 1000 for u in starts] == [0, 60, 100]  # 50 s + 10 s added, then 40 s
    refusals = [u for u in speaker.said if u.text.startswith("Time is up")]
    assert len(refusals) == 1 and refusals[0].start == 1003
    assert refusals[0].text.startswith("Time is up for the calves.")
    warnings = [u.text for u in speaker.said if u.text == "5 seconds."]
    assert len(warnings) == 3  # one before each step ends
    assert speaker.said[-1].text == "Routine complete. Well done."
    assert len({u.start for u in speaker.said}) == len(speaker.said), "never two utterances at one instant"
    assert_no_overlap(speaker.said)
    assert speaker.cut >= 1  # the first step's announcement was cut by the partial extension
    # notifications: each step change and the end, nothing else
    assert [title for _, title, _ in notifier.shown] == [
        "Now: Calves first (Calves, 0:50)",
        "Now: Calves second (Calves, 0:40)",
        "Now: Shoulders (Shoulders, 0:30)",
        "Calves",
    ]
    assert notifier.shown[1][2] == "Step 2 of 3: Calves second (Calves, Massage gun, 0:40). Slowly."


def test_a_jump_over_several_steps_is_one_utterance() -> None:
    run, clock, hands, speaker, notifier = started(calf_plan())
    clock.advance(95)  # a suspended laptop: two boundaries passed, one warning missed
    hands.update(run.drain_events(), run.snapshot())
    assert [u.text.split(".")[0] for u in speaker.said] == ["Step 1 of 3", "Step 3 of 3"]
    assert len(notifier.shown) == 2


def test_pause_resume_and_stop_are_spoken_the_end_once() -> None:
    run, clock, hands, speaker, _ = started(calf_plan())
    tick(run, hands, clock, 3)
    hands.acted(Action.PAUSE, run.toggle_pause())
    clock.advance(30)
    hands.acted(Action.PAUSE, run.toggle_pause())
    hands.acted(Action.ASK_STOP, run.pause())
    hands.acted(Action.STOP, run.stop())
    tick(run, hands, clock, 5)
    texts = [u.text for u in speaker.said]
    assert texts[1:] == [
        "Paused.",
        "Resumed.",
        "Stop the routine? Press y to stop, or n to keep going.",
        "Routine stopped.",
    ]
    assert [u.start - 1000 for u in speaker.said[1:3]] == [3, 33]


def test_nothing_is_said_or_shown_without_a_speaker_or_notifier() -> None:
    plan = calf_plan()
    clock = FakeClock()
    run = RoutineRun(plan, clock)
    hands = HandsFree(plan, run)
    run.start()
    cues = hands.update(run.drain_events(), run.snapshot())
    assert [c.kind for c in cues] == [CueKind.STEP_STARTED]


def test_time_left_every_thirty_seconds_for_plain_mode() -> None:
    item = routine("long", [step("shoulders", "massage-ball", 100, "Long one")])
    plan = make_plan(item, make_catalog((item,)))
    clock = FakeClock()
    run = RoutineRun(plan, clock)
    maker = CueMaker(plan, time_left_every=30)
    run.start()
    lines = [c.line for c in maker.observe(run.drain_events(), run.snapshot())]
    for _ in range(100):
        clock.advance(1)
        lines += [c.line for c in maker.observe(run.drain_events(), run.snapshot())]
    assert lines[1:] == [
        "1:10 left in Long one.",
        "0:40 left in Long one.",
        "0:10 left in Long one.",
        "Long one ends in 5 s; then the routine is done.",
        "Routine complete: 1:40 done.",
    ]


def test_refused_back_names_the_limit() -> None:
    run, clock, hands, _, _ = started(calf_plan())
    tick(run, hands, clock, 5)
    run.extend(10)
    tick(run, hands, clock, 57)  # into the second step; the first had all its 60 s
    cues = hands.acted(Action.BACK, run.back())
    assert cues[0].kind is CueKind.LIMIT_REFUSED
    assert "cannot be done again" in cues[0].line


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(5, "5 seconds"), (1, "1 second"), (60, "1 minute"), (150, "2 minutes 30 seconds"), (0, "0 seconds")],
)
def test_spoken_seconds(seconds: int, words: str) -> None:
    assert spoken_seconds(seconds) == words


def test_speakable_reads_no_symbols() -> None:
    text = (
        "“Calves first” cannot run longer than 1:00: the limit for a massage gun on the calves is 1:00 "
        "(source: Thrive Now Physio, thrivenowphysio.com); yours is 0:30 (your own settings). "
        "Add +15 s · or not (a Companion design choice)."
    )
    assert speakable(text) == (
        "Calves first cannot run longer than 1 minute: the limit for a massage gun on the calves is 1 minute; "
        "yours is 30 seconds. Add 15 seconds, or not."
    )


SPEAKABLE = re.compile(r"[A-Za-z0-9 .,;:!?'()-]*")


def test_every_bundled_step_announcement_reads_well_aloud() -> None:
    from companion.catalogue.loader import load_catalog

    catalog = load_catalog().catalog
    for item in catalog.routines.values() if isinstance(catalog.routines, dict) else catalog.routines:
        plan = make_plan(item, catalog)
        if not plan.steps:
            continue
        clock = FakeClock()
        run = RoutineRun(plan, clock)
        maker = CueMaker(plan)
        run.start()
        texts = [c.speech for c in maker.observe(run.drain_events(), run.snapshot())]
        while not run.snapshot().finished:
            clock.advance(1)
            texts += [c.speech for c in maker.observe(run.drain_events(), run.snapshot())]
        for text in texts:
            assert SPEAKABLE.fullmatch(text), f"{item.id}: {text!r} has marks that would be read out"
            assert not re.search(r"\d:\d\d", text), f"{item.id}: a m:ss time in {text!r}"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.sampled_from(list(Action))), max_size=25))
def test_any_actions_give_one_start_utterance_per_step_visit_and_never_overlap(
    moves: list[tuple[int, Action]],
) -> None:
    run, clock, hands, speaker, _ = started(calf_plan())
    actions = {
        Action.PAUSE: run.toggle_pause,
        Action.NEXT: run.next,
        Action.BACK: run.back,
        Action.EXTEND: run.extend,
        Action.ASK_STOP: run.pause,
        Action.KEEP_GOING: run.resume,
        Action.STOP: run.stop,
    }
    for wait, action in moves:
        tick(run, hands, clock, wait)
        if run.snapshot().finished:  # the runner and plain mode take no keys after the end
            break
        hands.acted(action, actions[action]())
        hands.update(run.drain_events(), run.snapshot())
    tick(run, hands, clock, 300)
    if not run.snapshot().finished:
        hands.acted(Action.STOP, run.stop())
        hands.update(run.drain_events(), run.snapshot())
    assert_no_overlap(speaker.said)
    visits = sum(run.visits())
    starts = [u for u in speaker.said if u.text.startswith("Step ")]
    assert len(starts) <= visits
    assert speaker.said[-1].text in ("Routine complete. Well done.", "Routine stopped.")
