"""Finding therapies by what a person would type: a name, a goal, a body area or a condition.

Pure functions over the catalogue. A therapy is searched by its name and id, its ``conditions`` keywords
(sciatica, desk work, pregnancy...), and the names and ids of the goals and body areas it serves.

Matching, for a query such as ``lower back pain``:

1. **Phrase**: the whole query appears inside one of those words or phrases (``lower back pain`` is one of deep
   tissue's conditions; ``back`` is inside the area "Lower back"). When any therapy matches this way, only the
   phrase matches are returned, so a precise query gives a precise list.
2. **Words**: otherwise, every word of the query starts a word of the therapy's keywords (in any field, any
   order: ``back pain lower``), or shares its first six letters with one (``pregnant`` finds "pregnancy").

Results keep the catalogue's order. Case, punctuation and extra spaces do not matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from companion.catalogue.models import Catalog, Routine, Therapy

_STEM = 6
"""Two words of at least this many letters that share this many first letters count as the same word."""

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Keyword:
    """A word or phrase a therapy can be found by, and what kind of thing it is."""

    text: str
    kind: str
    """``name``, ``condition``, ``goal`` or ``area``."""


@dataclass(frozen=True)
class TherapyMatch:
    """A therapy found by a search, with the keywords that matched (empty for an empty query)."""

    therapy: Therapy
    matched: tuple[Keyword, ...]


def normalise(text: str) -> str:
    """Lower case words, single spaces, no punctuation: ``"Lower-back  PAIN!"`` -> ``"lower back pain"``."""
    return " ".join(_WORD.findall(text.lower()))


def therapy_keywords(catalog: Catalog, therapy: Therapy) -> tuple[Keyword, ...]:
    """Everything ``therapy`` can be found by: its name and id, conditions, goals and areas (names and ids)."""
    goals, areas = catalog.goals, catalog.areas
    keywords = [Keyword(therapy.name, "name"), Keyword(therapy.id, "name")]
    keywords += [Keyword(condition, "condition") for condition in therapy.conditions]
    for goal_id in therapy.goals:
        keywords.append(Keyword(goals[goal_id].name if goal_id in goals else goal_id, "goal"))
        keywords.append(Keyword(goal_id, "goal"))
    for area_id in therapy.areas:
        keywords.append(Keyword(areas[area_id].name if area_id in areas else area_id, "area"))
        keywords.append(Keyword(area_id, "area"))
    # Drop repeats (a name and an id that normalise alike), keeping the first.
    seen: dict[str, Keyword] = {}
    for keyword in keywords:
        seen.setdefault(normalise(keyword.text), keyword)
    return tuple(seen.values())


def _same_word(query_word: str, word: str) -> bool:
    if word.startswith(query_word):
        return True
    return len(query_word) >= _STEM and len(word) >= _STEM and query_word[:_STEM] == word[:_STEM]


def _phrase_matches(query: str, keywords: tuple[Keyword, ...]) -> tuple[Keyword, ...]:
    return tuple(k for k in keywords if query in normalise(k.text))


def _word_matches(words: list[str], keywords: tuple[Keyword, ...]) -> tuple[Keyword, ...] | None:
    """The keywords that hold each query word, or ``None`` if some query word is in none of them."""
    matched: dict[str, Keyword] = {}
    for query_word in words:
        found = [k for k in keywords if any(_same_word(query_word, w) for w in normalise(k.text).split())]
        if not found:
            return None
        for keyword in found:
            matched.setdefault(normalise(keyword.text), keyword)
    return tuple(matched.values())


def search_therapies(catalog: Catalog, query: str) -> list[TherapyMatch]:
    """The therapies matching ``query`` (all of them for a blank query), in catalogue order, with what matched."""
    text = normalise(query)
    if not text:
        return [TherapyMatch(therapy, ()) for therapy in catalog.therapies]
    indexed = [(therapy, therapy_keywords(catalog, therapy)) for therapy in catalog.therapies]
    phrase = [TherapyMatch(t, found) for t, keywords in indexed if (found := _phrase_matches(text, keywords))]
    if phrase:
        return phrase
    words = text.split()
    return [TherapyMatch(t, hits) for t, keywords in indexed if (hits := _word_matches(words, keywords))]


def match_summary(match: TherapyMatch, limit: int = 3) -> str:
    """What a search matched, for a list entry: ``sciatica, lower back pain`` (names left out, at most ``limit``)."""
    texts = [k.text.lower() for k in match.matched if k.kind != "name"]
    unique = list(dict.fromkeys(texts))
    shown = ", ".join(unique[:limit])
    return shown + (f" +{len(unique) - limit}" if len(unique) > limit else "")


def related_routines(catalog: Catalog, therapy_id: str) -> list[Routine]:
    """The routines in the catalogue that link to ``therapy_id``, bundled first, then shortest first."""
    routines = [r for r in catalog.routines if therapy_id in r.therapies]
    return sorted(routines, key=lambda r: (r.source != "bundled", r.total_seconds))
