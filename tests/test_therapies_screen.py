"""The therapy guide driven with the keyboard at 80x24 and 60x20: open, browse, search, read, open a routine, back."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Static

from companion.advice.advisor import matching_therapy
from companion.advice.therapy_search import related_routines
from screens.home import HomeScreen
from screens.red_flags import RedFlagsScreen
from screens.therapies import SECTION_TITLES, TherapiesScreen
from tests.palette import run_command

SIZES = [(80, 24), (60, 20)]


def explanation(app) -> str:
    screen = app.screen
    parts = [str(screen.query_one(f"#{name}", Static).content) for name in ("therapy-text", "therapy-sources")]
    related = screen.query_one("#related", OptionList)
    parts += [str(related.get_option_at_index(i).prompt) for i in range(related.option_count)]
    parts.append(str(screen.query_one("#related-heading", Static).render()))
    return "\n".join(parts)


def listed(app) -> list[str]:
    therapies = app.screen.query_one("#therapies", OptionList)
    return [str(therapies.get_option_at_index(i).id) for i in range(therapies.option_count)]


async def open_guide(app, pilot) -> None:
    await pilot.pause()
    await pilot.press("t")
    await pilot.pause()
    assert isinstance(app.screen, TherapiesScreen)


@pytest.mark.parametrize("size", SIZES)
async def test_browse_search_read_and_go_back(make_app, services, size) -> None:
    catalog = services.catalog
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        on_home = app.screen.highlighted_routine()
        await open_guide(app, pilot)
        screen = app.screen
        assert screen.query_one("#therapy-search", Input).has_focus
        assert listed(app) == [t.id for t in catalog.therapies]
        # It opens on the therapy matching the routine highlighted on home.
        match = matching_therapy(on_home, catalog)
        assert match is not None
        first = match[0]
        assert screen.highlighted_therapy() == first
        assert first.name in explanation(app)
        index = [t.id for t in catalog.therapies].index(first.id)
        second = catalog.therapies[(index + 1) % len(catalog.therapies)]

        # Arrows browse the list, even from the search box.
        await pilot.press("down")
        await pilot.pause()
        assert screen.highlighted_therapy() == second
        assert second.what in explanation(app)
        await pilot.press("up")
        await pilot.pause()
        assert screen.highlighted_therapy() == first

        # Searching narrows the list as you type: sciatica's red flag first (see a doctor), then the therapies.
        await pilot.press(*"sciatica")
        await pilot.pause()
        therapies = [t.id for t in catalog.therapies if "sciatica" in t.conditions]
        assert listed(app) == ["red-flag:severe-spreading-pain", *therapies]
        assert 0 < len(therapies) < len(catalog.therapies)
        assert screen.query_one("#therapies", OptionList).border_subtitle == f"{len(therapies)} of 9"
        assert screen.highlighted_therapy() is None and screen.highlighted_note() is not None
        await pilot.press("down")
        await pilot.pause()

        # Every section of the highlighted therapy is shown.
        therapy = screen.highlighted_therapy()
        assert therapy is not None
        text = explanation(app)
        for title in SECTION_TITLES:
            assert title in text, title
        for value in (
            therapy.what,
            therapy.best_for[0],
            therapy.session_length,
            therapy.pressure,
            therapy.clothing,
            therapy.setting,
            therapy.avoid[0].text,
            therapy.practitioner,
            therapy.credential,
            therapy.sources[0].reference,
        ):
            assert value in text
        for routine in related_routines(catalog, therapy.id):
            assert routine.title in text

        # The explanation pane fits and is not squeezed away.
        pane = screen.query_one("#explanation")
        assert pane.region.width >= 30 and pane.region.height >= 5

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_no_match_says_so_with_the_query_as_plain_text(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_guide(app, pilot)
        await pilot.press(*"[bold]zzz")
        await pilot.pause()
        assert listed(app) == []
        text = str(app.screen.query_one("#therapy-text", Static).content)
        assert "No therapy matches “[bold]zzz”" in text
        assert not app.screen.query_one("#related", OptionList).display


async def test_a_related_routine_opens_on_home(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#goal").value = "sleep"  # a filter that hides the routine we will open
        await pilot.pause()
        await open_guide(app, pilot)
        await pilot.press(*"sports", "enter")  # search, then Enter moves to the list
        await pilot.pause()
        therapies = app.screen.query_one("#therapies", OptionList)
        assert therapies.has_focus
        await pilot.press("enter")  # into the explanation
        await pilot.pause()
        await pilot.press("tab")  # to the related routines
        await pilot.pause()
        related = app.screen.query_one("#related", OptionList)
        assert related.has_focus
        routine = related_routines(services.catalog, "sports")[0]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        highlighted = app.screen.highlighted_routine()
        assert highlighted is not None and highlighted.id == routine.id


async def test_t_on_the_guide_does_not_stack_another(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_guide(app, pilot)
        await pilot.press("tab")  # leave the search box
        await pilot.press("t")
        await pilot.pause()
        assert len([s for s in app.screen_stack if isinstance(s, TherapiesScreen)]) == 1


async def test_palette_opens_the_guide_and_the_red_flags(make_app, services) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for words, screen_type in (("therapy guide", TherapiesScreen), ("red flags", RedFlagsScreen)):
            await run_command(pilot, words)
            assert isinstance(app.screen, screen_type)
            if screen_type is RedFlagsScreen:
                flags = str(app.screen.query_one("#red-flags", Static).content)
                assert all(flag.text in flags for flag in services.catalog.safety.red_flags)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)


def test_every_routine_preview_names_its_matching_therapy_and_why(services) -> None:
    from companion.advice.advisor import matching_therapy
    from screens.routine_text import routine_preview

    catalog = services.catalog
    for routine in catalog.routines:
        match = matching_therapy(routine, catalog)
        assert match is not None, routine.id
        therapy, why = match
        text = routine_preview(catalog, routine).plain
        assert f"Matching professional therapy: {therapy.name}" in text
        assert why in text
        for other in routine.therapies:
            if other != therapy.id:
                assert catalog.therapy(other).name in text


async def test_opening_on_a_therapy_low_in_the_list_scrolls_it_into_view(make_app, services) -> None:
    from textual.widgets import OptionList

    from screens.therapies import TherapiesScreen

    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        last = services.catalog.therapies[-1]
        app.push_screen(TherapiesScreen(services.catalog, therapy_id=last.id))
        await pilot.pause()
        await pilot.pause()
        therapies = app.screen.query_one("#therapies", OptionList)
        assert therapies.get_option_at_index(therapies.highlighted).id == last.id
        first_visible = therapies.scroll_offset.y
        assert first_visible <= therapies.highlighted < first_visible + therapies.scrollable_content_region.height


def labels(app) -> list[str]:
    therapies = app.screen.query_one("#therapies", OptionList)
    return [str(therapies.get_option_at_index(i).prompt) for i in range(therapies.option_count)]


@pytest.mark.parametrize("size", SIZES)
async def test_a_condition_lists_the_therapies_to_avoid_with_it_and_why(make_app, services, size) -> None:
    """Finding 114: "blood thinners" finds every therapy whose cautions name them, each entry saying "avoid if"; the
    explanation starts with the caution it was found by."""
    from screens.therapies import FOUND_BY_CAUTION

    catalog = services.catalog
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_guide(app, pilot)
        await pilot.press(*"blood thinners")
        await pilot.pause()
        cautioned = [t for t in catalog.therapies if any("blood thinners" in c.who.lower() for c in t.avoid)]
        assert len(cautioned) >= 4
        # The screening question about them first, then every therapy to avoid with them.
        assert listed(app) == ["question:blood-thinners", *[t.id for t in cautioned]]
        assert all("avoid if: " in label and "blood thinners" in label for label in labels(app)[1:])
        for _ in cautioned:
            await pilot.press("down")
            await pilot.pause()
            therapy = app.screen.highlighted_therapy()
            assert therapy is not None
            caution = next(c for c in therapy.avoid if "blood thinners" in c.who.lower())
            text = explanation(app)
            assert text.index(FOUND_BY_CAUTION) < text.index(caution.text) < text.index("What it is")


@pytest.mark.parametrize("size", SIZES)
async def test_pregnant_lists_prenatal_massage_first_then_those_to_avoid(make_app, size) -> None:
    from screens.therapies import FOUND_BY_CAUTION

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_guide(app, pilot)
        await pilot.press(*"pregnant")
        await pilot.pause()
        found = listed(app)
        assert found[:2] == ["question:pregnancy", "prenatal"] and {"deep-tissue", "trigger-point"} <= set(found)
        await pilot.press("down")
        await pilot.pause()
        assert app.screen.highlighted_therapy().id == "prenatal"
        assert all("avoid if: pregnancy" in label for label in labels(app)[2:])
        await pilot.press("down")
        await pilot.pause()
        assert FOUND_BY_CAUTION in explanation(app)


def screen_text(app) -> str:
    """What the terminal shows now, as text (the About pane as far as it is visible without scrolling)."""
    import html
    import re

    svg = app.export_screenshot()
    rows: dict[float, list[str]] = {}
    for y, part in re.findall(r'<text[^>]*y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        rows.setdefault(float(y), []).append(html.unescape(part).replace("\xa0", " "))
    return "\n".join("".join(rows[y]) for y in sorted(rows))


@pytest.mark.parametrize("size", SIZES)
async def test_a_red_flag_condition_shows_see_a_doctor_with_its_source_before_any_therapy(
    make_app, services, size
) -> None:
    """Finding 127: "sciatica" lists the red flag of pain spreading down a limb first, highlighted, and the About
    pane shows it, what to do and its source without scrolling; the therapies come after it."""
    catalog = services.catalog
    flag = next(f for f in catalog.safety.red_flags if f.id == "severe-spreading-pain")
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_guide(app, pilot)
        await pilot.press(*"sciatica", "enter")
        await pilot.pause()
        assert listed(app)[0] == "red-flag:severe-spreading-pain"
        assert [i for i in listed(app) if i.startswith("red-flag:")] == [listed(app)[0]]
        assert app.screen.query_one("#therapies", OptionList).highlighted == 0
        assert app.screen.highlighted_therapy() is None
        shown = " ".join(screen_text(app).split())
        about = " ".join(str(app.screen.query_one("#therapy-text", Static).content).split())
        assert "See a doctor first" in shown
        assert about.index("see a doctor, not a massage therapist") < about.index(flag.text) < about.index(flag.action)
        citation = catalog.cite(flag.source)
        assert citation in about
        assert "PhysioWorks, physioworks.com.au" in shown  # the source is on screen, not below the fold
        assert "deep-tissue" in listed(app)


@pytest.mark.parametrize("size", SIZES)
async def test_a_condition_no_therapy_names_shows_its_screening_question(make_app, services, size) -> None:
    question = next(q for q in services.catalog.safety.questions if q.id == "varicose-veins")
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_guide(app, pilot)
        await pilot.press(*"varicose veins")
        await pilot.pause()
        assert listed(app) == ["question:varicose-veins"]
        assert app.screen.query_one("#therapies", OptionList).border_subtitle == "0 of 9"
        about = " ".join(str(app.screen.query_one("#therapy-text", Static).content).split())
        assert question.text in about and question.instead in about
        assert services.catalog.cite(question.source) in about
        assert "No therapy in this guide mentions “varicose veins”." in about
        assert not app.screen.query_one("#related", OptionList).display
