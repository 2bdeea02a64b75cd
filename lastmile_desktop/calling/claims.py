"""Claims: the customer a call desk shows is that desk's alone until it moves on.

Two desks working one queue (two PCs of one store on one server, two windows on one file)
never show the same customer at once. Showing a customer claims them for a lease
(calling/leases.py): the desk's next claim releases the last one, closing the desk releases
it (``release``), a desk still showing the card renews it (``renew``), and a desk that
crashed loses it when the lease runs out. A claim is a row of ``member_claims``, never a
change to the member: the member's version still guards the log itself (calling/log.py).

A claim is one statement: of the candidates, in queue order (calling/queue.py), the first
whose member no other desk holds and has not changed since the queue was read; on
PostgreSQL its row is taken with ``FOR NO KEY UPDATE SKIP LOCKED``, so desks claiming at
the same instant neither wait for each other nor take the same member, and the upsert that
writes the claim refuses, by its condition, a member another desk claimed a moment before.
On PostgreSQL the same statement releases the desk's previous claim and reads the claimed
customer's card (``card_select`` joined to the claim), with no BEGIN or COMMIT: one round
trip to the server. SQLite cannot change two tables in one statement and runs the release
and the card as statements of their own (its writers take turns: BEGIN IMMEDIATE, so two
claims never interleave there; in-process, the extra statements cost no round trips).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Row,
    String,
    case,
    delete,
    literal,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from lastmile_desktop.calling.card import CustomerCard, card_from_rows, card_of, card_select
from lastmile_desktop.calling.leases import DEFAULT_LEASE, held_by_another_desk, lease_clock
from lastmile_desktop.calling.queue import due_now
from lastmile_desktop.campaigns.access import (
    Profile,
    check_profile,
    member_visibility,
    profile_still_valid,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.defaults import DESK_ID_MAX_LENGTH
from lastmile_desktop.storage.models import CampaignMember, MemberClaim
from lastmile_desktop.storage.sql_time import seconds_after

__all__ = [
    "Candidate",
    "ClaimedCustomer",
    "claim_next",
    "release",
    "renew",
]

# How many candidates one claim statement looks at: more than the desks that may be
# claiming from one queue at once, so the first try nearly always finds one free.
CANDIDATES_PER_CLAIM = 25
# A member another desk claimed after the statement began but before it reached the upsert
# is refused by the upsert's condition; the statement is then run once more, and sees it.
TRIES_PER_CANDIDATES = 2


class Candidate(Protocol):
    """A member to claim, as a queue read showed it: ``QueueEntry`` and ``DueNow`` are both."""

    @property
    def member(self) -> uuid.UUID: ...

    @property
    def version(self) -> int: ...


@dataclass(frozen=True)
class ClaimedCustomer:
    card: CustomerCard
    until: datetime  # aware UTC, by the database's clock: when the claim runs out unrenewed
    # Candidates before it that could not be claimed: another desk has them on screen, or
    # they changed since the queue was read (someone logged a call). In candidate order.
    passed_over: tuple[uuid.UUID, ...]


def claim_next(
    db: Database,
    profile: Profile,
    campaign: str | None,
    desk_id: str,
    *,
    store: str | None = None,
    manager: str | None = None,
    candidates: Sequence[Candidate] | None = None,
    at: datetime | None = None,
    lease: timedelta = DEFAULT_LEASE,
    leases_at: datetime | None = None,
    lock_wait_ms: int | None = None,
) -> ClaimedCustomer | None:
    """Claims the first customer to call now that no other desk has on screen, releases the
    desk's previous claim, and returns the customer's card; None when nobody is free.

    ``candidates``: the customers to try, in this order (a desk's queue as it holds it);
    by default the campaign's queue (``campaign``, ``store``, ``manager`` as for
    ``build_queue``) read again at ``at``. ``leases_at``: "now" for the leases (default the
    database's clock). ``lock_wait_ms``: on SQLite, how long to wait for another writer.
    """
    desk = _checked_desk(desk_id)
    # On PostgreSQL every statement of a claim is complete in itself (the claim, the release
    # of the desk's last one and the card are one; the queue read is a read), so none waits
    # for BEGIN and COMMIT: the lead's claim of a free candidate is one round trip. SQLite
    # runs them in one write transaction (in-process: no round trips).
    on_server = db.is_postgres
    with db.single_statement() if on_server else db.session(lock_wait_ms=lock_wait_ms) as session:
        if not on_server:
            check_profile(session, profile)
        order: list[Candidate] = (
            list(candidates)
            if candidates is not None
            else list(
                due_now(
                    session,
                    profile,
                    campaign=campaign,
                    store=store,
                    manager=manager,
                    at=at,
                    desk=desk,
                )
            )
        )
        now = lease_clock(leases_at)
        for start in range(0, len(order), CANDIDATES_PER_CLAIM):
            chunk = order[start : start + CANDIDATES_PER_CLAIM]
            for _try in range(TRIES_PER_CANDIDATES):
                if on_server:
                    rows = _claim_with_card(session, profile, desk, chunk, now, lease)
                    if rows:
                        card = card_from_rows(rows, at)
                        return _claimed_customer(order, card, rows[0].claimed_until)
                else:
                    claimed = _claim(session, profile, desk, chunk, now, lease)
                    if claimed is not None:
                        card = card_of(session, claimed.member_id, at)
                        return _claimed_customer(order, card, claimed.claimed_until)
        if on_server:
            # The claim checked the profile: perhaps it claimed nobody because the profile
            # is no longer valid. Say so, before letting go of the desk's claim.
            check_profile(session, profile)
        if not order:
            _release(session, desk)
        return None


def release(db: Database, desk_id: str, *, lock_wait_ms: int | None = None) -> int:
    """Lets go of the customer the desk holds (the desk closes, or shows nobody); how many
    claims it held (0 or 1)."""
    desk = _checked_desk(desk_id)
    with db.session(lock_wait_ms=lock_wait_ms) as session:
        return _release(session, desk)


def renew(
    db: Database,
    desk_id: str,
    *,
    lease: timedelta = DEFAULT_LEASE,
    leases_at: datetime | None = None,
    lock_wait_ms: int | None = None,
) -> datetime | None:
    """Extends the desk's claim by ``lease`` from now: when it now runs out, or None when the
    desk holds nobody any more (its lease ran out and another desk claimed the customer)."""
    desk = _checked_desk(desk_id)
    with db.session(lock_wait_ms=lock_wait_ms) as session:
        until: datetime | None = session.execute(
            update(MemberClaim)
            .where(MemberClaim.claimed_by == desk)
            .values(claimed_until=seconds_after(lease_clock(leases_at), _seconds(lease)))
            .returning(MemberClaim.claimed_until)
            .execution_options(synchronize_session=False)
        ).scalar()
        return until


def _checked_desk(desk_id: str) -> str:
    desk = desk_id.strip()
    if not desk or len(desk) > DESK_ID_MAX_LENGTH:
        raise UserFacingError(
            f"Name the desk with 1 to {DESK_ID_MAX_LENGTH} characters (any name that is "
            "this desk's alone, such as the computer's name)."
        )
    return desk


def _seconds(lease: timedelta) -> int:
    return max(int(lease.total_seconds()), 0)


def _claim(  # noqa: PLR0917 (one claim's parts)
    session: Session,
    profile: Profile,
    desk: str,
    chunk: Sequence[Candidate],
    now: ColumnElement[Any],
    lease: timedelta,
) -> Row[int, datetime] | None:
    """SQLite: one claim statement over ``chunk``, (member_id, claimed_until) of the member
    claimed if any, then the release of the desk's other claims."""
    row = session.execute(_claim_statement(session, profile, desk, chunk, now, lease)).first()
    _release(session, desk, keep=row.member_id if row is not None else None)
    return row


def _claim_with_card(  # noqa: PLR0917 (one claim's parts)
    session: Session,
    profile: Profile,
    desk: str,
    chunk: Sequence[Candidate],
    now: ColumnElement[Any],
    lease: timedelta,
) -> Sequence[Row[Any]]:
    """PostgreSQL: one statement claims the first member of ``chunk`` free to claim,
    releases the desk's other claims and reads the card of the member claimed (the rows of
    ``card_select``, with ``claimed_until``); no rows when it claimed nobody."""
    claimed = _claim_statement(session, profile, desk, chunk, now, lease).cte("claimed")
    released = (
        delete(MemberClaim)
        .where(
            MemberClaim.claimed_by == desk,
            MemberClaim.member_id.not_in(select(claimed.c.member_id)),
            # A profile no longer valid changes nothing (check_profile then says why).
            profile_still_valid(profile),
        )
        .cte("released")
    )
    card = card_select(CampaignMember.id == claimed.c.member_id, claimed)
    return session.execute(card.add_columns(claimed.c.claimed_until).add_cte(released)).all()


def _claim_statement(  # noqa: PLR0917 (one claim's parts)
    session: Session,
    profile: Profile,
    desk: str,
    chunk: Sequence[Candidate],
    now: ColumnElement[Any],
    lease: timedelta,
) -> ReturningInsert[int, datetime]:
    """The upsert that claims the first member of ``chunk`` free to claim, returning its
    member_id and claimed_until (nothing when none is)."""
    member = CampaignMember
    position = case(*[(member.uuid == c.member, place) for place, c in enumerate(chunk)])
    pick = (
        select(member.id, literal(desk, String()), seconds_after(now, _seconds(lease)))
        .where(
            tuple_(member.uuid, member.version).in_([(c.member, c.version) for c in chunk]),
            member_visibility(profile),
            ~held_by_another_desk(desk, now),
            # Checked in the statement itself on the server (SQLite checked it first).
            profile_still_valid(profile),
        )
        .order_by(position)
        .limit(1)
        # PostgreSQL: a member another desk is claiming this instant is passed over, not
        # waited for. NO KEY: a call being logged for the member (a new attempt naming it)
        # is not held up. SQLite leaves the clause out: its writers take turns.
        .with_for_update(of=member, skip_locked=True, key_share=True)
    )
    insert = _upsert(session.get_bind().dialect.name).from_select(
        [MemberClaim.member_id, MemberClaim.claimed_by, MemberClaim.claimed_until], pick
    )
    return insert.on_conflict_do_update(
        index_elements=[MemberClaim.member_id],
        set_={
            MemberClaim.claimed_by: insert.excluded.claimed_by,
            MemberClaim.claimed_until: insert.excluded.claimed_until,
        },
        # Taken over only from this desk, or from a desk whose lease has run out.
        where=or_(MemberClaim.claimed_by == desk, MemberClaim.claimed_until <= now),
    ).returning(MemberClaim.member_id, MemberClaim.claimed_until)


def _upsert(dialect: str) -> postgresql.Insert | sqlite.Insert:
    """The INSERT that can say what to do when the member is claimed already."""
    if dialect == "postgresql":
        return postgresql.insert(MemberClaim)
    if dialect == "sqlite":
        return sqlite.insert(MemberClaim)
    raise UserFacingError(f"Last Mile runs on SQLite or PostgreSQL, not {dialect}.")


def _release(session: Session, desk: str, keep: int | None = None) -> int:
    held = session.execute(
        delete(MemberClaim).where(
            MemberClaim.claimed_by == desk,
            MemberClaim.member_id != keep if keep is not None else true(),
        )
    )
    return cast(CursorResult[Any], held).rowcount


def _claimed_customer(
    order: Sequence[Candidate], card: CustomerCard, until: datetime
) -> ClaimedCustomer:
    place = next(place for place, c in enumerate(order) if c.member == card.member)
    return ClaimedCustomer(
        card=card,
        until=until,
        passed_over=tuple(c.member for c in order[:place]),
    )
