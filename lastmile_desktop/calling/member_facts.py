"""What each campaign member's calls and the customer's purchases have come to: the facts the
leaderboard counts, defined here once and kept in the database as they change.

Only counted attempts make facts: a visit reminder or a "promised but not seen" call is a
follow-up (calling/life.py), not an attempt, so it counts in no figure. Per member:

- ``first_attempt_at``, ``last_attempt_at``: the first and the latest attempt.
- ``last_reached_at``: the latest attempt whose outcome reached the customer (the outcome
  catalogue says which); ``last_accepted_at``, ``last_declined_at``: the latest Accepted offer,
  and the latest decline (Not interested or Do not call); ``last_not_working_at``: the latest
  wrong number or number not in service; ``last_moved_at``: the latest Moved / deceased.
  Comparing these times gives the member's standing: "the latest reached outcome is Accepted
  offer" is ``last_accepted_at >= last_reached_at``.
- ``declined_reason``: why the latest decline declined: the reason code chosen with Not
  interested, ``"do_not_call"`` for Do not call, empty when no reason was given.
- ``came_back_at``: the customer's first purchase from the UTC day of the first attempt on (a
  win when it falls inside the campaign's attribution window, which the leaderboard applies:
  the window may be edited, this fact does not depend on it), and ``came_back_days``, whole
  UTC days from the first attempt's day to it; ``came_again_at``: their first purchase on a
  later UTC day than that one, and ``came_again_days``, days from the first to it.
- ``first_call_days``: days from the member's assignment (its first change of owner, else
  when it joined the campaign) to the first attempt.

They are columns of ``campaign_members``, and the attempts are also summed per member and UTC
day in ``member_days`` (attempts, first and last time, the latest of each kind, why the day's
latest decline declined): enough to count, for any past week, who was tried, reached and
accepted without reading each attempt. From those days each store's tallies are counted
(calling/store_tallies.py): the counts the leaderboard sums for any period.

Every writer of attempts, purchases or members' places refreshes the members it touched in
its own transaction (``refresh_members``, ``refresh_customers``, ``refresh_campaign``): the
call desk's log and undo, the sales import, assignment and every change of owner, store or
group, the demo. ``recomputed_facts``
computes the same facts from the raw rows, as they stood before any moment: the leaderboard
reads it for a period that ends before the latest call, and the tests check that the stored
facts always equal it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time
from functools import cache, partial
from typing import Any, cast

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    FromClause,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.util import ClauseAdapter

from lastmile_desktop.calling.outcomes import (
    ACCEPTED_OFFER,
    DO_NOT_CALL,
    MOVED_OR_DECEASED,
    NOT_IN_SERVICE,
    NOT_INTERESTED,
    WRONG_NUMBER,
    reached_codes,
)
from lastmile_desktop.calling.store_tallies import (
    retally,
    retallying,
    tallied_store,
    tally_afresh,
)
from lastmile_desktop.storage.models import (
    AssignmentChange,
    CallAttempt,
    Campaign,
    CampaignMember,
    MemberDay,
    Purchase,
)
from lastmile_desktop.storage.sql_time import days_after, days_apart, days_between, utc_day
from lastmile_desktop.storage.types import utcnow

# Outcomes by what they say about where the member stands.
DECLINE_CODES = (NOT_INTERESTED.code, DO_NOT_CALL.code)
NOT_WORKING_CODES = (WRONG_NUMBER.code, NOT_IN_SERVICE.code)

_MEMBERS = cast(Table, CampaignMember.__table__)
_DAYS = cast(Table, MemberDay.__table__)
# Members refreshed per statement (well under SQLite's limit on bound parameters).
_CHUNK = 500

Executor = Session | Connection


# ---------------------------------------------------------------------------------------------
# The definitions: each fact as an aggregate over a member's attempts


def counted(attempt: Any) -> ColumnElement[bool]:
    """An attempt, not a follow-up call (life.py: follow-ups never count as attempts)."""
    condition: ColumnElement[bool] = attempt.follow_up.is_(None)
    return condition


def _latest(attempt: Any, condition: ColumnElement[bool] | None) -> ColumnElement[Any]:
    if condition is None:
        return func.max(attempt.called_at)
    return func.max(case((condition, attempt.called_at)))


def reached_outcome(attempt: Any) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = attempt.outcome.in_(sorted(reached_codes()))
    return condition


# The facts that are the latest attempt of a kind: a member's days keep them too.
_KIND_CONDITIONS: dict[str, Callable[[Any], ColumnElement[bool]]] = {
    "last_reached_at": reached_outcome,
    "last_accepted_at": lambda a: a.outcome == ACCEPTED_OFFER.code,
    "last_declined_at": lambda a: a.outcome.in_(DECLINE_CODES),
    "last_not_working_at": lambda a: a.outcome.in_(NOT_WORKING_CODES),
    "last_moved_at": lambda a: a.outcome == MOVED_OR_DECEASED.code,
}
_LATEST_KINDS = tuple(_KIND_CONDITIONS)


# name -> the aggregate over a member's counted attempts
def _latest_of(kind: Callable[[Any], ColumnElement[bool]]) -> Callable[[Any], ColumnElement[Any]]:
    return lambda attempt: _latest(attempt, kind(attempt))


ATTEMPT_FACTS: dict[str, Callable[[Any], ColumnElement[Any]]] = {
    "first_attempt_at": lambda a: func.min(a.called_at),
    "last_attempt_at": lambda a: _latest(a, None),
    **{column: _latest_of(kind) for column, kind in _KIND_CONDITIONS.items()},
}
PURCHASE_FACTS = ("came_back_at", "came_back_days", "came_again_at", "came_again_days")
WINDOW_FACTS = ("window_spend_cents", "window_last_at")
FACT_COLUMNS = (
    *ATTEMPT_FACTS,
    "declined_reason",
    *PURCHASE_FACTS,
    "first_call_days",
    *WINDOW_FACTS,
    "returned_at",
    "bought_since_promise_at",
)
# The reason a Do not call outcome stands for, beside Not interested's reason codes.
DO_NOT_CALL_REASON = DO_NOT_CALL.code

# name -> the aggregate over a member's counted attempts of one day (member_days)
DAY_FIGURES: dict[str, Callable[[Any], ColumnElement[Any]]] = {
    "attempts": lambda a: func.count(),
    "first_at": lambda a: func.min(a.called_at),
    "last_at": lambda a: _latest(a, None),
    **{column: ATTEMPT_FACTS[column] for column in _LATEST_KINDS},
}


def came_back(customer_id: Any, first_attempt_at: Any) -> ColumnElement[Any]:
    """The customer's first purchase from the first attempt's UTC day on."""
    return (
        select(func.min(Purchase.purchased_at))
        .where(
            Purchase.customer_id == customer_id,
            utc_day(Purchase.purchased_at) >= utc_day(first_attempt_at),
        )
        .scalar_subquery()
    )


def came_again(customer_id: Any, came_back_at: Any) -> ColumnElement[Any]:
    """The customer's first purchase on a later UTC day than ``came_back_at``."""
    return (
        select(func.min(Purchase.purchased_at))
        .where(
            Purchase.customer_id == customer_id,
            utc_day(Purchase.purchased_at) > utc_day(came_back_at),
        )
        .scalar_subquery()
    )


def in_window(
    purchased_at: ColumnElement[Any],
    first_at: ColumnElement[Any],
    window_days: int | ColumnElement[Any],
) -> ColumnElement[bool]:
    """A purchase inside the attribution window opened by the first attempt (whole UTC days,
    the first attempt's day and the ``window_days``-th day after it both included)."""
    day = utc_day(purchased_at)
    return and_(
        first_at.is_not(None),
        day >= utc_day(first_at),
        day <= days_after(first_at, window_days),
    )


def _window_days(campaign_id: Any) -> ColumnElement[Any]:
    # Two levels below the member's statement: only explicit correlation reaches it there.
    days: ColumnElement[Any] = (
        select(Campaign.attribution_window_days)
        .where(Campaign.id == campaign_id)
        # Sits inside a purchases subquery: the member's row comes from the outer statement.
        .correlate_except(Campaign)
        .scalar_subquery()
    )
    return days


def window_spend(customer_id: Any, first_attempt_at: Any, campaign_id: Any) -> ColumnElement[Any]:
    """What the customer spent inside their window (the campaign's, as it is now)."""
    window = in_window(_column(Purchase.purchased_at), first_attempt_at, _window_days(campaign_id))
    spent: ColumnElement[Any] = (
        select(func.coalesce(func.sum(Purchase.amount_cents), 0))
        .where(Purchase.customer_id == customer_id, window)
        .scalar_subquery()
    )
    return case((first_attempt_at.is_not(None), spent))


def window_last(customer_id: Any, first_attempt_at: Any, campaign_id: Any) -> ColumnElement[Any]:
    """The customer's latest purchase inside their window."""
    window = in_window(_column(Purchase.purchased_at), first_attempt_at, _window_days(campaign_id))
    latest: ColumnElement[Any] = (
        select(func.max(Purchase.purchased_at))
        .where(Purchase.customer_id == customer_id, window)
        .scalar_subquery()
    )
    return latest


def returns_from(start_date: date | None, created_at: datetime) -> datetime:
    """The UTC midnight starting a campaign's first day: its start date, else the UTC day it
    was created (``returned_at`` counts purchases from here; the campaign's start in any time
    zone lies within a day and a half of it)."""
    day = start_date if start_date is not None else created_at.astimezone(UTC).date()
    return datetime.combine(day, time(0, 0), UTC)


def returned(customer_id: Any, campaign_id: Any) -> ColumnElement[Any]:
    """The customer's first purchase from ``returns_from`` of the member's campaign on."""
    first_day = (
        select(func.coalesce(Campaign.start_date, utc_day(Campaign.created_at)))
        .where(Campaign.id == campaign_id)
        .correlate_except(Campaign)
        .scalar_subquery()
    )
    first: ColumnElement[Any] = (
        select(func.min(Purchase.purchased_at))
        .where(Purchase.customer_id == customer_id, Purchase.purchased_at >= first_day)
        .scalar_subquery()
    )
    return first


def bought_since_promise(customer_id: Any, promised_at: Any) -> ColumnElement[Any]:
    """The customer's first purchase at or after the promise of a visit (life.py's
    ``bought_since_promise``: a promise is kept, or not seen, by this)."""
    first: ColumnElement[Any] = (
        select(func.min(Purchase.purchased_at))
        .where(Purchase.customer_id == customer_id, Purchase.purchased_at >= promised_at)
        .scalar_subquery()
    )
    return first


def _column(attribute: Any) -> ColumnElement[Any]:
    column: ColumnElement[Any] = attribute
    return column


def declined_reason(member_id: Any, end: datetime | None = None) -> ColumnElement[Any]:
    """The reason of the member's latest counted decline before ``end`` (the latest by time,
    then by id)."""
    decline = aliased(CallAttempt)
    conditions = [
        decline.member_id == member_id,
        decline.outcome.in_(DECLINE_CODES),
        counted(decline),
    ]
    if end is not None:
        conditions.append(decline.called_at < end)
    reason: ColumnElement[Any] = (
        select(
            case((decline.outcome == DO_NOT_CALL.code, DO_NOT_CALL_REASON), else_=decline.reason)
        )
        .where(*conditions)
        .order_by(decline.called_at.desc(), decline.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return reason


def assigned_at(member_id: Any, created_at: Any) -> ColumnElement[Any]:
    """When the member was first given an owner; when it joined the campaign if never."""
    first_change = (
        select(func.min(AssignmentChange.changed_at))
        .where(AssignmentChange.member_id == member_id)
        .scalar_subquery()
    )
    return func.coalesce(first_change, created_at)


def first_call_days(first_attempt_at: Any, member_id: Any, created_at: Any) -> ColumnElement[Any]:
    return case(
        (
            first_attempt_at.is_not(None),
            days_between(first_attempt_at, assigned_at(member_id, created_at)),
        )
    )


# ---------------------------------------------------------------------------------------------
# The recomputation from the raw rows


def attempt_facts(
    member_conditions: Sequence[ColumnElement[bool]], end: datetime | None = None
) -> Any:
    """Each member matching ``member_conditions`` (on ``CampaignMember``) with its attempt
    facts as they stood before ``end`` (None: now): one pass over the members' attempts along
    the member-and-time index. A subquery with ``member_id`` and one column per fact."""
    member, attempt = aliased(CampaignMember, name="fact_member"), aliased(CallAttempt)
    joined = and_(attempt.member_id == member.id, counted(attempt))
    if end is not None:
        joined = and_(joined, attempt.called_at < end)
    conditions = [_on(member, condition) for condition in member_conditions]
    return (
        select(
            member.id.label("member_id"),
            func.count(attempt.id).label("attempts"),
            *(fact(attempt).label(column) for column, fact in ATTEMPT_FACTS.items()),
        )
        .outerjoin(attempt, joined)
        .where(*conditions)
        .group_by(member.id)
        .subquery("attempt_facts")
    )


def _on(member: Any, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """``condition`` written on ``CampaignMember``, turned onto the alias ``member``."""
    adapted: ColumnElement[bool] = ClauseAdapter(inspect(member).selectable).traverse(condition)
    return adapted


def recomputed_facts(
    member_conditions: Sequence[ColumnElement[bool]],
    end: datetime | None = None,
    name: str = "member_facts",
) -> CTE:
    """Every member matching ``member_conditions`` with its facts as they stood before
    ``end`` (None: now), computed from the attempts and purchases; the same columns as
    ``stored_facts``, beside the member's own (id as ``member_id``, campaign, customer,
    store, manager, group and its life). ``attempts`` is the number of attempts before the
    end (stored: life.py's count, which is all of them)."""
    member = CampaignMember
    attempts = attempt_facts(member_conditions, end)
    with_first = (
        select(
            *(column for column in _member_columns(member) if column.key != "attempts"),
            attempts.c.attempts,
            *(attempts.c[column] for column in ATTEMPT_FACTS),
            declined_reason(member.id, end).label("declined_reason"),
            came_back(member.customer_id, attempts.c.first_attempt_at).label("came_back_at"),
            first_call_days(attempts.c.first_attempt_at, member.id, member.created_at).label(
                "first_call_days"
            ),
            window_spend(member.customer_id, attempts.c.first_attempt_at, member.campaign_id).label(
                "window_spend_cents"
            ),
            window_last(member.customer_id, attempts.c.first_attempt_at, member.campaign_id).label(
                "window_last_at"
            ),
            returned(member.customer_id, member.campaign_id).label("returned_at"),
            bought_since_promise(member.customer_id, member.promised_at).label(
                "bought_since_promise_at"
            ),
        )
        .join(attempts, attempts.c.member_id == member.id)
        .subquery("with_first")
    )
    first = with_first.c
    with_again = select(
        *(column for column in with_first.c),
        days_apart(first.came_back_at, first.first_attempt_at).label("came_back_days"),
        came_again(first.customer_id, first.came_back_at).label("came_again_at"),
    ).subquery("with_again")
    again = with_again.c
    return select(
        *(column for column in with_again.c),
        days_apart(again.came_again_at, again.came_back_at).label("came_again_days"),
    ).cte(name)


def facts_from_days(
    member_conditions: Sequence[ColumnElement[bool]], end: datetime, name: str = "member_facts"
) -> CTE:
    """The same columns as ``recomputed_facts(member_conditions, end)``, read mostly from
    what is kept: the attempt facts are summed from the members' days before the end's UTC
    day and that day's attempts before the end; the purchase facts and the days to the first
    call depend on the first attempt and the purchases alone, so they are the stored ones
    (for a member first called before the end)."""
    day = aliased(MemberDay)
    end_day = end.astimezone(UTC).date()
    # Only these members' days: a few members' facts read a few days.
    members = select(CampaignMember.id).where(*member_conditions)
    days = select(
        day.member_id,
        day.attempts,
        day.first_at,
        day.last_at,
        *(getattr(day, column) for column in _LATEST_KINDS),
    ).where(day.member_id.in_(members), day.day < end_day)
    midnight = datetime.combine(end_day, time(0, 0), UTC)
    rows: Any = days
    if end > midnight:
        attempt = aliased(CallAttempt)
        same_day = select(
            attempt.member_id,
            literal(1).label("attempts"),
            attempt.called_at.label("first_at"),
            attempt.called_at.label("last_at"),
            *(
                case((_KIND_CONDITIONS[column](attempt), attempt.called_at)).label(column)
                for column in _LATEST_KINDS
            ),
        ).where(
            attempt.member_id.in_(members),
            counted(attempt),
            attempt.called_at >= midnight,
            attempt.called_at < end,
        )
        rows = union_all(days, same_day)
    summed = rows.subquery("summed_days")
    per_member = (
        select(
            summed.c.member_id,
            func.sum(summed.c.attempts).label("attempts"),
            func.min(summed.c.first_at).label("first_attempt_at"),
            func.max(summed.c.last_at).label("last_attempt_at"),
            *(func.max(summed.c[column]).label(column) for column in _LATEST_KINDS),
        )
        .group_by(summed.c.member_id)
        .subquery("days_before_end")
    )
    member = CampaignMember
    first = per_member.c.first_attempt_at
    called = first.is_not(None)
    return (
        select(
            *(column for column in _member_columns(member) if column.key != "attempts"),
            func.coalesce(per_member.c.attempts, 0).label("attempts"),
            first,
            per_member.c.last_attempt_at,
            *(per_member.c[column] for column in _LATEST_KINDS),
            case(
                (per_member.c.last_declined_at.is_not(None), declined_reason(member.id, end))
            ).label("declined_reason"),
            *(
                case((called, member.__table__.c[column])).label(column)
                for column in (*PURCHASE_FACTS, "first_call_days", *WINDOW_FACTS)
            ),
            member.returned_at,
            member.bought_since_promise_at,
        )
        .outerjoin(per_member, per_member.c.member_id == member.id)
        .where(*member_conditions)
        .cte(name)
    )


def stored_facts(
    member_conditions: Sequence[ColumnElement[bool]], name: str = "member_facts"
) -> CTE:
    """The same columns as ``recomputed_facts``, read from where they are kept."""
    member = CampaignMember
    return (
        select(*_member_columns(member), *(member.__table__.c[c] for c in FACT_COLUMNS))
        .where(*member_conditions)
        .cte(name)
    )


def _member_columns(member: Any) -> list[ColumnElement[Any]]:
    return [
        member.id.label("member_id"),
        member.campaign_id,
        member.customer_id,
        member.store_id,
        member.manager_id,
        member.group,
        member.attempts,
        member.status,
        member.scheduled_kind,
        member.next_due_at,
        member.visit_date,
        member.promised_at,
    ]


def recomputed_days(member_conditions: Sequence[ColumnElement[bool]]) -> Select[Any]:
    """``member_days`` as the attempts give it: member, day, the day's figures and why its
    latest decline declined."""
    attempt = aliased(CallAttempt)
    day = utc_day(attempt.called_at)
    members = select(CampaignMember.id).where(*member_conditions)
    summed = (
        select(
            attempt.member_id,
            day.label("day"),
            *(figure(attempt).label(column) for column, figure in DAY_FIGURES.items()),
        )
        .where(attempt.member_id.in_(members), counted(attempt))
        .group_by(attempt.member_id, day)
        .subquery("summed_days")
    )
    return select(
        *summed.c,
        decline_reason_at(summed.c.member_id, summed.c.last_declined_at).label("declined_reason"),
    )


def decline_reason_at(member_id: Any, declined_at: Any) -> ColumnElement[Any]:
    """Why the member's counted decline at ``declined_at`` declined (the latest by id, when
    two share the moment): what ``declined_reason`` gives when that decline is the latest."""
    decline = aliased(CallAttempt)
    reason: ColumnElement[Any] = (
        select(
            case((decline.outcome == DO_NOT_CALL.code, DO_NOT_CALL_REASON), else_=decline.reason)
        )
        .where(
            decline.member_id == member_id,
            decline.called_at == declined_at,
            decline.outcome.in_(DECLINE_CODES),
            counted(decline),
        )
        .order_by(decline.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return reason


# ---------------------------------------------------------------------------------------------
# Keeping them: every writer of attempts, purchases or members' places calls one of these in
# its transaction


def refresh_members(
    executor: Executor, member_ids: Iterable[int], *, all_called: bool = False
) -> None:
    """Recompute the stored facts, days and store tallies of these members: after their
    attempts changed, or their store, group or owner did (an owner change can change when
    the member was first assigned). Members never called cost one look each, which
    ``all_called`` (each of them has, or had, an attempt: the call desk's) spares.

    On PostgreSQL each chunk of members is one statement, tallies included, whose result
    nobody reads (a pipeline can queue it); elsewhere the tallies are moved around the
    statements (``retally``)."""
    dialect = executor.get_bind().dialect if isinstance(executor, Session) else executor.dialect
    called_among, statements, tallied = _member_statements(dialect.name)
    ids = sorted(set(member_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        called = (
            chunk if all_called else list(executor.scalars(called_among, {"member_ids": chunk}))
        )
        if called:
            chosen = {"member_ids": called}
            if tallied:
                _execute(executor, statements, chosen)
            else:
                recompute = partial(_execute, executor, statements, chosen)
                retally(executor, called, recompute, recompute_places=True)


@cache
def _member_statements(dialect: str) -> tuple[Select[Any], list[Executable], bool]:
    """Built once per kind of database (one follows every call logged), for the members
    given as ``member_ids``: which of them were ever called (the facts of a member never
    called are all empty, and stay so), the statements that refresh them, and whether they
    keep the store tallies themselves."""
    member = _MEMBERS.c
    attempt = aliased(CallAttempt)
    ever_called = or_(
        member.first_attempt_at.is_not(None),
        member.tallied_store_id.is_not(None),
        exists().where(attempt.member_id == member.id),
        exists().where(_DAYS.c.member_id == member.id),
    )
    called_among = select(member.id).where(
        member.id.in_(bindparam("member_ids", expanding=True)), ever_called
    )
    chosen = CampaignMember.id.in_(bindparam("member_ids", expanding=True))
    if dialect == "postgresql":
        return called_among, [_refresh_in_one_statement([chosen])], True
    return called_among, [*_days_statements([chosen]), _placing_update([chosen])], False


def _placing_update(
    conditions: Sequence[ColumnElement[bool]], days: FromClause | None = None
) -> Update:
    """What ``refresh_statements`` does to the members in one update (each statement is a
    round trip to a server): every fact from their recomputation, and their place for the
    store tallies (``tallied_store``, from ``days``: by default the kept ones, rewritten
    first)."""
    member = _MEMBERS
    facts = recomputed_facts(conditions, name="refreshed_facts")
    return (
        update(member)
        .where(member.c.id == facts.c.member_id)
        .values(
            {
                **{column: facts.c[column] for column in FACT_COLUMNS},
                "tallied_store_id": tallied_store(days),
                # Set here: with other statements in its WITH the column's onupdate is lost.
                "updated_at": bindparam(
                    "refreshed_at", callable_=utcnow, type_=member.c.updated_at.type
                ),
            }
        )
    )


def _refresh_in_one_statement(conditions: Sequence[ColumnElement[bool]]) -> Executable:
    """The days, the placing update and the store tallies as one PostgreSQL statement: the
    days no longer there go and the others are written over or added (data-modifying WITHs),
    the update places the members by their recomputed days, and the members' spans move in
    the tallies from where they were counted to where those days place them
    (``retallying``). The statements of one WITH see the same snapshot, so they must touch
    different rows: here, different tables."""
    columns = ["member_id", "day", *DAY_FIGURES, "declined_reason"]
    new_days = recomputed_days(conditions).cte("new_days")
    kept = _DAYS.c
    members = select(_MEMBERS.c.id).where(*conditions)
    gone = (
        delete(_DAYS)
        .where(
            kept.member_id.in_(members),
            ~exists().where(new_days.c.member_id == kept.member_id, new_days.c.day == kept.day),
        )
        .cte("gone_days")
    )
    written = postgresql_insert(_DAYS).from_select(
        columns, select(*(new_days.c[column] for column in columns))
    )
    upserted = written.on_conflict_do_update(
        index_elements=["member_id", "day"],
        set_={column: written.excluded[column] for column in columns[2:]},
    ).cte("written_days")
    return _placing_update(conditions, new_days).add_cte(
        gone, upserted, retallying(conditions, new_days)
    )


def _days_statements(conditions: Sequence[ColumnElement[bool]]) -> list[Executable]:
    """The members' days, recomputed from their attempts."""
    members = select(_MEMBERS.c.id).where(*conditions)
    return [
        delete(_DAYS).where(_DAYS.c.member_id.in_(members)),
        insert(_DAYS).from_select(
            ["member_id", "day", *DAY_FIGURES, "declined_reason"], recomputed_days(conditions)
        ),
    ]


@cache
def _customer_statements() -> list[Executable]:
    chosen = CampaignMember.customer_id.in_(bindparam("customer_ids", expanding=True))
    return refresh_statements([chosen], attempts_changed=False)


def _execute(executor: Executor, statements: Sequence[Executable], params: dict[str, Any]) -> None:
    for statement in statements:
        executor.execute(statement, params)


def refresh_customers(executor: Executor, customer_ids: Iterable[int]) -> None:
    """Recompute the purchase facts of every membership of these customers (after their
    purchases changed); their attempt facts, days and tallies do not depend on purchases."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), _CHUNK):
        _execute(executor, _customer_statements(), {"customer_ids": ids[start : start + _CHUNK]})


def refresh_campaign_purchases(executor: Executor, campaign_id: int) -> None:
    """Recompute the purchase facts of a campaign's members, after its first day or its
    attribution window changed (the days, attempts and tallies do not depend on them)."""
    _execute(
        executor,
        refresh_statements([CampaignMember.campaign_id == campaign_id], attempts_changed=False),
        {},
    )


def refresh_campaign(executor: Executor, campaign_id: int | None = None) -> None:
    """Recompute every member of a campaign (None: of every campaign), after a bulk write,
    and count its store tallies afresh."""
    conditions = [] if campaign_id is None else [CampaignMember.campaign_id == campaign_id]
    tally_afresh(executor, conditions, campaign_id, partial(_refresh, executor, conditions))


def _refresh(executor: Executor, conditions: list[ColumnElement[bool]]) -> None:
    for statement in refresh_statements(conditions):
        executor.execute(statement)


def refresh_statements(
    conditions: Sequence[ColumnElement[bool]], *, attempts_changed: bool = True
) -> list[Executable]:
    """The statements that recompute the stored facts and days of the members matching
    ``conditions``, in order; without ``attempts_changed``, only what purchases change.
    (The store tallies move around them: ``store_tallies.retally``.)"""
    member = _MEMBERS
    statements: list[Executable] = []
    if attempts_changed:
        facts = attempt_facts(conditions)
        statements.append(
            update(member)
            .where(member.c.id == facts.c.member_id)
            .values({column: facts.c[column] for column in ATTEMPT_FACTS})
        )
    first = member.c.first_attempt_at
    statements.append(
        update(member)
        .where(*conditions)
        .values(
            declined_reason=declined_reason(member.c.id),
            came_back_at=came_back(member.c.customer_id, first),
            first_call_days=first_call_days(first, member.c.id, member.c.created_at),
            window_spend_cents=window_spend(member.c.customer_id, first, member.c.campaign_id),
            window_last_at=window_last(member.c.customer_id, first, member.c.campaign_id),
            returned_at=returned(member.c.customer_id, member.c.campaign_id),
            bought_since_promise_at=bought_since_promise(
                member.c.customer_id, member.c.promised_at
            ),
        )
    )
    # Each of these reads what the statement before wrote: a statement of its own.
    statements.append(
        update(member)
        .where(*conditions)
        .values(
            came_back_days=days_apart(member.c.came_back_at, member.c.first_attempt_at),
            came_again_at=came_again(member.c.customer_id, member.c.came_back_at),
        )
    )
    statements.append(
        update(member)
        .where(*conditions)
        .values(came_again_days=days_apart(member.c.came_again_at, member.c.came_back_at))
    )
    if attempts_changed:
        statements.extend(_days_statements(conditions))
    return statements


__all__ = [
    "ATTEMPT_FACTS",
    "DAY_FIGURES",
    "DECLINE_CODES",
    "DO_NOT_CALL_REASON",
    "FACT_COLUMNS",
    "NOT_WORKING_CODES",
    "WINDOW_FACTS",
    "bought_since_promise",
    "came_again",
    "came_back",
    "counted",
    "decline_reason_at",
    "facts_from_days",
    "in_window",
    "recomputed_days",
    "recomputed_facts",
    "refresh_campaign",
    "refresh_campaign_purchases",
    "refresh_customers",
    "refresh_members",
    "refresh_statements",
    "returned",
    "returns_from",
    "stored_facts",
]
