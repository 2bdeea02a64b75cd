"""The Assign page's data: campaign members paged, sorted, filtered and searched in SQL.

Every query goes through ``member_visibility(profile)``, so a store manager can never read
another store's customers, nor the names and phones of their own holdout, whatever filter the
screen sends; the overview counts what ``member_figures(profile)`` covers, holdout included.

Speed at 100k members comes from two query shapes. Sorting by a customer column (name,
phone, spend, last purchase) walks that column's index on ``customers`` and probes each
customer's membership, stopping after one page. Sorting by a member column (store, manager,
status...) sorts the campaign's member ids alone, then fetches one page of details. The
search scans the index on ``customers.search_key`` (narrow: "last first phones", see
storage/search_key.py) and keeps the members of the customers it matched.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    SQLColumnExpression,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from lastmile_desktop.calling.life import (
    OverviewStage,
    called_condition,
    overview_stage,
)
from lastmile_desktop.campaigns.access import (
    Profile,
    check_profile,
    member_figures,
    member_visibility,
)
from lastmile_desktop.campaigns.stores import store_sort_key
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    CampaignMember,
    Customer,
    Manager,
    MemberGroup,
    MemberStatus,
    Store,
)
from lastmile_desktop.storage.search_key import ascii_lower

UNASSIGNED_BUCKET_NAME = "Unassigned"
# A page is fetched by id afterwards: keep that list well inside any database's parameter limit.
MAX_PAGE = 1000
FORGOTTEN_NAME = "(forgotten customer)"
# How the status column sorts: the order work flows in, not the alphabet.
STATUS_ORDER = {
    MemberStatus.UNASSIGNED: 0,
    MemberStatus.TO_CALL: 1,
    MemberStatus.IN_PROGRESS: 2,
    MemberStatus.DONE: 3,
    MemberStatus.HOLDOUT: 4,
    MemberStatus.SUPPRESSED: 5,
}
_PHONE_TEXT = re.compile(r"^[\d\s+().\-/]+$")


class MemberSort(enum.StrEnum):
    NAME = "name"  # last name, then first name, case-insensitive
    PHONE = "phone"
    STORE = "store"
    MANAGER = "manager"
    GROUP = "group"
    STATUS = "status"
    ATTEMPTS = "attempts"
    LAST_OUTCOME = "last_outcome"
    LIFETIME_SPEND = "lifetime_spend"
    LAST_PURCHASE = "last_purchase"


@dataclass(frozen=True)
class MemberFilter:
    campaign_id: int
    store_id: int | None = None  # None: every store the profile may see
    manager_id: int | None = None
    status: MemberStatus | None = None
    group: MemberGroup | None = None
    # The Unassigned bucket: members whose store is unknown (whatever their status).
    no_store: bool = False
    search: str = ""  # a name fragment ("smi", "ann smith") or a phone fragment ("07700 900")


@dataclass(frozen=True)
class MemberRow:
    member_id: int
    customer_id: int
    customer_name: str
    phone: str | None
    store_id: int | None
    store_name: str | None
    manager_id: int | None
    manager_name: str | None
    group: MemberGroup | None
    status: MemberStatus
    attempts: int
    last_outcome: str | None
    lifetime_spend_cents: int | None
    last_purchase_date: date | None


@dataclass(frozen=True)
class ManagerOverview:
    """One manager's share of a store's call group: members = done + left_to_call."""

    manager_id: int
    name: str
    active: bool
    members: int  # call-group members this manager owns
    called: int  # of those, called at least once (calling/life.py's "called")
    left_to_call: int  # of those, still to call: not called yet, or to try again
    done: int = 0  # of those, finished: no more calls in this campaign


@dataclass(frozen=True)
class StoreOverview:
    """One store's list, or the Unassigned bucket when ``store_id`` is None.

    Every figure has one definition (calling/life.py's ``overview_stage``) and they add up:
    members = holdout + call_group + undrawn + taken_out, and call_group = done + left_to_call.
    ``called`` (at least one attempt) cuts across done and left_to_call.
    """

    store_id: int | None
    store_name: str
    members: int  # the store's whole list
    holdout: int
    call_group: int  # drawn to be called: done + left_to_call
    called: int  # call-group members called at least once
    left_to_call: int  # call-group members still to call (not called yet, or to try again)
    without_manager: int  # of those left to call, how many nobody owns (no active manager)
    undrawn: int  # waiting: not yet drawn (or handed back), until the next assignment
    suppressed: int  # on the do-not-call list (before the draw or after)
    managers: tuple[ManagerOverview, ...] = field(default_factory=tuple)
    done: int = 0  # call-group members finished: no more calls in this campaign
    taken_out: int = 0  # put on the do-not-call list before the draw

    @property
    def is_unassigned_bucket(self) -> bool:
        return self.store_id is None


def customer_display_name(
    first_name: str | None, last_name: str | None, erased: bool = False
) -> str:
    if erased:
        return FORGOTTEN_NAME
    return " ".join(part for part in (first_name, last_name) if part) or "(no name)"


def search_conditions(text: str) -> list[ColumnElement[bool]]:
    """Conditions on ``Customer.search_key`` for what the user typed; empty: no search.

    Text made only of digits and phone punctuation is one phone fragment: the punctuation
    and a leading trunk zero go ("07700 900123" finds +447700900123). Otherwise every word
    must appear somewhere in the name or phones, in any order ("ann smi" finds Ann Smith).
    """
    text = text.strip()
    if not text:
        return []
    words = [text] if _PHONE_TEXT.match(text) else text.split()
    conditions: list[ColumnElement[bool]] = []
    for word in words:
        term = _phone_digits(word) if _PHONE_TEXT.match(word) else word
        if not term:
            continue
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        # Folded exactly as the stored key was (storage/search_key.py).
        pattern = f"%{ascii_lower(escaped)}%"
        conditions.append(Customer.search_key.like(pattern, escape="\\"))
    return conditions


def _phone_digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    # Stored numbers are E.164 (+44 7700...): a national "0" or an international "00" prefix
    # is not part of them.
    return digits.lstrip("0") or digits


def member_conditions(profile: Profile, member_filter: MemberFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        CampaignMember.campaign_id == member_filter.campaign_id,
        member_visibility(profile),
    ]
    if member_filter.store_id is not None:
        conditions.append(CampaignMember.store_id == member_filter.store_id)
    if member_filter.manager_id is not None:
        conditions.append(CampaignMember.manager_id == member_filter.manager_id)
    if member_filter.status is not None:
        conditions.append(CampaignMember.status == member_filter.status)
    if member_filter.group is not None:
        conditions.append(CampaignMember.group == member_filter.group)
    if member_filter.no_store:
        conditions.append(CampaignMember.store_id.is_(None))
    return conditions


def _with_search(conditions: list[ColumnElement[bool]], search: str) -> list[ColumnElement[bool]]:
    found = search_conditions(search)
    if not found:
        return conditions
    matching = select(Customer.id).where(*found)
    return [*conditions, CampaignMember.customer_id.in_(matching)]


def count_members(db: Database, profile: Profile, member_filter: MemberFilter) -> int:
    conditions = _with_search(member_conditions(profile, member_filter), member_filter.search)
    with db.read_session() as session:
        check_profile(session, profile)
        return session.scalar(select(func.count(CampaignMember.id)).where(*conditions)) or 0


def member_page(  # noqa: PLR0917 (the signature the Assign page's model calls)
    db: Database,
    profile: Profile,
    member_filter: MemberFilter,
    sort: MemberSort = MemberSort.NAME,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> list[MemberRow]:
    """One page (at most ``MAX_PAGE`` rows) of the member table, in a stable order (ties
    broken by id)."""
    limit = min(limit, MAX_PAGE)
    if limit <= 0:
        return []
    offset = max(0, offset)
    with db.read_session() as session:
        check_profile(session, profile)
        if sort in _CUSTOMER_SORTS:
            return _page_by_customer_column(
                session,
                profile,
                member_filter,
                sort=sort,
                descending=descending,
                offset=offset,
                limit=limit,
            )
        return _page_by_member_column(
            session,
            profile,
            member_filter,
            sort=sort,
            descending=descending,
            offset=offset,
            limit=limit,
        )


_CUSTOMER_SORTS: dict[MemberSort, SQLColumnExpression[Any]] = {
    MemberSort.NAME: Customer.search_key,
    MemberSort.PHONE: Customer.phone,
    MemberSort.LIFETIME_SPEND: Customer.lifetime_spend_cents,
    MemberSort.LAST_PURCHASE: Customer.last_purchase_date,
}


def _store_order(session: Session) -> SQLColumnExpression[Any]:
    """Each member's store as its place in ``store_sort_key`` order ("Store 3" before
    "Store 12"), which SQL's text order cannot give. A region has dozens of stores, not
    thousands: one CASE over them costs less than the join it replaces."""
    stores = session.execute(select(Store.id, Store.name, Store.code)).all()
    if not stores:
        return CampaignMember.store_id
    ordered = sorted(stores, key=lambda store: (store_sort_key(store.name, store.code), store.id))
    ranks = {store.id: rank for rank, store in enumerate(ordered)}
    return case(ranks, value=CampaignMember.store_id, else_=None)


def _member_sort_column(session: Session, sort: MemberSort) -> SQLColumnExpression[Any]:
    if sort is MemberSort.STORE:
        return _store_order(session)
    columns: dict[MemberSort, SQLColumnExpression[Any]] = {
        MemberSort.MANAGER: Manager.name,
        MemberSort.GROUP: CampaignMember.group,
        MemberSort.STATUS: case(STATUS_ORDER, value=CampaignMember.status, else_=99),
        MemberSort.ATTEMPTS: CampaignMember.attempts,
        MemberSort.LAST_OUTCOME: CampaignMember.last_outcome,
    }
    return columns[sort]


def _row_select() -> Select[*tuple[Any, ...]]:
    return (
        select(
            CampaignMember.id.label("member_id"),
            Customer.id.label("customer_id"),
            Customer.first_name,
            Customer.last_name,
            Customer.erased_at,
            Customer.phone,
            CampaignMember.store_id,
            Store.name.label("store_name"),
            CampaignMember.manager_id,
            Manager.name.label("manager_name"),
            CampaignMember.group,
            CampaignMember.status,
            CampaignMember.attempts,
            CampaignMember.last_outcome,
            Customer.lifetime_spend_cents,
            Customer.last_purchase_date,
        )
        .select_from(CampaignMember)
        .join(Customer, Customer.id == CampaignMember.customer_id)
        .outerjoin(Store, Store.id == CampaignMember.store_id)
        .outerjoin(Manager, Manager.id == CampaignMember.manager_id)
    )


def _to_row(row: Row[Any]) -> MemberRow:
    return MemberRow(
        member_id=row.member_id,
        customer_id=row.customer_id,
        customer_name=customer_display_name(
            row.first_name, row.last_name, erased=row.erased_at is not None
        ),
        phone=row.phone,
        store_id=row.store_id,
        store_name=row.store_name,
        manager_id=row.manager_id,
        manager_name=row.manager_name,
        group=MemberGroup(row.group) if row.group is not None else None,
        status=MemberStatus(row.status),
        attempts=row.attempts,
        last_outcome=row.last_outcome,
        lifetime_spend_cents=row.lifetime_spend_cents,
        last_purchase_date=row.last_purchase_date,
    )


def _page_by_member_column(
    session: Session,
    profile: Profile,
    member_filter: MemberFilter,
    *,
    sort: MemberSort,
    descending: bool,
    offset: int,
    limit: int,
) -> list[MemberRow]:
    # Sort narrow rows (member ids and the sort key) and fetch the details of one page only:
    # carrying names and phones through a sort of 100k rows costs more than the sort itself.
    conditions = _with_search(member_conditions(profile, member_filter), member_filter.search)
    column = _member_sort_column(session, sort)
    order = (
        (column.desc(), CampaignMember.id.desc())
        if descending
        else (column.asc(), CampaignMember.id.asc())
    )
    ids_stmt = select(CampaignMember.id).where(*conditions)
    if sort is MemberSort.MANAGER:
        ids_stmt = ids_stmt.outerjoin(Manager, Manager.id == CampaignMember.manager_id)
    member_ids = list(session.scalars(ids_stmt.order_by(*order).offset(offset).limit(limit)))
    if not member_ids:
        return []
    rows = session.execute(_row_select().where(CampaignMember.id.in_(member_ids)))
    by_member = {row.member_id: row for row in map(_to_row, rows)}
    return [by_member[member_id] for member_id in member_ids]


def _page_by_customer_column(
    session: Session,
    profile: Profile,
    member_filter: MemberFilter,
    *,
    sort: MemberSort,
    descending: bool,
    offset: int,
    limit: int,
) -> list[MemberRow]:
    # Walk the customers in the sort column's index order and keep those in the list: the
    # database stops after one page instead of sorting the whole campaign.
    column = _CUSTOMER_SORTS[sort]
    in_list = exists().where(
        CampaignMember.customer_id == Customer.id, *member_conditions(profile, member_filter)
    )
    order = (column.desc(), Customer.id.desc()) if descending else (column.asc(), Customer.id)
    customer_ids = list(
        session.scalars(
            select(Customer.id)
            .where(*search_conditions(member_filter.search), in_list)
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        )
    )
    if not customer_ids:
        return []
    rows = session.execute(
        _row_select().where(
            CampaignMember.campaign_id == member_filter.campaign_id,
            CampaignMember.customer_id.in_(customer_ids),
        )
    )
    by_customer = {row.customer_id: row for row in map(_to_row, rows)}
    return [by_customer[customer_id] for customer_id in customer_ids]


def assignment_overview(db: Database, profile: Profile, campaign_id: int) -> list[StoreOverview]:
    """Per store and per manager: list size, holdout, called so far, left to call.

    Stores come in the order people read them ("Store 3" before "Store 12"); the Unassigned
    bucket (members with no store yet) comes last and only for the lead. Active managers
    with nothing assigned yet are listed too. A store manager gets their store's figures,
    the holdout as a count.
    """
    with db.read_session() as session:
        check_profile(session, profile)
        return store_overviews(session, profile, campaign_id)


@dataclass
class _Tally:
    members: int = 0
    holdout: int = 0
    called: int = 0
    done: int = 0
    left_to_call: int = 0
    without_manager: int = 0
    undrawn: int = 0
    suppressed: int = 0
    taken_out: int = 0
    # Per manager: [members, called, left to call, done].
    by_manager: dict[int, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0])
    )


def store_overviews(session: Session, profile: Profile, campaign_id: int) -> list[StoreOverview]:
    """``assignment_overview`` inside an open session (the assignment report reuses it)."""
    called = case((called_condition(), 1), else_=0)
    stmt = (
        select(
            CampaignMember.store_id,
            CampaignMember.manager_id,
            CampaignMember.group,
            CampaignMember.status,
            called,
            func.count(),
        )
        .where(CampaignMember.campaign_id == campaign_id, member_figures(profile))
        .group_by(
            CampaignMember.store_id,
            CampaignMember.manager_id,
            CampaignMember.group,
            CampaignMember.status,
            called,
        )
    )
    tallies: dict[int | None, _Tally] = defaultdict(_Tally)
    for store_id, manager_id, group, status, was_called, count in session.execute(stmt):
        _add(
            tallies[store_id],
            manager_id=manager_id,
            group=group,
            status=status,
            was_called=bool(was_called),
            count=count,
        )

    store_ids = [store_id for store_id in tallies if store_id is not None]
    stores = {
        store_id: (name, code)
        for store_id, name, code in session.execute(
            select(Store.id, Store.name, Store.code).where(Store.id.in_(store_ids))
        )
    }
    holding = {m for tally in tallies.values() for m in tally.by_manager}
    managers = session.execute(
        select(Manager.id, Manager.store_id, Manager.name, Manager.active)
        .where(or_(Manager.store_id.in_(store_ids), Manager.id.in_(holding)))
        .order_by(Manager.name, Manager.id)
    ).all()
    ordered = sorted(
        (store_id for store_id in tallies if store_id is not None),
        key=lambda store_id: (store_sort_key(*stores.get(store_id, ("", ""))), store_id),
    )
    overviews = [
        _overview(
            store_id,
            stores.get(store_id, (f"Store {store_id}", ""))[0],
            tallies[store_id],
            managers,
        )
        for store_id in ordered
    ]
    if None in tallies:
        overviews.append(_overview(None, UNASSIGNED_BUCKET_NAME, tallies[None], []))
    return overviews


def _add(
    tally: _Tally,
    *,
    manager_id: int | None,
    group: str | None,
    status: str,
    was_called: bool,
    count: int,
) -> None:
    tally.members += count
    if status == MemberStatus.SUPPRESSED:
        tally.suppressed += count
    stage = overview_stage(group, status)
    if stage is OverviewStage.HOLDOUT:
        tally.holdout += count
    elif stage is OverviewStage.WAITING:
        tally.undrawn += count
    elif stage is OverviewStage.TAKEN_OUT:
        tally.taken_out += count
    if stage not in (OverviewStage.DONE, OverviewStage.LEFT):
        return
    left = count if stage is OverviewStage.LEFT else 0
    done = count - left
    called = count if was_called else 0
    tally.called += called
    tally.left_to_call += left
    tally.done += done
    if manager_id is None:
        tally.without_manager += left
        return
    per_manager = tally.by_manager[manager_id]
    per_manager[0] += count
    per_manager[1] += called
    per_manager[2] += left
    per_manager[3] += done


def _overview(
    store_id: int | None,
    store_name: str,
    tally: _Tally,
    managers: Sequence[tuple[int, int, str, bool]],
) -> StoreOverview:
    listed = [
        ManagerOverview(manager_id, name, active, *tally.by_manager.get(manager_id, [0, 0, 0, 0]))
        for manager_id, manager_store, name, active in managers
        # A store's active managers, and anyone (even from elsewhere) holding its members.
        if manager_id in tally.by_manager or (active and manager_store == store_id)
    ]
    return StoreOverview(
        store_id=store_id,
        store_name=store_name,
        members=tally.members,
        holdout=tally.holdout,
        call_group=tally.done + tally.left_to_call,
        called=tally.called,
        left_to_call=tally.left_to_call,
        without_manager=tally.without_manager,
        undrawn=tally.undrawn,
        suppressed=tally.suppressed,
        managers=tuple(listed),
        done=tally.done,
        taken_out=tally.taken_out,
    )
