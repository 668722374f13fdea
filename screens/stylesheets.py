"""Stylesheets read together, so that Textual parses the app's rules once for a whole flow of screens.

Whenever a screen brings a stylesheet the app has not read yet, Textual parses every rule of the app again and
restyles every widget (tens of milliseconds, more on a busy machine). The screens of a routine's flow follow one
another, so each of them names all of the flow's files: the first one opened reads them all, and the rest (the
runner, its stop dialog, the reflection) open without a reparse.
"""

from __future__ import annotations

from pathlib import PurePath

FLOW_CSS_PATH: list[str | PurePath] = [
    "screening.tcss",
    "plan_review.tcss",
    "runner.tcss",
    "reflection.tcss",
    "save_failed.tcss",
]
"""The stylesheets of the routine flow's screens (paths relative to ``screens/``)."""
