"""Therapy search over the bundled catalogue: names, goals, areas and the condition keywords the issue names."""

from __future__ import annotations

import pytest

from companion.advice.therapy_search import match_summary, normalise, related_routines, search_therapies
from companion.catalogue.loader import load_catalog
from companion.catalogue.models import Catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog().catalog


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
    assert found == expected
    for match in search_therapies(catalog, query):
        assert query in match_summary(match)


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
    assert ids(catalog, "pregnant") == ["prenatal"]  # shares its first six letters with "pregnancy"
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
