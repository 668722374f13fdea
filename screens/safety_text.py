"""The safety notice and the red flags in words, shown by the help and the red-flags screens alike."""

from __future__ import annotations

from rich.text import Text

from companion.advice.advisor import red_flags_by_region
from companion.catalogue.models import Catalog

SAFETY_NOTICE = (
    "Companion offers guidance for self-massage, not medical advice. It cannot examine you. "
    "If pain is severe, spreads, or lasts several days, or if anything below applies, stop and see a doctor."
)


def red_flag_text(catalog: Catalog) -> Text:
    """The red flags, grouped by region, each with what to do."""
    text = Text()
    for title, flags in red_flags_by_region(catalog):
        text.append(f"{title}\n", style="bold")
        for flag in flags:
            text.append(f" ! {flag.text}\n")
            text.append(f"   {flag.action}\n", style="dim")
    return text
