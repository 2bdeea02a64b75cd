"""Every store's figures for a period, and week by week, from what is kept instead of from
each of the campaign's members: the same figures as ``facts.count_figures`` (the tests
compare them for any period, in any time zone), in a few milliseconds at 100,000 members.

- Who was tried, reached and accepted in the period, where the members stood at its end
  (not tried yet, never reached, declined and why, the number not working, moved), the
  attempts made and how many were first called: sums of the store tallies
  (calling/store_tallies.py) between the UTC midnights nearest the period's edges, corrected
  for the members called between an edge and its midnight. Those are counted one by one by
  the figures' own conditions (``facts.FIGURES``) as they stood at each; there are none when
  the period's days are UTC days, and few elsewhere: a local midnight falls outside calling
  hours.
- The call group and the holdout of each store: counted along an index.
- Won back, stayed, not seen again and the revenue won back: the members who came back
  before the end, read along their own index, by the figures' own conditions (the revenue
  from each one's kept spend inside its window when it last bought there before the end);
  overdue callbacks likewise, from the members with a callback due.
- Promised visits not seen, and the returns since the campaign's start: from each member's
  kept first purchase since the promise, or since the UTC midnight starting the campaign's
  first day (corrected, as above, for the customers who bought between that midnight and
  the start in the period's time zone), read along their own indexes.
- The median days to a first call: from the middle of each store's members in that order.

Members without a store count in no store's figures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import (
    CTE,
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from lastmile_desktop.calling.life import ScheduledKind
from lastmile_desktop.calling.member_facts import facts_from_days, returns_from
from lastmile_desktop.calling.store_tallies import (
    AttemptStanding,
    ReachedStanding,
    Series,
    counting,
)
from lastmile_desktop.leaderboard.facts import (
    Extra,
    Figure,
    GroupBy,
    GroupCounts,
    Scope,
    declines_query,
    figure_condition,
    figures_query,
    member_conditions,
    reason_label,
    returns_query,
    store_median,
    window_spend,
)
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    MemberDay,
    MemberGroup,
    Purchase,
    StoreTally,
)

# The figures the tallies give (with the attempts and the first calls).
TALLIED = (
    Figure.ATTEMPTED,
    Figure.REACHED,
    Figure.ACCEPTED,
    Figure.NOT_ATTEMPTED,
    Figure.NOT_REACHED,
    Figure.DECLINED,
    Figure.NUMBER_NOT_WORKING,
    Figure.MOVED_OR_DECEASED,
)
_WINS = (Figure.WON_BACK, Figure.STAYED_BACK, Figure.NOT_SEEN_AGAIN)
_CALLED_BY_END = "called_by_end"  # members with an attempt before the end: not NOT_ATTEMPTED
_NOT_STANDING = AttemptStanding.NOT_WORKING | AttemptStanding.MOVED | AttemptStanding.REACHED_YET


def nearest_midnight(moment: datetime) -> datetime:
    """The UTC midnight nearest ``moment``: where the tallies can cut time."""
    return datetime.combine((moment + timedelta(hours=12)).astimezone(UTC).date(), time(0), UTC)


def _in_days(scope: Scope) -> Scope:
    """The scope with its edges moved to the nearest UTC midnights."""
    return dataclasses.replace(
        scope, start=nearest_midnight(scope.start), end=nearest_midnight(scope.end)
    )


def _day(midnight: datetime) -> date:
    return midnight.astimezone(UTC).date()


# ---------------------------------------------------------------------------------------------
# From the tallies


def _has(flag: int) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = StoreTally.kind.op("&")(int(flag)) != 0
    return condition


def _tallies_of(scope: Scope) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        StoreTally.campaign_id == scope.campaign_id,
        counting(),
    ]
    if scope.store_id is not None:
        conditions.append(StoreTally.store_id == scope.store_id)
    return conditions


def _tally_sums(first: date, end: date) -> dict[str, ColumnElement[Any]]:
    """For a period from the midnight starting day ``first`` to that starting ``end``."""
    t = StoreTally
    attempt, reached = t.series == Series.ATTEMPT.value, t.series == Series.REACHED.value
    lasting = and_(t.from_day < end, t.to_day >= end)  # where the member stood at the end
    opened = t.from_day >= first  # ... since a day in the period
    in_period = and_(t.from_day >= first, t.from_day < end)

    def members(*conditions: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.coalesce(func.sum(t.members).filter(and_(*conditions)), 0)

    return {
        _CALLED_BY_END: members(attempt, lasting),
        Figure.ATTEMPTED.value: members(attempt, lasting, opened),
        Figure.NUMBER_NOT_WORKING.value: members(
            attempt, lasting, _has(AttemptStanding.NOT_WORKING)
        ),
        Figure.MOVED_OR_DECEASED.value: members(attempt, lasting, _has(AttemptStanding.MOVED)),
        Figure.NOT_REACHED.value: members(attempt, lasting, ~_has(_NOT_STANDING)),
        Figure.REACHED.value: members(reached, lasting, opened),
        Figure.ACCEPTED.value: members(reached, lasting, opened, _has(ReachedStanding.ACCEPTED)),
        Extra.ATTEMPTS.value: func.coalesce(func.sum(t.attempts).filter(attempt, in_period), 0),
        Extra.FIRST_CALLS.value: members(attempt, in_period, _has(AttemptStanding.FIRST)),
    }


def tallied_declines_query(scope: Scope, end: date) -> Select[Any]:
    """Per store, reason and standing, the members whose latest reached outcome at the
    midnight starting ``end`` was a decline."""
    t = StoreTally
    query = (
        select(t.store_id, t.reason, t.kind, func.sum(t.members).label("members"))
        .where(
            *_tallies_of(scope),
            t.series == Series.REACHED.value,
            t.from_day < end,
            t.to_day >= end,
            _has(ReachedStanding.DECLINED),
        )
        .group_by(t.store_id, t.reason, t.kind)
    )
    return cast(Select[Any], query)


def tallied_query(scope: Scope, first: date, end: date) -> Select[Any]:
    """Per store, the tallied figures of the period from the midnight starting day ``first``
    to that starting day ``end``."""
    sums = _tally_sums(first, end)
    t = StoreTally
    return (
        select(t.store_id, *(column.label(name) for name, column in sums.items()))
        .where(*_tallies_of(scope))
        .group_by(t.store_id)
    )


# ---------------------------------------------------------------------------------------------
# The members an edge cuts through, counted one by one


def called_between(edges: Sequence[tuple[datetime, datetime]]) -> Select[Any]:
    """The members with a counted attempt in one of the spans of time: each lies within a UTC
    day and starts or ends at its midnight, so a member's day of attempts reaches into it
    exactly when one of them was made in it."""
    day = MemberDay
    return select(day.member_id).where(
        or_(
            *(
                and_(day.day == _day(earlier), day.first_at < later, day.last_at >= earlier)
                for earlier, later in edges
            )
        )
    )


def _cut_members(session: Session, scope: Scope, in_days: Scope) -> list[int]:
    """The members called between an edge of the period and its nearest UTC midnight."""
    edges = [
        (min(moment, midnight), max(moment, midnight))
        for moment, midnight in ((scope.start, in_days.start), (scope.end, in_days.end))
        if moment != midnight
    ]
    if not edges:
        return []
    return sorted(set(session.scalars(called_between(edges))))


def _one_by_one(
    session: Session, scope: Scope, members: Sequence[int], figures: Sequence[Figure]
) -> dict[int, _Counts]:
    """``figures`` of ``members`` per store (with the attempts and first calls when all the
    tallied figures are asked for), as the figures' conditions count them over the members'
    facts at the scope's end."""
    extras = (Extra.ATTEMPTS, Extra.FIRST_CALLS) if set(TALLIED) <= set(figures) else ()
    conditions = [
        *member_conditions(scope, [MemberGroup.CALL]),
        CampaignMember.id.in_(members),
    ]
    facts = facts_from_days(conditions, scope.end, "cut_facts")
    found: dict[int, _Counts] = {}
    query = figures_query(facts, scope, GroupBy.STORE, figures, extras)
    for row in session.execute(query).mappings():
        if row["grouping"] is None:
            continue
        counts = found.setdefault(row["grouping"], _empty(row["grouping"]))
        for figure in figures:
            counts.counts[figure] = int(row[figure.value] or 0)
        if extras:
            counts.attempts = int(row[Extra.ATTEMPTS.value] or 0)
            counts.first_calls = int(row[Extra.FIRST_CALLS.value] or 0)
    if Figure.DECLINED in figures:
        for row in session.execute(declines_query(facts, scope, GroupBy.STORE)).mappings():
            if row["grouping"] is None:
                continue
            counts = found.setdefault(row["grouping"], _empty(row["grouping"]))
            label = reason_label(row["declined_reason"])
            counts.declined_by_reason[label] = counts.declined_by_reason.get(label, 0) + int(
                row["count"]
            )
    return found


def _corrections(
    session: Session, scope: Scope, in_days: Scope, figures: Sequence[Figure]
) -> list[tuple[int, int, _Counts]]:
    """What the members an edge cuts through add to the tallies' counts between midnights:
    their figures over the period minus those between the midnights (+1 and -1 pairs)."""
    members = _cut_members(session, scope, in_days)
    if not members:
        return []
    exact = _one_by_one(session, scope, members, figures)
    between_midnights = _one_by_one(session, in_days, members, figures)
    return [(store_id, 1, counts) for store_id, counts in exact.items()] + [
        (store_id, -1, counts) for store_id, counts in between_midnights.items()
    ]


# ---------------------------------------------------------------------------------------------
# One period


@dataclass
class _Counts(GroupCounts):
    first_calls: int = 0


def _empty(store_id: int) -> _Counts:
    return _Counts(key=store_id, counts=dict.fromkeys(Figure, 0))


def group_sizes(session: Session, scope: Scope) -> dict[tuple[int, str], int]:
    """(store, group) -> members: the call group and the holdout of each store."""
    member = CampaignMember
    rows = session.execute(
        select(member.store_id, member.group, func.count())
        .where(*member_conditions(scope))
        .group_by(member.group, member.store_id)
    )
    sizes: dict[tuple[int, str], int] = {}
    for store_id, group, count in rows:
        if store_id is not None and group is not None:
            sizes[(store_id, group)] = int(count)
    return sizes


def store_figures(
    session: Session, scope: Scope, sizes: dict[tuple[int, str], int] | None = None
) -> list[GroupCounts]:
    """Every figure of every store of the scope (``facts.count_figures`` by store, without
    reading each member). ``sizes``: ``group_sizes`` when already read."""
    stores: dict[int, _Counts] = {}

    def store(store_id: int) -> _Counts:
        found = stores.get(store_id)
        if found is None:
            found = stores[store_id] = _empty(store_id)
        return found

    for (store_id, group), members in (sizes or group_sizes(session, scope)).items():
        if group == MemberGroup.CALL:
            store(store_id).counts[Figure.ASSIGNED] = members
        elif group == MemberGroup.HOLDOUT:
            store(store_id).counts[Figure.HOLDOUT] = members

    in_days = _in_days(scope)
    first, end = _day(in_days.start), _day(in_days.end)
    for row in session.execute(tallied_query(scope, first, end)).mappings():
        counts = store(row["store_id"])
        for figure in TALLIED:
            if figure.value in row:
                counts.counts[figure] = int(row[figure.value])
        counts.counts[Figure.NOT_ATTEMPTED] = -int(row[_CALLED_BY_END])
        counts.attempts = int(row[Extra.ATTEMPTS.value])
        counts.first_calls = int(row[Extra.FIRST_CALLS.value])
    for counts in stores.values():
        counts.counts[Figure.NOT_ATTEMPTED] += counts.counts[Figure.ASSIGNED]
    for store_id, reason, kind, members in session.execute(tallied_declines_query(scope, end)):
        label = reason_label(reason if kind & ReachedStanding.REASON_GIVEN else None)
        reasons = store(store_id).declined_by_reason
        reasons[label] = reasons.get(label, 0) + int(members)
    for store_id, sign, cut in _corrections(session, scope, in_days, TALLIED):
        _add(store(store_id), cut, sign)

    campaign = session.get_one(Campaign, scope.campaign_id)
    counted_from = returns_from(campaign.start_date, campaign.created_at)
    for store_id, sign, cut in _return_corrections(session, scope, counted_from):
        for figure in (Figure.CALL_RETURNED, Figure.HOLDOUT_RETURNED):
            store(store_id).counts[figure] += sign * cut.counts[figure]
    for row in (
        found
        for query in member_read_queries(scope, counted_from)
        for found in session.execute(query).mappings()
    ):
        if row["grouping"] is None:
            continue
        counts = store(row["grouping"])
        for figure in Figure:
            if figure.value in row:
                counts.counts[figure] += int(row[figure.value] or 0)
        if Extra.REVENUE.value in row:
            counts.revenue_won_back_cents += int(row[Extra.REVENUE.value] or 0)

    for counts in stores.values():
        counts.counts[Figure.DECLINED] = sum(counts.declined_by_reason.values())
        counts.declined_by_reason = {
            label: members for label, members in counts.declined_by_reason.items() if members
        }
        if counts.first_calls:
            counts.speed_to_first_call_days = store_median(
                session, scope, counts.key, counts.first_calls
            )
    return [
        GroupCounts(
            key=counts.key,
            counts=counts.counts,
            attempts=counts.attempts,
            revenue_won_back_cents=counts.revenue_won_back_cents,
            declined_by_reason=counts.declined_by_reason,
            speed_to_first_call_days=counts.speed_to_first_call_days,
        )
        for counts in stores.values()
    ]


def _add(counts: _Counts, more: _Counts, sign: int) -> None:
    for figure in TALLIED:
        counts.counts[figure] += sign * more.counts[figure]
    counts.attempts += sign * more.attempts
    counts.first_calls += sign * more.first_calls
    for label, members in more.declined_by_reason.items():
        counts.declined_by_reason[label] = counts.declined_by_reason.get(label, 0) + sign * members


def member_read_queries(scope: Scope, counted_from: datetime) -> list[Select[Any]]:
    """The figures read from a few members each, by the figures' own conditions: who came
    back before the end (and what they spent), who has a callback due before it or a visit
    day passed, who bought from ``counted_from`` (``member_facts.returns_from``: the UTC
    midnight starting the campaign's first day) to the end. Each gives rows of ``grouping``
    (the store) and figures."""
    member = CampaignMember
    # The group is left to the figures' conditions: a database that knows how many members
    # each group holds would otherwise walk a group's members to skip sorting them by store.
    campaign = _of_campaign(scope)
    wins = _members_with(_WIN_COLUMNS, [*campaign, member.came_back_at < scope.end], "win_facts")
    due = [member.scheduled_kind == ScheduledKind.CALLBACK.value, member.next_due_at < scope.as_of]
    callbacks = _members_with(_CALLBACK_COLUMNS, [*campaign, *due], "callback_facts")
    promises = _members_with(
        _PROMISE_COLUMNS, [*campaign, member.visit_date < scope.visits_due_before], "visit_facts"
    )
    returns = _members_with(
        _BUYER_COLUMNS, [*campaign, member.returned_at < scope.end], "return_facts"
    )
    return [
        figures_query(wins, scope, GroupBy.STORE, _WINS, ()).add_columns(
            _revenue(wins, scope).label(Extra.REVENUE.value)
        ),
        figures_query(callbacks, scope, GroupBy.STORE, (Figure.OVERDUE_CALLBACKS,), ()),
        _promised_not_seen(promises, scope),
        _returns_since(returns),
    ]


def _revenue(wins: CTE, scope: Scope) -> ColumnElement[Any]:
    """What the members won back in the period spent inside their windows before its end:
    the kept spend (``window_spend_cents``) when their latest purchase there was before the
    end, which always holds for a period ending today; else summed (``facts.window_spend``)."""
    f = wins.c
    spent = case(
        (f.window_last_at < scope.end, f.window_spend_cents),
        else_=window_spend(wins, scope),
    )
    return func.sum(case((figure_condition(wins, scope, Figure.WON_BACK), spent), else_=0))


def _promised_not_seen(promises: CTE, scope: Scope) -> Select[Any]:
    """Promised visits not seen, from the kept first purchase since each promise: the same
    members as life.py's ``promised_not_seen_condition`` (no purchase from the promise to the
    end), without looking the purchases up."""
    f = promises.c
    not_seen = and_(
        f.group == MemberGroup.CALL.value,
        f.visit_date.is_not(None),
        f.visit_date < scope.visits_due_before,
        f.promised_at < scope.end,
        or_(f.bought_since_promise_at.is_(None), f.bought_since_promise_at >= scope.end),
    )
    return select(
        f.store_id.label("grouping"),
        func.count().filter(not_seen).label(Figure.PROMISED_NOT_SEEN.value),
    ).group_by(f.store_id)


def _returns_since(returns: CTE) -> Select[Any]:
    """The returns counted from the kept first purchase since the campaign's first day (the
    CTE holds the members whose ``returned_at`` is before the end); equal to the figures' own
    condition for every member who did not buy between that UTC midnight and the campaign's
    start in the period's time zone (``_return_corrections`` counts those)."""
    f = returns.c
    return select(
        f.store_id.label("grouping"),
        func.count().filter(f.group == MemberGroup.CALL.value).label(Figure.CALL_RETURNED.value),
        func.count()
        .filter(f.group == MemberGroup.HOLDOUT.value)
        .label(Figure.HOLDOUT_RETURNED.value),
    ).group_by(f.store_id)


def _return_corrections(
    session: Session, scope: Scope, counted_from: datetime
) -> list[tuple[int, int, _Counts]]:
    """What the buyers between the campaign's start in the period's time zone and
    ``counted_from`` change in the returns: their returns by the figures' own condition
    minus those the kept first purchase gave (+1 and -1 pairs, as ``_corrections``)."""
    if counted_from == scope.campaign_start:
        return []
    earlier, later = sorted((counted_from, scope.campaign_start))
    buyers = select(Purchase.customer_id).where(
        Purchase.purchased_at >= earlier, Purchase.purchased_at < later
    )
    if not session.scalar(select(exists(buyers))):
        return []
    member = CampaignMember
    # Found from the buyers (``campaign_id + 0``: not by walking the campaign's members).
    conditions = [(member.campaign_id + 0) == scope.campaign_id, member.customer_id.in_(buyers)]
    if scope.store_id is not None:
        conditions.append(member.store_id == scope.store_id)
    cut = _members_with((*_BUYER_COLUMNS, "returned_at"), conditions, "cut_buyers")
    exact = returns_query(cut, scope, GroupBy.STORE)
    kept = _returns_since(cut.select().where(cut.c.returned_at < scope.end).cte("cut_returns"))
    found = []
    for sign, query in ((1, exact), (-1, kept)):
        for row in session.execute(query).mappings():
            if row["grouping"] is None:
                continue
            counts = _empty(row["grouping"])
            for figure in (Figure.CALL_RETURNED, Figure.HOLDOUT_RETURNED):
                counts.counts[figure] = int(row[figure.value] or 0)
            found.append((row["grouping"], sign, counts))
    return found


# What each of those reads: the columns of its index (storage/models.py), so it reads only that.
_BUYER_COLUMNS = ("store_id", "group", "customer_id")
_WIN_COLUMNS = (
    *_BUYER_COLUMNS,
    "first_attempt_at",
    "came_back_at",
    "came_back_days",
    "came_again_at",
    "came_again_days",
    "window_spend_cents",
    "window_last_at",
)
_CALLBACK_COLUMNS = ("store_id", "group", "status", "scheduled_kind", "next_due_at")
_PROMISE_COLUMNS = ("store_id", "group", "visit_date", "promised_at", "bought_since_promise_at")


def _of_campaign(scope: Scope) -> list[ColumnElement[bool]]:
    member = CampaignMember
    conditions = [member.campaign_id == scope.campaign_id]
    if scope.store_id is not None:
        conditions.append(member.store_id == scope.store_id)
    return conditions


def _members_with(
    columns: Sequence[str], conditions: Sequence[ColumnElement[bool]], name: str
) -> CTE:
    """The members matching ``conditions`` with only these fact and life columns (those a
    figure's condition reads), as ``stored_facts`` names them.

    The store comes as ``store_id + 0``: counted per store, the members would otherwise be
    walked in store order along any index that has it (to save sorting a few thousand rows),
    however many more that walk reads."""
    table = CampaignMember.__table__.c
    return (
        select(
            table.id.label("member_id"),
            *(
                (table.store_id + 0).label(column) if column == "store_id" else table[column]
                for column in columns
            ),
        )
        .where(*conditions)
        .cte(name)
    )


# ---------------------------------------------------------------------------------------------
# Week by week


@dataclass(frozen=True)
class WeekCounts:
    group: int | None  # the store's id
    week: int  # 0 is the first span's
    numerator: int
    denominator: int


_ATTEMPT_RATE_FIGURES = (Figure.ATTEMPTED, Figure.REACHED, Figure.ACCEPTED)
_WIN_RATE_FIGURES = (Figure.WON_BACK, Figure.STAYED_BACK)


def weekly_counts(
    session: Session,
    scope: Scope,
    bounds: Sequence[datetime],
    numerator: Figure,
    denominator: Figure,
    *,
    sizes: dict[tuple[int, str], int] | None = None,
) -> list[WeekCounts]:
    """``numerator`` and ``denominator`` per store and span between ``bounds`` (the weeks'
    edges), each span counted as the period it is (``store_figures`` of that span). The
    figures of the rates only: assigned, attempted, reached, accepted, won back, stayed back.
    """
    wanted = (numerator, denominator)
    spans = len(bounds) - 1
    counts: dict[tuple[int, int], list[int]] = {}

    def add(store_id: int, week: int, figure: Figure, value: int) -> None:
        if figure in wanted:
            parts = counts.setdefault((store_id, week), [0, 0])
            parts[wanted.index(figure)] += value

    if set(wanted) & set(_ATTEMPT_RATE_FIGURES):
        for store_id, week, figure, value in _weekly_tallies(session, scope, bounds):
            add(store_id, week, figure, value)
        for week in range(spans):
            period = dataclasses.replace(scope, start=bounds[week], end=bounds[week + 1])
            cuts = _corrections(session, period, _in_days(period), _ATTEMPT_RATE_FIGURES)
            for store_id, sign, cut in cuts:
                for figure in _ATTEMPT_RATE_FIGURES:
                    add(store_id, week, figure, sign * cut.counts[figure])
    if set(wanted) & set(_WIN_RATE_FIGURES):
        for row in session.execute(weekly_win_figures_query(scope, bounds)).mappings():
            for week in range(spans):
                for figure in _WIN_RATE_FIGURES:
                    add(row["grouping"], week, figure, int(row[f"{figure.value}_{week}"]))
    if Figure.ASSIGNED in wanted:
        for (store_id, group), members in (sizes or group_sizes(session, scope)).items():
            if group == MemberGroup.CALL:
                for week in range(spans):
                    add(store_id, week, Figure.ASSIGNED, members)
    return [
        WeekCounts(store_id, week, parts[0], parts[1])
        for (store_id, week), parts in sorted(counts.items(), key=lambda item: item[0][1])
    ]


def _weekly_tallies(
    session: Session, scope: Scope, bounds: Sequence[datetime]
) -> list[tuple[int, int, Figure, int]]:
    """(store, span, figure, members) of ``weekly_tallies_query``."""
    found = []
    for row in session.execute(weekly_tallies_query(scope, bounds)).mappings():
        for figure in _ATTEMPT_RATE_FIGURES:
            found.append((row["store_id"], row["week"], figure, int(row[figure.value])))
    return found


def weekly_tallies_query(scope: Scope, bounds: Sequence[datetime]) -> Select[Any]:
    """Attempted, reached and accepted per store and span, from the tallies between the
    midnights nearest the bounds."""
    days = [_day(nearest_midnight(bound)) for bound in bounds]
    t = StoreTally
    # A span opened in a week and lasting past its end: the member stood so at the week's end.
    in_week = [
        and_(t.from_day >= days[week], t.from_day < days[week + 1], t.to_day >= days[week + 1])
        for week in range(len(days) - 1)
    ]
    week = case(*((condition, index) for index, condition in enumerate(in_week)))
    attempt, reached = t.series == Series.ATTEMPT.value, t.series == Series.REACHED.value
    return (
        select(
            t.store_id,
            week.label("week"),
            func.coalesce(func.sum(t.members).filter(attempt), 0).label("attempted"),
            func.coalesce(func.sum(t.members).filter(reached), 0).label("reached"),
            func.coalesce(
                func.sum(t.members).filter(reached, _has(ReachedStanding.ACCEPTED)), 0
            ).label("accepted"),
        )
        .where(*_tallies_of(scope), or_(*in_week))
        .group_by(t.store_id, week)
    )


def weekly_win_figures_query(scope: Scope, bounds: Sequence[datetime]) -> Select[Any]:
    """Won back and stayed back per store and span (columns ``won_back_N``,
    ``stayed_back_N`` for span N), each by the figure's own condition over that span, from
    the members who came back between the first and last bound."""
    member = CampaignMember
    facts = _members_with(
        _WIN_COLUMNS,
        [*_of_campaign(scope), member.came_back_at >= bounds[0], member.came_back_at < bounds[-1]],
        "win_facts",
    )
    counts = []
    for week in range(len(bounds) - 1):
        period = dataclasses.replace(scope, start=bounds[week], end=bounds[week + 1])
        for figure in _WIN_RATE_FIGURES:
            condition = figure_condition(facts, period, figure)
            counts.append(func.count().filter(condition).label(f"{figure.value}_{week}"))
    return select(facts.c.store_id.label("grouping"), *counts).group_by(facts.c.store_id)


__all__ = [
    "TALLIED",
    "WeekCounts",
    "called_between",
    "group_sizes",
    "member_read_queries",
    "nearest_midnight",
    "store_figures",
    "tallied_declines_query",
    "tallied_query",
    "weekly_counts",
    "weekly_tallies_query",
    "weekly_win_figures_query",
]
