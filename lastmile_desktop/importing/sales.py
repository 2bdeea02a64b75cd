"""Importing a sales extract from the till: purchases of known customers, each sale once.

``inspect_sales_file`` reads the file (the customer import's file checks, readers and header
detection), guesses the columns and does a dry run, writing nothing; ``import_sales`` does
the same and adds the new purchases in one transaction. Every row lands in one bucket:
``rows_read = added + already_known + unmatched + rejected``.

- **Rejected**: no date or amount that can be read, a negative amount (a refund is not a
  purchase), a date in the future.
- **Matched** by head office's customer id (``customer_id_key``, the one rule for ids), else by
  phone in E.164 (the region decides numbers written without a country code, as in the
  customer import), main phone first, then other phone. A phone two customers share matches
  neither. **Unmatched** rows say what was tried.
- **Already known**: a sale is identified by its natural key (``sale_key``): the till's receipt
  and line id when the extract has them, else customer, time, amount and store. The key is
  unique in ``purchases``, so the same extract imported twice, or one overlapping an earlier
  one, adds nothing twice.

Times: a sale's time is the store's local time (the store's time zone, else the computer's);
a sale with a date only is put at noon local time, so it stays on its day in UTC.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lastmile_desktop.calling.member_facts import refresh_customers
from lastmile_desktop.campaigns.access import Profile, require_lead
from lastmile_desktop.campaigns.identities import (
    ForgottenPeople,
    customer_id_key,
    load_forgotten,
)
from lastmile_desktop.data_settings import DateOrder, default_region
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.dates import NumericDate
from lastmile_desktop.importing.mapping import SAMPLE_SIZE
from lastmile_desktop.importing.sales_model import (
    MatchedBy,
    SaleRowProblem,
    SalesColumnGuess,
    SalesCounts,
    SalesField,
    SalesImportOptions,
    SalesImportSummary,
    SalesPreview,
)
from lastmile_desktop.importing.sales_reading import SaleRow, SalesRowReader, guess_sales_mapping
from lastmile_desktop.importing.writer import chunks, new_uuid_texts
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.spreadsheets.cells import CellValue, SheetInfo
from lastmile_desktop.spreadsheets.layout import SheetLayout, detect_layout, iter_records
from lastmile_desktop.spreadsheets.readers import open_source
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Customer, Purchase, Store
from lastmile_desktop.storage.types import utcnow

__all__ = ["import_sales", "inspect_sales_file", "sale_key"]

FIRST_PROBLEMS = 20
READ_BLOCK = 500
SOURCE_MAX_LENGTH = 200
# A sale known by its date only is put here in local time: the middle of the day keeps it on
# its own date in UTC for every time zone within twelve hours of it.
DATE_ONLY_TIME = time(12, 0)
_SALES_ACTION = "import sales"
FORGOTTEN = "a customer who asked to be forgotten: the sale is not kept"


# ---------------------------------------------------------------------------------------------
# The natural key


def sale_key(
    *,
    receipt_id: str | None,
    line_id: str | None,
    store_code: str | None,
    customer_uuid: str,
    purchased_at: datetime,
    amount_cents: int,
) -> str:
    """The identity of a sale, hashed (64 hex characters): equal for the same sale.

    With a receipt or line id the till's own numbering identifies it (within the store, as
    tills number receipts per store); without, the customer, the second it happened (UTC),
    the amount and the store do. Ids and store codes compare trimmed and whatever the case.
    """
    store = "" if store_code is None else customer_id_key(store_code)
    if receipt_id or line_id:
        parts = [
            "receipt",
            store,
            customer_id_key(receipt_id or ""),
            customer_id_key(line_id or ""),
        ]
    else:
        moment = purchased_at.astimezone(UTC).replace(microsecond=0, tzinfo=None)
        parts = ["sale", customer_uuid, moment.isoformat(), str(amount_cents), store]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass
class _Reading:
    sheets: list[SheetInfo]
    layout: SheetLayout
    guesses: list[SalesColumnGuess]
    mapping: dict[int, SalesField | None]
    region: str
    rows: list[SaleRow]
    order: DateOrder
    missing: list[str]  # what the mapping lacks ("no column is mapped to Date")
    notes: list[str] = field(default_factory=list)


def _check_region(region: str) -> str:
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise UserFacingError(
            f'"{region}" is not a country code phone numbers can be read for: use a two-letter '
            "ISO code such as GB, US, FR or DE."
        )
    return code


def _read(db: Database, path: Path, options: SalesImportOptions, progress: Progress) -> _Reading:
    if options.region:
        region = _check_region(options.region)
    else:
        with db.read_session() as session:
            region = _check_region(default_region(session))
    progress.report(0, None, f"Reading {path.name}")
    with open_source(path) as source:
        sheets = source.sheets()
        layout = detect_layout(source, options.sheet, options.header_row)
        records = iter_records(source, layout)
        first = list(itertools.islice(records, SAMPLE_SIZE))
        columns: list[list[CellValue]] = [
            [values[column] for _, values in first] for column in range(len(layout.headers))
        ]
        guesses = guess_sales_mapping(layout.headers, columns, region)
        if options.mapping is not None:
            mapping: dict[int, SalesField | None] = dict.fromkeys(range(len(layout.headers)))
            mapping.update(
                {c: f for c, f in options.mapping.items() if 0 <= c < len(layout.headers)}
            )
        else:
            mapping = {guess.column: guess.field for guess in guesses}
        reader = SalesRowReader(layout.headers, mapping, region)
        rows: list[SaleRow] = []
        for number, values in itertools.chain(first, records):
            rows.append(reader.read(number, values))
            if len(rows) % READ_BLOCK == 0:
                progress.report(len(rows), None, f"Reading row {number:,}")
    decision = reader.dates.decide(options.date_order, region)
    notes = [decision.note] if decision.note else []
    missing = reader.missing_fields()
    if missing:
        notes.append(f"{'; '.join(missing).capitalize()}: choose the column that holds it.")
    return _Reading(sheets, layout, guesses, mapping, region, rows, decision.order, missing, notes)


# ---------------------------------------------------------------------------------------------
# Matching and sorting rows into buckets


@dataclass(frozen=True)
class _Customer:
    id: int
    uuid: str


@dataclass
class _Known:
    """What the database holds that rows are matched against, loaded once per import."""

    by_id: dict[str, _Customer]
    by_phone: dict[str, list[_Customer]]
    by_other_phone: dict[str, list[_Customer]]
    stores: dict[str, tuple[int, str | None]]  # casefolded code or name -> (id, time zone)
    forgotten: ForgottenPeople  # no sale of theirs is kept


def _load_known(session: Session) -> _Known:
    by_id: dict[str, _Customer] = {}
    by_phone: dict[str, list[_Customer]] = {}
    by_other_phone: dict[str, list[_Customer]] = {}
    erased: list[str] = []
    rows = session.execute(
        select(
            Customer.id,
            Customer.uuid,
            Customer.external_id,
            Customer.phone,
            Customer.phone_alt,
            Customer.erased_at,
        )
    )
    for customer_id, uuid, external_id, phone, phone_alt, erased_at in rows:
        customer = _Customer(customer_id, str(uuid))
        if external_id is not None and erased_at is not None:
            erased.append(external_id)
        elif external_id is not None:
            by_id.setdefault(customer_id_key(external_id), customer)
        if phone is not None:
            by_phone.setdefault(phone, []).append(customer)
        if phone_alt is not None:
            by_other_phone.setdefault(phone_alt, []).append(customer)
    stores: dict[str, tuple[int, str | None]] = {}
    known = session.execute(select(Store.id, Store.code, Store.name, Store.timezone)).all()
    for store_id, code, _name, zone in known:
        stores.setdefault(code.casefold(), (store_id, zone))
    for store_id, _code, name, zone in known:
        stores.setdefault(name.casefold(), (store_id, zone))
    return _Known(by_id, by_phone, by_other_phone, stores, load_forgotten(session, erased))


@dataclass(frozen=True)
class _Sale:
    row: int
    customer_id: int
    store_id: int | None
    purchased_at: datetime
    amount_cents: int
    key: str
    matched_by: MatchedBy


@dataclass
class _Plan:
    rows_read: int = 0
    new_sales: list[_Sale] = field(default_factory=list)
    already_known: list[_Sale] = field(default_factory=list)
    unmatched: list[SaleRowProblem] = field(default_factory=list)
    rejected: list[SaleRowProblem] = field(default_factory=list)
    unknown_stores: Counter[str] = field(default_factory=Counter)

    @property
    def counts(self) -> SalesCounts:
        matched = Counter(sale.matched_by for sale in (*self.new_sales, *self.already_known))
        return SalesCounts(
            rows_read=self.rows_read,
            added=len(self.new_sales),
            already_known=len(self.already_known),
            unmatched=len(self.unmatched),
            rejected=len(self.rejected),
            matched_by_id=matched[MatchedBy.CUSTOMER_ID],
            matched_by_phone=matched[MatchedBy.PHONE],
        )

    def notes(self) -> list[str]:
        if not self.unknown_stores:
            return []
        names = ", ".join(sorted(self.unknown_stores))
        total = sum(self.unknown_stores.values())
        return [
            f"{total:,} sale(s) name a store that is not known here ({names}); they were "
            "matched to their customers and kept without a store."
        ]


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _moment(day: date, at: time | None, zone: ZoneInfo | None) -> datetime:
    """The sale's local day and time as UTC; local is the store's zone, else the computer's."""
    local = datetime.combine(day, at or DATE_ONLY_TIME)
    aware = local.replace(tzinfo=zone) if zone is not None else local.astimezone()
    return aware.astimezone(UTC)


def _rejection(row: SaleRow, day: date | None) -> str | None:
    if row.day is None:
        if row.date_written is None:
            return "no date"
        return f"date {row.date_written} cannot be read as a date"
    if day is None:
        return f"date {row.date_written} is not a date in the calendar"
    if row.amount_cents is None:
        if row.amount_written is None:
            return "no amount"
        return f"amount {row.amount_written} cannot be read as an amount"
    if row.amount_cents < 0:
        return "a negative amount is a refund, not a purchase"
    return None


def _only(customers: list[_Customer] | None) -> _Customer | None:
    return customers[0] if customers is not None and len(customers) == 1 else None


def _match(row: SaleRow, known: _Known) -> tuple[_Customer, MatchedBy] | str:
    """The customer the row is about and how they were found, or what was tried."""
    if row.customer_id is not None:
        found = known.by_id.get(customer_id_key(row.customer_id))
        if found is not None:
            return found, MatchedBy.CUSTOMER_ID
    shared: list[str] = []
    for phone in row.phones:
        for table in (known.by_phone, known.by_other_phone):
            customers = table.get(phone)
            customer = _only(customers)
            if customer is not None:
                return customer, MatchedBy.PHONE
            if customers:
                shared.append(phone)
                break
    tried = []
    if row.customer_id is not None:
        tried.append(f"id {row.customer_id}")
    if row.phones:
        tried.append(f"phone {' or '.join(row.phones)}")
    elif row.phone_written is not None:
        tried.append(f"phone {row.phone_written} (not a number that can be dialled)")
    if shared:
        return f"phone {shared[0]} belongs to more than one customer" + (
            f", and no customer has id {row.customer_id}" if row.customer_id else ""
        )
    if not tried:
        return "no customer id or phone to match"
    return "no customer with " + " or ".join(tried)


def _plan(session: Session, reading: _Reading, now: datetime) -> _Plan:
    known = _load_known(session)
    plan = _Plan(rows_read=len(reading.rows))
    candidates: list[_Sale] = []
    forgotten = known.forgotten.recognise([(row.customer_id, row.phones) for row in reading.rows])
    for row, is_forgotten in zip(reading.rows, forgotten, strict=True):
        day = row.day.resolve(reading.order) if isinstance(row.day, NumericDate) else row.day
        reason = _rejection(row, day)
        if reason is not None:
            plan.rejected.append(SaleRowProblem(row.row, reason))
            continue
        assert day is not None and row.amount_cents is not None
        store_id: int | None = None
        zone: ZoneInfo | None = None
        if row.store is not None:
            store = known.stores.get(row.store.key) or known.stores.get(row.store.name.casefold())
            if store is None:
                plan.unknown_stores[row.store.code] += 1
            else:
                store_id, zone = store[0], _zone(store[1])
        purchased_at = _moment(day, row.at, zone)
        if purchased_at > now:
            reason = f"the date {day:%Y-%m-%d} is in the future"
            plan.rejected.append(SaleRowProblem(row.row, reason))
            continue
        if is_forgotten:
            plan.unmatched.append(SaleRowProblem(row.row, FORGOTTEN))
            continue
        matched = _match(row, known)
        if isinstance(matched, str):
            plan.unmatched.append(SaleRowProblem(row.row, matched))
            continue
        customer, matched_by = matched
        key = sale_key(
            receipt_id=row.receipt_id,
            line_id=row.line_id,
            store_code=row.store.code if row.store is not None else None,
            customer_uuid=customer.uuid,
            purchased_at=purchased_at,
            amount_cents=row.amount_cents,
        )
        candidates.append(
            _Sale(row.row, customer.id, store_id, purchased_at, row.amount_cents, key, matched_by)
        )
    stored: set[str] = set()
    for chunk in chunks(sorted({sale.key for sale in candidates})):
        query = select(Purchase.sale_key).where(Purchase.sale_key.in_(chunk))
        stored.update(key for key in session.execute(query).scalars() if key is not None)
    for sale in candidates:
        if sale.key in stored:
            plan.already_known.append(sale)
        else:
            stored.add(sale.key)  # a second row of the same sale in this file is known now
            plan.new_sales.append(sale)
    return plan


def _write(session: Session, plan: _Plan, source: str, progress: Progress) -> None:
    uuids = new_uuid_texts(len(plan.new_sales))
    rows = [
        {
            "uuid": uuid,
            "customer_id": sale.customer_id,
            "store_id": sale.store_id,
            "purchased_at": sale.purchased_at,
            "amount_cents": sale.amount_cents,
            "source": source,
            "sale_key": sale.key,
        }
        for uuid, sale in zip(uuids, plan.new_sales, strict=True)
    ]
    written = 0
    for chunk in chunks(rows):
        session.execute(insert(Purchase), chunk)
        written += len(chunk)
        progress.report(written, len(rows), "Saving purchases")


# ---------------------------------------------------------------------------------------------
# The public actions


def _require_importer(profile: Profile | None) -> None:
    require_lead(Profile.lead() if profile is None else profile, _SALES_ACTION)


def _refuse_incomplete(path: Path, reading: _Reading) -> None:
    if reading.missing:
        raise UserFacingError(
            f"{path.name}: {'; '.join(reading.missing)}. Choose the columns that hold them "
            "(a sales extract needs a date, an amount, and a customer id or phone)."
        )


def _problems(problems: Sequence[SaleRowProblem], limit: int | None = None) -> list[SaleRowProblem]:
    return list(problems if limit is None else problems[:limit])


def inspect_sales_file(
    db: Database,
    path: Path,
    options: SalesImportOptions = SalesImportOptions(),  # noqa: B008 - frozen, never mutated
    progress: Progress = NoProgress(),  # noqa: B008 - stateless
    *,
    profile: Profile | None = None,
    now: datetime | None = None,
) -> SalesPreview:
    """What importing the extract would do, row by row, without writing anything.

    The regional lead's action (``AccessDenied`` for a store manager); ``profile`` None is the
    command line's local lead.
    """
    _require_importer(profile)
    path = Path(path)
    reading = _read(db, path, options, progress)
    with db.read_session() as session:
        plan = _plan(session, reading, now or utcnow())
    return SalesPreview(
        path=path,
        sheets=reading.sheets,
        layout=reading.layout,
        guesses=reading.guesses,
        mapping=reading.mapping,
        counts=plan.counts,
        first_unmatched=_problems(plan.unmatched, FIRST_PROBLEMS),
        first_rejected=_problems(plan.rejected, FIRST_PROBLEMS),
        notes=reading.notes + plan.notes(),
    )


def import_sales(
    db: Database,
    path: Path,
    options: SalesImportOptions = SalesImportOptions(),  # noqa: B008 - frozen, never mutated
    progress: Progress = NoProgress(),  # noqa: B008 - stateless
    *,
    profile: Profile | None = None,
    now: datetime | None = None,
) -> SalesImportSummary:
    """Add the extract's new purchases in one transaction and say where every row went.

    Cancelled (``progress`` raising ``Cancelled``), failed or killed midway, nothing is
    written. ``now`` (default: the current time) decides which dates are in the future.
    """
    _require_importer(profile)
    path = Path(path)
    reading = _read(db, path, options, progress)
    _refuse_incomplete(path, reading)
    source = f"Sales import: {path.name}"[:SOURCE_MAX_LENGTH]
    try:
        with db.session() as session:
            plan = _plan(session, reading, now or utcnow())
            _write(session, plan, source, progress)
            # Whom these sales won back (or kept) moves with them, in this transaction.
            refresh_customers(session, {sale.customer_id for sale in plan.new_sales})
            # The last chance to cancel: after this the transaction commits.
            progress.report(plan.rows_read, plan.rows_read, "Saving")
    except IntegrityError:
        # Only the unique sale key can clash: another import saved some of these sales
        # between this one's look and its write. Nothing of this one was kept.
        raise UserFacingError(
            f"{path.name}: another import saved some of the same sales at the same moment, so "
            "nothing was imported. Import the file again: the sales saved already will be "
            "counted as already known."
        ) from None
    return SalesImportSummary(
        file=path.name,
        sheet=reading.layout.sheet,
        header_row=reading.layout.header_row,
        counts=plan.counts,
        unmatched_rows=_problems(plan.unmatched),
        rejected_rows=_problems(plan.rejected),
        notes=reading.notes + plan.notes(),
    )
