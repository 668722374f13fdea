"""Hands-free guidance for one run: cues spoken, notified and written to the status file, the same in the app's
runner and in plain mode.

The owner of the run (the runner screen, or plain mode's loop) calls :meth:`HandsFree.update` with the events it
drained and a snapshot on every redraw, and :meth:`HandsFree.acted` after each action; each returns the cues, for
the owner to show or print. At most one utterance comes out of a call (the newest cue's), so one change is one
utterance, and a speaker cuts an utterance still playing when the next one comes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from companion.disk.paths import Paths
from companion.run.cues import Action, Cue, CueMaker
from companion.run.engine import ActionResult, RoutineRun, RunEvent, RunSnapshot, RunStatus
from companion.run.notify import NO_NOTIFIER, Notifier, NotifyCommand, ProcessNotifier, find_notifier
from companion.run.speech import NO_ENGINE, ProcessSpeaker, Speaker, SpeechEngine, find_engine
from companion.run.status import StatusOutput, StatusWriter, put_status
from companion.safety.plan import Plan
from companion.safety.revision import Revision
from companion.settings.user_settings import HandsFreeChoice, Settings


class HandsFree:
    """Delivers the cues of one run to a speaker, a notifier and the status file (each optional)."""

    def __init__(
        self,
        plan: Plan,
        run: RoutineRun,
        *,
        speaker: Speaker | None = None,
        notifier: Notifier | None = None,
        status: StatusWriter | None = None,
        time_left_every: float | None = None,
    ) -> None:
        self.run = run
        self.speaker = speaker
        self.notifier = notifier
        self.status = status
        self.cues = CueMaker(plan, time_left_every=time_left_every)

    def update(self, events: tuple[RunEvent, ...], snap: RunSnapshot) -> list[Cue]:
        """The cues for ``events`` (drained from the run) at ``snap``, delivered; the status file kept current."""
        cues = self.cues.observe(events, snap)
        self._deliver(cues)
        if self.status is not None:
            self.status.update(snap, changed=bool(events))
        return cues

    def acted(self, action: Action, result: ActionResult) -> list[Cue]:
        """The cues for what ``action`` did, delivered (a step change it caused comes with the next update)."""
        snap = self.run.snapshot()
        cues = self.cues.acted(action, result, snap, self.run.clock.monotonic())
        self._deliver(cues)
        if self.status is not None:
            self.status.update(snap, changed=True)
        return cues

    def revised(self, revision: Revision) -> list[Cue]:
        """``revision`` has been made to the run (:meth:`RoutineRun.revise`): the cue saying what changed, delivered;
        the step it may have begun comes with the next update."""
        snap = self.run.snapshot()
        cues = [self.cues.revised(revision.plan, revision.changes, snap, self.run.clock.monotonic())]
        self._deliver(cues)
        if self.status is not None:
            self.status.plan = revision.plan
            self.status.update(snap, changed=True)
        return cues

    def _deliver(self, cues: list[Cue]) -> None:
        spoken = [cue.speech for cue in cues if cue.speech]
        if spoken and self.speaker is not None:
            self.speaker.say(spoken[-1])
        if self.notifier is not None:
            for cue in cues:
                if cue.notify:
                    self.notifier.notify(cue.title, cue.line)

    def close(self) -> None:
        """No more cues; the last utterance and notification may still finish. The status file goes once the run
        has finished; a run left unfinished (the app closed, a crash) leaves it, so ``companion status`` can say
        it was interrupted."""
        if self.status is not None and self.run.status is RunStatus.FINISHED:
            self.status.clear()
        if self.speaker is not None:
            self.speaker.close()
        if self.notifier is not None:
            self.notifier.close()


@dataclass(frozen=True)
class Outputs:
    """The speaker and notifier a session will use, and a notice for each that was asked for but is missing."""

    speaker: Speaker | None
    notifier: Notifier | None
    notices: tuple[str, ...]


def outputs_for(
    settings: Settings,
    choice: HandsFreeChoice,
    *,
    find_speech: Callable[[], SpeechEngine | None] = find_engine,
    find_notify: Callable[[], NotifyCommand | None] = find_notifier,
) -> Outputs:
    """Speaker and notifier from the settings and this session's flags (``None`` when off or not installed)."""
    notices: list[str] = []
    speaker: Speaker | None = None
    notifier: Notifier | None = None
    if settings.speech.enabled or choice.speak:
        engine = find_speech()
        if engine is None:
            notices.append(NO_ENGINE)
        else:
            speaker = ProcessSpeaker(engine, settings.speech.rate, settings.speech.voice)
    if settings.notifications or choice.notify:
        command = find_notify()
        if command is None:
            notices.append(NO_NOTIFIER)
        else:
            notifier = ProcessNotifier(command)
    return Outputs(speaker, notifier, tuple(notices))


def hands_free_for(
    paths: Paths,
    plan: Plan,
    run: RoutineRun,
    outputs: Outputs,
    *,
    time_left_every: float | None = None,
    status_output: StatusOutput = put_status,
) -> HandsFree:
    """Hands-free guidance for ``run`` with ``outputs`` and the status file in the state folder (written through
    ``status_output``)."""
    return HandsFree(
        plan,
        run,
        speaker=outputs.speaker,
        notifier=outputs.notifier,
        status=StatusWriter(paths, plan, run, output=status_output),
        time_left_every=time_left_every,
    )
