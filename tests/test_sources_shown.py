"""Every source a person sees is one they can look up: a publisher and an address, or our own design choice.

Nothing shown may point into the project's own folders or hide behind "consumer articles"; the two articles
Companion was conceived from are cited by their titles and addresses.
"""

from __future__ import annotations

import pytest

from companion.advice.advisor import bundled_rules
from companion.catalogue.loader import load_catalog
from companion.catalogue.models import (
    CITATION,
    DESIGN_CHOICE,
    Catalog,
    Source,
    Strength,
    citations,
    cited,
    has_address,
)
from companion.cli.catalogue import therapy_lines

FORBIDDEN = ("shared/", "seed document", "seed article", "consumer articles", "consumer health sites", "seeds)")
FOUNDING = {
    "What's The Difference Between A Back Massager And Professional Massage Therapy?": (
        "bestbackmassager.com/whats-the-difference-between-a-back-massager-and-professional-massage-therapy/"
    ),
    "Back massage benefits (Ann Therapy)": "anntherapy.co.uk/2025/05/20/back-massage-benefits/",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog().catalog


def shown(text: str) -> None:
    lowered = text.lower()
    for word in FORBIDDEN:
        assert word not in lowered, (word, text)


def all_sources(catalog: Catalog) -> list[Source]:
    return [*catalog.safety.sources, *bundled_rules().sources]


def test_every_source_has_an_address_or_is_a_design_choice(catalog: Catalog) -> None:
    for source in all_sources(catalog):
        shown(source.reference)
        shown(source.citation)
        if source.strength is Strength.DESIGN:
            assert source.citation == DESIGN_CHOICE, source.id
            assert "Companion design choice" in source.reference, source.id
        else:
            assert has_address(source.citation) and has_address(source.reference), source.id
            assert "(" not in source.citation, source.id
        # A reference never names another source by our id: a person cannot look an id up.
        for other in all_sources(catalog):
            assert f"based on {other.id}" not in source.reference, (source.id, other.id)


def test_every_source_a_rule_names_is_citable(catalog: Catalog) -> None:
    rules = catalog.safety
    named = [rules.session_gap_source]
    for limit in rules.limits:
        named += [limit.source, limit.session_source, limit.area_session_source, limit.day_source, limit.uses_source]
    named += [r.source for r in (*rules.avoid, *rules.area_rules, *rules.questions, *rules.adaptations)]
    named += [flag.source for flag in rules.red_flags]
    for source_id in filter(None, named):
        assert source_id in catalog.sources, source_id
        text = catalog.cite(source_id)
        shown(text)
        assert source_id not in text, (source_id, text)
        assert CITATION.fullmatch(text), text


def test_therapy_and_comparison_sources_name_publisher_and_address(catalog: Catalog) -> None:
    founding_seen: set[str] = set()
    sources = [s for t in catalog.therapies for s in t.sources] + list(bundled_rules().comparison.sources)
    for source in sources:
        shown(source.title)
        shown(source.reference)
        assert has_address(source.reference), source
        publisher = source.title.rsplit("(", 1)[-1].rstrip(")") if source.title.endswith(")") else ""
        assert not publisher or publisher not in source.reference, source  # named once, in the title
        if source.title in FOUNDING:
            assert FOUNDING[source.title] in source.reference, source
            founding_seen.add(source.title)
    assert founding_seen == set(FOUNDING)
    for therapy in catalog.therapies:
        shown("\n".join(therapy_lines(therapy)))


def test_hand_limits_do_not_rest_on_a_rolling_study_alone(catalog: Catalog) -> None:
    """Hands are cited for what their numbers rest on: our choice, based on the rolling studies."""
    for area in ("feet", "shoulders", "neck"):
        limit = catalog.limit_for("hands", area)
        assert catalog.sources[limit.source].strength is Strength.DESIGN
        assert "roll" not in limit.source


def test_citation_forms(catalog: Catalog) -> None:
    sources = catalog.sources
    assert cited(sources, "bony") == "(source: Therabody, therabody.com)"
    assert cited(sources, "design-day-cap") == f"({DESIGN_CHOICE})"
    assert cited(sources, "settings") == "(your own settings)"
    assert cited(sources, "design-across-tools, roll-per-area") == (
        "(sources: a Companion design choice; PubMed Central, pmc.ncbi.nlm.nih.gov/articles/PMC6358529)"
    )
    # Two design choices are one citation; a repeated source is cited once.
    assert cited(sources, "design-across-tools, design-hands-session") == f"({DESIGN_CHOICE})"
    assert citations(sources, "bony, bony,") == ["Therabody, therabody.com"]
    # An id no source holds is shown as it is, never hidden.
    assert cited(sources, "nosuch") == "(source: nosuch)"
    for text in (cited(sources, "gun-per-area"), cited(sources, "design-day-cap"), cited(sources, "settings")):
        assert CITATION.sub("", f"Stop here {text}.") == "Stop here."


def test_red_flags_name_their_sources(catalog: Catalog) -> None:
    from companion.advice.advisor import red_flag_lines
    from screens.safety_text import red_flag_text

    lines = red_flag_lines(catalog)
    cited = [line for line in lines if line.startswith("  Source")]
    assert len(cited) == 3 and all(has_address(line) for line in cited)
    shown("\n".join(lines))
    assert str(red_flag_text(catalog)).count("Source") == 3


def test_the_limits_cite_each_source_once_by_number(catalog: Catalog) -> None:
    """The preview's and ``companion routine``'s "Where the limits come from": one source a number, none twice; a
    limit resting on two sources cites both numbers (the belt's day, our cap and the maker's: "[3, 2]")."""
    from companion.safety.limits import CitationKeys, describe_limits, routine_limits

    both = 0
    for routine in catalog.routines:
        keys = CitationKeys(catalog)
        per_step, overall = describe_limits(routine_limits(routine, catalog), catalog, keys)
        listed = [citation for _key, citation in keys.lines()]
        assert len(listed) == len(set(listed)), (routine.id, listed)
        every = set(citations(catalog.safety.source_map, ",".join(catalog.safety.source_map)))
        assert set(listed) <= every, (routine.id, listed)  # each line is one source's citation, never two joined
        both += sum(", " in key for line in [*per_step.values(), *overall] for key in str(line).split("[")[1:])
    assert both, "no limit of the bundled routines rests on two sources: the test no longer tests the joined key"
