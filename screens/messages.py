"""Messages that cross screens (a widget's own messages live on the widget class)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from textual.message import Message

from companion.settings.user_settings import Settings

if TYPE_CHECKING:  # the flow's types, imported when a flow runs, not at start
    from companion.advice.guidance import Guidance
    from companion.catalogue.models import Routine
    from companion.history.records import SessionRecord
    from companion.run.checkpoint import Checkpoint, RunLock
    from companion.safety.plan import Plan
    from companion.safety.screening import ScreeningAnswers
    from screens.background import LatestWriter


class HistoryChanged(Message):
    """The history was loaded or changed (a session saved, edited, deleted or imported).

    Post it from any screen after writing to the store; it bubbles to the app, which refreshes today's summary.
    """


class HistoryReloaded(Message, bubble=False):
    """The app read the history again because another program changed the file (another window, plain mode, an
    import): a screen showing sessions redraws them from the store. The app posts it to every screen on its stack."""


class SettingsChanged(Message, bubble=False):
    """The user's settings were replaced (``services.settings`` holds them): redraw what depends on them.

    The app posts it to every screen on its stack; it does not bubble.
    """

    def __init__(self, settings: Settings, *, elsewhere: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.elsewhere = elsewhere
        """Read from disk: changed in another window (not by this window's own screens)."""


class FlowMessage(Message):
    """Something happened on a screen that may move the user elsewhere; the app hands it to the flow.

    Screens never open the screen that comes next: they post one of these (it bubbles to the app), and
    :class:`screens.flow.RoutineFlow` decides where the user goes.
    """


class RoutineChosen(FlowMessage):
    """The user asked to start the routine ``routine_id`` (from a list, the command line or the guide)."""

    def __init__(self, routine_id: str) -> None:
        super().__init__()
        self.routine_id = routine_id


RoutineChange = Literal["new", "edit", "copy", "delete"]


class RoutineChangeWanted(FlowMessage):
    """The user asked to create, edit, copy or delete a routine of theirs (``routine`` is the highlighted one)."""

    def __init__(self, change: RoutineChange, routine: Routine | None) -> None:
        super().__init__()
        self.change: RoutineChange = change
        self.routine = routine


class ScreeningAnswered(FlowMessage):
    """Today's screening answers were given: the flow keeps them and, for a ``routine``, assesses them. ``shown``:
    the answers the screen showed before (only the questions changed from them are this window's to write)."""

    def __init__(self, routine: Routine | None, answers: ScreeningAnswers, shown: ScreeningAnswers) -> None:
        super().__init__()
        self.routine = routine
        self.answers = answers
        self.shown = shown


class BackToRoutines(FlowMessage):
    """The user chose to leave the routine's flow for the routine list."""


class PlanOutdated(FlowMessage):
    """A plan on screen may be out of date (the screening answers may have changed meanwhile): plan again."""

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan


class AlternativeChosen(FlowMessage):
    """For ``plan``, emptied by the screening answers, the user chose the routine ``routine_id`` offered instead."""

    def __init__(self, plan: Plan, routine_id: str) -> None:
        super().__init__()
        self.plan = plan
        self.routine_id = routine_id


class PlanAccepted(FlowMessage):
    """The user starts ``plan`` (``tension_before`` is their rating, ``None`` when skipped)."""

    def __init__(self, plan: Plan, tension_before: int | None) -> None:
        super().__init__()
        self.plan = plan
        self.tension_before = tension_before


class RunEnded(FlowMessage):
    """The run of ``plan`` ended (finished or stopped) with ``record``; the flow records it.

    ``run_lock`` is the run's lock, handed over: it is held until the session is recorded. ``checkpoints`` writes
    the run's checkpoints: the record is saved after the last of them, so the checkpoint it clears stays cleared.
    """

    def __init__(
        self, plan: Plan, record: SessionRecord, run_lock: RunLock | None, checkpoints: LatestWriter[Checkpoint]
    ) -> None:
        super().__init__()
        self.plan = plan
        self.record = record
        self.run_lock = run_lock
        self.checkpoints = checkpoints


class ReflectionGiven(FlowMessage):
    """The user rated and noted the session just done (``record`` holds it); the flow saves it."""

    def __init__(self, record: SessionRecord) -> None:
        super().__init__()
        self.record = record


class GuidanceChanged(Message, bubble=False):
    """Today's guidance was worked out again (after the history or the screening answers changed).

    The app posts it to every screen on its stack; ``CompanionApp.guidance`` holds the latest.
    """

    def __init__(self, guidance: Guidance) -> None:
        super().__init__()
        self.guidance = guidance
