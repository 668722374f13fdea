"""Load ``advice.toml`` (the advisor's thresholds and the comparison text) and check it against the catalogue."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from companion.advice.models import AdviceRules
from companion.catalogue.cache import cache_key, cache_path, cached
from companion.catalogue.loader import BUNDLED_ROOT, read_toml
from companion.catalogue.models import Catalog
from companion.catalogue.problems import ContentError, Problem, validation_problems

ADVICE_FILE = "advice.toml"


def load_advice(root: Path = BUNDLED_ROOT, catalog: Catalog | None = None) -> AdviceRules:
    """The advisor's rules from ``root/advice.toml``; with a catalogue, its cross references are checked too.

    Raises :class:`ContentError` listing every problem found.
    """
    data = read_toml(root / ADVICE_FILE, ADVICE_FILE)
    if isinstance(data, Problem):
        raise ContentError([data])
    try:
        rules = AdviceRules.model_validate(data)
    except ValidationError as exc:
        raise ContentError(validation_problems(ADVICE_FILE, exc)) from None
    if catalog is not None:
        problems = advice_problems(rules, catalog)
        if problems:
            raise ContentError(problems)
    return rules


def advice_problems(rules: AdviceRules, catalog: Catalog) -> list[Problem]:
    """References from the advice rules into the catalogue that do not resolve."""
    problems: list[Problem] = []
    if rules.quiet_spell.goal not in catalog.goals:
        problems.append(Problem(ADVICE_FILE, "quiet_spell.goal", f"unknown goal '{rules.quiet_spell.goal}'"))
    therapy_ids = {t.id for t in catalog.therapies}
    for index, therapy_id in enumerate(rules.suggest.specialised):
        if therapy_id not in therapy_ids:
            problems.append(Problem(ADVICE_FILE, f"suggest.specialised[{index}]", f"unknown therapy '{therapy_id}'"))
    return problems


def load_advice_cached(root: Path = BUNDLED_ROOT, path: Path | None = None) -> AdviceRules:
    """:func:`load_advice`, from the cache when ``advice.toml`` (or a version) has not changed.

    Raises :class:`ContentError` like :func:`load_advice` (such a result is never cached).
    """
    key = cache_key(root, None, [root / ADVICE_FILE])
    return cached(path or cache_path("advice"), key, AdviceRules, lambda: load_advice(root))
