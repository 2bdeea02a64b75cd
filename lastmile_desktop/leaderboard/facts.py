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
members' covering index; a period that ends before it recomputes the facts from the attempts
before its end. Attempts and the week-by-week figures come from the members' days
(``member_days``), with the attempts themselves for a day a period's edge cuts through.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from lastmile_desktop.calling.life import OPEN_STATUSES, ScheduledKind, promised_not_seen_condition
from lastmile_desktop.calling.member_facts import (
    DO_NOT_CALL_REASON,
    counted,
    reached_outcome,
    recomputed_facts,
    stored_facts,
)
from lastmile_desktop.calling.outcomes import (
    ACCEPTED_OFFER,
    NOT_INTERESTED_REASON_LABELS,
)
from lastmile_desktop.storage.models import (
    CallAttempt,
    CampaignMember,
    MemberDay,
    MemberGroup,
    Purchase,
)
from lastmile_desktop.storage.sql_time import days_after, utc_day
from lastmile_desktop.storage.types import UTCDateTime

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

    AUTO = "auto"  # stored when the period ends after the latest attempt, else recomputed
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
    if source is Source.AUTO and facts_stored_up_to(session, scope.end):
        return stored_facts(conditions)
    return recomputed_facts(conditions, scope.end)


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


def in_window(
    purchased_at: ColumnElement[Any], first_at: ColumnElement[Any], window_days: int
) -> ColumnElement[bool]:
    """A purchase inside the attribution window opened by the first attempt (whole UTC days,
    the first attempt's day and the ``window_days``-th day after it both included)."""
    day = utc_day(purchased_at)
    return and_(
        first_at.is_not(None),
        day >= utc_day(first_at),
        day <= days_after(first_at, window_days),
    )


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


def figures_query(facts: CTE, scope: Scope, group_by: GroupBy) -> Select[Any]:
    """Every figure but the returns, per group, with the attempts made in the period, the
    revenue won back and how many were first called in the period."""
    f = facts.c
    group = _group_column(f, group_by)
    won = figure_condition(facts, scope, Figure.WON_BACK)
    return select(
        group.label("grouping"),
        *(
            func.sum(case((figure_condition(facts, scope, figure), 1), else_=0)).label(figure.value)
            for figure in Figure
            if figure not in _RETURNS
        ),
        func.sum(attempts_in_period(facts, scope)).label("attempts"),
        func.sum(case((won, window_spend(facts, scope)), else_=0)).label("revenue_cents"),
        func.count().filter(first_called(f, scope)).label("first_calls"),
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
    stored = source is Source.AUTO and facts_stored_up_to(session, scope.end)
    conditions = member_conditions(scope)
    facts = stored_facts(conditions) if stored else recomputed_facts(conditions, scope.end)
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
    if stored and group_by is GroupBy.STORE:
        for key, members in first_calls.items():
            if members:
                group_of(key).speed_to_first_call_days = _store_median(session, scope, key, members)
    else:
        for row in session.execute(median_query(facts, scope, group_by)).mappings():
            if row["median"] is not None:
                group_of(row["grouping"]).speed_to_first_call_days = float(row["median"])
    return list(groups.values())


def _store_median(session: Session, scope: Scope, store_id: int | None, members: int) -> float:
    """The median days to first call of a store's ``members`` first called in the period,
    read from the middle of the store's members in the order of those days (an index walk;
    the same members and values as ``median_query``)."""
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


# ---------------------------------------------------------------------------------------------
# Week by week, from the members' days


def _bucket(moment: Any, bounds: Sequence[datetime]) -> ColumnElement[Any]:
    """Which of the spans between ``bounds`` a time falls in: -1 before the first, and
    ``len(bounds) - 1`` from the last on. The bounds are local midnights, so a week across a
    change of the clocks is still seven local days."""
    return case(
        *(
            (moment < literal(bound, UTCDateTime()), index - 1)
            for index, bound in enumerate(bounds)
        ),
        else_=len(bounds) - 1,
    )


def _bucket_start(bucket: Any, bounds: Sequence[datetime]) -> ColumnElement[Any]:
    return case(
        *(
            (bucket == index, literal(bound, UTCDateTime()))
            for index, bound in enumerate(bounds[:-1])
        )
    )


def _bucket_end(bucket: Any, bounds: Sequence[datetime]) -> ColumnElement[Any]:
    return case(
        *(
            (bucket == index, literal(bound, UTCDateTime()))
            for index, bound in enumerate(bounds[1:])
        )
    )


def _at_utc_midnight(moment: datetime) -> bool:
    return moment.astimezone(UTC).time() == time(0, 0)


def day_rows(bounds: Sequence[datetime]) -> Subquery:
    """The counted attempts between ``bounds[0]`` and ``bounds[-1]``, summed per member, UTC
    day and span: ``member_id``, ``bucket`` (the span), ``attempts``, ``last_at``,
    ``last_reached_at``, ``last_accepted_at``.

    A member's day lying inside one span is read from ``member_days``. A day a bound cuts
    through (the bounds are local midnights) is read from the member's attempts of that day
    when they fall on both sides of it; with bounds at UTC midnight none is.
    """
    day = MemberDay
    first_day = bounds[0].astimezone(UTC).date()
    last_day = bounds[-1].astimezone(UTC).date()
    spans = len(bounds) - 1
    if all(_at_utc_midnight(bound) for bound in bounds):
        # Each day lies in one span: any of its times tells which.
        bucket = _bucket(day.first_at, bounds)
        return (
            select(
                day.member_id,
                bucket.label("bucket"),
                day.attempts,
                day.last_at,
                day.last_reached_at,
                day.last_accepted_at,
            )
            .where(day.day >= first_day, day.day < last_day)
            .subquery("day_rows")
        )
    touching = (
        select(
            day.member_id,
            day.first_at,
            day.last_at,
            day.attempts,
            day.last_reached_at,
            day.last_accepted_at,
            _bucket(day.first_at, bounds).label("first_bucket"),
            _bucket(day.last_at, bounds).label("last_bucket"),
        )
        .where(day.day >= first_day, day.day <= last_day)
        .cte("touching_days")
    )
    whole = select(
        touching.c.member_id,
        touching.c.first_bucket.label("bucket"),
        touching.c.attempts,
        touching.c.last_at,
        touching.c.last_reached_at,
        touching.c.last_accepted_at,
    ).where(
        touching.c.first_bucket == touching.c.last_bucket,
        touching.c.first_bucket >= 0,
        touching.c.first_bucket < spans,
    )
    attempt = aliased(CallAttempt)
    split = (
        select(
            attempt.member_id,
            _bucket(attempt.called_at, bounds).label("bucket"),
            literal(1).label("attempts"),
            attempt.called_at.label("last_at"),
            case((reached_outcome(attempt), attempt.called_at)).label("last_reached_at"),
            case((attempt.outcome == ACCEPTED_OFFER.code, attempt.called_at)).label(
                "last_accepted_at"
            ),
        )
        .join(
            touching,
            and_(
                attempt.member_id == touching.c.member_id,
                attempt.called_at >= touching.c.first_at,
                attempt.called_at <= touching.c.last_at,
            ),
        )
        .where(
            touching.c.first_bucket != touching.c.last_bucket,
            counted(attempt),
            attempt.called_at >= bounds[0],
            attempt.called_at < bounds[-1],
        )
    )
    return union_all(whole, split).subquery("day_rows")


@dataclass(frozen=True)
class WeekCounts:
    group: int | None  # the store's id
    week: int  # 0 is the campaign's first week
    numerator: int
    denominator: int


_ATTEMPT_RATE_FIGURES = {Figure.ATTEMPTED, Figure.REACHED, Figure.ACCEPTED}
_WIN_RATE_FIGURES = {Figure.WON_BACK, Figure.STAYED_BACK}


def weekly_counts(
    session: Session,
    scope: Scope,
    bounds: Sequence[datetime],
    numerator: Figure,
    denominator: Figure,
) -> list[WeekCounts]:
    """``numerator`` and ``denominator`` per store and week, each week counted as the period
    it is (the figures of ``count_figures`` over that week).

    ``bounds`` are the weeks' edges, first week's start to last week's end; ``scope`` spans
    them. Counts only what the rates use: assigned, attempted, reached, accepted (from the
    members' days), won back and stayed back (from the stored purchase facts, which hold for
    any end).
    """
    wanted = (numerator, denominator)
    counts: dict[tuple[int | None, int], list[int]] = {}

    def add(rows: Any) -> None:
        for row in rows:
            parts = counts.setdefault((row["grouping"], row["week"]), [0, 0])
            for position, figure in enumerate(wanted):
                if figure.value in row:
                    parts[position] = int(row[figure.value] or 0)

    if set(wanted) & _ATTEMPT_RATE_FIGURES:
        add(session.execute(weekly_attempt_figures_query(scope, bounds)).mappings())
    if set(wanted) & _WIN_RATE_FIGURES:
        add(session.execute(weekly_win_figures_query(scope, bounds)).mappings())
    if Figure.ASSIGNED in wanted:
        member = CampaignMember
        assigned = (
            select(member.store_id, func.count())
            .where(*member_conditions(scope, [MemberGroup.CALL]))
            .group_by(member.store_id)
        )
        position = wanted.index(Figure.ASSIGNED)
        for store_id, members in session.execute(assigned):
            for week in range(len(bounds) - 1):
                counts.setdefault((store_id, week), [0, 0])[position] = int(members)
    return [
        WeekCounts(group, week, parts[0], parts[1])
        for (group, week), parts in sorted(counts.items(), key=lambda item: item[0][1])
    ]


def weekly_attempt_figures_query(scope: Scope, bounds: Sequence[datetime]) -> Select[Any]:
    """Attempted, reached and accepted per store and week: each member's days of a week
    summed up to the facts the rules read, as of the week's end."""
    days = day_rows(bounds)
    per_member = (
        select(
            days.c.member_id,
            days.c.bucket,
            func.max(days.c.last_at).label("last_attempt_at"),
            func.max(days.c.last_reached_at).label("last_reached_at"),
            func.max(days.c.last_accepted_at).label("last_accepted_at"),
        )
        .group_by(days.c.member_id, days.c.bucket)
        .subquery("member_weeks")
    )
    member = CampaignMember
    start = _bucket_start(per_member.c.bucket, bounds)
    rules = {
        Figure.ATTEMPTED: attempted(per_member.c.last_attempt_at, start),
        Figure.REACHED: reached(per_member.c.last_reached_at, start),
        Figure.ACCEPTED: accepted(
            per_member.c.last_reached_at, per_member.c.last_accepted_at, start
        ),
    }
    return (
        select(
            member.store_id.label("grouping"),
            per_member.c.bucket.label("week"),
            *(
                func.sum(case((rule, 1), else_=0)).label(figure.value)
                for figure, rule in rules.items()
            ),
        )
        .select_from(per_member)
        .join(member, member.id == per_member.c.member_id)
        .where(*member_conditions(scope, [MemberGroup.CALL]))
        .group_by(member.store_id, per_member.c.bucket)
    )


def weekly_win_figures_query(scope: Scope, bounds: Sequence[datetime]) -> Select[Any]:
    """Won back and stayed back per store and week, from the stored purchase facts: a win
    belongs to the week of its first purchase in the window."""
    facts = stored_facts(member_conditions(scope, [MemberGroup.CALL]), "win_facts")
    week = _bucket(facts.c.came_back_at, bounds)
    end = _bucket_end(week, bounds)
    wins = (
        select(
            facts.c.store_id,
            week.label("week"),
            stayed_back(facts.c, literal(bounds[0], UTCDateTime()), end, scope.window_days).label(
                "stayed"
            ),
        )
        .where(
            won_back(
                facts.c,
                literal(bounds[0], UTCDateTime()),
                literal(bounds[-1], UTCDateTime()),
                scope.window_days,
            ),
            facts.c.first_attempt_at < end,
        )
        .subquery("weekly_wins")
    )
    return select(
        wins.c.store_id.label("grouping"),
        wins.c.week,
        func.count().label(Figure.WON_BACK.value),
        func.sum(case((wins.c.stayed, 1), else_=0)).label(Figure.STAYED_BACK.value),
    ).group_by(wins.c.store_id, wins.c.week)


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
    "members_where",
    "weekly_counts",
]
