"""Writing an import plan: bulk Core statements inside the caller's one transaction.

No ORM object is made per row and no query is asked per row: customers, members and
rejected rows go in as ``executemany`` inserts in chunks (see ``bulk``), known customers
are brought up to date by an ``executemany`` update. Call history is never touched; a
member already in the campaign keeps its status, attempts, group and manager.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    String,
    Table,
    and_,
    bindparam,
    func,
    insert,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from lastmile_desktop.calling.member_facts import refresh_members
from lastmile_desktop.campaigns.stores import StoreDraft, add_stores_in_session
from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.importing.bulk import BulkStatement, bulk_insert
from lastmile_desktop.importing.dates import NumericDate
from lastmile_desktop.importing.lookups import ExistingData, match_store
from lastmile_desktop.importing.planner import ImportPlan
from lastmile_desktop.importing.rows import CustomerRow
from lastmile_desktop.storage.bulk_write import indexes_built_afterwards
from lastmile_desktop.storage.defaults import NAME_MAX_LENGTH
from lastmile_desktop.storage.models import (
    CampaignMember,
    Customer,
    MemberStatus,
    RejectedRow,
)
from lastmile_desktop.storage.search_key import customer_search_key
from lastmile_desktop.storage.types import utcnow

CHUNK = 5_000
T = TypeVar("T")

customers: Table = Customer.__table__  # type: ignore[assignment]
members: Table = CampaignMember.__table__  # type: ignore[assignment]
rejected_rows: Table = RejectedRow.__table__  # type: ignore[assignment]

# The columns a new customer is inserted with; the same order as ``_customer_values``.
_CUSTOMER_COLUMNS = (
    "external_id",
    "first_name",
    "last_name",
    "phone",
    "phone_alt",
    "email",
    "home_store_id",
    "last_purchase_date",
    "lifetime_spend_cents",
    "visits",
    "notes",
    "extra",
)
_HOME_STORE = _CUSTOMER_COLUMNS.index("home_store_id")
# Positions in a CustomerRow, whose fields follow its row number in _CUSTOMER_COLUMNS order.
_STORE_FIELD = CustomerRow._fields.index("store")
_DATE_FIELD = CustomerRow._fields.index("last_purchase")

# A customer without extras gets SQL NULL, never the JSON text "null", so that an update's
# COALESCE keeps the extras the customer had.
_EXTRA_JSON = JSON(none_as_null=True)
# UUIDs made here are already text: no per-row conversion on the way in or out.
_UUID_TEXT = String(36)


def _bind_type(name: str) -> Any:
    return _EXTRA_JSON if name == "extra" else customers.c[name].type


# Steps report as they go; the callable raises ``Cancelled`` when the user cancels.
Report = Callable[[int, int, str], None]


@dataclass(frozen=True)
class WriteTarget:
    batch_id: int
    campaign_id: int
    date_order: DateOrder


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ensure_stores(session: Session, plan: ImportPlan, existing: ExistingData) -> dict[str, int]:
    """Store id by casefolded code for every store the plan names; new ones are created."""
    wanted = {row.store.key: row.store for row in plan.new_customers if row.store is not None}
    for _, row in plan.known_customers:
        if row.store is not None:
            wanted.setdefault(row.store.key, row.store)
    ids: dict[str, int] = {}
    created: dict[str, StoreDraft] = {}
    for key, store in wanted.items():
        found = match_store(existing.stores, store)
        if found is None:
            created[key] = StoreDraft(name=store.name[:NAME_MAX_LENGTH], code=store.code)
        else:
            ids[key] = found
    new_ids = add_stores_in_session(session, list(created.values()))
    for key, store_id in zip(created, new_ids, strict=True):
        ids[key] = existing.stores[key] = store_id
    return ids


def _customer_values(
    row: CustomerRow, store_ids: dict[str, int], order: DateOrder, first: Any
) -> tuple[Any, ...]:
    """``first`` (the id of the customer to update), then the columns in ``_CUSTOMER_COLUMNS``
    order. (``insert_new_customers`` builds the same tuple inline, for speed.)"""
    store = row.store
    bought = row.last_purchase
    return (
        first,
        row.external_id,
        row.first_name,
        row.last_name,
        row.phone,
        row.phone_alt,
        row.email,
        None if store is None else store_ids[store.key],
        bought.resolve(order) if type(bought) is NumericDate else bought,
        row.spend_cents,
        row.visits,
        row.notes,
        row.extra,
    )


def new_uuid_texts(count: int) -> list[str]:
    """``count`` time-ordered UUIDs (version 7, RFC 9562) as text, in ascending order.

    Random (version 4) UUIDs land all over the unique index and make a 100k-row insert
    several times slower; these share the current millisecond, carry 74 random bits each,
    and, sorted, are appended to the index in order. They are as unique as version 4 ones.
    """
    stamp = f"{time.time_ns() // 1_000_000:012x}"
    head = f"{stamp[:8]}-{stamp[8:]}-7"
    random_hex = os.urandom(10 * count).hex()
    texts = []
    for start in range(0, 20 * count, 20):
        part = random_hex[start : start + 20]
        variant = "89ab"[int(part[3], 16) & 3]  # the two variant bits are 10
        texts.append(f"{head}{part[:3]}-{variant}{part[4:7]}-{part[7:19]}")
    texts.sort()
    return texts


def insert_new_customers(
    session: Session,
    plan: ImportPlan,
    store_ids: dict[str, int],
    target: WriteTarget,
    report: Report,
) -> None:
    """Insert the new customers, then make them members of the campaign."""
    total = len(plan.new_customers)
    with indexes_built_afterwards(session, customers, total):
        _insert_customers(session, plan, store_ids, target, report)
    with indexes_built_afterwards(session, members, total):
        _enrol_new_customers(session, target)
    report(total, total, "Adding them to the campaign")


def _insert_customers(
    session: Session,
    plan: ImportPlan,
    store_ids: dict[str, int],
    target: WriteTarget,
    report: Report,
) -> None:
    total = len(plan.new_customers)
    now = utcnow()
    inserter = bulk_insert(
        session.connection(),
        customers,
        ("uuid", *_CUSTOMER_COLUMNS, "search_key"),
        constants={"last_import_batch_id": target.batch_id, "created_at": now, "updated_at": now},
        ready={"uuid"},
    )
    uuids = new_uuid_texts(total)
    order = target.date_order
    done = 0
    for chunk in chunks(plan.new_customers):
        # A CustomerRow is a tuple in _CUSTOMER_COLUMNS order after its row number: one
        # transposition gives every column, and only stores and text dates need a pass.
        columns: list[Sequence[Any]] = list(zip(*chunk, strict=True))
        stores = columns[_STORE_FIELD]
        columns[_STORE_FIELD] = [
            None if store is None else store_ids[store.key] for store in stores
        ]
        dates = columns[_DATE_FIELD]
        if any(type(bought) is NumericDate for bought in dates):
            columns[_DATE_FIELD] = [
                bought.resolve(order) if type(bought) is NumericDate else bought for bought in dates
            ]
        columns[0] = uuids[done : done + len(chunk)]  # the row numbers' place
        # The search key is what the column's default would compute, by the same function,
        # without building the default's per-row context.
        columns.append(
            [
                customer_search_key(first, last, phone, alternative)
                for first, last, phone, alternative in zip(
                    columns[2], columns[3], columns[4], columns[5], strict=True
                )
            ]
        )
        inserter.execute_columns(columns)
        done += len(chunk)
        report(done, total, "Adding new customers")


def _enrol_new_customers(session: Session, target: WriteTarget) -> None:
    """Every customer this import created joins the campaign, in one INSERT ... SELECT.

    A new customer's first membership takes its customer's UUID with the version digit set
    to 8 ("custom", RFC 9562): unique, since the customer's is, and no other kind of member
    UUID has that version, while no UUID needs to be made, sent and bound row by row.
    """
    customer_uuid = type_coerce(customers.c.uuid, String(36))
    now = utcnow()
    member_uuid = (
        func.substr(customer_uuid, 1, 14, type_=String)
        + literal("8", String)
        + func.substr(customer_uuid, 16, type_=String)
    )
    columns: dict[str, ColumnElement[Any]] = {
        "uuid": member_uuid,
        "campaign_id": literal(target.campaign_id, Integer),
        "customer_id": customers.c.id,
        "store_id": customers.c.home_store_id,
        "status": literal(MemberStatus.UNASSIGNED.value, String),
        "attempts": literal(0, Integer),
        "version": literal(1, Integer),
        "added_by_batch_id": literal(target.batch_id, Integer),
        "created_at": literal(now, members.c.created_at.type),
        "updated_at": literal(now, members.c.updated_at.type),
    }
    source = (
        select(*columns.values())
        .where(customers.c.last_import_batch_id == target.batch_id)
        .order_by(customers.c.uuid)  # member UUIDs then go into their index in order
    )
    session.execute(insert(members).from_select(list(columns), source))


def insert_members(
    session: Session,
    customers_and_stores: list[tuple[int, int | None]],
    target: WriteTarget,
    report: Report | None = None,
) -> None:
    """New members wait for assignment: no group, no manager, status unassigned."""
    if not customers_and_stores:
        return
    now = utcnow()
    inserter = bulk_insert(
        session.connection(),
        members,
        ("uuid", "customer_id", "store_id"),
        constants={
            "campaign_id": target.campaign_id,
            "status": MemberStatus.UNASSIGNED.value,
            "attempts": 0,
            "version": 1,
            "added_by_batch_id": target.batch_id,
            "created_at": now,
            "updated_at": now,
        },
        ready={"uuid"},
    )
    uuids = new_uuid_texts(len(customers_and_stores))
    total = len(customers_and_stores)
    for start in range(0, total, CHUNK):
        chunk = customers_and_stores[start : start + CHUNK]
        inserter.execute(
            (uuids[start + i], customer_id, store_id)
            for i, (customer_id, store_id) in enumerate(chunk)
        )
        if report is not None:
            report(start + len(chunk), total, "Adding them to the campaign")


def update_known_customers(
    session: Session,
    plan: ImportPlan,
    store_ids: dict[str, int],
    target: WriteTarget,
    report: Report,
) -> None:
    """New values replace old ones; an empty cell keeps what the customer record had (and a
    head-office id, once known, stays as it was written).

    Customers not yet in the campaign join it; a member already in it keeps its status,
    attempts, group and manager, and only gets a store when it had none.
    """
    if not plan.known_customers:
        return
    connection = session.connection()
    new_values: dict[str, Any] = {
        name: func.coalesce(bindparam(f"new_{name}", type_=_bind_type(name)), customers.c[name])
        for name in _CUSTOMER_COLUMNS
    }
    # A known customer's head-office id stays as first written: a later list may spell it in
    # another case ("q3-00041"), which is the same id (customer_id_key), and only a customer
    # who had none gets one.
    new_values["external_id"] = func.coalesce(
        customers.c.external_id, bindparam("new_external_id", type_=_bind_type("external_id"))
    )
    new_values["last_import_batch_id"] = bindparam("batch_id", type_=Integer)
    new_values["updated_at"] = bindparam("now", type_=customers.c.updated_at.type)
    customer_update = BulkStatement(
        connection,
        update(customers)
        .where(customers.c.id == bindparam("target_id", type_=Integer))
        .values(new_values),
        ["target_id", *(f"new_{name}" for name in _CUSTOMER_COLUMNS)],
        constants={"batch_id": target.batch_id, "now": utcnow()},
    )
    member_store = BulkStatement(
        connection,
        update(members)
        .where(
            and_(
                members.c.campaign_id == bindparam("campaign", type_=Integer),
                members.c.customer_id == bindparam("member_customer_id", type_=Integer),
                members.c.store_id.is_(None),
            )
        )
        .values(
            store_id=bindparam("new_store_id", type_=Integer),
            updated_at=bindparam("member_now", type_=members.c.updated_at.type),
        ),
        ["member_customer_id", "new_store_id"],
        constants={"campaign": target.campaign_id, "member_now": utcnow()},
    )
    joining: list[tuple[int, int | None]] = []
    placed: list[int] = []  # called members who get a store: their calls count there now
    total = len(plan.known_customers)
    done = 0
    order = target.date_order
    for chunk in chunks(plan.known_customers):
        store_fixes: list[tuple[int, int]] = []
        rows = []
        for customer_id, row in chunk:
            values = _customer_values(row, store_ids, order, customer_id)
            rows.append(values)
            store_id = values[_HOME_STORE + 1]
            if customer_id in plan.joining:
                joining.append((customer_id, store_id))
            elif store_id is not None:
                store_fixes.append((customer_id, store_id))
        customer_update.execute(rows)
        if store_fixes:
            placed += session.scalars(
                select(members.c.id).where(
                    members.c.campaign_id == target.campaign_id,
                    members.c.customer_id.in_([customer_id for customer_id, _ in store_fixes]),
                    members.c.store_id.is_(None),
                    members.c.first_attempt_at.is_not(None),
                )
            ).all()
        member_store.execute(store_fixes)
        done += len(chunk)
        report(done, total, "Updating known customers")
    refresh_members(session, placed)
    insert_members(session, joining, target)


def insert_rejected_rows(session: Session, plan: ImportPlan, batch_id: int) -> None:
    inserter = bulk_insert(
        session.connection(),
        rejected_rows,
        ("row_number", "reason", "values"),
        constants={"batch_id": batch_id},
    )
    for chunk in chunks(plan.rejected):
        inserter.execute((record.row, record.reason, record.values) for record in chunk)
