"""The call queue: who to call now, in which order, and who can be called later and when.

Now, in this order: callbacks due (earliest first), visit reminders due, promised but not
seen (a visit day passed with no purchase since the promise; offered once), customers never
tried (highest lifetime spend first, then the most recent last purchase), retries whose
cool-down has passed (earliest first). Customers who cannot be called now are listed under
Later with the reason and when they become callable: outside calling hours, cool-down,
callback booked for later. Finished members (a final outcome, the attempt limit,
do-not-call, holdout) are not in the queue.

One SQL statement picks the members and orders them (indexes on ``campaign_members`` do
the filtering); the calling-hours rule then runs once per kind of customer (same time zones,
same store), not once per customer.

A screen shows a queue a page at a time (``limit``): every member is still placed, so the
sections and their totals are exact, but from the few columns placing needs; the rest (names,
script filled in) is read and built only for the entries kept. A region's whole queue (the
lead's, tens of thousands of members) then costs little more than its SQL.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    case,
    exists,
    false,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from lastmile_desktop.calling.hours import (
    CallableTimes,
    CallingHours,
    OpeningHours,
    callable_times,
    computer_zone,
    customer_zones,
    opening_hours_from_json,
    to_local,
)
from lastmile_desktop.calling.leases import held_by_another_desk, lease_clock
from lastmile_desktop.calling.life import OPEN_STATUSES, ScheduledKind
from lastmile_desktop.calling.lookup import campaign_for_desk, manager_by_name
from lastmile_desktop.campaigns.access import (
    AccessDenied,
    Profile,
    check_profile,
    member_visibility,
)
from lastmile_desktop.campaigns.members import customer_display_name, search_conditions
from lastmile_desktop.campaigns.script import ScriptFacts, ScriptTemplate
from lastmile_desktop.campaigns.stores import store_by_code
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    CampaignState,
    Customer,
    Manager,
    MemberGroup,
    MemberStatus,
    Purchase,
    Store,
)
from lastmile_desktop.storage.types import utcnow


class NowReason(enum.StrEnum):
    CALLBACK_DUE = "callback_due"
    VISIT_REMINDER = "visit_reminder"
    PROMISED_NOT_SEEN = "promised_not_seen"
    NEW = "new"
    RETRY = "retry"


class LaterReason(enum.StrEnum):
    OUTSIDE_CALLING_HOURS = "outside_calling_hours"
    COOL_DOWN = "cool_down"
    CALLBACK_LATER = "callback_later"


@dataclass(frozen=True)
class QueueEntry:
    member: uuid.UUID
    version: int
    customer_id: str | None  # head office's id
    name: str
    phone: str | None  # E.164
    store: str | None  # store code
    manager: str | None
    attempts: int
    lifetime_spend_cents: int | None
    last_purchase: date | None
    timezones: tuple[str, ...]  # the zones the calling-hours rule used
    why: str  # a NowReason or a LaterReason value
    until: datetime | None  # aware UTC; Later: when the customer becomes callable
    script: str  # the campaign's script with the placeholders filled in


@dataclass(frozen=True)
class CallQueue:
    campaign: str
    at: datetime
    now: list[QueueEntry]
    later: list[QueueEntry]
    # How many each section holds: more than the lists when a ``limit`` cut them short.
    now_total: int = 0
    later_total: int = 0

    @property
    def is_complete(self) -> bool:
        return self.now_total == len(self.now) and self.later_total == len(self.later)


# The order of the sections, as one number per row for ORDER BY.
_BUCKET_NOW = {
    0: NowReason.CALLBACK_DUE,
    1: NowReason.VISIT_REMINDER,
    2: NowReason.PROMISED_NOT_SEEN,
    3: NowReason.NEW,
    4: NowReason.RETRY,
}
_BUCKET_LATER = {5: LaterReason.CALLBACK_LATER, 6: LaterReason.COOL_DOWN}


def build_queue(
    db: Database,
    profile: Profile,
    *,
    campaign: str | None = None,
    store: str | None = None,
    manager: str | None = None,
    at: datetime | None = None,
    search: str | None = None,
    limit: int | None = None,
    desk: str | None = None,
) -> CallQueue:
    """The queue at ``at`` (default now). A store manager gets their own customers; the lead
    sees any store (``store``: its code) or manager (``manager``: their name).

    ``limit``: at most that many entries in Now and in Later (the first ones); the totals
    still count every member. ``desk``: the call desk reading it (calling/claims.py);
    customers another desk has on screen are left out."""
    at = _aware_utc(at)
    with db.separate_reads() as session:
        chosen, conditions = _open_queue(session, profile, campaign, store, manager, desk)
        if search and search.strip():
            conditions += search_conditions(search)
        stores = _stores(session)
        if limit is None:
            rows = session.execute(_queue_statement(chosen, at, conditions, _DETAILS)).all()
            now, later = _placed(chosen, at, rows, stores)
            return _queue(chosen, at, now, later, rows, stores)
        rows = session.execute(_queue_statement(chosen, at, conditions, ())).all()
        now, later = _placed(chosen, at, rows, stores)
        kept = [place[0].id for place in (*now[:limit], *later[:limit])]
        details = session.execute(_details_statement(kept)).all() if kept else []
        return _queue(chosen, at, now, later, details, stores, limit)


@dataclass(frozen=True)
class DueNow:
    """A member to call now, in queue order: what a claim needs (calling/claims.py)."""

    member: uuid.UUID
    version: int


def due_now(
    session: Session,
    profile: Profile,
    *,
    campaign: str | None = None,
    store: str | None = None,
    manager: str | None = None,
    at: datetime | None = None,
    desk: str | None = None,
) -> list[DueNow]:
    """The members of Now in queue order, as ``build_queue`` places them, read in
    ``session`` (a claim's own transaction)."""
    at = _aware_utc(at)
    chosen, conditions = _open_queue(session, profile, campaign, store, manager, desk)
    rows = session.execute(
        _queue_statement(chosen, at, conditions, (CampaignMember.uuid, CampaignMember.version))
    ).all()
    now, _later = _placed(chosen, at, rows, _stores(session))
    return [DueNow(row.uuid, row.version) for row, _zones, _why, _until in now]


def _open_queue(  # noqa: PLR0917 (whose queue: the build_queue arguments, in order)
    session: Session,
    profile: Profile,
    campaign: str | None,
    store: str | None,
    manager: str | None,
    desk: str | None,
) -> tuple[Campaign, list[ColumnElement[bool]]]:
    """The open campaign asked for, and the conditions on whose members are in its queue."""
    check_profile(session, profile)
    chosen = campaign_for_desk(session, campaign)
    if chosen.state != CampaignState.OPEN:
        raise UserFacingError(
            f'The campaign "{chosen.name}" is closed: reopen it to call its customers.'
        )
    conditions = _who(session, profile, store, manager)
    if desk is not None:
        conditions.append(~held_by_another_desk(desk, lease_clock(None)))
    return chosen, conditions


def _aware_utc(at: datetime | None) -> datetime:
    if at is None:
        return utcnow()
    if at.tzinfo is None:
        raise ValueError("give the queue an aware datetime (UTC inside, local on screen)")
    return at.astimezone(UTC)


def _who(
    session: Session, profile: Profile, store: str | None, manager: str | None
) -> list[ColumnElement[bool]]:
    """Whose members: the profile's limits, then the store or manager asked for."""
    conditions: list[ColumnElement[bool]] = [member_visibility(profile)]
    store_id: int | None = None
    if store:
        found_store = store_by_code(session, store)
        if not profile.can_see_store(found_store.id):
            raise AccessDenied("You can only see your own store's queue.")
        store_id = found_store.id
        conditions.append(CampaignMember.store_id == store_id)
    if not profile.is_lead:
        if manager and manager_by_name(session, manager).id != profile.manager_id:
            raise AccessDenied("You can only see your own queue.")
        conditions.append(CampaignMember.manager_id == profile.manager_id)
    elif manager:
        conditions.append(CampaignMember.manager_id == manager_by_name(session, manager).id)
    return conditions


_OWNER = aliased(Manager)
# What an entry shows besides what placing it needs.
_DETAILS: tuple[Any, ...] = (
    CampaignMember.uuid,
    CampaignMember.version,
    CampaignMember.attempts,
    Customer.external_id,
    Customer.first_name,
    Customer.last_name,
    Customer.visits,
    _OWNER.name.label("manager_name"),
)


def _details_statement(member_ids: list[int]) -> Select[*tuple[Any, ...]]:
    """What the entries kept show, for these members."""
    return (
        select(
            CampaignMember.id,
            CampaignMember.next_due_at,
            CampaignMember.store_id,
            Customer.phone,
            Customer.lifetime_spend_cents,
            Customer.last_purchase_date,
            *_DETAILS,
        )
        .select_from(CampaignMember)
        .join(Customer, Customer.id == CampaignMember.customer_id)
        .outerjoin(_OWNER, _OWNER.id == CampaignMember.manager_id)
        .where(CampaignMember.id.in_(member_ids))
    )


def _queue_statement(
    campaign: Campaign,
    at: datetime,
    conditions: list[ColumnElement[bool]],
    details: tuple[Any, ...],
) -> Select[*tuple[Any, ...]]:
    """Every member with a section, in queue order: what placing needs, and ``details``."""
    member = CampaignMember
    today = to_local(at, computer_zone()).date()
    is_open = member.status.in_(OPEN_STATUSES)
    due = and_(member.next_due_at.is_not(None), member.next_due_at <= at)
    bought_since_promise = exists().where(
        Purchase.customer_id == member.customer_id,
        Purchase.purchased_at >= member.promised_at,
    )
    reminder_due = and_(
        member.status == MemberStatus.DONE,
        member.scheduled_kind == ScheduledKind.VISIT_REMINDER,
        due,
        member.visit_date >= today,
    )
    promised_not_seen = and_(
        member.status == MemberStatus.DONE,
        member.visit_date.is_not(None),
        member.visit_date < today,
        member.promise_followed_up == false(),
        member.promised_at.is_not(None),
        ~bought_since_promise,
    )
    callback = member.scheduled_kind == ScheduledKind.CALLBACK
    bucket = case(
        (and_(is_open, callback, due), 0),
        (reminder_due, 1),
        (promised_not_seen, 2),
        (and_(member.status == MemberStatus.TO_CALL, member.next_due_at.is_(None)), 3),
        (and_(is_open, or_(due, member.next_due_at.is_(None))), 4),
        (and_(is_open, callback), 5),
        (is_open, 6),
        else_=None,  # finished, with no follow-up call waiting: not in the queue
    )
    # The section of each row is worked out once, in the inner query; the outer one keeps
    # the rows that have one and orders them by it and by the section's own key.
    rows = (
        select(
            bucket.label("bucket"),
            member.id,
            # The version the section was worked out at: what a claim checks (the details of
            # a page, read by a second statement, may be of a later one).
            member.version.label("placed_version"),
            member.next_due_at,
            member.visit_date,
            member.store_id,
            Customer.phone,
            Customer.lifetime_spend_cents,
            Customer.last_purchase_date,
            *details,
        )
        .select_from(member)
        .join(Customer, Customer.id == member.customer_id)
        .outerjoin(_OWNER, _OWNER.id == member.manager_id)
        .where(
            member.campaign_id == campaign.id,
            member.group == MemberGroup.CALL,
            member.status.in_((*OPEN_STATUSES, MemberStatus.DONE)),
            Customer.erased_at.is_(None),
            *conditions,
        )
        .subquery("queue_rows")
    )
    section = rows.c.bucket
    placing = (section, rows.c.id, rows.c.placed_version, rows.c.store_id, rows.c.phone)
    if details:
        shown: list[Any] = [column for column in rows.c if column not in placing]
    else:
        # Placing needs the due time of those waiting for it only: fewer values to convert.
        shown = [case((section >= min(_BUCKET_LATER), rows.c.next_due_at)).label("next_due_at")]
    return (
        select(*placing, *shown)
        .where(section.is_not(None))
        .order_by(
            section,
            case((section.in_((0, 1, 4, 5, 6)), rows.c.next_due_at)).asc().nulls_last(),
            case((section == 2, rows.c.visit_date)).asc().nulls_last(),
            case((section == 3, rows.c.lifetime_spend_cents)).desc().nulls_last(),
            case((section == 3, rows.c.last_purchase_date)).desc().nulls_last(),
            rows.c.id,
        )
    )


@dataclass(frozen=True)
class _StorePlace:
    code: str
    name: str
    zone: str | None
    opening_hours: OpeningHours | None


def _stores(session: Session) -> dict[int, _StorePlace]:
    return {
        store_id: _StorePlace(code, name, zone, opening_hours_from_json(hours))
        for store_id, code, name, zone, hours in session.execute(
            select(Store.id, Store.code, Store.name, Store.timezone, Store.opening_hours)
        )
    }


class _Hours:
    """The calling-hours rule per kind of customer, laid out once for the whole queue."""

    def __init__(self, at: datetime, hours: CallingHours) -> None:
        self.at = at
        self.hours = hours
        self._times: dict[tuple[tuple[str, ...], int | None], CallableTimes] = {}
        # When each kind of customer is callable from, counting from ``at``: asked for most
        # rows of a queue (everyone due now), with the same answer for the same kind.
        self._from_now: dict[tuple[tuple[str, ...], int | None], datetime] = {}
        # The rule around later days (callbacks booked days ahead), per kind and day.
        self._days: dict[tuple[date, tuple[str, ...], int | None], CallableTimes] = {}

    def times(
        self, zones: tuple[str, ...], store_id: int | None, store: _StorePlace | None
    ) -> CallableTimes:
        key = (zones, store_id)
        found = self._times.get(key)
        if found is None:
            found = self._times[key] = callable_times(
                self.at,
                zones,
                self.hours,
                store.opening_hours if store else None,
                store.zone if store else None,
            )
        return found

    def _times_on(
        self, day: date, zones: tuple[str, ...], store_id: int | None, store: _StorePlace | None
    ) -> CallableTimes:
        """The rule laid out from the start of ``day`` (UTC): it answers for that whole day."""
        key = (day, zones, store_id)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = callable_times(
                datetime.combine(day, time(0, 0), tzinfo=UTC),
                zones,
                self.hours,
                store.opening_hours if store else None,
                store.zone if store else None,
            )
        return found

    def callable_from(
        self,
        zones: tuple[str, ...],
        store_id: int | None,
        store: _StorePlace | None,
        moment: datetime,
    ) -> datetime:
        """The first instant at or after ``moment`` when the customer may be called."""
        if moment == self.at:
            key = (zones, store_id)
            found = self._from_now.get(key)
            if found is None:
                found = self._from_now[key] = self._callable_from(zones, store_id, store, moment)
            return found
        return self._callable_from(zones, store_id, store, moment)

    def _callable_from(
        self,
        zones: tuple[str, ...],
        store_id: int | None,
        store: _StorePlace | None,
        moment: datetime,
    ) -> datetime:
        window = self.times(zones, store_id, store).window_at(moment)
        if window is None:  # far ahead: the rule laid out around that day instead
            window = self._times_on(moment.date(), zones, store_id, store).window_at(moment)
        assert window is not None
        if window.callable:
            return moment
        return window.next_change or moment


# Where a member goes: (its row, the zones used, why, until when it waits).
_Place = tuple[Row[Any], tuple[str, ...], str, datetime | None]


def _placed(
    campaign: Campaign, at: datetime, rows: Sequence[Row[Any]], stores: dict[int, _StorePlace]
) -> tuple[list[_Place], list[_Place]]:
    """Every row into Now (in queue order) or Later (soonest first), by the calling hours."""
    hours = _Hours(
        at, CallingHours.from_minutes(campaign.calling_hours_start, campaign.calling_hours_end)
    )
    now: list[_Place] = []
    later: list[_Place] = []
    for row in rows:
        store = stores.get(row.store_id) if row.store_id is not None else None
        zones = customer_zones(row.phone, store.zone if store else None)
        if row.bucket in _BUCKET_NOW:
            callable_at = hours.callable_from(zones, row.store_id, store, at)
            if callable_at <= at:
                now.append((row, zones, _BUCKET_NOW[row.bucket], None))
                continue
            why: str = LaterReason.OUTSIDE_CALLING_HOURS
        else:
            callable_at = hours.callable_from(zones, row.store_id, store, row.next_due_at)
            why = _BUCKET_LATER[row.bucket]
        later.append((row, zones, why, callable_at))
    later.sort(key=lambda place: place[3] or at)
    return now, later


def _queue(  # noqa: PLR0917 (the placed rows and what their entries are built from)
    campaign: Campaign,
    at: datetime,
    now: list[_Place],
    later: list[_Place],
    details: Sequence[Row[Any]],
    stores: dict[int, _StorePlace],
    limit: int | None = None,
) -> CallQueue:
    """The queue with an entry for each placed row kept (``limit`` per section)."""
    script = ScriptTemplate(campaign.script)
    today = to_local(at, computer_zone()).date()
    by_id = {row.id: row for row in details}

    def entries(places: list[_Place]) -> list[QueueEntry]:
        kept = places if limit is None else places[:limit]
        return [
            _entry(
                campaign,
                script,
                by_id[row.id],
                stores,
                zones,
                why,
                until,
                today,
                version=row.placed_version,
            )
            for row, zones, why, until in kept
        ]

    return CallQueue(campaign.name, at, entries(now), entries(later), len(now), len(later))


def _entry(  # noqa: PLR0917 (one row of the queue and what was decided about it)
    campaign: Campaign,
    script: ScriptTemplate,
    row: Row[Any],
    stores: dict[int, _StorePlace],
    zones: tuple[str, ...],
    why: str,
    until: datetime | None,
    today: date,
    *,
    version: int,
) -> QueueEntry:
    """``version``: the member's as the section was worked out (not ``row``'s, which may be
    read later)."""
    store = stores.get(row.store_id) if row.store_id is not None else None
    facts = ScriptFacts(
        first_name=row.first_name,
        last_name=row.last_name,
        store=store.name if store else None,
        manager=row.manager_name,
        last_purchase_date=row.last_purchase_date,
        visits=row.visits,
        offer=campaign.offer,
        offer_code=campaign.offer_code,
    )
    return QueueEntry(
        member=row.uuid,
        version=version,
        customer_id=row.external_id,
        name=customer_display_name(row.first_name, row.last_name),
        phone=row.phone,
        store=store.code if store else None,
        manager=row.manager_name,
        attempts=row.attempts,
        lifetime_spend_cents=row.lifetime_spend_cents,
        last_purchase=row.last_purchase_date,
        timezones=zones,
        why=str(why),
        until=until,
        script=script.render(facts.values(today)),
    )
