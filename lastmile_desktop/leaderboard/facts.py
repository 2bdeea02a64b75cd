"""The leaderboard's figures, defined once: yes/no facts about each campaign member, counted in SQL.

Every figure is a condition on one member's facts (``FIGURES``): what their counted attempts
and the customer's purchases came to before the period's end (calling/member_facts.py
defines them and keeps them in the database), and where the member's life stands
(calling/life.py). A store's or a manager's figure is the count of its members for whom the
condition holds; counting and listing the customers behind a figure use the same condition,
so a drill-down always adds up to the number.

Follow-up calls (a visit reminder, a "promised but not seen" call) are not attempts: they
count in no figure. For a campaign and a period [start, end) (UTC, from ``periods``):

- ``assigned``: call-group members (the holdout is not called, so never counted here).
- ``attempted``: assigned members with at least one attempt in the period: their latest
  attempt before the end is in it.
- ``attempts``: the attempts made in the period.
- ``reached``: members with an attempt in the period whose outcome counts as reached
  (``Outcome.reached`` in the outcome catalogue): their latest reached attempt is in it.
- ``accepted``: reached members whose latest reached outcome (before the end) is Accepted offer.
- ``won_back``: members whose first purchase in their attribution window falls in the period.
  The window runs from the UTC day of the member's first attempt to the campaign's
  ``attribution_window_days`` days after it, both days included.
- ``revenue_won_back``: what those members spent inside their window (up to the period's end).
- ``stayed_back``: won-back members who bought again on a later day, at most 60 days after
  that first purchase (and before the period ends).
- ``returned`` (call group and holdout alike): members with any purchase from the campaign's
  start to the end of the period; the lift compares the two groups.
- ``speed_to_first_call_days``: the median, over members first called in the period, of the
  days from their assignment to that first call.

The gaps describe where each member stands when the period ends, from the attempts before it:
not called yet, called but never reached, declined (the latest reached outcome is Not
interested or Do not call), the latest attempt found the number wrong or not in service, or
the person moved or died, and won back with no purchase on any later day. Two read the
member's life as it stands now: a callback booked (life.py) that was due before the end and
is not made yet, and a visit promised before the end whose day has passed with no purchase
since the promise (life.py's "promised but not seen").

Nothing that happens after the period's end counts, so a past period's figures stay as they
were (unless a late sales extract or a call typed in later fills in what happened then).

Where the figures come from: a period that ends after the campaign's latest attempt (this
week, the last four weeks, the campaign to date) reads the stored facts in one pass over the
members' covering index; a period that ends before it sums the members' days
(``member_days``) before its end into the same facts. The week-by-week figures come from the
members' days too, with the attempts themselves for a day a period's edge cuts through.
``Source.RECOMPUTED`` computes every fact from the attempts instead (the tests compare).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Select,
    and_,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from lastmile_desktop.calling.life import OPEN_STATUSES, ScheduledKind, promised_not_seen_condition
from lastmile_desktop.calling.member_facts import (
    DO_NOT_CALL_REASON,
    counted,
    facts_from_days,
    in_window,
    recomputed_facts,
    stored_facts,
)
from lastmile_desktop.calling.outcomes import (
    NOT_INTERESTED_REASON_LABELS,
)
from lastmile_desktop.storage.models import (
    CallAttempt,
    CampaignMember,
    MemberDay,
    MemberGroup,
    Purchase,
)

STAY_DAYS = 60
NO_REASON = "No reason given"
# The reason a Do not call outcome gives, beside those chosen with Not interested.
ASKED_NOT_TO_BE_CALLED = "Asked not to be called again"


class Figure(enum.StrEnum):
    """A yes/no fact about a campaign member; its count is the figure of that name."""

    ASSIGNED = "assigned"
    ATTEMPTED = "attempted"
    REACHED = "reached"
    ACCEPTED = "accepted"
    WON_BACK = "won_back"
    STAYED_BACK = "stayed_back"
    OVERDUE_CALLBACKS = "overdue_callbacks"
    NOT_ATTEMPTED = "not_attempted"
    NOT_REACHED = "not_reached"
    DECLINED = "declined"
    NUMBER_NOT_WORKING = "number_not_working"
    MOVED_OR_DECEASED = "moved_or_deceased"
    PROMISED_NOT_SEEN = "promised_not_seen"
    NOT_SEEN_AGAIN = "not_seen_again"
    CALL_RETURNED = "call_returned"  # call group, bought since the campaign's start
    HOLDOUT = "holdout"
    HOLDOUT_RETURNED = "holdout_returned"


class GroupBy(enum.StrEnum):
    STORE = "store"
    MANAGER = "manager"


class Source(enum.Enum):
    """Where the member facts are read from."""

    AUTO = "auto"  # kept: as stored when the period ends after the latest attempt, else the
    # members' days before the end
    RECOMPUTED = "recomputed"  # from the attempts and purchases, whatever the period


@dataclass(frozen=True)
class Scope:
    """What the figures are counted over; times are aware UTC."""

    campaign_id: int
    start: datetime  # the period's first moment
    end: datetime  # the moment after the period's last
    campaign_start: datetime  # return rates count purchases from here
    as_of: datetime  # callbacks due before this and not made are overdue: min(end, now)
    visits_due_before: date  # a promised visit day before this one has passed
    window_days: int  # the campaign's attribution window
    store_id: int | None = None  # only this store's members (a drill-down)
    manager_id: int | None = None  # only this manager's members


# ---------------------------------------------------------------------------------------------
# The members' facts a scope reads


def member_conditions(
    scope: Scope, groups: Sequence[MemberGroup] = (MemberGroup.CALL, MemberGroup.HOLDOUT)
) -> list[ColumnElement[bool]]:
    member = CampaignMember
    conditions = [
        member.campaign_id == scope.campaign_id,
        member.group.in_([group.value for group in groups]),
    ]
    if scope.store_id is not None:
        conditions.append(member.store_id == scope.store_id)
    if scope.manager_id is not None:
        conditions.append(member.manager_id == scope.manager_id)
    return conditions


def facts_stored_up_to(session: Session, end: datetime) -> bool:
    """True when no attempt was made at or after ``end``: the stored facts are then the
    facts as they stood at the end. One look into the days' index."""
    later = (
        select(MemberDay.id)
        .where(MemberDay.day >= end.astimezone(UTC).date(), MemberDay.last_at >= end)
        .limit(1)
    )
    return session.scalar(later) is None


def member_facts(session: Session, scope: Scope, source: Source = Source.AUTO) -> CTE:
    """Both groups' members in the scope with their facts at the period's end."""
    conditions = member_conditions(scope)
    if source is Source.RECOMPUTED:
        return recomputed_facts(conditions, scope.end)
    if facts_stored_up_to(session, scope.end):
        return stored_facts(conditions)
    return facts_from_days(conditions, scope.end)


# ---------------------------------------------------------------------------------------------
# The figures: one yes/no condition each over a member's facts


def attempted(last_attempt_at: Any, start: Any) -> ColumnElement[bool]:
    """The latest attempt before the end is in the period."""
    condition: ColumnElement[bool] = last_attempt_at >= start
    return condition


def reached(last_reached_at: Any, start: Any) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = last_reached_at >= start
    return condition


def accepted(last_reached_at: Any, last_accepted_at: Any, start: Any) -> ColumnElement[bool]:
    """Reached in the period, and the latest reached outcome is Accepted offer."""
    return and_(reached(last_reached_at, start), last_accepted_at >= last_reached_at)


def won_back_before(f: Any, end: Any, window_days: int) -> ColumnElement[bool]:
    """Called before ``end`` and bought in the window before ``end`` (at any time).

    ``came_back_at`` is the first purchase from the first attempt's day on, so it is in the
    window when it is at most ``window_days`` days after that day."""
    return and_(f.came_back_at < end, f.first_attempt_at < end, f.came_back_days <= window_days)


def won_back(f: Any, start: Any, end: Any, window_days: int) -> ColumnElement[bool]:
    """The first purchase in the window falls in the period."""
    return and_(won_back_before(f, end, window_days), f.came_back_at >= start)


def stayed_back(f: Any, start: Any, end: Any, window_days: int) -> ColumnElement[bool]:
    """Won back in the period and bought again on a later day, within 60 days, before the
    end (``came_again_at`` is the first purchase on a later day)."""
    return and_(
        won_back(f, start, end, window_days),
        f.came_again_at < end,
        f.came_again_days <= STAY_DAYS,
    )


def _column(attribute: Any) -> ColumnElement[Any]:
    column: ColumnElement[Any] = attribute
    return column


def _in_call(f: Any) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = f.group == MemberGroup.CALL.value
    return condition


def _in_holdout(f: Any) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = f.group == MemberGroup.HOLDOUT.value
    return condition


def _latest_is(at: Any, last: Any) -> ColumnElement[bool]:
    return and_(at.is_not(None), at == last)


def _overdue_callback(f: Any, s: Scope) -> ColumnElement[bool]:
    """life.py's booked callback, due before the end (and before now), not made yet."""
    return and_(
        f.status.in_([status.value for status in OPEN_STATUSES]),
        f.scheduled_kind == ScheduledKind.CALLBACK.value,
        f.next_due_at < s.as_of,
    )


def _promised_not_seen(f: Any, s: Scope) -> ColumnElement[bool]:
    return promised_not_seen_condition(
        f.customer_id, f.visit_date, f.promised_at, s.visits_due_before, s.end
    )


def _returned(f: Any, s: Scope) -> ColumnElement[bool]:
    """A purchase from the campaign's start to the period's end (either group)."""
    buyers = select(Purchase.customer_id).where(
        Purchase.purchased_at >= s.campaign_start, Purchase.purchased_at < s.end
    )
    condition: ColumnElement[bool] = f.customer_id.in_(buyers)
    return condition


FigureRule = Callable[[Any, Scope], ColumnElement[bool]]

FIGURES: dict[Figure, FigureRule] = {
    Figure.ASSIGNED: lambda f, s: _in_call(f),
    Figure.ATTEMPTED: lambda f, s: and_(_in_call(f), attempted(f.last_attempt_at, s.start)),
    Figure.REACHED: lambda f, s: and_(_in_call(f), reached(f.last_reached_at, s.start)),
    Figure.ACCEPTED: lambda f, s: and_(
        _in_call(f), accepted(f.last_reached_at, f.last_accepted_at, s.start)
    ),
    Figure.WON_BACK: lambda f, s: and_(_in_call(f), won_back(f, s.start, s.end, s.window_days)),
    Figure.STAYED_BACK: lambda f, s: and_(
        _in_call(f), stayed_back(f, s.start, s.end, s.window_days)
    ),
    Figure.OVERDUE_CALLBACKS: lambda f, s: and_(_in_call(f), _overdue_callback(f, s)),
    Figure.NOT_ATTEMPTED: lambda f, s: and_(_in_call(f), f.first_attempt_at.is_(None)),
    Figure.NOT_REACHED: lambda f, s: and_(
        _in_call(f),
        f.first_attempt_at.is_not(None),
        f.last_reached_at.is_(None),
        ~_latest_is(f.last_not_working_at, f.last_attempt_at),
        ~_latest_is(f.last_moved_at, f.last_attempt_at),
    ),
    Figure.DECLINED: lambda f, s: and_(
        _in_call(f), _latest_is(f.last_declined_at, f.last_reached_at)
    ),
    Figure.NUMBER_NOT_WORKING: lambda f, s: and_(
        _in_call(f), _latest_is(f.last_not_working_at, f.last_attempt_at)
    ),
    Figure.MOVED_OR_DECEASED: lambda f, s: and_(
        _in_call(f), _latest_is(f.last_moved_at, f.last_attempt_at)
    ),
    Figure.PROMISED_NOT_SEEN: lambda f, s: and_(_in_call(f), _promised_not_seen(f, s)),
    Figure.NOT_SEEN_AGAIN: lambda f, s: and_(
        _in_call(f),
        won_back_before(f, s.end, s.window_days),
        or_(f.came_again_at.is_(None), f.came_again_at >= s.end),
    ),
    Figure.CALL_RETURNED: lambda f, s: and_(_in_call(f), _returned(f, s)),
    Figure.HOLDOUT: lambda f, s: _in_holdout(f),
    Figure.HOLDOUT_RETURNED: lambda f, s: and_(_in_holdout(f), _returned(f, s)),
}


def figure_condition(facts: CTE, scope: Scope, figure: Figure) -> ColumnElement[bool]:
    """The SQL condition under which ``figure`` holds for a member of ``facts``."""
    return FIGURES[figure](facts.c, scope)


def reason_label(declined_reason: str | None) -> str:
    """How a decline's reason reads: Do not call's, or the reason chosen with Not interested."""
    if declined_reason == DO_NOT_CALL_REASON:
        return ASKED_NOT_TO_BE_CALLED
    if declined_reason is None:
        return NO_REASON
    return NOT_INTERESTED_REASON_LABELS.get(declined_reason, declined_reason)


def reason_condition(facts: CTE, label: str) -> ColumnElement[bool]:
    """The member's latest decline reads ``label`` (the drill-down into one reason)."""
    reason = facts.c.declined_reason
    if label == ASKED_NOT_TO_BE_CALLED:
        condition: ColumnElement[bool] = reason == DO_NOT_CALL_REASON
        return condition
    if label == NO_REASON:
        return reason.is_(None)
    codes = [code for code, text in NOT_INTERESTED_REASON_LABELS.items() if text == label]
    return reason.in_(codes or [label])


# ---------------------------------------------------------------------------------------------
# Counting


@dataclass
class GroupCounts:
    """The figures of one store or one manager."""

    key: int | None  # the store's or the manager's id
    counts: dict[Figure, int]
    attempts: int = 0
    revenue_won_back_cents: int = 0
    declined_by_reason: dict[str, int] = field(default_factory=dict)
    speed_to_first_call_days: float | None = None


def _group_column(facts: Any, group_by: GroupBy) -> ColumnElement[Any]:
    column: ColumnElement[Any] = facts.store_id if group_by is GroupBy.STORE else facts.manager_id
    return column


# Counted apart: they look up purchases, and read best driven by the buyers (``returns_query``).
_RETURNS = (Figure.CALL_RETURNED, Figure.HOLDOUT_RETURNED)
IN_ONE_PASS = tuple(figure for figure in Figure if figure not in _RETURNS)


class Extra(enum.StrEnum):
    """What ``figures_query`` sums beside the figures."""

    ATTEMPTS = "attempts"  # attempts made in the period
    REVENUE = "revenue_cents"  # what the members won back spent in their windows
    FIRST_CALLS = "first_calls"  # members first called in the period


def figures_query(
    facts: CTE,
    scope: Scope,
    group_by: GroupBy,
    figures: Sequence[Figure] = IN_ONE_PASS,
    extras: Sequence[Extra] = tuple(Extra),
) -> Select[Any]:
    """``figures`` (by default every one but the returns) per group, with the ``extras``."""
    f = facts.c
    group = _group_column(f, group_by)

    def extra_sum(extra: Extra) -> ColumnElement[Any]:
        if extra is Extra.ATTEMPTS:
            return func.sum(attempts_in_period(facts, scope))
        if extra is Extra.REVENUE:
            won = figure_condition(facts, scope, Figure.WON_BACK)
            return func.sum(case((won, window_spend(facts, scope)), else_=0))
        return func.count().filter(first_called(f, scope))

    return select(
        group.label("grouping"),
        *(
            func.sum(case((figure_condition(facts, scope, figure), 1), else_=0)).label(figure.value)
            for figure in figures
        ),
        *(extra_sum(extra).label(extra.value) for extra in extras),
    ).group_by(group)


def declines_query(facts: CTE, scope: Scope, group_by: GroupBy) -> Select[Any]:
    """The decliners per group and reason of their latest decline."""
    group = _group_column(facts.c, group_by)
    return (
        select(group.label("grouping"), facts.c.declined_reason, func.count().label("count"))
        .where(figure_condition(facts, scope, Figure.DECLINED))
        .group_by(group, facts.c.declined_reason)
    )


def first_called(f: Any, scope: Scope) -> ColumnElement[bool]:
    """First called in the period: the members the days to first call are counted over."""
    return and_(_in_call(f), f.first_attempt_at >= scope.start, f.first_attempt_at < scope.end)


def window_spend(facts: CTE, scope: Scope) -> ColumnElement[Any]:
    """What the member spent inside their window before the end."""
    spend: ColumnElement[Any] = (
        select(func.coalesce(func.sum(Purchase.amount_cents), 0))
        .where(
            Purchase.customer_id == facts.c.customer_id,
            in_window(_column(Purchase.purchased_at), facts.c.first_attempt_at, scope.window_days),
            Purchase.purchased_at < scope.end,
        )
        .scalar_subquery()
    )
    return spend


def returns_query(facts: CTE, scope: Scope, group_by: GroupBy) -> Select[Any]:
    """Members of either group who bought since the campaign's start, per group: the
    returns (``Figure.CALL_RETURNED``, ``Figure.HOLDOUT_RETURNED``), found from the buyers."""
    f = facts.c
    group = _group_column(f, group_by)
    return (
        select(
            group.label("grouping"),
            func.count().filter(_in_call(f)).label(Figure.CALL_RETURNED.value),
            func.count().filter(_in_holdout(f)).label(Figure.HOLDOUT_RETURNED.value),
        )
        .where(_returned(f, scope))
        .group_by(group)
    )


def attempts_in_period(facts: CTE, scope: Scope) -> ColumnElement[Any]:
    """A call-group member's attempts in the period. ``attempts`` counts those before the
    end: all of them when the member's first attempt is in the period, none when the latest
    is before it; otherwise the member's attempts on the shorter side of the period's start
    are counted along the member-and-time index."""
    f = facts.c
    attempt = aliased(CallAttempt)
    before_start = attempt.called_at < scope.start
    shorter_before = scope.start - scope.campaign_start < scope.end - scope.start
    side = before_start if shorter_before else and_(~before_start, attempt.called_at < scope.end)
    counted_side = (
        select(func.count())
        .where(attempt.member_id == f.member_id, counted(attempt), side)
        .scalar_subquery()
    )
    in_period = case(
        (f.first_attempt_at >= scope.start, f.attempts),
        else_=(f.attempts - counted_side) if shorter_before else counted_side,
    )
    return case((and_(_in_call(f), attempted(f.last_attempt_at, scope.start)), in_period), else_=0)


def median_query(facts: CTE, scope: Scope, group_by: GroupBy) -> Select[Any]:
    """The median days from assignment to first call, of members first called in the period.

    Portable SQL: the middle one or two of the sorted values, found with window functions.
    """
    days = (
        select(
            _group_column(facts.c, group_by).label("grouping"),
            facts.c.first_call_days.label("days"),
        )
        .where(first_called(facts.c, scope))
        .subquery("first_calls")
    )
    ordered = select(
        days.c.grouping,
        days.c.days,
        func.row_number().over(partition_by=days.c.grouping, order_by=days.c.days).label("place"),
        func.count().over(partition_by=days.c.grouping).label("members"),
    ).subquery("ordered")
    middle = or_(
        ordered.c.place == (ordered.c.members + 1) // 2,
        ordered.c.place == (ordered.c.members + 2) // 2,
    )
    return (
        select(ordered.c.grouping, func.avg(ordered.c.days).label("median"))
        .where(middle)
        .group_by(ordered.c.grouping)
    )


def count_figures(
    session: Session, scope: Scope, group_by: GroupBy, source: Source = Source.AUTO
) -> list[GroupCounts]:
    """Every figure per store (or per manager) of the scope."""
    facts = member_facts(session, scope, source)
    groups: dict[int | None, GroupCounts] = {}
    first_calls: dict[int | None, int] = {}

    def group_of(key: int | None) -> GroupCounts:
        found = groups.get(key)
        if found is None:
            found = groups[key] = GroupCounts(key=key, counts=dict.fromkeys(Figure, 0))
        return found

    for row in session.execute(figures_query(facts, scope, group_by)).mappings():
        found = group_of(row["grouping"])
        for figure in Figure:
            if figure not in _RETURNS:
                found.counts[figure] += int(row[figure.value] or 0)
        found.attempts += int(row["attempts"] or 0)
        found.revenue_won_back_cents += int(row["revenue_cents"] or 0)
        first_calls[found.key] = first_calls.get(found.key, 0) + int(row["first_calls"] or 0)
    for row in session.execute(declines_query(facts, scope, group_by)).mappings():
        label = reason_label(row["declined_reason"])
        reasons = group_of(row["grouping"]).declined_by_reason
        reasons[label] = reasons.get(label, 0) + int(row["count"])
    for row in session.execute(returns_query(facts, scope, group_by)).mappings():
        found = group_of(row["grouping"])
        for figure in _RETURNS:
            found.counts[figure] += int(row[figure.value] or 0)
    if source is Source.AUTO and group_by is GroupBy.STORE:
        for key, members in first_calls.items():
            if members:
                group_of(key).speed_to_first_call_days = store_median(session, scope, key, members)
    else:
        for row in session.execute(median_query(facts, scope, group_by)).mappings():
            if row["median"] is not None:
                group_of(row["grouping"]).speed_to_first_call_days = float(row["median"])
    return list(groups.values())


def store_median(session: Session, scope: Scope, store_id: int | None, members: int) -> float:
    """The median days to first call of a store's ``members`` first called in the period,
    read from the middle of the store's members in the order of those days (an index walk;
    the same members and values as ``median_query``: a first attempt in the period is one
    before its end, whether the period ended or not)."""
    member = CampaignMember
    middle = (
        select(member.first_call_days)
        .where(
            member.campaign_id == scope.campaign_id,
            member.store_id.is_(None) if store_id is None else member.store_id == store_id,
            first_called(member, scope),
        )
        .order_by(member.first_call_days)
        .offset((members - 1) // 2)
        .limit(1 if members % 2 else 2)
    )
    values = [float(value) for value in session.scalars(middle) if value is not None]
    return sum(values) / len(values)


def members_where(
    session: Session,
    scope: Scope,
    figure: Figure,
    reason: str | None = None,
    source: Source = Source.AUTO,
) -> Select[Any]:
    """The members for whom ``figure`` holds: member, customer, store and manager ids.

    ``reason`` keeps, of the declines, those that gave it.
    """
    return members_in(member_facts(session, scope, source), scope, figure, reason)


def members_in(facts: CTE, scope: Scope, figure: Figure, reason: str | None = None) -> Select[Any]:
    """``members_where`` over the given facts."""
    query = select(
        facts.c.member_id, facts.c.customer_id, facts.c.store_id, facts.c.manager_id
    ).where(figure_condition(facts, scope, figure))
    if reason is not None and figure is Figure.DECLINED:
        query = query.where(reason_condition(facts, reason))
    return query


__all__ = [
    "ASKED_NOT_TO_BE_CALLED",
    "NO_REASON",
    "STAY_DAYS",
    "Figure",
    "GroupBy",
    "GroupCounts",
    "Scope",
    "Source",
    "count_figures",
    "in_window",
    "members_where",
]
