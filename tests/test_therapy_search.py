"""Therapy search over the bundled catalogue: names, goals, areas and the condition keywords the issue names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.advice.therapy_search import (
    match_summary,
    normalise,
    related_routines,
    safety_notes,
    search_therapies,
    therapy_keywords,
)
from companion.catalogue.loader import load_catalog
from companion.catalogue.models import Catalog, Therapy, TherapyCaution

_CATALOG = load_catalog().catalog
_WORDS = sorted(
    {w for t in _CATALOG.therapies for k in therapy_keywords(_CATALOG, t) for w in normalise(k.text).split()}
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return _CATALOG


def ids(catalog: Catalog, query: str) -> list[str]:
    return [match.therapy.id for match in search_therapies(catalog, query)]


def test_blank_query_lists_every_therapy_in_catalogue_order(catalog: Catalog) -> None:
    assert ids(catalog, "") == ids(catalog, "   ") == [t.id for t in catalog.therapies]
    assert len(catalog.therapies) == 9


@pytest.mark.parametrize(
    "query",
    [
        "stress",
        "posture",
        "lower back pain",
        "sciatica",
        "fibromyalgia",
        "arthritis",
        "scoliosis",
        "pregnancy",
        "athletes",
        "desk work",
    ],
)
def test_every_condition_keyword_finds_the_therapies_that_name_it(catalog: Catalog, query: str) -> None:
    found = ids(catalog, query)
    assert found, query
    assert len(found) < len(catalog.therapies)
    expected = [
        t.id
        for t in catalog.therapies
        if query in {normalise(c) for c in t.conditions} or query in {normalise(catalog.goals[g].name) for g in t.goals}
    ]
    matches = search_therapies(catalog, query)
    assert [m.therapy.id for m in matches if not m.only_cautions] == found[: len(expected)] == expected
    for match in matches:
        assert query in match_summary(match)
    # The rest are there for a caution about the query, and say so.
    for match in matches[len(expected) :]:
        assert match.only_cautions and match_summary(match).startswith("avoid if: ")


def test_sciatica_is_deep_tissue_and_prenatal(catalog: Catalog) -> None:
    assert ids(catalog, "Sciatica") == ["deep-tissue", "prenatal"]
    assert ids(catalog, "  SCIATICA!! ") == ["deep-tissue", "prenatal"]


def test_name_id_goal_and_area_are_searchable(catalog: Catalog) -> None:
    assert ids(catalog, "thai") == ["thai"]
    assert ids(catalog, "hot-stone") == ids(catalog, "hot stone") == ["hot-stone"]
    assert ids(catalog, "after a workout") == [t.id for t in catalog.therapies if "after-workout" in t.goals]
    assert ids(catalog, "calves") == [t.id for t in catalog.therapies if "calves" in t.areas]


def test_words_match_in_any_order_when_no_phrase_does(catalog: Catalog) -> None:
    found = ids(catalog, "pain back lower")
    assert "deep-tissue" in found and "prenatal" in found
    # "pregnant" shares its first six letters with "pregnancy": prenatal massage for it, then those to avoid.
    pregnant = search_therapies(catalog, "pregnant")
    assert pregnant[0].therapy.id == "prenatal" and not pregnant[0].only_cautions
    assert all(m.only_cautions and "avoid if: pregnancy" in match_summary(m) for m in pregnant[1:])
    assert ids(catalog, "athlete") == ids(catalog, "athletes")


def test_nothing_matches_nonsense(catalog: Catalog) -> None:
    assert ids(catalog, "zzz qqq") == []


def test_summary_leaves_out_names_and_counts_the_rest(catalog: Catalog) -> None:
    (thai,) = search_therapies(catalog, "thai")
    assert match_summary(thai) == ""
    deep = search_therapies(catalog, "back pain lower")[0]
    assert match_summary(deep, limit=1).startswith("lower back pain +")


def test_related_routines_link_to_the_therapy(catalog: Catalog) -> None:
    for therapy in catalog.therapies:
        routines = related_routines(catalog, therapy.id)
        assert routines == sorted(routines, key=lambda r: r.total_seconds)
        assert {r.id for r in routines} == {r.id for r in catalog.routines if therapy.id in r.therapies}
    assert related_routines(catalog, "no-such-therapy") == []


def _caution_for(therapy: Therapy, words: str) -> TherapyCaution | None:
    """The therapy's caution whose "who" holds ``words`` (the test's own reading of the files)."""
    return next((c for c in therapy.avoid if words in normalise(c.who)), None)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("blood thinners", "blood thinners"),
        ("Blood-thinners", "blood thinners"),
        ("pregnant", "pregnancy"),
        ("pregnancy", "pregnancy"),
        ("fever", "fever"),
        ("osteoporosis", "osteoporosis"),
        ("heart disease", "heart disease"),
    ],
)
def test_a_condition_finds_every_therapy_whose_caution_names_it_and_says_why(
    catalog: Catalog, query: str, words: str
) -> None:
    """Finding 114: what a person types about themselves finds the therapies to avoid with it ("avoid if: ...")."""
    matches = {m.therapy.id: m for m in search_therapies(catalog, query)}
    cautioned = [t for t in catalog.therapies if _caution_for(t, words)]
    assert cautioned, query
    for therapy in cautioned:
        match = matches[therapy.id]
        caution = _caution_for(therapy, words)
        assert caution is not None and caution in match.cautions
        assert "avoid if: " in match_summary(match, limit=9)
    for therapy_id, match in matches.items():
        if match.only_cautions:
            assert catalog.therapy(therapy_id) in cautioned


def test_therapies_for_the_query_come_before_those_to_avoid_with_it(catalog: Catalog) -> None:
    for query in ("pregnancy", "pain", "swelling", "calf", "injury"):
        kinds = [m.only_cautions for m in search_therapies(catalog, query)]
        assert kinds == sorted(kinds), query


def test_a_caution_names_its_people_without_their_aside(catalog: Catalog) -> None:
    sports = next(m for m in search_therapies(catalog, "acute injury") if m.therapy.id == "sports")
    assert match_summary(sports) == "avoid if: an acute injury"


def test_no_therapy_names_varicose_veins(catalog: Catalog) -> None:
    """No therapy file's sources say anything about varicose veins, so none claims to (the safety notes do)."""
    assert ids(catalog, "varicose veins") == []


@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3).map(" ".join))
@settings(max_examples=60, deadline=None)
def test_every_match_holds_each_query_word_and_cautions_come_last(query: str) -> None:
    catalog = _CATALOG
    matches = search_therapies(catalog, query)
    assert [m.only_cautions for m in matches] == sorted(m.only_cautions for m in matches)
    for match in matches:
        assert match.matched
        assert set(match.cautions) <= set(match.therapy.avoid)
        found = " ".join(normalise(k.text) for k in match.matched)
        assert normalise(query) in found or all(w[:6] in found for w in normalise(query).split())


# --- red flags and screening questions, before any therapy (findings 114, 127) ----------------------------------


def note_keys(catalog: Catalog, query: str) -> list[str]:
    return [note.key for note in safety_notes(catalog, query)]


def test_sciatica_finds_the_red_flag_of_pain_spreading_down_a_limb(catalog: Catalog) -> None:
    (note,) = safety_notes(catalog, "Sciatica")
    assert note.is_red_flag and note.key == "red-flag:severe-spreading-pain" and note.term == "sciatica"
    assert "spreads down an arm or leg" in note.item.text
    assert note_keys(catalog, "sciatica pain down my leg") == ["red-flag:severe-spreading-pain"]


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("varicose veins", ["question:varicose-veins"]),
        ("a varicose vein", ["question:varicose-veins"]),
        ("blood thinners", ["question:blood-thinners"]),
        ("I take warfarin", ["question:blood-thinners"]),
        ("pregnant", ["question:pregnancy"]),
        ("fever", ["red-flag:back-pain-fever", "red-flag:neck-fever-headache", "question:fever"]),
    ],
)
def test_conditions_find_their_red_flags_first_then_their_questions(
    catalog: Catalog, query: str, keys: list[str]
) -> None:
    assert note_keys(catalog, query) == keys


@pytest.mark.parametrize("query", ["", "pain", "back", "lower back pain", "stress", "calf", "can I get a massage"])
def test_everyday_words_find_no_note(catalog: Catalog, query: str) -> None:
    """Terms match whole words ("can" is not "cancer"), and no red flag is shown for pain that is only pain."""
    assert note_keys(catalog, query) == []


def _every_term(catalog: Catalog) -> list[tuple[str, str]]:
    rules = catalog.safety
    terms = [(f"red-flag:{f.id}", t) for f in rules.red_flags for t in f.terms]
    terms += [(f"question:{q.id}", t) for q in rules.questions for t in (q.id.replace("-", " "), *q.terms)]
    return terms


def test_every_term_finds_its_own_note_and_cites_a_publisher(catalog: Catalog) -> None:
    for key, term in _every_term(catalog):
        notes = safety_notes(catalog, term)
        assert key in [n.key for n in notes], term
        for note in notes:
            citation = catalog.cite(note.item.source)
            assert "shared/" not in citation and ("." in citation or "design choice" in citation)
    assert all(f.terms for f in catalog.safety.red_flags if f.id == "severe-spreading-pain")


@given(
    st.sampled_from(_every_term(_CATALOG)),
    st.lists(st.sampled_from(["my", "the", "really", "bad", "since", "monday", "and"]), max_size=3),
    st.lists(st.sampled_from(["my", "the", "really", "bad", "since", "monday", "and"]), max_size=3),
)
@settings(max_examples=80, deadline=None)
def test_a_term_among_other_words_still_finds_its_note(key_term: tuple[str, str], before: list, after: list) -> None:
    key, term = key_term
    query = " ".join([*before, term.upper(), *after]) + "!"
    assert key in note_keys(_CATALOG, query)
