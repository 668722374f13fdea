"""Speaking cues through the platform's speech command, without ever holding up the UI or the clock.

The engine is the first of these found on ``PATH``: ``say`` on macOS; elsewhere ``spd-say`` (Speech Dispatcher,
so a screen reader's voice and settings are used), then ``espeak-ng``, then ``espeak``. Each utterance is one
run of that command. :class:`ProcessSpeaker` starts it from a thread of its own, so :meth:`~ProcessSpeaker.say`
returns at once; an utterance still playing when the next one comes is cut (its process ended; for
``spd-say``, Speech Dispatcher's "text" priority makes the new message replace the old), never queued behind it.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from companion.settings.user_settings import DEFAULT_RATE, VOICE_ID

LIST_TIMEOUT = 5.0
"""Seconds to wait for an engine to list its voices."""
CUT_TIMEOUT = 1.0
"""Seconds a cut utterance's process has to end before it is killed."""

ENGINE_NAMES = ("say", "spd-say", "espeak-ng", "espeak")
NO_ENGINE = (
    "No speech engine found on PATH (espeak-ng, espeak, spd-say, or say on macOS): cues are not spoken; "
    "the bell still works."
)

Which = Callable[[str], str | None]


@dataclass(frozen=True)
class Voice:
    """A voice an engine offers: ``id`` is what its command takes, ``label`` what a person reads."""

    id: str
    label: str


@dataclass(frozen=True)
class SpeechEngine:
    """A speech command found on ``PATH``."""

    name: str
    """``say``, ``spd-say``, ``espeak-ng`` or ``espeak``."""
    path: str

    def command(self, text: str, rate: int = DEFAULT_RATE, voice: str = "") -> list[str]:
        """The command that speaks ``text`` at ``rate`` words a minute in ``voice`` (empty: the engine's own)."""
        if self.name == "spd-say":
            # Speech Dispatcher's rate is -100..100 around the user's own (0); 175 words a minute maps to 0.
            relative = max(-100, min(100, round((rate - DEFAULT_RATE) * 100 / DEFAULT_RATE)))
            args = [self.path, "-N", "Companion", "-P", "text", "-r", str(relative)]
            if voice:
                args += ["-y", voice]
            return [*args, "--", text]
        args = [self.path, "-r" if self.name == "say" else "-s", str(rate)]
        if voice:
            args += ["-v", voice]
        return [*args, text]

    def voices_command(self) -> list[str]:
        if self.name == "say":
            return [self.path, "-v", "?"]
        if self.name == "spd-say":
            return [self.path, "-L"]
        return [self.path, "--voices"]


def find_engine(which: Which = shutil.which, platform: str = sys.platform) -> SpeechEngine | None:
    """The speech command to use, or ``None`` when there is none on ``PATH``."""
    for name in ENGINE_NAMES:
        if name == "say" and platform != "darwin":
            continue
        path = which(name)
        if path:
            return SpeechEngine(name, path)
    return None


_SAY_VOICE = re.compile(r"^(?P<name>.+?)\s+(?P<lang>[a-z]{2,3}[_-][A-Za-z0-9]+)\s+#")


def parse_voices(engine_name: str, output: str) -> list[Voice]:
    """The voices in an engine's listing (``espeak-ng --voices``, ``spd-say -L``, ``say -v '?'``)."""
    voices: list[Voice] = []
    for line in output.splitlines()[1 if engine_name in ("espeak-ng", "espeak", "spd-say") else 0 :]:
        if engine_name == "say":
            found = _SAY_VOICE.match(line)
            if found:
                voices.append(Voice(found["name"].strip(), f"{found['name'].strip()} ({found['lang']})"))
            continue
        fields = line.split()
        if engine_name == "spd-say" and fields:
            voices.append(Voice(fields[0], " ".join(fields)))
        elif len(fields) >= 4:  # Pty Language Age/Gender VoiceName File ...
            voices.append(Voice(fields[1], f"{fields[3].replace('_', ' ')} ({fields[1]})"))
    return [voice for voice in voices if VOICE_ID.fullmatch(voice.id)]


def list_voices(engine: SpeechEngine) -> list[Voice]:
    """The engine's voices (slow: run it in a worker); empty when it cannot list them."""
    try:
        result = subprocess.run(
            engine.voices_command(),
            capture_output=True,
            text=True,
            timeout=LIST_TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return parse_voices(engine.name, result.stdout)


class Speaker(Protocol):
    """Where spoken cues go."""

    def say(self, text: str) -> None:
        """Speak ``text`` now, cutting whatever is still being said. Returns at once."""
        ...

    def close(self) -> None:
        """No more utterances (the last one may finish)."""
        ...


class BackgroundCommands:
    """Runs commands one after another from a thread of its own; :meth:`run` never waits.

    With ``cut``, a command still running when the next comes is ended (the next is never queued behind it);
    without, each runs to its end. Only the newest waiting command is kept: nothing piles up.
    """

    def __init__(self, *, cut: bool, name: str) -> None:
        self.cut = cut
        self._wake = threading.Condition()
        self._pending: list[str] | None = None
        self._closed = False
        self._current: subprocess.Popen[bytes] | None = None
        self.failures = 0
        """Commands that could not be started."""
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def run(self, command: Sequence[str]) -> None:
        with self._wake:
            if self._closed:
                return
            self._pending = list(command)
            self._wake.notify()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()

    def join(self, timeout: float | None = None) -> None:
        """Wait until every command given so far has been started (tests)."""
        self.close()
        self._thread.join(timeout)

    @property
    def current(self) -> subprocess.Popen[bytes] | None:
        return self._current

    def _loop(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._closed:
                    self._wake.wait()
                command, self._pending = self._pending, None
            if command is None:
                return
            self._finish_current()
            try:
                self._current = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,  # Ctrl+C in the terminal is for Companion, not the voice
                )
            except OSError:
                self.failures += 1
                self._current = None

    def _finish_current(self) -> None:
        process = self._current
        if process is None:
            return
        if self.cut and process.poll() is None:
            process.terminate()
        try:
            process.wait(CUT_TIMEOUT if self.cut else None)
        except subprocess.TimeoutExpired:
            process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(CUT_TIMEOUT)


class ProcessSpeaker:
    """Speaks through ``engine``, each utterance cutting the one before."""

    def __init__(self, engine: SpeechEngine, rate: int = DEFAULT_RATE, voice: str = "") -> None:
        self.engine = engine
        self.rate = rate
        self.voice = voice
        self.commands = BackgroundCommands(cut=True, name="companion-speech")

    def say(self, text: str) -> None:
        if text:
            self.commands.run(self.engine.command(text, self.rate, self.voice))

    def close(self) -> None:
        self.commands.close()
