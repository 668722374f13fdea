"""The limits and answers a run is held to while it runs: settings or screening answers saved meanwhile (in this
window or another) that are stricter shorten, soften or drop what is left (:mod:`companion.safety.revision`).

The owner of a run (the app's runner, plain mode's loop) looks again as each step begins, and when
:class:`RulesWatch` sees the settings or the answers file change: a look at the files' size and time every
:data:`WATCH_SECONDS`, never a read on every tick.
"""

from __future__ import annotations

from companion.catalogue.models import Catalog, Question
from companion.disk.fileio import Signature, file_signature
from companion.disk.paths import Paths
from companion.run.clock import Clock
from companion.run.cues import Cue
from companion.run.engine import RoutineRun
from companion.run.hands_free import HandsFree
from companion.safety.revision import revise
from companion.safety.screening import ScreeningAnswers, assess
from companion.settings.user_settings import Settings

WATCH_SECONDS = 2.0
"""How often the settings and answers files are looked at (their size and time only) during a run."""
CLEARANCE_QUESTION = "Has a doctor or midwife cleared you for this massage?"
"""Asked during a run, as before it, when an "ask first" answer is given meanwhile."""


def clearance_lines(questions: tuple[Question, ...]) -> list[str]:
    """What to say before asking for a clearance during a run: each new "ask first" answer and why it matters."""
    lines = [f"Today's answers now say yes to “{q.text}” {q.why} {q.instead}" for q in questions]
    return [*lines, f"{CLEARANCE_QUESTION} If not, the routine stops here and what you did is kept."]


class RulesWatch:
    """Whether the settings or today's answers file changed on disk since it last looked (cheaply: a ``stat``)."""

    def __init__(self, paths: Paths, clock: Clock) -> None:
        self.paths = paths
        self.clock = clock
        self._seen = self._stamps()
        self._looked = clock.monotonic()

    def _stamps(self) -> tuple[Signature | None, ...]:
        return tuple(file_signature(path) for path in (self.paths.settings, self.paths.screening))

    def changed(self) -> bool:
        """Whether either file changed (looked at no more often than every :data:`WATCH_SECONDS`)."""
        now = self.clock.monotonic()
        if now - self._looked < WATCH_SECONDS:
            return False
        self._looked = now
        stamps = self._stamps()
        if stamps == self._seen:
            return False
        self._seen = stamps
        return True


def unconfirmed(run: RoutineRun, catalog: Catalog, answers: ScreeningAnswers) -> tuple[Question, ...]:
    """The "ask first" answers that apply to the running routine with no doctor's clearance confirmed."""
    return assess(run.plan.routine, catalog, answers).needs_clearance


def cleared(answers: ScreeningAnswers, questions: tuple[Question, ...]) -> ScreeningAnswers:
    """``answers`` with the person's confirmation that a doctor cleared them for each of ``questions``."""
    for question in questions:
        answers = answers.with_cleared(question.id)
    return answers


def hold_to(
    run: RoutineRun, hands: HandsFree, catalog: Catalog, settings: Settings, answers: ScreeningAnswers
) -> list[Cue]:
    """Fit what is left of ``run`` to ``settings`` and ``answers`` as they are now; the cue saying what changed
    and why, delivered (none when nothing did). A step the change begins, or the end, comes with the next update."""
    revision = revise(run.plan, catalog, settings, answers, run.progress())
    if revision is None:
        return []
    run.revise(revision)
    return hands.revised(revision)
