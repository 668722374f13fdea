"""The speech and notification commands: which one is used, what it is given, cutting, and real espeak-ng audio."""

from __future__ import annotations

import shutil
import struct
import subprocess
import time
import wave
from pathlib import Path

import pytest

from companion.run.hands_free import outputs_for
from companion.run.notify import NO_NOTIFIER, NotifyCommand, find_notifier
from companion.run.speech import (
    NO_ENGINE,
    BackgroundCommands,
    ProcessSpeaker,
    SpeechEngine,
    find_engine,
    parse_voices,
)
from companion.settings.user_settings import HandsFreeChoice, Settings


def which_of(*present: str):
    return lambda name: f"/usr/bin/{name}" if name in present else None


def test_the_engine_is_the_first_found() -> None:
    assert find_engine(which_of("espeak", "espeak-ng"), "linux") == SpeechEngine("espeak-ng", "/usr/bin/espeak-ng")
    assert find_engine(which_of("espeak", "spd-say"), "linux").name == "spd-say"  # the screen reader's voice
    assert find_engine(which_of("espeak"), "linux").name == "espeak"
    assert find_engine(which_of("say", "espeak-ng"), "darwin").name == "say"
    assert find_engine(which_of("say"), "linux") is None  # another program of that name is not macOS's say
    assert find_engine(which_of(), "linux") is None


def test_commands_take_the_text_as_one_argument_with_rate_and_voice() -> None:
    text = "Step 1 of 3. Calves first."
    assert SpeechEngine("espeak-ng", "/e").command(text, 200, "en-gb") == ["/e", "-s", "200", "-v", "en-gb", text]
    assert SpeechEngine("say", "/s").command(text) == ["/s", "-r", "175", text]
    spd = SpeechEngine("spd-say", "/d").command(text, 350, "")
    assert spd[-2:] == ["--", text] and spd[spd.index("-r") + 1] == "100" and spd[spd.index("-P") + 1] == "text"
    assert SpeechEngine("spd-say", "/d").command(text, 175)[6] == "0"


def test_voice_listings_are_parsed() -> None:
    espeak = (
        "Pty Language       Age/Gender VoiceName          File                 Other Languages\n"
        " 5  af              --/M      Afrikaans          gmw/af\n"
        " 2  en-gb           --/M      English_(Great_Britain) gmw/en            (en 2)\n"
    )
    assert [(v.id, v.label) for v in parse_voices("espeak-ng", espeak)] == [
        ("af", "Afrikaans (af)"),
        ("en-gb", "English (Great Britain) (en-gb)"),
    ]
    say = "Alex        en_US    # Most people recognize me by my voice.\nBad News    en_US    # The light\n"
    assert [v.id for v in parse_voices("say", say)] == ["Alex", "Bad News"]
    spd = "NAME     LANGUAGE     VARIANT\nen-us   en   none\n-evil   xx   none\n"
    assert [v.id for v in parse_voices("spd-say", spd)] == ["en-us"]  # never an id read as an option


def test_notification_commands() -> None:
    assert find_notifier(which_of("notify-send"), "linux") == NotifyCommand("notify-send", "/usr/bin/notify-send")
    assert find_notifier(which_of("notify-send"), "darwin") is None
    mac = NotifyCommand("osascript", "/o").command("Step 2 of 7", 'A "quoted" title')
    assert mac[-2:] == ["Step 2 of 7", 'A "quoted" title']  # arguments, never spliced into the script
    assert NotifyCommand("notify-send", "/n").command("-t", "body")[-3:] == ["--", "-t", "body"]


def test_missing_engines_give_one_notice_each() -> None:
    outputs = outputs_for(
        Settings(), HandsFreeChoice(speak=True, notify=True), find_speech=lambda: None, find_notify=lambda: None
    )
    assert outputs.speaker is None and outputs.notifier is None
    assert outputs.notices == (NO_ENGINE, NO_NOTIFIER)
    assert "the bell still works" in NO_ENGINE
    off = outputs_for(Settings(), HandsFreeChoice(), find_speech=lambda: None, find_notify=lambda: None)
    assert off.notices == () and off.speaker is None


def stub(tmp_path: Path, name: str, body: str) -> Path:
    script = tmp_path / name
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def test_say_returns_at_once_and_a_long_utterance_is_cut_by_the_next(tmp_path: Path) -> None:
    log = tmp_path / "said.log"
    script = stub(tmp_path, "espeak-ng", f'echo "start $*" >> {log}; sleep 20; echo "end $*" >> {log}')
    speaker = ProcessSpeaker(SpeechEngine("espeak-ng", str(script)))
    began = time.monotonic()
    speaker.say("first")
    assert time.monotonic() - began < 0.5, "say() must not wait for the speech"
    wait_for(lambda: log.exists() and "start" in log.read_text())
    first = speaker.commands.current
    assert first is not None and first.poll() is None
    speaker.say("second")
    wait_for(lambda: "second" in log.read_text())
    assert first.poll() is not None, "the first utterance was cut"
    lines = log.read_text().splitlines()
    assert lines == ["start -s 175 first", "start -s 175 second"]  # never "end first": cut, not queued
    current = speaker.commands.current
    assert current is not None
    current.terminate()
    current.wait()
    speaker.close()


def test_a_command_that_cannot_run_is_counted_not_raised(tmp_path: Path) -> None:
    commands = BackgroundCommands(cut=False, name="test")
    commands.run([str(tmp_path / "missing")])
    commands.join(5)
    assert commands.failures == 1


ESPEAK = shutil.which("espeak-ng")


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (the CI script installs it)")
def test_a_cue_spoken_by_espeak_ng_is_not_silent(tmp_path: Path) -> None:
    assert ESPEAK is not None
    wav = tmp_path / "cue.wav"
    command = SpeechEngine("espeak-ng", ESPEAK).command("Step 1 of 7. Warm the shoulders. 5 seconds.")
    subprocess.run([*command[:-1], "-w", str(wav), command[-1]], check=True, timeout=30)
    with wave.open(str(wav)) as audio:
        assert audio.getsampwidth() == 2
        frames = audio.readframes(audio.getnframes())
        seconds = audio.getnframes() / audio.getframerate()
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    assert seconds > 1.0
    loud = sum(1 for sample in samples if abs(sample) > 1000)
    assert loud > len(samples) * 0.05, "the cue is (nearly) silent"
