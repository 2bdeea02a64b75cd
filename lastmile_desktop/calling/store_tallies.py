"""Each store's members' days, counted by the spans they open: what the leaderboard sums to
count, for any period, who was tried, reached, accepted, and where members stood at its end.

A call-group member's days with counted attempts (``member_days``) make two series of spans:

- ``attempt``: each of the member's days opens a span that lasts until the member's next day
  (``to_day``; ``NEVER`` when there is none yet). Through it the member's latest attempt is
  that day's, and its standing is that of the end of the day (``AttemptStanding``): the
  latest attempt found the number not working, or that the person moved; the member was
  reached on that day or before; it is the member's first day.
- ``reached``: each day with an attempt that reached the customer opens a span until the
  member's next such day. Through it the member's latest reached outcome is that day's
  (``ReachedStanding``: Accepted offer, or a decline, and its reason when one was given).

So, for a period between two UTC midnights (its first day and the day after its last), a
member's span that opened before the end and lasts past it (``to_day`` at or after the end's
day) tells where the member stood at the end, and it opened inside the period exactly when
the member was tried (or reached) in it. ``store_tallies`` holds how many members' spans
there are per campaign, store, series, first and last day, standing and reason, and the
attempts of the days that opened them: a few thousand rows, whatever the number of attempts.

Kept by the same refresh as the members' facts (calling/member_facts.py): it takes the
members' spans away from where they were counted (``tallied_store_id``) before their days
are recomputed and adds them back after, in the writer's transaction. On PostgreSQL that is
part of the refresh's one statement (``retallying``: nothing for the client to read, so a
pipeline can queue it), which leaves a row whose members all left at zero members: only
``tally_afresh`` (a campaign counted again) removes those, and every reader counts the
rows ``counting()`` keeps. Deleting them in the same statement is not possible (its parts
see the table as it was before any of them wrote), and a later delete of zero rows would
lock rows other writers hold in an order of its own. Elsewhere (SQLite, one writer at a
time) ``retally`` reads the spans before and after and drops the rows that reach zero.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    Date,
    FromClause,
    Select,
    String,
    Table,
    Update,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from lastmile_desktop.storage.counts import add_to_counts, adding_statement
from lastmile_desktop.storage.models import CampaignMember, MemberDay, MemberGroup, StoreTally

# The last day of a span that has not ended: after any period's end.
NEVER = date(9999, 12, 31)
# Why a decline declined, in the key, when none was given ("" is not a reason code).
NO_REASON = ""

_TALLIES = cast(Table, StoreTally.__table__)
_MEMBERS = cast(Table, CampaignMember.__table__)
KEY = ("campaign_id", "store_id", "series", "from_day", "to_day", "kind", "reason")
TOTALS = ("members", "attempts")

Executor = Session | Connection
TallyKey = tuple[int, int, str, date, date, int, str]


class Series(enum.StrEnum):
    ATTEMPT = "attempt"
    REACHED = "reached"


class AttemptStanding(enum.IntFlag):
    """Where a member stands from the end of one of its days (an ``attempt`` span)."""

    NOT_WORKING = 1  # the latest attempt: wrong number or not in service
    MOVED = 2  # the latest attempt: moved or deceased
    REACHED_YET = 4  # reached on this day or an earlier one
    FIRST = 8  # the member's first day with an attempt


class ReachedStanding(enum.IntFlag):
    """The latest reached outcome of a day (a ``reached`` span)."""

    ACCEPTED = 1  # Accepted offer
    DECLINED = 2  # Not interested or Do not call
    REASON_GIVEN = 4  # the decline's reason is in ``reason``


def _flag(condition: ColumnElement[bool], bit: int) -> ColumnElement[int]:
    return case((condition, int(bit)), else_=0)


def span_rows(
    days: FromClause,
    store: ColumnElement[Any],
    conditions: Sequence[ColumnElement[bool]],
    name: str = "spanned_days",
) -> Select[Any]:
    """The spans of the members matching ``conditions`` (on ``CampaignMember``), counted
    under ``store`` (an expression on ``CampaignMember``; members for whom it is None are left
    out), summed per tally key: ``KEY`` and ``TOTALS`` columns.

    ``days`` holds the members' days: ``member_days`` or a recomputation with its columns.
    ``name``: of the WITH holding the days, unique within one statement.
    """
    member = CampaignMember
    d = days.c
    by_member: dict[str, Any] = {"partition_by": d.member_id, "order_by": d.day}
    days_of = (
        select(
            member.campaign_id,
            store.label("store_id"),
            d.day,
            d.attempts,
            d.last_at,
            d.last_reached_at,
            d.last_accepted_at,
            d.last_declined_at,
            d.last_not_working_at,
            d.last_moved_at,
            d.declined_reason,
            func.lead(d.day, type_=Date()).over(**by_member).label("next_day"),
            func.lag(d.day, type_=Date()).over(**by_member).label("previous_day"),
            func.max(d.last_reached_at).over(**by_member, rows=(None, 0)).label("reached_by"),
            func.min(case((d.last_reached_at.is_not(None), d.day)), type_=Date())
            .over(**by_member, rows=(1, None))
            .label("next_reached_day"),
        )
        .join(member, member.id == d.member_id)
        .where(*conditions, store.is_not(None))
        .cte(name)
    )
    s = days_of.c
    never = literal(NEVER, Date())
    attempt_kind = (
        _flag(s.last_not_working_at == s.last_at, AttemptStanding.NOT_WORKING)
        + _flag(s.last_moved_at == s.last_at, AttemptStanding.MOVED)
        + _flag(s.reached_by.is_not(None), AttemptStanding.REACHED_YET)
        + _flag(s.previous_day.is_(None), AttemptStanding.FIRST)
    )
    attempt_key = (
        s.campaign_id,
        s.store_id,
        literal(Series.ATTEMPT.value, String()).label("series"),
        s.day.label("from_day"),
        func.coalesce(s.next_day, never).label("to_day"),
        attempt_kind.label("kind"),
        literal(NO_REASON, String()).label("reason"),
    )
    declined = s.last_declined_at == s.last_reached_at
    reason_given = declined & s.declined_reason.is_not(None)
    reached_kind = (
        _flag(s.last_accepted_at >= s.last_reached_at, ReachedStanding.ACCEPTED)
        + _flag(declined, ReachedStanding.DECLINED)
        + _flag(reason_given, ReachedStanding.REASON_GIVEN)
    )
    reached_key = (
        s.campaign_id,
        s.store_id,
        literal(Series.REACHED.value, String()).label("series"),
        s.day.label("from_day"),
        func.coalesce(s.next_reached_day, never).label("to_day"),
        reached_kind.label("kind"),
        case((reason_given, s.declined_reason), else_=literal(NO_REASON, String())).label("reason"),
    )
    attempts = select(
        *attempt_key, func.count().label("members"), func.sum(s.attempts).label("attempts")
    ).group_by(*attempt_key)
    reached = (
        select(*reached_key, func.count().label("members"), literal(0).label("attempts"))
        .where(s.last_reached_at.is_not(None))
        .group_by(*reached_key)
    )
    return cast(Select[Any], union_all(attempts, reached))


def tallied_store(days: FromClause | None = None) -> ColumnElement[Any]:
    """Where a member's days are to be counted: its store, for a call-group member with days
    (None otherwise: the holdout is never called, a member without a store counts nowhere).
    ``days``: where its days are, when not yet in ``member_days`` (their recomputation)."""
    member = _MEMBERS.c
    kept = days if days is not None else MemberDay.__table__
    # Always all of the member's days, even in a query that reads ``days`` itself.
    has_days = exists().where(kept.c.member_id == member.id).correlate_except(kept)
    return case(
        (
            (member.group == MemberGroup.CALL.value) & member.store_id.is_not(None) & has_days,
            member.store_id,
        )
    )


def kept_spans(
    conditions: Sequence[ColumnElement[bool]], name: str = "spanned_days"
) -> Select[Any]:
    """The spans of the members matching ``conditions`` as they are counted now."""
    store: ColumnElement[Any] = _MEMBERS.c.tallied_store_id
    return span_rows(MemberDay.__table__, store, conditions, name)


def counting() -> ColumnElement[bool]:
    """The tally rows that count members: on PostgreSQL a row whose members all left stays,
    at zero, until its campaign is tallied afresh (see above)."""
    condition: ColumnElement[bool] = _TALLIES.c.members != 0
    return condition


def retallying(conditions: Sequence[ColumnElement[bool]], days: FromClause) -> CTE:
    """For one PostgreSQL statement that recomputes the days of the members matching
    ``conditions`` (``days``: the recomputation) and sets their ``tallied_store_id`` to
    ``tallied_store(days)``: the data-modifying WITH that moves their spans in the tallies.
    Every part of one statement sees the tables as before the statement wrote, so the spans
    before are the kept ones and those after are ``days`` under that same new store; what
    differs between the two is added to the tallies."""
    before = kept_spans(conditions, "days_before").subquery("spans_before")
    after = span_rows(days, tallied_store(days), conditions, "days_after").subquery("spans_after")
    moves = union_all(
        select(*(after.c[column] for column in (*KEY, *TOTALS))),
        select(*(before.c[column] for column in KEY), *(-before.c[c] for c in TOTALS)),
    ).subquery("moved_spans")
    key = [moves.c[column] for column in KEY]
    totals = {column: func.sum(moves.c[column]) for column in TOTALS}
    changes = (
        select(*key, *(total.label(column) for column, total in totals.items()))
        .group_by(*key)
        .having(or_(*(total != 0 for total in totals.values())))
        # Every writer adds to the tally rows it changes in key order (the insert takes
        # them in the query's order): no two writers each hold a row the other waits for.
        .order_by(*key)
    )
    added = adding_statement("postgresql", _TALLIES, KEY, TOTALS, changes)
    assert added is not None  # PostgreSQL's upsert is known
    return added.cte("tallies_moved")


def _read(
    executor: Executor, query: Select[Any], params: dict[str, Any]
) -> dict[TallyKey, tuple[int, int]]:
    """Tally key -> (members, attempts)."""
    return {
        cast(TallyKey, tuple(row[column] for column in KEY)): (
            int(row["members"]),
            int(row["attempts"] or 0),
        )
        for row in executor.execute(query, params).mappings()
    }


@cache
def _member_statements() -> tuple[Select[Any], Update]:
    """Built once (a refresh follows every call logged): the spans of the members given as
    ``member_ids``, and where they are to be counted now."""
    chosen = [CampaignMember.id.in_(bindparam("member_ids", expanding=True))]
    place = update(_MEMBERS).where(*chosen).values(tallied_store_id=tallied_store())
    return kept_spans(chosen), place


def retally(
    executor: Executor,
    member_ids: Sequence[int],
    recompute: Callable[[], None],
    *,
    recompute_places: bool = False,
) -> None:
    """Run ``recompute`` (which rewrites these members' days) with the members' spans taken
    out of the tallies before and added back after, under their store as it is now
    (``tallied_store``: set here, unless ``recompute_places`` says it sets it itself)."""
    spans, place = _member_statements()
    params = {"member_ids": list(member_ids)}
    before = _read(executor, spans, params)
    recompute()
    if not recompute_places:
        executor.execute(place, params)
    after = _read(executor, spans, params)
    changes = []
    # Added in one order (as in ``retallying``): no two writers each hold a row the other
    # waits for.
    for key in sorted(before.keys() | after.keys()):
        members_before, attempts_before = before.get(key, (0, 0))
        members_after, attempts_after = after.get(key, (0, 0))
        if (members_before, attempts_before) != (members_after, attempts_after):
            changes.append(
                {
                    **dict(zip(KEY, key, strict=True)),
                    "members": members_after - members_before,
                    "attempts": attempts_after - attempts_before,
                }
            )
    add_to_counts(executor, _TALLIES, KEY, TOTALS, changes)


def tally_afresh(
    executor: Executor,
    conditions: Sequence[ColumnElement[bool]],
    campaign_id: int | None,
    recompute: Callable[[], None],
) -> None:
    """Run ``recompute`` for every member of a campaign (None: of every campaign), then
    count the tallies of that campaign again from all its members' days."""
    dropped = delete(_TALLIES)
    if campaign_id is not None:
        dropped = dropped.where(_TALLIES.c.campaign_id == campaign_id)
    executor.execute(dropped)
    recompute()
    executor.execute(update(_MEMBERS).where(*conditions).values(tallied_store_id=tallied_store()))
    executor.execute(insert(_TALLIES).from_select([*KEY, *TOTALS], kept_spans(conditions)))


__all__ = [
    "KEY",
    "NEVER",
    "NO_REASON",
    "TOTALS",
    "AttemptStanding",
    "ReachedStanding",
    "Series",
    "counting",
    "kept_spans",
    "retally",
    "retallying",
    "span_rows",
    "tallied_store",
    "tally_afresh",
]
