"""The safety notice and the red flags in words, shown by the help and the red-flags screens alike."""

from __future__ import annotations

from companion.advice.advisor import red_flag_sources, red_flags_by_region
from companion.catalogue.models import Catalog
from screens.widgets.hanging import HangingText

SAFETY_NOTICE = (
    "Companion offers guidance for self-massage, not medical advice. It cannot examine you. "
    "If pain is severe, spreads, or lasts several days, or if anything below applies, stop and see a doctor."
)


def red_flag_text(catalog: Catalog) -> HangingText:
    """The red flags, grouped by region, each with what to do and each region with its sources (wrapped lines hang
    under the flag's words)."""
    text = HangingText()
    for title, flags in red_flags_by_region(catalog):
        text.append(f"{title}\n", style="bold")
        for flag in flags:
            text.item(" ! ", flag.text)
            text.item("   ", flag.action, style="dim")
        text.item(" ", red_flag_sources(catalog, flags), style="dim")
    return text
