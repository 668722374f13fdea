"""Finding therapies by what a person would type: a name, a goal, a body area or a condition.

Pure functions over the catalogue. A therapy is searched by its name and id, its ``conditions`` keywords
(sciatica, desk work, pregnancy...), the names and ids of the goals and body areas it serves, and who its cautions
are for (the part of each ``avoid`` text before its colon: "Blood thinners", "Pregnancy"), so a search for a
condition also finds the therapies to avoid with it, each saying so ("avoid if: blood thinners").

Matching, for a query such as ``lower back pain``:

1. **Phrase**: the whole query appears inside one of those words or phrases (``lower back pain`` is one of deep
   tissue's conditions; ``back`` is inside the area "Lower back"). When any therapy matches this way, only the
   phrase matches are returned, so a precise query gives a precise list.
2. **Words**: otherwise, every word of the query starts a word of the therapy's keywords (in any field, any
   order: ``back pain lower``), or shares its first six letters with one (``pregnant`` finds "pregnancy").

Results keep the catalogue's order, except that therapies found only through a caution come after those found
for what they serve. Case, punctuation and extra spaces do not matter. The red flags and screening questions a
query names (:func:`safety_notes`, by their ``terms``) come before any therapy: "sciatica" first says to see a
doctor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from companion.catalogue.models import Catalog, Question, RedFlag, Routine, Therapy, TherapyCaution

_STEM = 6
"""Two words of at least this many letters that share this many first letters count as the same word."""

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Keyword:
    """A word or phrase a therapy can be found by, and what kind of thing it is."""

    text: str
    kind: str
    """``name``, ``condition``, ``goal``, ``area`` or ``avoid`` (who a caution is for)."""


AVOID = "avoid"
AVOID_IF = "avoid if: "
"""How a match on a caution is named in a list entry: ``avoid if: blood thinners``."""


@dataclass(frozen=True)
class TherapyMatch:
    """A therapy found by a search, with the keywords that matched (empty for an empty query)."""

    therapy: Therapy
    matched: tuple[Keyword, ...]

    @property
    def only_cautions(self) -> bool:
        """Found only through who its cautions are for: a therapy to avoid or ask about, not one for the query."""
        return bool(self.matched) and all(k.kind == AVOID for k in self.matched)

    @property
    def cautions(self) -> tuple[TherapyCaution, ...]:
        """The therapy's cautions the search matched, in the file's order."""
        whos = {normalise(k.text) for k in self.matched if k.kind == AVOID}
        return tuple(c for c in self.therapy.avoid if normalise(c.who) in whos)


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
    keywords += [Keyword(caution.who, AVOID) for caution in therapy.avoid]
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
    found = [TherapyMatch(t, phrase) for t, keywords in indexed if (phrase := _phrase_matches(text, keywords))]
    if not found:
        words = text.split()
        found = [TherapyMatch(t, hits) for t, keywords in indexed if (hits := _word_matches(words, keywords))]
    return sorted(found, key=lambda match: match.only_cautions)  # stable: catalogue order within each


_ASIDE = re.compile(r"\s*\([^()]*\)")
"""A bracketed aside, left out of a list entry: "an acute injury (a fresh sprain, ...)" -> "an acute injury"."""


def _caution_words(who: str) -> str:
    short = _ASIDE.sub("", who).strip() or who
    return short[:1].lower() + short[1:]


def match_summary(match: TherapyMatch, limit: int = 3) -> str:
    """What a search matched, for a list entry: ``sciatica, lower back pain``, then the cautions as ``avoid if:
    blood thinners`` (names left out, at most ``limit``)."""
    texts = [k.text.lower() for k in match.matched if k.kind not in ("name", AVOID)]
    texts += [AVOID_IF + _caution_words(k.text) for k in match.matched if k.kind == AVOID]
    unique = list(dict.fromkeys(texts))
    shown = ", ".join(unique[:limit])
    return shown + (f" +{len(unique) - limit}" if len(unique) > limit else "")


@dataclass(frozen=True)
class SafetyNote:
    """A red flag or a screening question a search found by one of its terms: shown before any therapy."""

    item: RedFlag | Question
    term: str
    """The term the query held (``sciatica``)."""

    @property
    def is_red_flag(self) -> bool:
        return isinstance(self.item, RedFlag)

    @property
    def key(self) -> str:
        """A key no therapy id can have (ids have no colon): ``red-flag:severe-spreading-pain``."""
        return f"{'red-flag' if self.is_red_flag else 'question'}:{self.item.id}"


def _same_term_word(query_word: str, word: str) -> bool:
    """Whole words only (a search term is never found inside another word): the same, the same but for a plural
    s, or sharing their first six letters (``pregnant``, ``pregnancy``)."""
    if query_word == word or query_word.rstrip("s") == word.rstrip("s"):
        return True
    return len(query_word) >= _STEM and len(word) >= _STEM and query_word[:_STEM] == word[:_STEM]


def _holds_term(words: list[str], term: str) -> bool:
    """Whether the query's ``words`` hold every word of ``term``, one after another."""
    wanted = normalise(term).split()
    if not wanted:
        return False
    return any(
        all(_same_term_word(q, t) for q, t in zip(words[start : start + len(wanted)], wanted, strict=True))
        for start in range(len(words) - len(wanted) + 1)
    )


def safety_notes(catalog: Catalog, query: str) -> tuple[SafetyNote, ...]:
    """The red flags, then the screening questions, whose ``terms`` (a question's id too) the query holds as whole
    words: "sciatica" finds the red flag of pain spreading down a limb, "varicose veins" the question about them."""
    words = normalise(query).split()
    if not words:
        return ()
    items: list[RedFlag | Question] = [*catalog.safety.red_flags, *catalog.safety.questions]
    notes = []
    for item in items:
        terms = item.terms if isinstance(item, RedFlag) else (item.id.replace("-", " "), *item.terms)
        term = next((t for t in terms if _holds_term(words, t)), None)
        if term is not None:
            notes.append(SafetyNote(item, term))
    return tuple(notes)


def related_routines(catalog: Catalog, therapy_id: str) -> list[Routine]:
    """The routines in the catalogue that link to ``therapy_id``, bundled first, then shortest first."""
    routines = [r for r in catalog.routines if therapy_id in r.therapies]
    return sorted(routines, key=lambda r: (r.source != "bundled", r.total_seconds))
