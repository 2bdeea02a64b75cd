"""The leaderboard's figures, defined once: facts about each campaign member, counted in SQL.

Every figure is a yes/no fact about one member of the campaign (``FIGURES``), computed in
the database from one pass over the members' attempts and from their purchases; a store's or
a manager's figure is the count of its members for whom it holds. Counting and listing the
customers behind a figure use the same fact, so a drill-down always adds up to the number.

For a campaign and a period [start, end) (UTC, from ``periods``):

- ``assigned``: call-group members (the holdout is not called, so never counted here).
- ``attempted``: assigned members with at least one attempt in the period.
- ``attempts``: the attempts logged in the period.
- ``reached``: members with at least one attempt in the period whose outcome counts as
  reached (``Outcome.reached`` in the outcome catalogue).
- ``accepted``: members whose latest reached outcome in the period is Accepted offer.
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

The gaps describe where each member stands when the period ends, from the calls before it:
not called yet, called but never reached, a callback due (before the end, and before now)
with no call since, declined (the latest reached outcome is Not interested or Do not call),
the latest call found the number wrong or not in service, or the person moved or died, an
accepted offer whose planned visit day has passed with no purchase since the call, and won
back with no purchase on any later day.

Nothing that happens after the period's end counts, so a past period's figures stay as they
were (unless a late sales extract or a call typed in later fills in what happened then).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from lastmile_desktop.calling.outcomes import (
    ACCEPTED_OFFER,
    CALLBACK_REQUESTED,
    DO_NOT_CALL,
    MOVED_OR_DECEASED,
    NOT_IN_SERVICE,
    NOT_INTERESTED,
    WRONG_NUMBER,
    reached_codes,
)
from lastmile_desktop.leaderboard.sql_time import days_after, days_between, utc_day
from lastmile_desktop.storage.models import (
    AssignmentChange,
    CallAttempt,
    CampaignMember,
    MemberGroup,
    Purchase,
)
from lastmile_desktop.storage.types import UTCDateTime

STAY_DAYS = 60
NO_REASON = "No reason given"
# The reason a Do not call outcome gives, beside those noted with Not interested.
ASKED_NOT_TO_BE_CALLED = "Asked not to be called again"
# Only the outcome codes come from here; whether an outcome reached the person is the
# catalogue's to say.
_DECLINES = (NOT_INTERESTED.code, DO_NOT_CALL.code)
_NOT_WORKING = (WRONG_NUMBER.code, NOT_IN_SERVICE.code)


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


@dataclass(frozen=True)
class Scope:
    """What the figures are counted over; times are aware UTC."""

    campaign_id: int
    start: datetime  # the period's first moment
    end: datetime  # the moment after the period's last
    campaign_start: datetime  # return rates count purchases from here
    as_of: datetime  # callbacks due before this and not made are overdue: min(end, now)
    visits_due_before: date  # a planned visit before this day has passed: the day after the last
    window_days: int  # the campaign's attribution window
    store_id: int | None = None  # only this store's members (a drill-down)
    manager_id: int | None = None  # only this manager's members


# ---------------------------------------------------------------------------------------------
# The facts of each member, in three tables
#
# Each figure reads one of them, so none needs the others joined in: the call group's attempt
# facts (one pass over attempts), the window purchases of the members who made one (driven by
# the purchases, which are few), and every member of both groups with whether they bought.


class Facts(enum.Enum):
    ATTEMPTS = "attempt_facts"  # call-group members, with their attempts before the end
    WINS = "win_facts"  # call-group members with a purchase in their attribution window
    MEMBERS = "member_returns"  # call group and holdout, with whether they bought since start


def _latest(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """The time of the member's latest attempt for which ``condition`` holds (else NULL)."""
    return func.max(case((condition, CallAttempt.called_at)))


def _in_scope(scope: Scope, member: Any, groups: Sequence[MemberGroup]) -> list[Any]:
    conditions = [
        member.campaign_id == scope.campaign_id,
        member.group.in_([group.value for group in groups]),
    ]
    if scope.store_id is not None:
        conditions.append(member.store_id == scope.store_id)
    if scope.manager_id is not None:
        conditions.append(member.manager_id == scope.manager_id)
    return conditions


def attempt_facts(scope: Scope) -> CTE:
    """Every call-group member with the facts of their attempts before the end.

    One pass over the attempts, member by member along the member-and-time index; members
    without an attempt are kept with NULL facts. The outcome of a member's latest attempt of
    some kind needs no second look: ``reached_at`` is the time of the latest reached attempt
    and ``declined_at`` that of the latest decline, so "the latest reached outcome is a
    decline" is ``declined_at = reached_at``.
    """
    member, attempt = CampaignMember, CallAttempt
    reached = attempt.outcome.in_(sorted(reached_codes()))
    in_period = attempt.called_at >= scope.start
    query = (
        select(
            member.id.label("member_id"),
            member.customer_id,
            member.store_id,
            member.manager_id,
            member.created_at,
            func.min(attempt.called_at).label("first_at"),
            func.max(attempt.called_at).label("last_at"),
            func.sum(case((in_period, 1), else_=0)).label("attempts_in"),
            _latest(and_(in_period, reached)).label("reached_in_at"),
            _latest(and_(in_period, attempt.outcome == ACCEPTED_OFFER.code)).label(
                "accepted_in_at"
            ),
            _latest(reached).label("reached_at"),
            _latest(attempt.outcome == ACCEPTED_OFFER.code).label("accepted_at"),
            _latest(attempt.outcome.in_(_DECLINES)).label("declined_at"),
            _latest(attempt.outcome == CALLBACK_REQUESTED.code).label("callback_asked_at"),
            _latest(attempt.outcome.in_(_NOT_WORKING)).label("not_working_at"),
            _latest(attempt.outcome == MOVED_OR_DECEASED.code).label("moved_at"),
        )
        .outerjoin(attempt, and_(attempt.member_id == member.id, attempt.called_at < scope.end))
        .where(*_in_scope(scope, member, [MemberGroup.CALL]))
        # By the primary key alone: the member's other columns depend on it (PostgreSQL
        # accepts that), and the members come in key order, so no sorting is needed.
        .group_by(member.id)
    )
    return query.cte(Facts.ATTEMPTS.value)


def first_attempt_before(member_id: Any, end: datetime) -> ColumnElement[Any]:
    """The member's first attempt before ``end``: one look into the member-and-time index."""
    return (
        select(func.min(CallAttempt.called_at))
        .where(CallAttempt.member_id == member_id, CallAttempt.called_at < end)
        .scalar_subquery()
    )


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


def win_facts(scope: Scope) -> CTE:
    """Call-group members with a purchase in their window before the end: the first one's
    time (``won_back_at``) and what they spent in the window (``window_cents``).

    Driven by the purchases before the end (far fewer than members): each is matched to its
    customer's membership, and the member's first attempt is looked up in the index.
    """
    member = CampaignMember
    purchases = (
        select(
            member.id.label("member_id"),
            member.customer_id,
            member.store_id,
            member.manager_id,
            Purchase.purchased_at,
            Purchase.amount_cents,
            first_attempt_before(member.id, scope.end).label("first_at"),
        )
        .select_from(Purchase)
        .join(member, member.customer_id == Purchase.customer_id)
        .where(Purchase.purchased_at < scope.end, *_in_scope(scope, member, [MemberGroup.CALL]))
        .cte("member_purchases")
        .prefix_with("MATERIALIZED")
    )
    query = (
        select(
            purchases.c.member_id,
            purchases.c.customer_id,
            purchases.c.store_id,
            purchases.c.manager_id,
            func.min(purchases.c.purchased_at).label("won_back_at"),
            func.sum(purchases.c.amount_cents).label("window_cents"),
        )
        .where(in_window(purchases.c.purchased_at, purchases.c.first_at, scope.window_days))
        .group_by(
            purchases.c.member_id,
            purchases.c.customer_id,
            purchases.c.store_id,
            purchases.c.manager_id,
        )
    )
    return query.cte(Facts.WINS.value)


def member_returns(scope: Scope) -> CTE:
    """Every member of both groups, and whether they bought from the campaign's start to the
    end (``returned``): what the lift compares."""
    member = CampaignMember
    groups = [MemberGroup.CALL, MemberGroup.HOLDOUT]
    returned = (
        select(member.id.label("member_id"))
        .select_from(Purchase)
        .join(member, member.customer_id == Purchase.customer_id)
        .where(
            Purchase.purchased_at >= scope.campaign_start,
            Purchase.purchased_at < scope.end,
            *_in_scope(scope, member, groups),
        )
        .group_by(member.id)
        .subquery("returned")
    )
    query = (
        select(
            member.id.label("member_id"),
            member.customer_id,
            member.store_id,
            member.manager_id,
            (member.group == MemberGroup.CALL.value).label("in_call"),
            returned.c.member_id.is_not(None).label("returned"),
        )
        .outerjoin(returned, returned.c.member_id == member.id)
        .where(*_in_scope(scope, member, groups))
    )
    return query.cte(Facts.MEMBERS.value)


FACT_TABLES: dict[Facts, Callable[[Scope], CTE]] = {
    Facts.ATTEMPTS: attempt_facts,
    Facts.WINS: win_facts,
    Facts.MEMBERS: member_returns,
}


# ---------------------------------------------------------------------------------------------
# The figures: one yes/no expression each over a member's facts


def attempted(attempts_in: ColumnElement[Any]) -> ColumnElement[bool]:
    return attempts_in > 0


def reached(reached_in_at: ColumnElement[Any]) -> ColumnElement[bool]:
    return reached_in_at.is_not(None)


def accepted(
    reached_in_at: ColumnElement[Any], accepted_in_at: ColumnElement[Any]
) -> ColumnElement[bool]:
    """The latest reached outcome in the period is Accepted offer."""
    return and_(accepted_in_at.is_not(None), accepted_in_at >= reached_in_at)


def won_back(won_back_at: ColumnElement[Any], start: datetime) -> ColumnElement[bool]:
    """The first purchase in the window falls in the period (it is before the end already)."""
    return won_back_at >= start


def bought_again(
    customer_id: ColumnElement[Any],
    won_back_at: ColumnElement[Any],
    end: datetime | ColumnElement[Any],
    within_days: int | None,
) -> ColumnElement[bool]:
    """A purchase before ``end`` on a later day than the first one in the window (and at most
    ``within_days`` days after it, when given)."""
    day = utc_day(Purchase.purchased_at)
    conditions = [
        Purchase.customer_id == customer_id,
        Purchase.purchased_at < end,
        day > utc_day(won_back_at),
    ]
    if within_days is not None:
        conditions.append(day <= days_after(won_back_at, within_days))
    return exists().where(*conditions)


def _is_latest(at: ColumnElement[Any], last: ColumnElement[Any]) -> ColumnElement[bool]:
    return and_(at.is_not(None), at == last)


def _overdue_callback(facts: CTE, scope: Scope) -> ColumnElement[bool]:
    asked = CallAttempt
    return and_(
        _is_latest(facts.c.callback_asked_at, facts.c.last_at),
        exists().where(
            asked.member_id == facts.c.member_id,
            asked.called_at == facts.c.last_at,
            asked.outcome == CALLBACK_REQUESTED.code,
            asked.callback_at < scope.as_of,
        ),
    )


def _promised_not_seen(facts: CTE, scope: Scope) -> ColumnElement[bool]:
    acceptance = CallAttempt
    return and_(
        _is_latest(facts.c.accepted_at, facts.c.reached_at),
        exists().where(
            acceptance.member_id == facts.c.member_id,
            acceptance.called_at == facts.c.accepted_at,
            acceptance.outcome == ACCEPTED_OFFER.code,
            acceptance.planned_visit_date < scope.visits_due_before,
        ),
        ~exists().where(
            Purchase.customer_id == facts.c.customer_id,
            Purchase.purchased_at < scope.end,
            utc_day(Purchase.purchased_at) >= utc_day(facts.c.accepted_at),
        ),
    )


FigureRule = Callable[[CTE, Scope], ColumnElement[bool]]


@dataclass(frozen=True)
class FigureDefinition:
    facts: Facts  # the table the rule reads
    rule: FigureRule


def _attempts(rule: FigureRule) -> FigureDefinition:
    return FigureDefinition(Facts.ATTEMPTS, rule)


def _wins(rule: FigureRule) -> FigureDefinition:
    return FigureDefinition(Facts.WINS, rule)


def _members(rule: FigureRule) -> FigureDefinition:
    return FigureDefinition(Facts.MEMBERS, rule)


FIGURES: dict[Figure, FigureDefinition] = {
    Figure.ASSIGNED: _attempts(lambda f, s: true()),
    Figure.ATTEMPTED: _attempts(lambda f, s: attempted(f.c.attempts_in)),
    Figure.REACHED: _attempts(lambda f, s: reached(f.c.reached_in_at)),
    Figure.ACCEPTED: _attempts(lambda f, s: accepted(f.c.reached_in_at, f.c.accepted_in_at)),
    Figure.WON_BACK: _wins(lambda f, s: won_back(f.c.won_back_at, s.start)),
    Figure.STAYED_BACK: _wins(
        lambda f, s: and_(
            won_back(f.c.won_back_at, s.start),
            bought_again(f.c.customer_id, f.c.won_back_at, s.end, STAY_DAYS),
        )
    ),
    Figure.OVERDUE_CALLBACKS: _attempts(_overdue_callback),
    Figure.NOT_ATTEMPTED: _attempts(lambda f, s: f.c.first_at.is_(None)),
    Figure.NOT_REACHED: _attempts(
        lambda f, s: and_(
            f.c.first_at.is_not(None),
            f.c.reached_at.is_(None),
            ~_is_latest(f.c.not_working_at, f.c.last_at),
            ~_is_latest(f.c.moved_at, f.c.last_at),
        )
    ),
    Figure.DECLINED: _attempts(lambda f, s: _is_latest(f.c.declined_at, f.c.reached_at)),
    Figure.NUMBER_NOT_WORKING: _attempts(lambda f, s: _is_latest(f.c.not_working_at, f.c.last_at)),
    Figure.MOVED_OR_DECEASED: _attempts(lambda f, s: _is_latest(f.c.moved_at, f.c.last_at)),
    Figure.PROMISED_NOT_SEEN: _attempts(_promised_not_seen),
    Figure.NOT_SEEN_AGAIN: _wins(
        lambda f, s: ~bought_again(f.c.customer_id, f.c.won_back_at, s.end, None)
    ),
    Figure.CALL_RETURNED: _members(lambda f, s: and_(f.c.in_call, f.c.returned)),
    Figure.HOLDOUT: _members(lambda f, s: ~f.c.in_call),
    Figure.HOLDOUT_RETURNED: _members(lambda f, s: and_(~f.c.in_call, f.c.returned)),
}


def figure_condition(facts: CTE, scope: Scope, figure: Figure) -> ColumnElement[bool]:
    """The SQL condition under which ``figure`` holds for a member of its fact table."""
    return FIGURES[figure].rule(facts, scope)


def _figures_of(table: Facts) -> list[Figure]:
    return [figure for figure, definition in FIGURES.items() if definition.facts is table]


def decline_reason(facts: CTE, scope: Scope) -> ColumnElement[Any]:
    """The reason noted with the member's latest decline; only looked up for decliners."""
    decline = CallAttempt
    noted = func.coalesce(func.nullif(func.trim(decline.note), ""), NO_REASON)
    reason = (
        select(case((decline.outcome == DO_NOT_CALL.code, ASKED_NOT_TO_BE_CALLED), else_=noted))
        .where(
            decline.member_id == facts.c.member_id,
            decline.called_at == facts.c.declined_at,
            decline.outcome.in_(_DECLINES),
        )
        .order_by(decline.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return case((figure_condition(facts, scope, Figure.DECLINED), reason), else_=null())


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


def _group_column(facts: CTE, group_by: GroupBy) -> ColumnElement[Any]:
    return facts.c.store_id if group_by is GroupBy.STORE else facts.c.manager_id


def _sums(facts: CTE, scope: Scope, table: Facts) -> list[Any]:
    return [
        func.sum(case((figure_condition(facts, scope, figure), 1), else_=0)).label(figure.value)
        for figure in _figures_of(table)
    ]


def _median_days(facts: CTE, scope: Scope, group: ColumnElement[Any]) -> Subquery:
    """The median days from assignment to first call, of members first called in the period.

    Assignment is the member's first ownership change (the lead's Assign); a member with none
    counts from when it joined the campaign. Portable SQL: the middle one or two of the
    sorted values, found with window functions.
    """
    assigned_at = (
        select(func.min(AssignmentChange.changed_at))
        .where(AssignmentChange.member_id == facts.c.member_id)
        .scalar_subquery()
    )
    since = func.coalesce(assigned_at, facts.c.created_at)
    days = (
        select(group.label("grouping"), days_between(facts.c.first_at, since).label("days"))
        .where(facts.c.first_at >= scope.start)
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
        .subquery("medians")
    )


def attempt_figures_query(scope: Scope, group_by: GroupBy) -> Select[Any]:
    """Rows per group and decline reason (so declines are told by reason), with the median."""
    facts = attempt_facts(scope)
    group = _group_column(facts, group_by)
    reason = decline_reason(facts, scope)
    counted = (
        select(
            group.label("grouping"),
            reason.label("reason"),
            *_sums(facts, scope, Facts.ATTEMPTS),
            func.sum(func.coalesce(facts.c.attempts_in, 0)).label("attempts"),
        )
        .group_by(group, reason)
        .subquery("counted")
    )
    medians = _median_days(facts, scope, group)
    return select(counted, medians.c.median).outerjoin(
        medians, medians.c.grouping == counted.c.grouping
    )


def win_figures_query(scope: Scope, group_by: GroupBy) -> Select[Any]:
    facts = win_facts(scope)
    group = _group_column(facts, group_by)
    won = figure_condition(facts, scope, Figure.WON_BACK)
    return select(
        group.label("grouping"),
        *_sums(facts, scope, Facts.WINS),
        func.sum(case((won, facts.c.window_cents), else_=0)).label("revenue_cents"),
    ).group_by(group)


def member_figures_query(scope: Scope, group_by: GroupBy) -> Select[Any]:
    facts = member_returns(scope)
    group = _group_column(facts, group_by)
    return select(group.label("grouping"), *_sums(facts, scope, Facts.MEMBERS)).group_by(group)


def count_figures(session: Session, scope: Scope, group_by: GroupBy) -> list[GroupCounts]:
    """Every figure per store (or per manager) of the scope: three statements, one per fact
    table, added up here."""
    groups: dict[int | None, GroupCounts] = {}

    def group_of(key: int | None) -> GroupCounts:
        found = groups.get(key)
        if found is None:
            found = groups[key] = GroupCounts(key=key, counts=dict.fromkeys(Figure, 0))
        return found

    def add(row: Any, table: Facts) -> GroupCounts:
        found = group_of(row["grouping"])
        for figure in _figures_of(table):
            found.counts[figure] += int(row[figure.value] or 0)
        return found

    for row in session.execute(attempt_figures_query(scope, group_by)).mappings():
        found = add(row, Facts.ATTEMPTS)
        found.attempts += int(row["attempts"] or 0)
        if row["median"] is not None:
            found.speed_to_first_call_days = float(row["median"])
        if row["reason"] is not None:
            found.declined_by_reason[row["reason"]] = int(row[Figure.DECLINED.value] or 0)
    for row in session.execute(win_figures_query(scope, group_by)).mappings():
        add(row, Facts.WINS).revenue_won_back_cents += int(row["revenue_cents"] or 0)
    for row in session.execute(member_figures_query(scope, group_by)).mappings():
        add(row, Facts.MEMBERS)
    return list(groups.values())


def members_where(scope: Scope, figure: Figure, reason: str | None = None) -> Select[Any]:
    """The members for whom ``figure`` holds: member, customer, store and manager ids.

    ``reason`` keeps, of the declines, those that gave it.
    """
    definition = FIGURES[figure]
    facts = FACT_TABLES[definition.facts](scope)
    query = select(
        facts.c.member_id, facts.c.customer_id, facts.c.store_id, facts.c.manager_id
    ).where(definition.rule(facts, scope))
    if reason is not None and figure is Figure.DECLINED:
        query = query.where(decline_reason(facts, scope) == reason)
    return query


# ---------------------------------------------------------------------------------------------
# Week by week


@dataclass(frozen=True)
class WeekCounts:
    group: int | None  # the store's id
    week: int  # 0 is the campaign's first week
    numerator: int
    denominator: int


def _week_of(moment: Any, bounds: Sequence[datetime]) -> ColumnElement[Any]:
    """Which week a time falls in, by the weeks' own bounds (local midnights, so a week
    across a change of the clocks is still seven local days)."""
    if len(bounds) <= 2:
        return literal(0)
    return case(
        *((moment < bound, index) for index, bound in enumerate(bounds[1:-1])),
        else_=len(bounds) - 2,
    )


def _week_end(week: ColumnElement[Any], bounds: Sequence[datetime]) -> ColumnElement[Any]:
    """The end of the week a row is in, as the database keeps times."""
    ends = enumerate(bounds[1:])
    return case(*((week == index, literal(bound, UTCDateTime())) for index, bound in ends))


def weekly_counts(
    session: Session,
    scope: Scope,
    bounds: Sequence[datetime],
    numerator: Figure,
    denominator: Figure,
) -> list[WeekCounts]:
    """``numerator`` and ``denominator`` per store and week, each week counted as the period
    it is (the figures of ``count_figures`` over that week): one pass for all the weeks.

    ``bounds`` are the weeks' edges, first week's start to last week's end; ``scope`` spans
    them. Counts only what the rates use: the attempt figures (assigned, attempted, reached,
    accepted) and the window figures (won back, stayed back).
    """
    wanted = (numerator, denominator)
    counts: dict[tuple[int | None, int], list[int]] = {}

    def add(rows: Any) -> None:
        for row in rows:
            parts = counts.setdefault((row["grouping"], row["week"]), [0, 0])
            for position, figure in enumerate(wanted):
                if figure.value in row:
                    parts[position] = int(row[figure.value] or 0)

    if set(wanted) & {Figure.ATTEMPTED, Figure.REACHED, Figure.ACCEPTED}:
        add(session.execute(weekly_attempt_figures_query(scope, bounds)).mappings())
    if set(wanted) & {Figure.WON_BACK, Figure.STAYED_BACK}:
        add(session.execute(weekly_win_figures_query(scope, bounds)).mappings())
    if Figure.ASSIGNED in wanted:
        member = CampaignMember
        assigned = (
            select(member.store_id, func.count())
            .where(*_in_scope(scope, member, [MemberGroup.CALL]))
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
    member, attempt = CampaignMember, CallAttempt
    reached_outcome = attempt.outcome.in_(sorted(reached_codes()))
    week = _week_of(attempt.called_at, bounds)
    per_member = (
        select(
            member.store_id,
            week.label("week"),
            func.count().label("attempts_in"),
            _latest(reached_outcome).label("reached_in_at"),
            _latest(attempt.outcome == ACCEPTED_OFFER.code).label("accepted_in_at"),
        )
        .select_from(attempt)
        .join(member, member.id == attempt.member_id)
        .where(
            attempt.called_at >= bounds[0],
            attempt.called_at < bounds[-1],
            *_in_scope(scope, member, [MemberGroup.CALL]),
        )
        .group_by(attempt.member_id, member.store_id, week)
        .subquery("member_weeks")
    )
    return select(
        per_member.c.store_id.label("grouping"),
        per_member.c.week,
        func.sum(case((attempted(per_member.c.attempts_in), 1), else_=0)).label(
            Figure.ATTEMPTED.value
        ),
        func.sum(case((reached(per_member.c.reached_in_at), 1), else_=0)).label(
            Figure.REACHED.value
        ),
        func.sum(
            case((accepted(per_member.c.reached_in_at, per_member.c.accepted_in_at), 1), else_=0)
        ).label(Figure.ACCEPTED.value),
    ).group_by(per_member.c.store_id, per_member.c.week)


def weekly_win_figures_query(scope: Scope, bounds: Sequence[datetime]) -> Select[Any]:
    facts = win_facts(scope)
    week = _week_of(facts.c.won_back_at, bounds)
    wins = (
        select(
            facts.c.store_id,
            week.label("week"),
            bought_again(
                facts.c.customer_id, facts.c.won_back_at, _week_end(week, bounds), STAY_DAYS
            ).label("stayed"),
        )
        .where(won_back(facts.c.won_back_at, bounds[0]))
        .subquery("weekly_wins")
    )
    return select(
        wins.c.store_id.label("grouping"),
        wins.c.week,
        func.count().label(Figure.WON_BACK.value),
        func.sum(case((wins.c.stayed, 1), else_=0)).label(Figure.STAYED_BACK.value),
    ).group_by(wins.c.store_id, wins.c.week)
