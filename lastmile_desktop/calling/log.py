"""Logging a call's outcome, and undoing it: the call desk's one write.

``log_outcome`` refuses, with a message and nothing written, an outcome that is missing
what it needs, a member who is finished, held out, on the do-not-call list or not assigned,
a time outside the campaign's start and now, and a member changed since the caller saw it
(``expected_version``: two people can never log on the same queue entry). What the outcome
does to the member comes from calling/life.py; Do not call also puts the customer on the
do-not-call list, which takes them out of every open campaign.

Each action is one transaction that takes SQLite's write lock first, so when it returns the
outcome is on disk (synchronous=FULL) and a second caller sees it.

An outcome sent again with the attempt id it was given when logged (``attempt_uuid``: the
outbox resends after a connection dropped, perhaps after the first try was committed) is
recorded once: the same call again is reported ``already_known``, a different call under
that id is refused (``AttemptConflictError``) and the recorded one stands.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    CursorResult,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lastmile_desktop.calling.hours import computer_zone, from_local, to_local
from lastmile_desktop.calling.life import (
    Call,
    FollowUp,
    MemberLife,
    after_call,
    bought_since_promise,
    check_transition,
    follow_up_due,
)
from lastmile_desktop.calling.lookup import manager_by_name, member_in_context
from lastmile_desktop.calling.member_facts import refresh_members
from lastmile_desktop.calling.outcomes import (
    NOT_INTERESTED_REASON_LABELS,
    NOT_INTERESTED_REASONS,
    OUTCOMES,
    Detail,
    Outcome,
    UnknownOutcomeError,
    label_of,
    outcome_by_code,
    outcome_for_key,
)
from lastmile_desktop.calling.seen import SeenMember
from lastmile_desktop.campaigns.access import AccessDenied, Profile, check_profile
from lastmile_desktop.campaigns.campaigns import current_script_version
from lastmile_desktop.campaigns.do_not_call import (
    add_entry_in_session,
    can_list_in_statements,
    lift_entry_in_session,
    listing_statements,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.defaults import CALL_NOTE_MAX_LENGTH
from lastmile_desktop.storage.models import (
    CallAttempt,
    CampaignMember,
    CampaignState,
    Customer,
    DoNotCall,
    Manager,
    MemberGroup,
    MemberStatus,
)
from lastmile_desktop.storage.types import utcnow

__all__ = [
    "BROUGHT_IN",
    "CLOCK_TOLERANCE",
    "NOT_INTERESTED_REASONS",
    "AttemptConflictError",
    "CallDetails",
    "LoggedCall",
    "Scheduled",
    "StaleMemberError",
    "check_call_details",
    "log_outcome",
    "put_on_do_not_call",
    "resolve_outcome",
    "undo_outcome",
]

# "Up to now": a call time a little ahead of this computer's clock (another PC's) is accepted.
CLOCK_TOLERANCE = timedelta(minutes=5)
DESK_SOURCE = "Call desk"
# Marks the snapshot of a call brought in from another database (calling/elsewhere.py).
BROUGHT_IN = "brought_in"
DO_NOT_CALL_REASON = "Asked on the phone not to be called again"


class StaleMemberError(UserFacingError):
    """The member changed since the caller saw it: someone else logged first."""


class AttemptConflictError(UserFacingError):
    """The attempt id is recorded already for another call: the recorded one stands."""


@dataclass(frozen=True)
class Scheduled:
    kind: str  # life.ScheduledKind value
    at: datetime  # aware UTC


@dataclass(frozen=True)
class LoggedCall:
    attempt: uuid.UUID
    member: uuid.UUID
    outcome: str  # the catalogue code
    called_at: datetime  # aware UTC
    status: str  # the member's status now
    version: int  # the member's version now
    next_due_at: datetime | None
    scheduled: Scheduled | None
    member_id: int  # the member's row, as the window's change events name members
    campaign_id: int
    follow_up: str | None = None  # "visit_reminder"/"promised_not_seen": not a counted attempt
    # The attempt id was recorded already with this very call (sent again): nothing written.
    already_known: bool = False


def resolve_outcome(text: str) -> Outcome:
    """An outcome by its catalogue code ("no_answer") or its desk key ("N")."""
    cleaned = text.strip()
    by_key = outcome_for_key(cleaned)
    if by_key is not None:
        return by_key
    try:
        return outcome_by_code(cleaned.lower())
    except UnknownOutcomeError:
        choices = ", ".join(f"{o.code} ({o.key})" for o in OUTCOMES)
        raise UserFacingError(f'"{text}" is not an outcome: use one of {choices}.') from None


def log_outcome(
    db: Database,
    profile: Profile,
    member: uuid.UUID,
    outcome: str,
    *,
    note: str | None = None,
    callback_at: datetime | None = None,
    visit_on: date | None = None,
    reason: str | None = None,
    at: datetime | None = None,
    expected_version: int | None = None,
    as_manager: str | None = None,
    attempt_uuid: uuid.UUID | None = None,
    seen: SeenMember | None = None,
) -> LoggedCall:
    """Record one call. ``at`` is when it happened (default now): any time from the
    campaign's start up to now, for a call sheet typed in later. ``attempt_uuid``: the id
    the call was given when it was logged, when it is sent again (see the module's notes).
    ``seen``: the member as the desk read it with the card (calling/seen.py): the outcome is
    then written without reading first, in one round trip to a server, unless the member,
    its campaign or the caller changed since, when it is read afresh and decided again."""
    chosen = resolve_outcome(outcome)
    now = utcnow()
    called_at = _aware(at, "the call time") if at is not None else now
    details = CallDetails.checked(chosen, note, callback_at, visit_on, reason, called_at)
    if seen is not None and _can_log_as_seen(profile, seen, chosen, expected_version, as_manager):
        try:
            return _log_as_seen(db, profile, seen, chosen, details, called_at, now, attempt_uuid)
        except (IntegrityError, _ChangedSinceSeen):
            pass  # changed since, or the id is recorded already: read, and say which
    with db.session() as session:
        check_profile(session, profile)
        row, campaign, customer, store = member_in_context(session, profile, member)
        if attempt_uuid is not None:
            # Before the version check: a first try that was committed moved the version on.
            known = session.scalars(
                select(CallAttempt).where(CallAttempt.uuid == attempt_uuid)
            ).first()
            if known is not None:
                caller = _caller(session, profile, as_manager)
                return _already_known(known, row, chosen, called_at, details, caller)
        if expected_version is not None and row.version != expected_version:
            raise StaleMemberError(
                "Someone else logged a call for this customer a moment ago: the queue is "
                "refreshed, check the customer's history before calling."
            )
        read = SeenMember.of(
            row,
            campaign,
            customer,
            store.timezone if store else None,
            current_script_version(session, campaign.id).id,
        )
        _check_can_be_called(read)
        _check_time(read, called_at, now)
        bought = (
            not read.life.is_open
            and row.promised_at is not None
            and bool(session.scalar(select(bought_since_promise(row.customer_id, row.promised_at))))
        )
        follow_up = _follow_up(read.life, called_at, bought)
        caller = _caller(session, profile, as_manager)
        try:
            logged = _record(
                session,
                read,
                chosen,
                details,
                called_at,
                now,
                caller_id=caller.id if caller is not None else None,
                attempt_uuid=attempt_uuid,
                follow_up=follow_up,
            )
        except (IntegrityError, _ChangedSinceSeen):
            # On a server, another computer changed the member between the read and the write.
            raise StaleMemberError(
                "Someone else changed this customer a moment ago: refresh the queue."
            ) from None
        if chosen.adds_to_do_not_call:
            attempt = session.scalars(
                select(CallAttempt).where(CallAttempt.uuid == logged.attempt)
            ).one()
            put_on_do_not_call(
                session, customer, attempt, caller.name if caller is not None else profile.name
            )
        return logged


class _ChangedSinceSeen(Exception):
    """The member, its campaign or the caller changed since the desk read them."""


def _can_log_as_seen(
    profile: Profile,
    seen: SeenMember,
    outcome: Outcome,
    expected_version: int | None,
    as_manager: str | None,
) -> bool:
    """Whether the outcome can be written from what the desk saw: the common case. A Do not
    call whose customer's phone or id SQL cannot compare as the list does, and a call logged
    for another manager take the path that reads first."""
    return (
        expected_version in (None, seen.version)
        and seen.script_version_id is not None
        and (
            not outcome.adds_to_do_not_call or can_list_in_statements(seen.phone, seen.external_id)
        )
        and as_manager is None
        and profile.can_see_store(seen.store_id)
    )


def _log_as_seen(  # noqa: PLR0917 (the call, and the member as seen)
    db: Database,
    profile: Profile,
    seen: SeenMember,
    outcome: Outcome,
    details: CallDetails,
    called_at: datetime,
    now: datetime,
    attempt_uuid: uuid.UUID | None,
) -> LoggedCall:
    _check_can_be_called(seen)
    _check_time(seen, called_at, now)
    follow_up = _follow_up(seen.life, called_at, seen.bought_since_promise)
    guards = [seen.campaign_unchanged()]
    if follow_up is not None:
        guards.append(seen.purchases_unchanged())  # what decided the follow-up
    if not profile.is_lead:
        # check_profile's condition, checked by the write itself.
        guards.append(
            exists().where(
                Manager.id == profile.manager_id,
                Manager.active.is_(True),
                Manager.store_id == profile.store_id,
            )
        )
    with db.one_flight() as connection:
        logged = _record(
            connection,
            seen,
            outcome,
            details,
            called_at,
            now,
            caller_id=profile.manager_id if not profile.is_lead else None,
            attempt_uuid=attempt_uuid,
            follow_up=follow_up,
            guards=guards,
        )
        if outcome.adds_to_do_not_call:
            # As put_on_do_not_call, in the same flight; added by the caller's name as stored.
            for statement in listing_statements(
                phone=seen.phone,
                customer_id=seen.external_id,
                reason=DO_NOT_CALL_REASON,
                source=DESK_SOURCE,
                added_by=profile.name
                if profile.is_lead
                else select(Manager.name).where(Manager.id == profile.manager_id).scalar_subquery(),
                added_at=now,
                attempt=logged.attempt,
                refuse_unless=seen.customer_unchanged(),
            ):
                connection.execute(statement)
        return logged


def _record(  # noqa: PLR0917 (the call, and the member it changes)
    executor: Session | Connection,
    seen: SeenMember,
    outcome: Outcome,
    details: CallDetails,
    called_at: datetime,
    now: datetime,
    *,
    caller_id: int | None,
    attempt_uuid: uuid.UUID | None,
    follow_up: FollowUp | None = None,
    guards: Sequence[ColumnElement[bool]] = (),
) -> LoggedCall:
    """Writes the call: the member moves on (if still at the version seen and ``guards``
    hold), the attempt is added, and the leaderboard's facts follow, all in the caller's
    transaction, with statements whose results are not read (so a server gets them in one
    flight: storage/one_flight.py)."""
    after = after_call(
        seen.life,
        Call(outcome, called_at, details.callback_at, details.visit_on, seen.zones, follow_up),
        seen.rules,
    )
    check_transition(seen.life.status, after.status)
    attempt = attempt_uuid if attempt_uuid is not None else uuid.uuid4()
    moved = (
        update(CampaignMember)
        .where(
            CampaignMember.id == seen.member_id,
            CampaignMember.version == seen.version,
            *guards,
        )
        .values(**after.columns(), version=seen.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    attempt_values = {
        "uuid": attempt,
        "manager_id": caller_id,
        "store_id": seen.store_id,
        "called_at": called_at,
        "logged_at": now,
        "outcome": outcome.code,
        "note": details.note,
        "callback_at": details.callback_at,
        "planned_visit_date": details.visit_on,
        "reason": details.reason,
        "follow_up": str(follow_up) if follow_up is not None else None,
        "timezone": ",".join(seen.zones),
        "member_before": {**seen.life.to_json(), "version": seen.version},
        "script_version_id": seen.script_version_id,
    }
    dialect = executor.get_bind().dialect if isinstance(executor, Session) else executor.dialect
    if dialect.name == "postgresql":
        # One statement: the attempt names the member as the guarded update returns it, so
        # a member changed since (nothing returned) leaves the attempt without a member,
        # which call_attempts' NOT NULL refuses: the whole transaction is undone.
        changed = moved.returning(CampaignMember.id).cte("moved")
        executor.execute(
            insert(CallAttempt)
            .values(member_id=select(changed.c.id).scalar_subquery(), **attempt_values)
            .inline()
        )
    else:
        if cast(CursorResult[Any], executor.execute(moved)).rowcount != 1:
            raise _ChangedSinceSeen
        executor.execute(insert(CallAttempt).values(member_id=seen.member_id, **attempt_values))
    # The leaderboard's facts move with the attempt, in this transaction.
    refresh_members(executor, [seen.member_id], all_called=True)
    return LoggedCall(
        attempt=attempt,
        member=seen.member,
        outcome=outcome.code,
        called_at=called_at,
        status=after.status,
        version=seen.version + 1,
        next_due_at=after.next_due_at,
        scheduled=(
            Scheduled(after.scheduled_kind, after.next_due_at)
            if after.scheduled_kind is not None and after.next_due_at is not None
            else None
        ),
        member_id=seen.member_id,
        campaign_id=seen.campaign_id,
        follow_up=str(follow_up) if follow_up is not None else None,
    )


def check_call_details(
    outcome: str,
    *,
    note: str | None = None,
    callback_at: datetime | None = None,
    visit_on: date | None = None,
    reason: str | None = None,
    at: datetime,
) -> Outcome:
    """What ``log_outcome`` refuses before reading the database (an unknown outcome, a
    missing callback time, a note too long...), for a call kept to be sent later."""
    chosen = resolve_outcome(outcome)
    CallDetails.checked(chosen, note, callback_at, visit_on, reason, _aware(at, "the call time"))
    return chosen


def undo_outcome(db: Database, profile: Profile, attempt: uuid.UUID) -> None:
    """Take back a customer's latest outcome: the attempt goes, the member is as it was
    before (a do-not-call entry the outcome added is lifted, with the reason kept)."""
    with db.session() as session:
        check_profile(session, profile)
        row = session.scalars(select(CallAttempt).where(CallAttempt.uuid == attempt)).first()
        if row is None:
            raise UserFacingError("That call is no longer recorded: it was undone already.")
        member = session.get_one(CampaignMember, row.member_id)
        if not profile.can_see_store(member.store_id):
            raise AccessDenied("You can only undo calls to your own store's customers.")
        if not profile.is_lead and row.manager_id not in (None, profile.manager_id):
            raise AccessDenied("You can only undo your own calls.")
        if row.member_before is None:
            raise UserFacingError(
                "This call was recorded before the call desk kept what it changed: it "
                "cannot be undone."
            )
        latest = session.scalar(
            select(func.max(CallAttempt.id)).where(CallAttempt.member_id == member.id)
        )
        if latest != row.id:
            raise UserFacingError(
                "A later call to this customer is recorded: only the latest outcome can be undone."
            )
        if row.member_before.get(BROUGHT_IN):
            raise UserFacingError(
                "This call was logged on another computer and brought in with its store's "
                "results: it cannot be undone here (importing those results again would bring "
                "it back)."
            )
        if member.version != int(row.member_before["version"]) + 1:
            raise StaleMemberError(
                "This customer changed after the call was logged (another call, or a "
                "reassignment): the outcome can no longer be undone."
            )
        entry_id = session.scalar(select(DoNotCall.id).where(DoNotCall.attempt_id == row.id))
        MemberLife.from_json(row.member_before).apply_to(member)
        member.updated_at = utcnow()
        session.flush()
        if entry_id is not None:
            lift_entry_in_session(
                session, entry_id, reason="the call outcome was undone", removed_by=profile.name
            )
        session.execute(
            update(DoNotCall).where(DoNotCall.attempt_id == row.id).values(attempt_id=None)
        )
        session.delete(row)
        session.flush()
        refresh_members(session, [member.id], all_called=True)


def _already_known(  # noqa: PLR0917 (the call as recorded, and as sent again)
    known: CallAttempt,
    member: CampaignMember,
    outcome: Outcome,
    called_at: datetime,
    details: CallDetails,
    caller: Manager | None,
) -> LoggedCall:
    """The recorded attempt, when it is the call sent again; else AttemptConflictError."""
    differences = [
        what
        for what, recorded, sent in (
            ("customer", known.member_id, member.id),
            ("outcome", known.outcome, outcome.code),
            ("time of the call", known.called_at, called_at),
            ("note", known.note, details.note),
            ("callback time", known.callback_at, details.callback_at),
            ("planned visit", known.planned_visit_date, details.visit_on),
            ("reason", known.reason, details.reason),
            ("caller", known.manager_id, caller.id if caller is not None else None),
        )
        if recorded != sent
    ]
    if differences:
        raise AttemptConflictError(
            f"A call with this id is recorded already, with another {' and '.join(differences)}"
            ": the recorded call is kept and this one was not saved."
        )
    return LoggedCall(
        attempt=known.uuid,
        member=member.uuid,
        outcome=known.outcome,
        called_at=called_at,
        status=member.status,
        version=member.version,
        next_due_at=member.next_due_at,
        scheduled=None,
        member_id=member.id,
        campaign_id=member.campaign_id,
        follow_up=known.follow_up,
        already_known=True,
    )


# --- checks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallDetails:
    """What goes with an outcome, checked against what the outcome asks for (``checked``
    refuses, with the sentence to show, a detail missing, not asked for or out of place)."""

    note: str | None
    callback_at: datetime | None
    visit_on: date | None
    reason: str | None

    @classmethod
    def checked(  # noqa: PLR0917 (the details as the caller gave them)
        cls,
        outcome: Outcome,
        note: str | None,
        callback_at: datetime | None,
        visit_on: date | None,
        reason: str | None,
        called_at: datetime,
    ) -> CallDetails:
        text = (note or "").strip() or None
        if text is not None and len(text) > CALL_NOTE_MAX_LENGTH:
            raise UserFacingError(f"Shorten the note to {CALL_NOTE_MAX_LENGTH} characters.")
        asked = set(outcome.needs)
        if callback_at is not None and Detail.CALLBACK_TIME not in asked:
            raise UserFacingError(
                f"A callback time goes with Callback requested, not {outcome.label}."
            )
        if visit_on is not None and Detail.PLANNED_VISIT_DATE not in asked:
            raise UserFacingError(f"A visit date goes with Accepted offer, not {outcome.label}.")
        if reason is not None and Detail.REASON not in asked:
            raise UserFacingError(f"A reason goes with Not interested, not {outcome.label}.")
        when = None
        if Detail.CALLBACK_TIME in outcome.required:
            if callback_at is None:
                raise UserFacingError(
                    "Callback requested needs the date and time to call back "
                    "(--callback-at 2025-03-14T17:30)."
                )
            when = _aware(callback_at, "the callback time")
            if when <= called_at:
                raise UserFacingError(
                    "The callback time is not after the call: give a time still to come."
                )
        if visit_on is not None and visit_on < to_local(called_at, computer_zone()).date():
            raise UserFacingError(
                f"The planned visit ({visit_on:%Y-%m-%d}) is before the call: give the day "
                "the customer means to come."
            )
        code = None
        if Detail.REASON in outcome.required:
            code = _reason_code(reason)
        return cls(text, when, visit_on, code)


def _reason_code(reason: str | None) -> str:
    choices = ", ".join(NOT_INTERESTED_REASONS)
    if reason is None or not reason.strip():
        raise UserFacingError(f"Not interested needs a reason: one of {choices}.")
    wanted = reason.strip().casefold()
    for code in NOT_INTERESTED_REASONS:
        if wanted in (code, NOT_INTERESTED_REASON_LABELS[code].casefold()):
            return code
    raise UserFacingError(f'"{reason}" is not a reason for Not interested: use one of {choices}.')


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{what} must carry its time zone (UTC inside, local on screen)")
    return moment.astimezone(UTC)


def _check_can_be_called(seen: SeenMember) -> None:
    if seen.campaign_state != CampaignState.OPEN:
        raise UserFacingError(
            f'The campaign "{seen.campaign_name}" is closed: reopen it to log calls.'
        )
    if seen.group == MemberGroup.HOLDOUT:
        raise UserFacingError(
            "This customer is in the holdout group, which is never called: nothing was logged."
        )
    if seen.life.status == MemberStatus.SUPPRESSED:
        raise UserFacingError("This customer is on the do-not-call list: nothing was logged.")
    if seen.life.status == MemberStatus.UNASSIGNED or seen.group is None:
        raise UserFacingError(
            "This customer is not assigned yet (Assign now on the Assign page): nothing was logged."
        )


def _check_time(seen: SeenMember, called_at: datetime, now: datetime) -> None:
    if called_at > now + CLOCK_TOLERANCE:
        raise UserFacingError(
            f"The call time {called_at:%Y-%m-%d %H:%M} UTC is in the future: give the time "
            "the call happened."
        )
    if seen.campaign_start is not None:
        start = from_local(datetime.combine(seen.campaign_start, time(0, 0)), computer_zone())
        if called_at < start:
            raise UserFacingError(
                f"The call time is before the campaign started ({seen.campaign_start:%Y-%m-%d})"
                ": check the date."
            )


def _follow_up(life: MemberLife, called_at: datetime, bought: bool) -> FollowUp | None:
    """None for an open member; the follow-up call a finished one waits for; else refused.
    ``bought``: the customer bought since promising to come."""
    if life.is_open:
        return None
    today = to_local(called_at, computer_zone()).date()
    follow_up = follow_up_due(life, called_at, today, bought)
    if follow_up is None:
        raise UserFacingError(
            "This customer's calls are finished for this campaign (last outcome: "
            f"{label_of(life.last_outcome)}): nothing was logged."
        )
    return follow_up


def _caller(session: Session, profile: Profile, as_manager: str | None) -> Manager | None:
    """Who made the call: the signed-in manager, or the manager the lead names."""
    if not profile.is_lead:
        me = session.get_one(Manager, profile.manager_id)
        if as_manager and manager_by_name(session, as_manager, profile.store_id).id != me.id:
            raise AccessDenied("You can only log your own calls.")
        return me
    if as_manager:
        return manager_by_name(session, as_manager)
    return None


def put_on_do_not_call(
    session: Session,
    customer: Customer,
    attempt: CallAttempt,
    added_by: str,
    source: str = DESK_SOURCE,
) -> None:
    """A Do not call outcome puts the customer on the list (and so out of every open
    campaign); the entry remembers the attempt, so undoing the outcome lifts it."""
    added = add_entry_in_session(
        session,
        phone=customer.phone,
        customer_id=customer.external_id,
        reason=DO_NOT_CALL_REASON,
        source=source,
        added_by=added_by,
    )
    if not added.already_listed:
        session.get_one(DoNotCall, added.entry.id).attempt_id = attempt.id
