""" "Forget this customer": erase a person's data everywhere, keep the anonymous counts.

After a privacy request nothing that names or reaches the customer remains: names, phones,
email, notes, the pinned note, extra columns from the imported file, notes on call
attempts, reasons written on changes of owner, and rejected import rows holding their
details. Their campaign memberships, attempts (outcome and time) and purchases stay, with no
personal data, so coverage, contact rate and win-back totals stay right.

Kept on purpose, so that the person is neither called nor filled in again:
- head office's customer id (a reference, not a name or a number) on the erased row;
- keyed digests of their phones and id in erased_identities (see ``identities``), which
  give no number back: the next import of a list that still holds the person recognises
  their rows by id or phone and leaves them out, rejected rows included;
- an active do-not-call entry for the customer (a legal need), with the phone it blocks.

When another window or program is reading the database at that moment, SQLite cannot yet
move the erased values out of its log: the report says so (``erasure_complete``) and the
database finishes the job as soon as the reader lets go (``Database.finish_pending_erasure``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

import phonenumbers
from sqlalchemy import ColumnElement, CursorResult, func, or_, select, update
from sqlalchemy.engine import Result
from sqlalchemy.orm import Session

from lastmile_desktop.campaigns.access import LeadAction, Profile, require_lead
from lastmile_desktop.campaigns.identities import customers_with_ids, remember_forgotten
from lastmile_desktop.campaigns.members import customer_display_name
from lastmile_desktop.campaigns.phones import normalise_phone
from lastmile_desktop.campaigns.suppression import entries_for
from lastmile_desktop.data_settings import default_region
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.erasure import checkpoint_log, zeroing_freed_space
from lastmile_desktop.storage.models import (
    AssignmentChange,
    CallAttempt,
    CampaignMember,
    Customer,
    DoNotCall,
    Purchase,
    RejectedRow,
)
from lastmile_desktop.storage.types import utcnow

ERASED = "erased on request"
# Customer columns that are not about the person: kept so the statistics stay right.
# Every other column is cleared, including any added later (a search column, say).
KEPT_CUSTOMER_COLUMNS = frozenset(
    {
        "id",
        "uuid",
        # Lets the next import recognise the erased person and leave them out.
        "external_id",
        "home_store_id",
        "last_purchase_date",
        "lifetime_spend_cents",
        "visits",
        "last_import_batch_id",
        "erased_at",
        "created_at",
        "updated_at",
    }
)
_NON_DIGITS = re.compile(r"\D")


@dataclass(frozen=True)
class ForgetReport:
    customer_id: int
    erased_at: datetime
    memberships_kept: int
    attempts_kept: int
    purchases_kept: int
    attempt_notes_erased: int
    owner_change_reasons_erased: int
    rejected_rows_erased: int
    removed_dnc_entries_erased: int
    # Active do-not-call entries kept (with the phone or id they block) so calls stay stopped.
    dnc_entries_kept: int
    # False while another window or program reads the database: the erased values stay in
    # SQLite's log until it lets go, and the open database finishes the job then.
    erasure_complete: bool = True


@dataclass(frozen=True)
class CustomerToForget:
    """A customer a privacy request points at, as the lead confirms it."""

    customer_id: int
    name: str
    external_id: str | None
    phone: str | None
    erased_at: datetime | None  # already forgotten on this date


@dataclass(frozen=True)
class _Person:
    """What identifies the customer, to find them in free text such as rejected rows."""

    names: tuple[str, ...]  # case-folded, each must appear
    phone_digits: tuple[str, ...]  # national significant numbers
    exact: tuple[str, ...]  # case-folded email and customer id

    def found_in(self, texts: list[str]) -> bool:
        folded = [text.casefold() for text in texts]
        if self.names and all(any(name in text for text in folded) for name in self.names):
            return True
        if any(text == value for text in folded for value in self.exact):
            return True
        digits = [_NON_DIGITS.sub("", text) for text in texts]
        return any(d.endswith(p) for d in digits for p in self.phone_digits if len(d) >= len(p))


def _person(customer: Customer) -> _Person:
    names = tuple(n.strip().casefold() for n in (customer.first_name, customer.last_name) if n)
    phone_digits = []
    for phone in (customer.phone, customer.phone_alt):
        if not phone:
            continue
        try:
            parsed = phonenumbers.parse(phone, None)
            phone_digits.append(phonenumbers.national_significant_number(parsed))
        except phonenumbers.NumberParseException:
            phone_digits.append(_NON_DIGITS.sub("", phone))
    exact = tuple(v.strip().casefold() for v in (customer.email, customer.external_id) if v)
    # A single short name alone ("Li") would match too much; the phone and id still find them.
    if len(names) == 1 and len(names[0]) < 4:
        names = ()
    return _Person(names, tuple(d for d in phone_digits if len(d) >= 6), exact)


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif value is not None:
        yield str(value)


def _erase_rejected_rows(session: Session, person: _Person) -> int:
    erased = 0
    rows = session.execute(
        select(RejectedRow.id, RejectedRow.values, RejectedRow.reason).where(
            RejectedRow.values.is_not(None)
        )
    )
    matching = [
        row_id for row_id, values, reason in rows if person.found_in([*_texts(values), reason])
    ]
    for row_id in matching:
        session.execute(
            update(RejectedRow).where(RejectedRow.id == row_id).values(values=None, reason=ERASED)
        )
        erased += 1
    return erased


def _changed(result: Result[Any]) -> int:
    return cast(CursorResult[Any], result).rowcount


def _count(session: Session, query: Any) -> int:
    return int(session.execute(query).scalar_one())


def find_customers_to_forget(
    db: Database, profile: Profile, *, external_id: str | None = None, phone: str | None = None
) -> list[CustomerToForget]:
    """The customers with head office's id ``external_id`` or the phone ``phone``.

    Ids match as ``customer_id_key`` compares them; a phone is read as the do-not-call list reads it
    (the database's default region for numbers without a country code) and matches either
    of a customer's numbers. Forgotten customers are found too, by their kept id.
    """
    require_lead(profile, LeadAction.FORGET)
    wanted_id = (external_id or "").strip()
    if not wanted_id and not (phone or "").strip():
        raise UserFacingError("Give the customer's id from head office or their phone number.")
    with db.read_session() as session:
        clauses: list[ColumnElement[bool]] = []
        if wanted_id:
            clauses.append(Customer.id.in_(customers_with_ids(session, [wanted_id])))
        if phone and phone.strip():
            number = normalise_phone(phone, default_region(session))
            clauses.append(or_(Customer.phone == number, Customer.phone_alt == number))
        customers = session.scalars(select(Customer).where(or_(*clauses)).order_by(Customer.id))
        return [
            CustomerToForget(
                customer_id=customer.id,
                name=customer_display_name(
                    customer.first_name, customer.last_name, customer.erased_at is not None
                ),
                external_id=customer.external_id,
                phone=customer.phone,
                erased_at=customer.erased_at,
            )
            for customer in customers
        ]


def forget_customer(db: Database, customer_id: int, profile: Profile) -> ForgetReport:
    return forget_customers(db, [customer_id], profile)[0]


def forget_customers(
    db: Database, customer_ids: Sequence[int], profile: Profile
) -> list[ForgetReport]:
    """Erase each customer's personal data, all in one transaction (or none of them)."""
    require_lead(profile, LeadAction.FORGET)
    reports = []
    with db.session() as session:
        for customer_id in customer_ids:
            customer = session.get(Customer, customer_id)
            if customer is None:
                raise UserFacingError(
                    f"Customer {customer_id} does not exist; reload the list and pick them again."
                )
            with zeroing_freed_space(session):
                reports.append(_erase(session, customer))
    complete = checkpoint_log(db)
    return [replace(report, erasure_complete=complete) for report in reports]


def _erase(session: Session, customer: Customer) -> ForgetReport:
    customer_id = customer.id
    person = _person(customer)
    member_ids = select(CampaignMember.id).where(CampaignMember.customer_id == customer_id)
    entries = entries_for(
        session,
        phones=[phone for phone in (customer.phone, customer.phone_alt) if phone],
        customer_id=customer.external_id,
    )
    dnc_match = DoNotCall.id.in_(entries)
    kept_entries = _count(
        session,
        select(func.count()).where(dnc_match, DoNotCall.removed_at.is_(None)),
    )
    removed_entries = session.execute(
        update(DoNotCall)
        .where(dnc_match, DoNotCall.removed_at.is_not(None))
        .values(
            phone=None,
            customer_external_id=None,
            reason=ERASED,
            removed_reason=ERASED,
        )
    )
    notes = session.execute(
        update(CallAttempt)
        .where(CallAttempt.member_id.in_(member_ids), CallAttempt.note.is_not(None))
        .values(note=None)
    )
    reasons = session.execute(
        update(AssignmentChange)
        .where(AssignmentChange.member_id.in_(member_ids), AssignmentChange.reason != "")
        .values(reason=ERASED)
    )
    rejected = _erase_rejected_rows(session, person)
    erased_at = utcnow()
    remember_forgotten(
        session,
        phones=[phone for phone in (customer.phone, customer.phone_alt) if phone],
        customer_id=customer.external_id,
        erased_at=erased_at,
    )
    for column in Customer.__table__.columns:
        # The search key is rewritten by the database when names and phones change.
        if column.key not in KEPT_CUSTOMER_COLUMNS and column.key != "search_key":
            setattr(customer, column.key, None if column.nullable else "")
    customer.erased_at = erased_at
    session.flush()
    return ForgetReport(
        customer_id=customer_id,
        erased_at=erased_at,
        memberships_kept=_count(
            session,
            select(func.count()).where(CampaignMember.customer_id == customer_id),
        ),
        attempts_kept=_count(
            session, select(func.count()).where(CallAttempt.member_id.in_(member_ids))
        ),
        purchases_kept=_count(
            session, select(func.count()).where(Purchase.customer_id == customer_id)
        ),
        attempt_notes_erased=_changed(notes),
        owner_change_reasons_erased=_changed(reasons),
        rejected_rows_erased=rejected,
        removed_dnc_entries_erased=_changed(removed_entries),
        dnc_entries_kept=kept_entries,
    )
