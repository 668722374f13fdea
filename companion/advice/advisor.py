"""The advisor: what to do today, and when self-massage is not enough.

Pure functions over the catalogue, the advice rules (``content/advice.toml``), the session history, the
screening answers and today's date. Nothing here reads files, the clock or the terminal.

Time windows count local calendar days, today included: with ``window_days = 14`` a session 13 days ago counts
and one 14 days ago does not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from functools import cache

from companion.advice.models import (
    KIND_ORDER,
    Advice,
    AdviceKind,
    AdviceRules,
    NotImprovingRule,
    PersistentHighRule,
    SessionRef,
    WorseningRule,
    format_number,
)
from companion.catalogue.models import (
    Catalog,
    Goal,
    QuestionKind,
    RedFlag,
    Routine,
    Therapy,
    TherapyCaution,
    citations,
)
from companion.history.queries import local_date
from companion.history.records import SessionRecord
from companion.words import join_and

REGION_TITLES = {"back": "Back", "neck": "Neck", "anywhere": "Anywhere"}


@cache
def bundled_rules() -> AdviceRules:
    """The bundled ``advice.toml``, loaded once and from the cache when unchanged (the loader is imported here
    lazily: most commands never need it)."""
    from companion.advice.loader import load_advice_cached

    return load_advice_cached()


@dataclass(frozen=True)
class GoalSuggestion:
    """What the home screen offers for "What do you need today?": routines and, where it fits, a therapy."""

    goal: Goal
    routines: tuple[Routine, ...]
    therapy: Therapy | None
    why: str
    """Why the therapy fits this goal (empty when there is no therapy)."""


# --- matching -------------------------------------------------------------------------------------------------


def _names(ids: Iterable[str], lookup: Mapping[str, object]) -> list[str]:
    names = []
    for item_id in ids:
        item = lookup.get(item_id)
        names.append(getattr(item, "name", item_id).lower() if item is not None else item_id)
    return names


def _caution_for(therapy: Therapy, answered: AbstractSet[str]) -> TherapyCaution | None:
    """The first of the therapy's cautions about one of the screening questions ``answered`` yes, if any."""
    return next((c for c in therapy.avoid if not answered.isdisjoint(c.questions)), None)


def matching_therapy(
    routine: Routine, catalog: Catalog, rules: AdviceRules | None = None, answered: AbstractSet[str] = frozenset()
) -> tuple[Therapy, str] | None:
    """The professional therapy closest to ``routine``, and why it matches; ``None`` if none is in the catalogue.

    Among the therapies the routine links to, the one sharing most goals (then most areas) wins; ties keep the
    routine's own order. ``answered``: the screening questions the session went ahead with answered yes. A therapy
    made for one of them (``Therapy.adapted_to``: prenatal massage in pregnancy) is the one suggested; else the
    closest therapy with no caution about them; with none such, the closest, and the caution is said.
    """
    candidates = [t for t in (catalog.therapy(tid) for tid in routine.therapies) if t is not None]
    if not candidates:
        return None
    text = (rules or bundled_rules()).matching

    def score(therapy: Therapy) -> tuple[int, int]:
        return (len(set(therapy.goals) & set(routine.goals)), len(set(therapy.areas) & set(routine.areas)))

    def counterpart(therapy: Therapy) -> str:
        goals = [g for g in routine.goals if g in therapy.goals]
        areas = [a for a in routine.areas if a in therapy.areas]
        template = text.both if goals and areas else text.goals if goals else text.areas if areas else text.neither
        return template.format(
            therapy=therapy.name,
            goals=join_and(_names(goals, catalog.goals)),
            areas=join_and(_names(areas, catalog.areas)),
        )

    usual = max(candidates, key=score)  # max keeps the first of equal scores
    caution = _caution_for(usual, answered)
    said = f" {text.cautioned.format(therapy=usual.name, caution=caution.text)}" if caution else ""
    adapted = next((t for t in catalog.therapies if not answered.isdisjoint(t.adapted_to)), None)
    if adapted is not None and adapted is not usual:
        return adapted, text.adapted.format(therapy=adapted.name, summary=adapted.summary) + said
    fitting = [t for t in candidates if _caution_for(t, answered) is None]
    if fitting:
        best = max(fitting, key=score)
        return best, counterpart(best) + (said if best is not usual else "")
    return usual, counterpart(usual) + said


def goal_suggestions(catalog: Catalog, goal_id: str, rules: AdviceRules | None = None) -> GoalSuggestion:
    """Routines for ``goal_id`` (bundled first, shortest first) and the therapy that fits it best, if any.

    The therapy is the one naming the goal that those routines link to most (catalogue order among equals);
    when no therapy names the goal, the one the routines link to most. Specialised therapies (prenatal...) are
    offered only when those routines link to them. Raises :class:`KeyError` for an unknown goal.
    """
    goal = catalog.goals.get(goal_id)
    if goal is None:
        raise KeyError(goal_id)
    routines = tuple(
        sorted(
            (r for r in catalog.routines if goal_id in r.goals),
            key=lambda r: (r.source != "bundled", r.total_seconds),
        )
    )
    linked = Counter(tid for r in routines for tid in r.therapies)
    specialised = set((rules or bundled_rules()).suggest.specialised)
    fitting = [t for t in catalog.therapies if goal_id in t.goals and (t.id not in specialised or t.id in linked)]
    if not fitting:
        fitting = [t for t in catalog.therapies if t.id in linked]
    therapy: Therapy | None = None
    why = ""
    if fitting:
        # Most linked first; among equals, catalogue order (max keeps the first).
        therapy = max(fitting, key=lambda t: linked.get(t.id, 0))
        best_for = therapy.best_for[0].rstrip(".")
        best_for = best_for[0].lower() + best_for[1:]
        why = f"If you would like a professional for this, {therapy.name} fits: best for {best_for}."
    return GoalSuggestion(goal=goal, routines=routines, therapy=therapy, why=why)


# --- history helpers ------------------------------------------------------------------------------------------


def _days_ago(record: SessionRecord, today: date) -> int:
    return (today - local_date(record.started_at)).days


def _in_window(records: Iterable[SessionRecord], today: date, window_days: int) -> list[SessionRecord]:
    """Records started in the last ``window_days`` local days, today included, oldest first."""
    chosen = [r for r in records if 0 <= _days_ago(r, today) < window_days]
    return sorted(chosen, key=lambda r: r.started_at)


def _worked_areas(record: SessionRecord) -> list[str]:
    """Areas really worked (some time spent) in a session, in order."""
    return [area for area, seconds in record.seconds_per_area().items() if seconds > 0]


def _relief(record: SessionRecord) -> int | None:
    if record.tension_before is None or record.tension_after is None:
        return None
    return record.tension_before - record.tension_after


def _ref(record: SessionRecord) -> SessionRef:
    return SessionRef(
        date=local_date(record.started_at),
        routine_id=record.routine_id,
        routine_title=record.routine_title,
        relief=_relief(record),
    )


def _session_list(refs: Sequence[SessionRef]) -> str:
    """``Title on 2026-11-02, 2026-11-04; Other on 2026-11-03``: sessions grouped by routine, in order."""
    dates: dict[str, list[str]] = {}
    for ref in refs:
        dates.setdefault(ref.routine_title, []).append(ref.date.isoformat())
    return "; ".join(f"{title} on {', '.join(days)}" for title, days in dates.items())


def _area_name(catalog: Catalog, area: str) -> str:
    found = catalog.areas.get(area)
    return found.name.lower() if found else area


def _areas_name(catalog: Catalog, areas: Sequence[str]) -> str:
    """``upper back, chest and shoulders``."""
    return join_and([_area_name(catalog, area) for area in areas])


def _this_area(areas: Sequence[str]) -> str:
    return "these areas" if len(areas) > 1 else "this area"


def _therapies_for_area(
    catalog: Catalog, rules: AdviceRules, records: Sequence[SessionRecord], area: str, limit: int
) -> tuple[str, ...]:
    """Therapies linked from the routines used on ``area``, most used first; else general therapies naming it."""
    linked: Counter[str] = Counter()
    order: dict[str, int] = {}
    for record in records:
        routine = catalog.routine(record.routine_id)
        if routine is None:
            continue
        for therapy_id in routine.therapies:
            therapy = catalog.therapy(therapy_id)
            if therapy is None or (therapy.areas and area not in therapy.areas):
                continue
            linked[therapy_id] += 1
            order.setdefault(therapy_id, len(order))
    chosen = sorted(linked, key=lambda tid: (-linked[tid], order[tid]))
    if not chosen:
        specialised = set(rules.suggest.specialised)
        chosen = [t.id for t in catalog.therapies if area in t.areas and t.id not in specialised]
    return tuple(chosen[:limit])


# --- rules ----------------------------------------------------------------------------------------------------


def _points(value: float) -> str:
    """``1 point``, ``2.5 points``."""
    rounded = round(value, 1)
    return f"{format_number(rounded)} point{'' if rounded == 1 else 's'}"


def _neck_areas(catalog: Catalog) -> set[str]:
    return {area.id for area in catalog.vocabulary.areas if area.region == "neck"}


def session_areas(record: SessionRecord, neck: set[str]) -> tuple[str, ...]:
    """The areas a session worked, the ones its routine is for first: any neck area before all (the neck's red
    flags are an emergency), then the areas the routine has most steps on, ties in the routine's order. The area a
    routine returns to most is what it is for ("Upper back release" has three steps on the upper back, two on the
    chest and one on the shoulders), whatever one step's length: a design choice, as routines name no main area."""
    worked = [area for area, seconds in record.seconds_per_area().items() if seconds > 0]
    steps = Counter(step.area for step in record.steps)
    return tuple(sorted(worked, key=lambda area: (area not in neck, -steps[area], worked.index(area))))


def _main_areas(record: SessionRecord, neck: set[str]) -> list[str]:
    """The areas a session's rating counts for: those its routine has most steps on, and any neck area it worked."""
    areas = session_areas(record, neck)
    steps = Counter(step.area for step in record.steps)
    most = max((steps[area] for area in areas if area not in neck), default=0)
    return [area for area in areas if area in neck or steps[area] == most]


@dataclass(frozen=True)
class _Rated:
    """Rated sessions counted for one area (``key``), oldest first, and every area they worked, ``key`` first."""

    key: str
    sessions: list[SessionRecord]
    areas: tuple[str, ...]


def _rated_by_area(
    catalog: Catalog, records: Sequence[SessionRecord], today: date, window_days: int, *, both: bool
) -> list[_Rated]:
    """Sessions in the window with a rating (both before and after when ``both``), under each area their rating
    counts for (:func:`_main_areas`: a lower-back routine that also works the hips is rated for the lower back; a
    session that worked the neck counts for the neck as well, so tension that rises or stays high after neck work
    is never left unnamed), neck areas first. A rating is one number for the whole session, so the advice names
    every area those sessions worked."""
    neck = _neck_areas(catalog)
    by_area: dict[str, list[SessionRecord]] = {}
    for record in _in_window(records, today, window_days):
        rated = _relief(record) is not None if both else _final_tension(record) is not None
        if rated:
            for area in _main_areas(record, neck):
                by_area.setdefault(area, []).append(record)
    groups = [
        _Rated(key, sessions, tuple(dict.fromkeys([key, *(a for r in sessions for a in session_areas(r, neck))])))
        for key, sessions in by_area.items()
    ]
    return sorted(groups, key=lambda group: group.key not in neck)


def _final_tension(record: SessionRecord) -> int | None:
    """How tense the person was at the end of a session: after it when rated, else before it."""
    return record.tension_after if record.tension_after is not None else record.tension_before


def _area_advice(
    kind: AdviceKind,
    rule_id: str,
    rule: NotImprovingRule | WorseningRule | PersistentHighRule,
    areas: tuple[str, ...],
    name: str,
    summary: str,
    reason: str,
    refs: tuple[SessionRef, ...],
    source_ids: tuple[str, ...],
    therapy_ids: tuple[str, ...] = (),
) -> Advice:
    """Advice about ``areas`` (the first is the main one) from the rated sessions ``refs``, with the rule's
    threshold explained."""
    return Advice(
        kind=kind,
        rule=rule_id,
        area=areas[0],
        areas=areas if len(areas) > 1 else (),
        area_name=name,
        therapy_ids=therapy_ids,
        reason=reason,
        summary=summary,
        explanation=rule.explanation(),
        source_ids=source_ids,
        sessions=refs,
    )


def _see_doctor(
    rule_id: str,
    rule: WorseningRule | PersistentHighRule,
    rules: AdviceRules,
    areas: tuple[str, ...],
    name: str,
    summary: str,
    reason: str,
    refs: tuple[SessionRef, ...],
) -> Advice:
    """Advice to see a doctor about ``areas``, citing the rule's source and the red flags' (both escalations follow
    the red flags)."""
    return _area_advice("see-doctor", rule_id, rule, areas, name, summary, reason, refs,
                        (rule.source, rules.red_flags.source))  # fmt: skip


def _worsening(catalog: Catalog, rules: AdviceRules, records: Sequence[SessionRecord], today: date) -> list[Advice]:
    """Tension rising over the rated sessions on an area: a doctor, not a therapist (see :class:`WorseningRule`)."""
    rule = rules.worsening
    advice = []
    for group in _rated_by_area(catalog, records, today, rule.window_days, both=True):
        sessions = group.sessions
        first, last = sessions[0], sessions[-1]
        within = -sum(_relief(r) or 0 for r in sessions) / len(sessions)
        across = (last.tension_after or 0) - (first.tension_before or 0)
        rise = max(within, across)
        enough = len(sessions) >= rule.min_sessions and rise >= rule.min_rise
        large = len(sessions) >= rule.large_min_sessions and rise >= rule.large_rise
        if not (enough or large):
            continue
        refs = tuple(_ref(r) for r in sessions)
        name = _areas_name(catalog, group.areas)
        if across >= within:
            change = (
                f"went from {first.tension_before} before your session on {local_date(first.started_at)} to "
                f"{last.tension_after} after your latest one on {local_date(last.started_at)}"
            )
        else:
            change = f"was {_points(within)} higher after each session than before it, on average"
        summary = f"The tension in your {name} is getting worse over {len(sessions)} sessions, not better."
        reason = (
            f"Over {len(sessions)} rated sessions on your {name} in the last {rule.window_days} days your tension "
            f"{change} ({_session_list(refs)}). Tension that rises while you massage it needs a doctor to find out "
            f"why, not more massage or a massage therapist: please see a doctor, and leave "
            f"{_this_area(group.areas)} alone until then."
        )
        advice.append(_see_doctor("worsening", rule, rules, group.areas, name, summary, reason, refs))
    return advice


def _persistent_high(
    catalog: Catalog, rules: AdviceRules, records: Sequence[SessionRecord], today: date
) -> list[Advice]:
    """Tension at ``high`` or more on several days, not eased by the latest session: a doctor (the red flags)."""
    rule = rules.persistent_high
    advice = []
    for group in _rated_by_area(catalog, records, today, rule.window_days, both=False):
        sessions = group.sessions
        high = [r for r in sessions if (_final_tension(r) or 0) >= rule.high]
        days = sorted({local_date(r.started_at) for r in high})
        latest = _final_tension(sessions[-1]) or 0
        if len(days) < rule.min_days or latest < rule.high:
            continue
        refs = tuple(_ref(r) for r in high)
        name = _areas_name(catalog, group.areas)
        summary = f"The tension in your {name} has stayed at {rule.high} or more on {len(days)} days, not easing."
        reason = (
            f"The tension in your {name} was {rule.high} or more out of 10 on {len(days)} of the last "
            f"{rule.window_days} days ({_session_list(refs)}), and {latest} after your latest session on "
            f"{local_date(sessions[-1].started_at)}. Pain this strong that has not eased after several days is a red "
            f"flag: please see a doctor, and do not keep massaging it in the meantime."
        )
        advice.append(_see_doctor("persistent-high", rule, rules, group.areas, name, summary, reason, refs))
    return advice


def _not_improving(catalog: Catalog, rules: AdviceRules, records: Sequence[SessionRecord], today: date) -> list[Advice]:
    rule = rules.not_improving
    window = [r for r in _in_window(records, today, rule.window_days) if _relief(r) is not None]
    by_area: dict[str, list[SessionRecord]] = {}
    for record in window:
        for area in _worked_areas(record):
            by_area.setdefault(area, []).append(record)
    advice = []
    for area, sessions in by_area.items():
        if len(sessions) < rule.min_sessions:
            continue
        reliefs = [_relief(r) or 0 for r in sessions]
        mean = sum(reliefs) / len(reliefs)
        if mean >= rule.min_relief:
            continue
        refs = tuple(_ref(r) for r in sessions)
        name = _area_name(catalog, area)
        change = (
            f"eased by {format_number(round(mean, 1))} point{'s' if round(mean, 1) != 1 else ''} on average"
            if mean > 0
            else "did not ease on average"
            if mean == 0
            else f"rose by {format_number(round(-mean, 1))} on average"
        )
        therapy_ids = _therapies_for_area(catalog, rules, sessions, area, rule.max_therapies)
        therapies = join_and([t.name for t in (catalog.therapy(tid) for tid in therapy_ids) if t is not None])
        suggestion = f" A therapist trained in {therapies} can work on it." if therapies else ""
        summary = f"The tension in your {name} {change} over {len(sessions)} sessions: a therapist can assess it."
        reason = (
            f"Over {len(sessions)} sessions on your {name} in the last {rule.window_days} days, your tension "
            f"{change} ({_session_list(refs)}). Self-massage does not seem to be enough here; a professional "
            f"therapist can assess it.{suggestion}"
        )
        advice.append(
            _area_advice("see-professional", "not-improving", rule, (area,), name, summary, reason, refs,
                         (rule.source,), therapy_ids)
        )  # fmt: skip
    return advice


def _same_area(catalog: Catalog, rules: AdviceRules, records: Sequence[SessionRecord], today: date) -> list[Advice]:
    rule = rules.same_area
    window = _in_window(records, today, rule.window_days)
    days: dict[str, set[date]] = {}
    sessions: dict[str, list[SessionRecord]] = {}
    for record in window:
        for area in _worked_areas(record):
            days.setdefault(area, set()).add(local_date(record.started_at))
            sessions.setdefault(area, []).append(record)
    advice = []
    for area, worked in days.items():
        if len(worked) < rule.min_days:
            continue
        refs = tuple(_ref(r) for r in sessions[area])
        name = _area_name(catalog, area)
        therapy_ids = _therapies_for_area(catalog, rules, sessions[area], area, rule.max_therapies)
        reason = (
            f"You worked on your {name} on {len(worked)} of the last {rule.window_days} days "
            f"({_session_list(refs)}). Give it a rest for a day or two, and if it still needs this much "
            f"attention, have a professional assess it. If soreness lasts more than {rule.soreness_hours} hours, "
            f"see a doctor."
        )
        advice.append(
            Advice(
                kind="rest-area",
                rule="same-area",
                area=area,
                area_name=name,
                therapy_ids=therapy_ids,
                reason=reason,
                summary=f"You worked on your {name} on {len(worked)} of the last {rule.window_days} days: rest it.",
                explanation=rule.explanation(),
                source_ids=(rule.source, rule.soreness_source),
                sessions=refs,
            )
        )
    return advice


def _answers(catalog: Catalog, rules: AdviceRules, answers: Iterable[str]) -> list[Advice]:
    flags = {flag.id: flag for flag in catalog.safety.red_flags}
    questions = {q.id: q for q in catalog.safety.questions}
    advice: list[Advice] = []
    for answer in dict.fromkeys(answers):
        if answer in flags:
            flag = flags[answer]
            advice.append(
                Advice(
                    kind="see-doctor",
                    rule="red-flag",
                    reason=f"You answered yes to: {flag.text} {flag.action}",
                    explanation=rules.red_flags.explain,
                    source_ids=(rules.red_flags.source,),
                )
            )
        elif answer in questions:
            question = questions[answer]
            if question.kind is QuestionKind.AVOID_AREA:
                areas: Sequence[str | None] = question.areas or (None,)
                for area in areas:
                    advice.append(
                        Advice(
                            kind="rest-area",
                            rule="screening",
                            area=area,
                            area_name=_area_name(catalog, area) if area else None,
                            reason=f"You answered yes to: {question.text} {question.instead}",
                            explanation=rules.red_flags.avoid_area,
                            source_ids=(question.source,),
                        )
                    )
            else:
                explain = rules.red_flags.explain if question.kind is QuestionKind.STOP else rules.red_flags.ask_first
                advice.append(
                    Advice(
                        kind="see-doctor",
                        rule="screening",
                        reason=f"You answered yes to: {question.text} {question.instead}",
                        explanation=explain,
                        source_ids=(question.source,),
                    )
                )
        else:
            raise ValueError(f"unknown red flag or screening question '{answer}'")
    return advice


def _quiet_spell(catalog: Catalog, rules: AdviceRules, records: Sequence[SessionRecord], today: date) -> list[Advice]:
    rule = rules.quiet_spell
    past = [r for r in records if _days_ago(r, today) >= 0]
    last = max(past, key=lambda r: r.started_at) if past else None
    if last is not None and _days_ago(last, today) < rule.days:
        return []
    candidates = [r for r in catalog.routines if rule.goal in r.goals] or list(catalog.routines)
    routines = sorted(candidates, key=lambda r: (r.source != "bundled", r.total_seconds))[: rule.routines]
    if not routines:
        return []
    titles = join_and([r.title for r in routines], "or")
    explanation = rule.explanation()
    if last is None:
        reason = f"{rule.empty} Try {titles}."
        summary = f"No sessions yet: begin with something short, such as {titles}."
        refs: tuple[SessionRef, ...] = ()
        explanation = ""  # the threshold is about a spell without sessions; the reason says why for a first one
    else:
        ref = _ref(last)
        reason = (
            f"Your last session was {_days_ago(last, today)} days ago ({_session_list([ref])}). "
            f"To start again gently, try {titles}."
        )
        summary = f"Your last session was {_days_ago(last, today)} days ago: start again gently with {titles}."
        refs = (ref,)
    return [
        Advice(
            kind="try-routine",
            rule="quiet-spell",
            routine_ids=tuple(r.id for r in routines),
            reason=reason,
            summary=summary,
            explanation=explanation,
            source_ids=(rule.source,),
            sessions=refs,
        )
    ]


def advice(
    catalog: Catalog,
    rules: AdviceRules,
    records: Iterable[SessionRecord],
    today: date,
    red_flag_answers: Iterable[str] = (),
) -> list[Advice]:
    """Today's advice, most urgent first: see a doctor, rest an area, see a professional, try a routine.

    Tension that rises over the recent sessions on an area, or stays high for several days, sends that area to a
    doctor (the red flags), and no longer to a therapist.

    ``red_flag_answers`` are the ids of red flags and screening questions answered yes (an unknown id raises
    :class:`ValueError`). When any answer means seeing a doctor, suggestions of therapists and routines are left
    out: a doctor comes first.
    """
    records = list(records)
    items = _answers(catalog, rules, red_flag_answers)
    doctor = _once_per_area(catalog, [*_worsening(catalog, rules, records, today),
                                      *_persistent_high(catalog, rules, records, today)])  # fmt: skip
    items += doctor
    # An area sent to a doctor is not also told to rest or sent to a therapist: the doctor's advice already says to
    # leave it alone until then, and comes first.
    to_doctor = {area for d in doctor for area in d.named_areas}
    items += [a for a in _same_area(catalog, rules, records, today) if a.area not in to_doctor]
    items += [a for a in _not_improving(catalog, rules, records, today) if a.area not in to_doctor]
    if any(item.kind == "see-doctor" for item in items):
        items = [item for item in items if item.kind in ("see-doctor", "rest-area")]
    else:
        items += _quiet_spell(catalog, rules, records, today)
    neck = _neck_areas(catalog)
    return sorted(
        items,
        key=lambda item: (KIND_ORDER.index(item.kind), not neck & set(item.named_areas), item.area_name or ""),
    )


def _once_per_area(catalog: Catalog, escalations: Sequence[Advice]) -> list[Advice]:
    """The doctor escalations with each area named once: escalations that name a common area become one item
    (the first one's areas first: worsening before persistent high, the neck first), with every reason and
    session of both; one naming only what an earlier one names adds nothing new and is left out."""
    kept: list[Advice] = []
    for item in escalations:
        overlapping = [k for k in kept if set(k.named_areas) & set(item.named_areas)]
        if not overlapping:
            kept.append(item)
            continue
        merged = overlapping[0]
        for other in [*overlapping[1:], item]:
            merged = _merged(catalog, merged, other)
        place = kept.index(overlapping[0])
        kept = [k for k in kept if k not in overlapping]
        kept.insert(place, merged)
    return kept


def _merged(catalog: Catalog, first: Advice, second: Advice) -> Advice:
    """One doctor item for two escalations sharing an area: ``first``'s areas first, then ``second``'s new ones."""
    if set(second.named_areas) <= set(first.named_areas):
        return first  # nothing new to name: the first already sends every one of these areas to a doctor
    areas = tuple(dict.fromkeys([*first.named_areas, *second.named_areas]))
    reason = first.reason if second.reason == first.reason else f"{first.reason} {second.reason}"
    explanation = first.explanation
    if second.explanation not in explanation:
        explanation = f"{explanation} {second.explanation}"
    return first.model_copy(
        update={
            "areas": areas,
            "area_name": _areas_name(catalog, areas),
            "reason": reason,
            "explanation": explanation,
            "source_ids": tuple(dict.fromkeys([*first.source_ids, *second.source_ids])),
            "sessions": tuple(dict.fromkeys([*first.sessions, *second.sessions])),
        }
    )


# --- plain text for the UI and the command line ---------------------------------------------------------------


def red_flags_by_region(catalog: Catalog) -> list[tuple[str, list[RedFlag]]]:
    """The red flags grouped under region titles (back, neck, anywhere), regions without flags left out."""
    groups = []
    for region, title in REGION_TITLES.items():
        flags = [flag for flag in catalog.safety.red_flags if flag.region == region]
        if flags:
            groups.append((title, flags))
    return groups


RED_FLAG_RULE = "see a doctor, not a massage therapist"
"""What any red flag means (the research notes: "Red flags: stop now and get medical help")."""


def red_flag_reminder(where: str) -> str:
    """The screening's line about the red flags; ``where`` says how to see them (a key, a command)."""
    return f"! Any red flag ({where}) means stop and {RED_FLAG_RULE}."


def red_flag_sources(catalog: Catalog, flags: Iterable[RedFlag]) -> str:
    """Where a group of red flags comes from, cited as a person can look it up: "Sources: NHS, nhs.uk/...; ..."."""
    cited = list(dict.fromkeys(c for flag in flags for c in citations(catalog.sources, flag.source)))
    text = "; ".join(cited)
    return f"{'Sources' if ';' in text else 'Source'}: {text}"


def red_flag_lines(catalog: Catalog) -> list[str]:
    """The red flags as plain text, grouped by region, each followed by what to do, each group by its sources."""
    lines = ["Red flags: stop and get medical help, not a massage."]
    for title, flags in red_flags_by_region(catalog):
        lines += ["", f"{title}:"]
        for flag in flags:
            lines.append(f"  ! {flag.text}")
            lines.append(f"    {flag.action}")
        lines.append(f"  {red_flag_sources(catalog, flags)}")
    return lines


def advice_lines(catalog: Catalog, rules: AdviceRules, items: Sequence[Advice]) -> list[str]:
    """Advice items as plain text: what to do, why, the threshold behind it and its sources."""
    if not items:
        return ["No advice today: nothing in your recent sessions or answers calls for a change."]
    headings = {
        "see-doctor": "See a doctor",
        "rest-area": "Rest",
        "see-professional": "See a professional therapist",
        "try-routine": "Try a routine",
    }
    lines: list[str] = []
    for item in items:
        heading = headings[item.kind]
        if item.area_name:
            heading += f": {item.area_name}"
        if lines:
            lines.append("")
        lines.append(heading)
        lines.append(f"  {item.reason}")
        therapies = [t for t in (catalog.therapy(tid) for tid in item.therapy_ids) if t is not None]
        if therapies:
            lines.append("  Therapies: " + ", ".join(t.name for t in therapies))
        routines = [r for r in (catalog.routine(rid) for rid in item.routine_ids) if r is not None]
        if routines:
            lines.append("  Routines: " + ", ".join(r.title for r in routines))
        if item.explanation:
            lines.append(f"  Why this threshold: {item.explanation}")
        for source_id in item.source_ids:
            source = rules.source(source_id) or catalog.sources.get(source_id)
            if source is not None:
                lines.append(f"  Source ({source.strength.value}): {source.reference}")
    return lines
