"""A campaign member's life: its states, the moves allowed between them, what each call
outcome books next, and what "called" means. Defined here once.

Every service that changes a member's status (assignment, hand back, do-not-call, the call
desk's log and undo) and the demo generator go through this module, so the rules cannot
drift apart:

- A member waits UNASSIGNED until the lead's assignment puts it in the HOLDOUT (never
  called) or the call group (TO_CALL). The first counted attempt makes it IN_PROGRESS.
- Busy, No answer and Interested book a retry once the campaign's cool-down has passed.
  After a voicemail the customer is tried once more at most: a second unanswered try ends
  the calls. The campaign's attempt limit ends them too (a callback the customer asked for
  is still honoured, up to ``CALLBACK_GRACE`` attempts past the limit).
- Callback requested books a call at the time the customer gave.
- Final outcomes make the member DONE. Accepted offer with a planned visit books a short
  reminder call for the day before the visit, due from the start of that day's calling
  hours; a visit day that passes with no purchase since the promise is offered once as
  "promised but not seen". These two follow-up calls are not attempts: they never count
  towards the limit, and their outcome only changes what the member is waiting for.
- Do not call (the list, or the outcome) takes a waiting member out: SUPPRESSED. Lifting
  the entry puts it back where it was.

"Called" means at least one counted attempt: ``attempts > 0`` (``called_condition`` in SQL).
A promise is kept once the customer buys at or after it (``bought_since_promise``); a promise
whose visit day has passed with no such purchase is "promised but not seen"
(``promised_not_seen_condition``, the leaderboard's gap; ``follow_up_due`` offers the call).
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session

from lastmile_desktop.calling.hours import (
    DEFAULT_CALLING_HOURS,
    CallingHours,
    start_of_calling_day,
    to_local,
)
from lastmile_desktop.calling.outcomes import (
    ACCEPTED_OFFER,
    LEFT_VOICEMAIL,
    Outcome,
    Schedule,
    ending_codes,
)
from lastmile_desktop.storage.defaults import DEFAULT_COOL_DOWN_HOURS, DEFAULT_MAX_ATTEMPTS
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    MemberGroup,
    MemberStatus,
    Purchase,
)

# A callback the customer asked for is honoured this many attempts past the campaign's limit.
CALLBACK_GRACE = 2

# Members a caller still has to work on.
OPEN_STATUSES: tuple[MemberStatus, ...] = (MemberStatus.TO_CALL, MemberStatus.IN_PROGRESS)
# Members the do-not-call list takes out: everyone still waiting for a call. Finished members
# keep their result, and the holdout is never called anyway (its status, and so the lift
# measurement, stays as it is).
SUPPRESSIBLE_STATUSES: tuple[MemberStatus, ...] = (MemberStatus.UNASSIGNED, *OPEN_STATUSES)

# Which status may follow which. Moves back (DONE -> IN_PROGRESS...) are an undone outcome or
# a follow-up call reopening the member; SUPPRESSED -> anything is a lifted do-not-call entry.
TRANSITIONS: dict[MemberStatus, frozenset[MemberStatus]] = {
    MemberStatus.UNASSIGNED: frozenset(
        {
            MemberStatus.UNASSIGNED,
            MemberStatus.TO_CALL,
            MemberStatus.IN_PROGRESS,
            MemberStatus.HOLDOUT,
            MemberStatus.SUPPRESSED,
        }
    ),
    MemberStatus.TO_CALL: frozenset(
        {
            MemberStatus.TO_CALL,
            MemberStatus.IN_PROGRESS,
            MemberStatus.DONE,
            MemberStatus.HOLDOUT,
            MemberStatus.UNASSIGNED,
            MemberStatus.SUPPRESSED,
        }
    ),
    MemberStatus.IN_PROGRESS: frozenset(
        {
            MemberStatus.TO_CALL,
            MemberStatus.IN_PROGRESS,
            MemberStatus.DONE,
            MemberStatus.UNASSIGNED,
            MemberStatus.SUPPRESSED,
        }
    ),
    MemberStatus.DONE: frozenset(
        {MemberStatus.DONE, MemberStatus.IN_PROGRESS, MemberStatus.TO_CALL}
    ),
    MemberStatus.HOLDOUT: frozenset({MemberStatus.HOLDOUT, MemberStatus.TO_CALL}),
    MemberStatus.SUPPRESSED: frozenset(
        {
            MemberStatus.SUPPRESSED,
            MemberStatus.UNASSIGNED,
            MemberStatus.TO_CALL,
            MemberStatus.IN_PROGRESS,
            MemberStatus.HOLDOUT,
        }
    ),
}


class IllegalTransition(ValueError):
    """A service tried a move the member's life does not allow: a bug, not a user error."""


class ScheduledKind(enum.StrEnum):
    """What the call booked in ``next_due_at`` is."""

    CALLBACK = "callback"  # at the time the customer asked for
    VISIT_REMINDER = "visit_reminder"  # the day before a promised visit
    RETRY = "retry"  # once the cool-down has passed


class FollowUp(enum.StrEnum):
    """A call to a finished member that is not an attempt (and does not count as one)."""

    VISIT_REMINDER = "visit_reminder"
    PROMISED_NOT_SEEN = "promised_not_seen"


class OverviewStage(enum.StrEnum):
    """Where a member stands in the Assign page's overview: exactly one of these.

    A store's list = holdout + call group + waiting + taken out, and its call group
    = done + left. (Called, at least one attempt, cuts across done and left.)
    """

    WAITING = "waiting"  # not drawn yet, or waiting for a store (the Unassigned bucket)
    HOLDOUT = "holdout"
    DONE = "done"  # in the call group, finished: no more calls in this campaign
    LEFT = "left"  # in the call group, still to call: not called yet, or to try again
    TAKEN_OUT = "taken_out"  # on the do-not-call list before the draw


@dataclass(frozen=True)
class CampaignRules:
    """The campaign settings a member's life depends on."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    cool_down_hours: int = DEFAULT_COOL_DOWN_HOURS
    calling_hours: CallingHours = DEFAULT_CALLING_HOURS

    @classmethod
    def of(cls, campaign: Campaign) -> CampaignRules:
        return cls(
            max_attempts=campaign.max_attempts,
            cool_down_hours=campaign.min_hours_between_attempts,
            calling_hours=CallingHours.from_minutes(
                campaign.calling_hours_start, campaign.calling_hours_end
            ),
        )

    @property
    def cool_down(self) -> timedelta:
        return timedelta(hours=self.cool_down_hours)


@dataclass(frozen=True)
class MemberLife:
    """The part of a member its calls change (the columns of ``campaign_members``)."""

    status: MemberStatus
    attempts: int = 0
    next_due_at: datetime | None = None
    scheduled_kind: ScheduledKind | None = None
    last_outcome: str | None = None
    visit_date: date | None = None
    promised_at: datetime | None = None
    promise_followed_up: bool = False
    voicemail_left: bool = False

    @classmethod
    def of(cls, member: CampaignMember) -> MemberLife:
        return cls(
            status=MemberStatus(member.status),
            attempts=member.attempts,
            next_due_at=member.next_due_at,
            scheduled_kind=ScheduledKind(member.scheduled_kind) if member.scheduled_kind else None,
            last_outcome=member.last_outcome,
            visit_date=member.visit_date,
            promised_at=member.promised_at,
            promise_followed_up=member.promise_followed_up,
            voicemail_left=member.voicemail_left,
        )

    def columns(self) -> dict[str, Any]:
        """The values to write into the member's row."""
        values = asdict(self)
        values["status"] = str(self.status)
        values["scheduled_kind"] = str(self.scheduled_kind) if self.scheduled_kind else None
        return values

    def apply_to(self, member: CampaignMember) -> None:
        check_transition(MemberStatus(member.status), self.status)
        for name, value in self.columns().items():
            setattr(member, name, value)

    def to_json(self) -> dict[str, Any]:
        """A snapshot an attempt keeps, so undoing its outcome restores the member exactly."""
        values = self.columns()
        for name in ("next_due_at", "promised_at", "visit_date"):
            if values[name] is not None:
                values[name] = values[name].isoformat()
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> MemberLife:
        def moment(text: str | None) -> datetime | None:
            return datetime.fromisoformat(text) if text else None

        def day(text: str | None) -> date | None:
            return date.fromisoformat(text) if text else None

        return cls(
            status=MemberStatus(values["status"]),
            attempts=int(values["attempts"]),
            next_due_at=moment(values.get("next_due_at")),
            scheduled_kind=(
                ScheduledKind(values["scheduled_kind"]) if values.get("scheduled_kind") else None
            ),
            last_outcome=values.get("last_outcome"),
            visit_date=date.fromisoformat(values["visit_date"])
            if values.get("visit_date")
            else None,
            promised_at=moment(values.get("promised_at")),
            promise_followed_up=bool(values.get("promise_followed_up")),
            voicemail_left=bool(values.get("voicemail_left")),
        )

    @property
    def is_open(self) -> bool:
        return is_open(self.status)

    @property
    def called(self) -> bool:
        return is_called(self.attempts)


@dataclass(frozen=True)
class Call:
    """One call as the caller reports it."""

    outcome: Outcome
    called_at: datetime  # aware
    callback_at: datetime | None = None
    visit_on: date | None = None
    # The customer's time zones (calling/hours.customer_zones), for the reminder's time.
    zones: tuple[str, ...] = ()
    follow_up: FollowUp | None = None  # None: a counted attempt


# --- the definitions --------------------------------------------------------------------------


def is_called(attempts: int) -> bool:
    """The one definition of "called": at least one counted attempt."""
    return attempts > 0


def called_condition() -> ColumnElement[bool]:
    """``is_called`` as a WHERE clause on ``campaign_members``."""
    return CampaignMember.attempts > 0


def campaign_has_calls(session: Session, campaign_id: int) -> bool:
    """True once any member of the campaign was called (the holdout share then locks)."""
    called = exists().where(CampaignMember.campaign_id == campaign_id, called_condition())
    return bool(session.scalar(select(called)))


def bought_since_promise(
    customer_id: Any, promised_at: Any, before: datetime | None = None
) -> ColumnElement[bool]:
    """The customer bought at or after the promise (and before ``before``, when given)."""
    conditions = [Purchase.customer_id == customer_id, Purchase.purchased_at >= promised_at]
    if before is not None:
        conditions.append(Purchase.purchased_at < before)
    return exists().where(*conditions)


def promised_not_seen_condition(
    customer_id: Any,
    visit_date: Any,
    promised_at: Any,
    visits_before: date,
    end: datetime | None = None,
) -> ColumnElement[bool]:
    """A promise made (before ``end``) whose visit day is before ``visits_before`` (the day
    has passed: ``promise_pending``'s "before today"), with no purchase since the promise
    (up to ``end``). Over a member's ``visit_date`` and ``promised_at`` (or columns so named)."""
    conditions = [visit_date.is_not(None), visit_date < visits_before]
    if end is not None:
        conditions.append(promised_at < end)
    return and_(*conditions, ~bought_since_promise(customer_id, promised_at, end))


def is_open(status: MemberStatus | str) -> bool:
    """Still waiting for a call: to call, or tried and to be tried again."""
    return status in OPEN_STATUSES


def open_status(attempts: int) -> MemberStatus:
    """The status of a call-group member who is waiting for (more) calls."""
    return MemberStatus.IN_PROGRESS if is_called(attempts) else MemberStatus.TO_CALL


def is_untried(status: MemberStatus, attempts: int) -> bool:
    """Never called and still drawable: may change group while the holdout share may."""
    return not is_called(attempts) and status in (MemberStatus.TO_CALL, MemberStatus.HOLDOUT)


def status_after_release(group: str | None, attempts: int) -> MemberStatus:
    """Where a member goes back to when the do-not-call entry that took it out is lifted."""
    if group == MemberGroup.HOLDOUT:
        return MemberStatus.HOLDOUT
    if group == MemberGroup.CALL:
        return open_status(attempts)
    return MemberStatus.UNASSIGNED  # never assigned: the next assignment picks it up


def check_transition(old: MemberStatus | str, new: MemberStatus | str) -> None:
    if MemberStatus(new) not in TRANSITIONS[MemberStatus(old)]:
        raise IllegalTransition(f"a member cannot go from {old} to {new}")


def overview_stage(group: str | None, status: str) -> OverviewStage:
    if group == MemberGroup.HOLDOUT:
        return OverviewStage.HOLDOUT
    if group == MemberGroup.CALL:
        if is_open(status):
            return OverviewStage.LEFT
        if status in (MemberStatus.DONE, MemberStatus.SUPPRESSED):
            return OverviewStage.DONE
        return OverviewStage.WAITING  # handed back: waits for a store again
    if status == MemberStatus.SUPPRESSED:
        return OverviewStage.TAKEN_OUT
    return OverviewStage.WAITING


# --- what a call changes -----------------------------------------------------------------------


def is_finished(life: MemberLife) -> bool:
    """No more attempts in this campaign (a follow-up call may still be waiting)."""
    return life.status in (MemberStatus.DONE, MemberStatus.SUPPRESSED, MemberStatus.HOLDOUT)


def promise_pending(life: MemberLife, today: date) -> bool:
    """A promised visit day has passed and the member was not yet followed up on it.

    Whether the customer bought since the promise is the caller's to check (purchases).
    """
    return (
        life.status == MemberStatus.DONE
        and life.visit_date is not None
        and life.visit_date < today
        and not life.promise_followed_up
    )


def follow_up_due(
    life: MemberLife, at: datetime, today: date, bought_since_promise: bool
) -> FollowUp | None:
    """The follow-up call a finished member is waiting for at ``at``, if any."""
    if life.status != MemberStatus.DONE:
        return None
    # Once the visit day is over, a reminder never made is stale: the call is about the visit
    # not seen, as the queue offers it.
    if promise_pending(life, today):
        return None if bought_since_promise else FollowUp.PROMISED_NOT_SEEN
    if (
        life.scheduled_kind is ScheduledKind.VISIT_REMINDER
        and life.next_due_at is not None
        and life.next_due_at <= at
    ):
        return FollowUp.VISIT_REMINDER
    return None


def visit_reminder_at(
    visit_on: date, called_at: datetime, zones: tuple[str, ...], hours: CallingHours
) -> datetime | None:
    """When the reminder for a visit on ``visit_on`` is due: the start of calling hours the
    day before. None when that day is not after the day of the call (nothing to remind)."""
    day_before = visit_on - timedelta(days=1)
    call_day = min(to_local(called_at, zone).date() for zone in zones) if zones else None
    if call_day is not None and day_before <= call_day:
        return None
    due = start_of_calling_day(day_before, zones, hours)
    return due if due > called_at else None


def _with_promise(life: MemberLife, call: Call, rules: CampaignRules) -> MemberLife:
    """An accepted offer: the promised visit and its reminder, if a day was given."""
    if call.visit_on is None:
        if call.follow_up is not None:  # a reminder answered "yes" again: the promise stands
            return life
        return replace(life, visit_date=None, promised_at=None, promise_followed_up=False)
    reminder = visit_reminder_at(call.visit_on, call.called_at, call.zones, rules.calling_hours)
    return replace(
        life,
        visit_date=call.visit_on,
        promised_at=call.called_at,
        promise_followed_up=False,
        next_due_at=reminder,
        scheduled_kind=ScheduledKind.VISIT_REMINDER if reminder is not None else None,
    )


def after_call(life: MemberLife, call: Call, rules: CampaignRules) -> MemberLife:
    """The member once ``call`` is logged. Pure: the caller writes the result."""
    outcome = call.outcome
    counted = call.follow_up is None
    attempts = life.attempts + (1 if counted else 0)
    voicemail_before = life.voicemail_left
    after = replace(
        life,
        attempts=attempts,
        last_outcome=outcome.code,
        next_due_at=None,
        scheduled_kind=None,
        voicemail_left=life.voicemail_left or outcome is LEFT_VOICEMAIL,
    )
    if call.follow_up is FollowUp.PROMISED_NOT_SEEN:
        after = replace(after, promise_followed_up=True)

    if outcome.schedules is Schedule.CALLBACK:
        if counted and attempts >= rules.max_attempts + CALLBACK_GRACE:
            return replace(after, status=MemberStatus.DONE)
        return replace(
            after,
            status=MemberStatus.IN_PROGRESS,
            next_due_at=call.callback_at,
            scheduled_kind=ScheduledKind.CALLBACK,
            visit_date=None,
            promised_at=None,
        )
    if outcome.ends_calls:
        after = replace(after, status=MemberStatus.DONE)
        if outcome is ACCEPTED_OFFER:
            return _with_promise(after, call, rules)
        return replace(after, visit_date=None, promised_at=None)
    # A retry once the cool-down has passed.
    if not counted:
        # A follow-up call that reached nobody, or a vague answer: the member stays finished
        # with its promise; the follow-up is done.
        return replace(after, status=life.status, last_outcome=life.last_outcome)
    limit_reached = attempts >= rules.max_attempts
    second_try_after_voicemail = voicemail_before and not outcome.reached
    if limit_reached or second_try_after_voicemail:
        return replace(after, status=MemberStatus.DONE)
    return replace(
        after,
        status=MemberStatus.IN_PROGRESS,
        next_due_at=call.called_at + rules.cool_down,
        scheduled_kind=ScheduledKind.RETRY,
    )


def ended_by_limit(life: MemberLife) -> bool:
    """Finished because the tries ran out rather than by an outcome that ends calls."""
    return life.status == MemberStatus.DONE and life.last_outcome not in ending_codes()


def describe(life: MemberLife) -> str:
    """The member's state in a few words, for the card and the command line."""
    match life.status:
        case MemberStatus.UNASSIGNED:
            return "Waiting for assignment"
        case MemberStatus.HOLDOUT:
            return "Holdout: never called"
        case MemberStatus.SUPPRESSED:
            return "Do not call"
        case MemberStatus.TO_CALL:
            return "Not called yet"
        case MemberStatus.IN_PROGRESS:
            if life.scheduled_kind is ScheduledKind.CALLBACK:
                return "Callback booked"
            return "To try again"
    if ended_by_limit(life):
        return "Finished: no more tries"
    if life.scheduled_kind is ScheduledKind.VISIT_REMINDER:
        return "Finished: visit reminder booked"
    return "Finished"
