"""Calls logged in another database (a store's own computer), brought into this one.

A store that works offline logs its calls in its own database, and its results come back
to the region's (packs/results_in.py). Each call then counts as if it had been logged here
when it was made: the member's life (life.py) is replayed through its calls, the ones
recorded here and the ones brought in, in the order they happened, and its facts
(member_facts.py) are refreshed, so the member ends as it would had every call been logged
in one database. A Do not call outcome puts the customer on this database's list, as
logging it does (log.py).

The replay starts from the member as it was before the first call recorded here that comes
after the earliest call brought in (the snapshot that call keeps, ``member_before``), or
from the member as it is when no recorded call comes later. What the calls did not do
stands: a member taken out since (do-not-call list, handed back to the lead) is replayed as
if still waiting, and goes back out unless its calls ended it.

A call this history leaves no room for (a counted attempt after the member's calls had
ended, on the holdout, or one that would leave a call recorded here without room) is
refused with the reason, and nothing of it is written. A call brought in is not undone
here: importing the same results again would bring it back.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lastmile_desktop.calling.life import (
    Call,
    CampaignRules,
    FollowUp,
    MemberLife,
    after_call,
    open_status,
)
from lastmile_desktop.calling.log import BROUGHT_IN, put_on_do_not_call
from lastmile_desktop.calling.member_facts import refresh_members
from lastmile_desktop.calling.outcomes import Outcome, label_of, outcome_by_code
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    Customer,
    MemberGroup,
    MemberStatus,
)
from lastmile_desktop.storage.types import utcnow

__all__ = [
    "BroughtIn",
    "CallFromElsewhere",
    "bring_in_calls",
    "call_of",
    "replay",
    "room_for",
]

_CHUNK = 500  # members read per statement: under every database's limit of parameters
# Statuses a member is put in by something other than its calls.
_TAKEN_OUT = (MemberStatus.SUPPRESSED, MemberStatus.UNASSIGNED)


@dataclass(frozen=True)
class CallFromElsewhere:
    """One call as another database recorded it, its references turned into this one's."""

    uuid: uuid.UUID
    member_id: int
    outcome: Outcome
    called_at: datetime  # aware UTC
    logged_at: datetime | None = None
    note: str | None = None
    callback_at: datetime | None = None
    planned_visit_date: date | None = None
    reason: str | None = None
    follow_up: FollowUp | None = None  # None: a counted attempt
    zones: tuple[str, ...] = ()  # the customer's time zones the call was logged with
    manager_id: int | None = None
    manager_name: str | None = None  # who puts a Do not call customer on the list
    store_id: int | None = None
    script_version_id: int | None = None

    @property
    def call(self) -> Call:
        return Call(
            self.outcome,
            self.called_at,
            self.callback_at,
            self.planned_visit_date,
            self.zones,
            self.follow_up,
        )


@dataclass(frozen=True)
class BroughtIn:
    added: tuple[uuid.UUID, ...]  # in the order given
    refused: dict[uuid.UUID, str]  # the call, and why this database has no room for it
    members: tuple[int, ...]  # the members whose calls were added


def call_of(attempt: CallAttempt) -> Call:
    """A recorded attempt as the member's life saw it when it was logged."""
    zones = tuple(zone for zone in (attempt.timezone or "").split(",") if zone)
    return Call(
        outcome_by_code(attempt.outcome),
        attempt.called_at.astimezone(UTC),
        attempt.callback_at,
        attempt.planned_visit_date,
        zones,
        FollowUp(attempt.follow_up) if attempt.follow_up else None,
    )


def room_for(life: MemberLife, call: Call) -> str | None:
    """Why ``call`` could not have been logged on a member living ``life`` (None: it could).

    The call desk's rule (log.py): a counted attempt needs a member still waiting for calls;
    a follow-up call (a visit reminder, "promised but not seen") one whose calls ended.
    """
    if call.follow_up is not None:
        if life.status != MemberStatus.DONE:
            return "a follow-up call, but the customer's calls had not ended by then here"
        return None
    if life.is_open:
        return None
    match life.status:
        case MemberStatus.HOLDOUT:
            return "the customer is in the holdout group here, which is never called"
        case MemberStatus.UNASSIGNED:
            return "the customer is not assigned to a store here"
        case MemberStatus.SUPPRESSED:
            return "the customer is on the do-not-call list here"
    return (
        "the customer's calls had already ended here by then (last outcome: "
        f"{label_of(life.last_outcome)})"
    )


def replay(life: MemberLife, calls: Iterable[Call], rules: CampaignRules) -> list[MemberLife]:
    """The member before each call and, last, after them all (life.py's ``after_call``)."""
    lives = [life]
    for call in calls:
        lives.append(after_call(lives[-1], call, rules))
    return lives


def bring_in_calls(
    session: Session, calls: Sequence[CallFromElsewhere], *, source: str, added_by: str
) -> BroughtIn:
    """Add ``calls`` (none of them recorded here yet) to their members, in the caller's
    transaction, and refresh the members' facts. ``source`` and ``added_by`` (when a call
    names no manager) go on the do-not-call entries the calls' outcomes add."""
    by_member: dict[int, list[CallFromElsewhere]] = defaultdict(list)
    for call in calls:
        by_member[call.member_id].append(call)
    refused: dict[uuid.UUID, str] = {}
    added: set[uuid.UUID] = set()
    touched: list[int] = []
    ids = sorted(by_member)
    rules_of: dict[int, CampaignRules] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        members = session.scalars(select(CampaignMember).where(CampaignMember.id.in_(chunk)))
        recorded: dict[int, list[CallAttempt]] = defaultdict(list)
        for attempt in session.scalars(
            select(CallAttempt)
            .where(CallAttempt.member_id.in_(chunk))
            .order_by(CallAttempt.member_id, CallAttempt.called_at, CallAttempt.id)
        ):
            recorded[attempt.member_id].append(attempt)
        for member in list(members):
            if member.campaign_id not in rules_of:
                campaign = session.get_one(Campaign, member.campaign_id)
                rules_of[member.campaign_id] = CampaignRules.of(campaign)
            merge = _MemberMerge(member, recorded[member.id], rules_of[member.campaign_id])
            kept, not_kept = merge.fit(by_member[member.id])
            refused.update(not_kept)
            if kept:
                new_attempts = merge.write(session, kept)
                _do_not_call(session, member, kept, new_attempts, source=source, added_by=added_by)
                added.update(call.uuid for call in kept)
                touched.append(member.id)
    session.flush()
    refresh_members(session, touched)
    return BroughtIn(
        added=tuple(call.uuid for call in calls if call.uuid in added),
        refused=refused,
        members=tuple(touched),
    )


# ---------------------------------------------------------------------------------------------
# One member


@dataclass(frozen=True)
class _Step:
    """A call in the member's history: recorded here (``attempt``) or brought in (``new``)."""

    call: Call
    attempt: CallAttempt | None = None
    new: CallFromElsewhere | None = None

    @property
    def order(self) -> tuple[datetime, int, str]:
        # Calls at the same moment: the one recorded here first, as it was logged first.
        if self.attempt is not None:
            return (self.call.called_at, 0, f"{self.attempt.id:020d}")
        assert self.new is not None
        return (self.call.called_at, 1, str(self.new.uuid))


class _MemberMerge:
    """The calls brought in for one member, fitted into the calls recorded here."""

    def __init__(
        self, member: CampaignMember, recorded: list[CallAttempt], rules: CampaignRules
    ) -> None:
        self.member = member
        self.recorded = recorded
        self.rules = rules
        self.taken_out = (
            MemberStatus(member.status) in _TAKEN_OUT and member.group == MemberGroup.CALL
        )
        self.base = MemberLife.of(member)
        self.later: list[_Step] = []
        self.fitting_alone: set[int] = set()

    def fit(
        self, calls: list[CallFromElsewhere]
    ) -> tuple[list[CallFromElsewhere], dict[uuid.UUID, str]]:
        """The calls that fit the member's history, in time order, and the ones that do not."""
        calls = sorted(calls, key=lambda call: (call.called_at, str(call.uuid)))
        self._start_before(calls[0].called_at)
        kept: list[CallFromElsewhere] = []
        refused: dict[uuid.UUID, str] = {}
        for call in calls:
            problem = self._problem_with([*kept, call], call)
            if problem is None:
                kept.append(call)
            else:
                refused[call.uuid] = problem
        return kept, refused

    def _start_before(self, earliest: datetime) -> None:
        """Where the replay starts: the life before the first recorded call after
        ``earliest``, kept by that call; the member now when none comes later; the member
        before any call when a later call kept no snapshot (then every call is replayed)."""
        later = [a for a in self.recorded if a.called_at.astimezone(UTC) > earliest]
        if later and later[0].member_before is not None:
            self.base = MemberLife.from_json(later[0].member_before)
        elif later:
            later = list(self.recorded)
            self.base = (
                MemberLife(status=MemberStatus.TO_CALL)
                if self.member.group == MemberGroup.CALL
                else MemberLife(status=MemberStatus(self.member.status))
            )
        if self.taken_out and self.base.status in _TAKEN_OUT:
            self.base = replace(self.base, status=open_status(self.base.attempts))
        self.later = [_Step(call_of(attempt), attempt=attempt) for attempt in later]
        # Recorded calls that lack room on their own (changes that were not calls came
        # between) are applied as they are, never held against a call brought in.
        life = self.base
        for step in self.later:
            assert step.attempt is not None
            if room_for(life, step.call) is None:
                self.fitting_alone.add(step.attempt.id)
            life = after_call(life, step.call, self.rules)

    def _steps(self, calls: list[CallFromElsewhere]) -> list[_Step]:
        brought = [_Step(call.call, new=call) for call in calls]
        return sorted([*self.later, *brought], key=lambda step: step.order)

    def _problem_with(
        self, calls: list[CallFromElsewhere], candidate: CallFromElsewhere
    ) -> str | None:
        life = self.base
        for step in self._steps(calls):
            problem = room_for(life, step.call)
            if problem is not None:
                if step.new is candidate:
                    return problem
                if step.attempt is not None and step.attempt.id in self.fitting_alone:
                    when = step.call.called_at
                    return (
                        f"it leaves no room for the call recorded here at {when:%Y-%m-%d %H:%M} "
                        f"UTC ({step.call.outcome.label}): {problem}"
                    )
            life = after_call(life, step.call, self.rules)
        return None

    def write(self, session: Session, calls: list[CallFromElsewhere]) -> list[CallAttempt]:
        """Record ``calls`` (that fit) and give the member the life its calls now make."""
        steps = self._steps(calls)
        lives = replay(self.base, (step.call for step in steps), self.rules)
        version = self.member.version
        added: list[CallAttempt] = []
        for step, before in zip(steps, lives[:-1], strict=True):
            if step.attempt is not None:
                if step.attempt.member_before is not None:
                    # The snapshot of the life before it: what a later merge starts from.
                    step.attempt.member_before = {**step.attempt.member_before, **before.to_json()}
                continue
            assert step.new is not None
            added.append(_attempt(step.new, before, version))
        final = lives[-1]
        if self.taken_out:
            if final.is_open:
                final = replace(final, status=MemberStatus(self.member.status))
            else:  # back in first, so that its calls can end it
                replace(final, status=open_status(final.attempts)).apply_to(self.member)
        final.apply_to(self.member)
        self.member.updated_at = utcnow()
        session.add_all(added)
        session.flush()
        return added


def _attempt(call: CallFromElsewhere, before: MemberLife, version: int) -> CallAttempt:
    return CallAttempt(
        uuid=call.uuid,
        member_id=call.member_id,
        manager_id=call.manager_id,
        store_id=call.store_id,
        called_at=call.called_at,
        logged_at=call.logged_at,
        outcome=call.outcome.code,
        note=call.note,
        callback_at=call.callback_at,
        planned_visit_date=call.planned_visit_date,
        reason=call.reason,
        follow_up=str(call.follow_up) if call.follow_up is not None else None,
        timezone=",".join(call.zones) or None,
        member_before={**before.to_json(), "version": version, BROUGHT_IN: True},
        script_version_id=call.script_version_id,
    )


def _do_not_call(
    session: Session,
    member: CampaignMember,
    calls: list[CallFromElsewhere],
    attempts: list[CallAttempt],
    *,
    source: str,
    added_by: str,
) -> None:
    """Do not call outcomes put the customer on the list, as logging them does."""
    by_uuid = {attempt.uuid: attempt for attempt in attempts}
    for call in calls:
        if call.outcome.adds_to_do_not_call:
            customer = session.get_one(Customer, member.customer_id)
            put_on_do_not_call(
                session, customer, by_uuid[call.uuid], call.manager_name or added_by, source
            )
