"""Editing the do-not-call list: add, remove with a kept reason, list, import a file.

The list is keyed by E.164 phone and by head office's customer id, so it holds across
every re-import and every new campaign (the import engine reads it through
``suppression.active_suppressions``). Adding an entry also takes matching customers out of
the call group of every open campaign at once. Entries are never deleted: a removal keeps
who removed it, when and why.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, insert, or_, select, update
from sqlalchemy.orm import Session

from lastmile_desktop.calling.life import SUPPRESSIBLE_STATUSES, status_after_release
from lastmile_desktop.campaigns.access import Profile, require_lead
from lastmile_desktop.campaigns.phones import normalise_phone
from lastmile_desktop.campaigns.suppression import active_suppressions
from lastmile_desktop.campaigns.suppression_file import SuppressionRow, read_suppression_file
from lastmile_desktop.data_settings import default_region
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.model import RowProblem
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.defaults import CUSTOMER_ID_MAX_LENGTH
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    CampaignState,
    Customer,
    DoNotCall,
    MemberStatus,
)
from lastmile_desktop.storage.types import utcnow

SOURCE_BY_HAND = "added by hand"
_CHUNK = 500  # stays under every database's limit of bound parameters per statement


class EntryNotFound(UserFacingError):
    pass


@dataclass(frozen=True)
class DncEntry:
    id: int
    phone: str | None  # E.164
    customer_id: str | None  # head office's customer id
    reason: str
    source: str
    added_at: datetime
    added_by: str
    removed_at: datetime | None
    removed_by: str | None
    removed_reason: str | None

    @property
    def active(self) -> bool:
        return self.removed_at is None


@dataclass(frozen=True)
class DncAddResult:
    entry: DncEntry
    already_listed: bool  # an active entry for this phone / id existed; nothing was added
    members_suppressed: int  # members of open campaigns taken out of the call group


def _to_entry(row: DoNotCall) -> DncEntry:
    return DncEntry(
        id=row.id,
        phone=row.phone,
        customer_id=row.customer_external_id,
        reason=row.reason,
        source=row.source,
        added_at=row.added_at,
        added_by=row.added_by,
        removed_at=row.removed_at,
        removed_by=row.removed_by,
        removed_reason=row.removed_reason,
    )


def _chunks(values: Collection[str]) -> Iterator[list[str]]:
    items = sorted(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _matching_customers(
    phones: Collection[str], customer_ids: Collection[str]
) -> Iterator[ColumnElement[bool]]:
    """WHERE clauses that pick the customers one of these phones or ids belongs to."""
    for chunk in _chunks(phones):
        yield or_(Customer.phone.in_(chunk), Customer.phone_alt.in_(chunk))
    for chunk in _chunks(customer_ids):
        yield Customer.external_id.in_(chunk)


def suppress_members(
    session: Session, phones: Collection[str], customer_ids: Collection[str]
) -> int:
    """Take customers with these phones or ids out of every open campaign's call group."""
    open_campaigns = select(Campaign.id).where(Campaign.state == CampaignState.OPEN)
    changed = 0
    for clause in _matching_customers(phones, customer_ids):
        customers = select(Customer.id).where(clause)
        result = session.execute(
            update(CampaignMember)
            .where(CampaignMember.customer_id.in_(customers))
            .where(CampaignMember.campaign_id.in_(open_campaigns))
            .where(CampaignMember.status.in_(SUPPRESSIBLE_STATUSES))
            # A bulk update bypasses the ORM's version counter: bump it so a caller holding
            # the old row cannot log an attempt over the suppression. "fetch" refreshes rows
            # this session holds (the call desk's member), so its next flush is not stale.
            .values(status=MemberStatus.SUPPRESSED, version=CampaignMember.version + 1)
            .execution_options(synchronize_session="fetch")
        )
        changed += cast(CursorResult[Any], result).rowcount
    return changed


def _release_members(session: Session, phone: str | None, customer_id: str | None) -> int:
    """Members suppressed because of a removed entry go back to work, unless still listed."""
    still = active_suppressions(session)
    phones = [phone] if phone else []
    ids = [customer_id] if customer_id else []
    released = 0
    for clause in _matching_customers(phones, ids):
        rows = session.execute(
            select(
                CampaignMember.id,
                CampaignMember.group,
                CampaignMember.attempts,
                Customer.phone,
                Customer.phone_alt,
                Customer.external_id,
            )
            .join(Customer, Customer.id == CampaignMember.customer_id)
            .join(Campaign, Campaign.id == CampaignMember.campaign_id)
            .where(clause)
            .where(Campaign.state == CampaignState.OPEN)
            .where(CampaignMember.status == MemberStatus.SUPPRESSED)
        ).all()
        for member_id, group, attempts, own_phone, alt_phone, external_id in rows:
            if still.blocks([own_phone, alt_phone], external_id):
                continue
            session.execute(
                update(CampaignMember)
                .where(CampaignMember.id == member_id)
                .values(
                    status=status_after_release(group, attempts),
                    version=CampaignMember.version + 1,
                )
                .execution_options(synchronize_session=False)
            )
            released += 1
    return released


def _clean_customer_id(customer_id: str | None) -> str | None:
    text = (customer_id or "").strip()
    if len(text) > CUSTOMER_ID_MAX_LENGTH:
        raise UserFacingError(f"Shorten the customer id to {CUSTOMER_ID_MAX_LENGTH} characters.")
    return text or None


def _active_entry(session: Session, phone: str | None, customer_id: str | None) -> DoNotCall | None:
    clauses = []
    if phone:
        clauses.append(DoNotCall.phone == phone)
    if customer_id:
        clauses.append(DoNotCall.customer_external_id == customer_id)
    if not clauses:
        return None
    return session.scalars(
        select(DoNotCall)
        .where(DoNotCall.removed_at.is_(None))
        .where(or_(*clauses))
        .order_by(DoNotCall.id)
        .limit(1)
    ).first()


def add_entry_in_session(
    session: Session,
    *,
    phone: str | None,
    customer_id: str | None,
    reason: str,
    source: str,
    added_by: str,
) -> DncAddResult:
    """Add inside a caller's transaction (the call desk's "Do not call" outcome uses this).

    ``phone`` may be typed any way; it is stored as E.164 using the default region.
    """
    clean_id = _clean_customer_id(customer_id)
    clean_phone = None
    if phone and phone.strip():
        clean_phone = normalise_phone(phone, default_region(session))
    if clean_phone is None and clean_id is None:
        raise UserFacingError("Give a phone number or a customer id to put on the list.")
    existing = _active_entry(session, clean_phone, clean_id)
    if existing is not None and (
        (clean_phone is None or existing.phone == clean_phone)
        and (clean_id is None or existing.customer_external_id == clean_id)
    ):
        return DncAddResult(_to_entry(existing), already_listed=True, members_suppressed=0)
    row = DoNotCall(
        phone=clean_phone,
        customer_external_id=clean_id,
        reason=reason.strip(),
        source=source,
        added_by=added_by,
    )
    session.add(row)
    session.flush()
    suppressed = suppress_members(
        session, [clean_phone] if clean_phone else [], [clean_id] if clean_id else []
    )
    return DncAddResult(_to_entry(row), already_listed=False, members_suppressed=suppressed)


def add_entry(
    db: Database,
    *,
    phone: str | None = None,
    customer_id: str | None = None,
    reason: str = "",
    profile: Profile,
) -> DncAddResult:
    """Put a phone and/or a customer id on the list. Anyone may: it only ever stops calls."""
    with db.session() as session:
        return add_entry_in_session(
            session,
            phone=phone,
            customer_id=customer_id,
            reason=reason,
            source=SOURCE_BY_HAND,
            added_by=profile.name,
        )


def remove_entry(db: Database, entry_id: int, *, reason: str, profile: Profile) -> DncEntry:
    """Lift an entry. The reason is required and kept with the entry, which stays listed."""
    require_lead(profile, "remove entries from the do-not-call list")
    why = reason.strip()
    if not why:
        raise UserFacingError(
            'Give a reason for removing the entry (for example "added by mistake"): '
            "it is kept with the list."
        )
    with db.session() as session:
        return lift_entry_in_session(session, entry_id, reason=why, removed_by=profile.name)


def lift_entry_in_session(
    session: Session, entry_id: int, *, reason: str, removed_by: str
) -> DncEntry:
    """Remove an entry inside a caller's transaction (the call desk's undo uses this); the
    members it took out of open campaigns go back to work unless still listed."""
    row = session.get(DoNotCall, entry_id)
    if row is None:
        raise EntryNotFound(f"Entry {entry_id} is not on the do-not-call list.")
    if row.removed_at is not None:
        raise UserFacingError(
            f"Entry {entry_id} was already removed on {row.removed_at:%Y-%m-%d} "
            f"by {row.removed_by}."
        )
    row.removed_at = utcnow()
    row.removed_by = removed_by
    row.removed_reason = reason
    session.flush()
    _release_members(session, row.phone, row.customer_external_id)
    return _to_entry(row)


def list_entries(db: Database, include_removed: bool = False) -> list[DncEntry]:
    """Newest first; removed entries only when asked, with who removed them and why."""
    with db.read_session() as session:
        query = select(DoNotCall).order_by(DoNotCall.added_at.desc(), DoNotCall.id.desc())
        if not include_removed:
            query = query.where(DoNotCall.removed_at.is_(None))
        return [_to_entry(row) for row in session.scalars(query)]


def find_active_entry(
    db: Database, *, phone: str | None = None, customer_id: str | None = None
) -> DncEntry:
    """The active entry for a phone (typed any way) or a customer id, for the command line."""
    with db.read_session() as session:
        clean_phone = normalise_phone(phone, default_region(session)) if phone else None
        row = _active_entry(session, clean_phone, _clean_customer_id(customer_id))
        if row is None:
            what = clean_phone or customer_id or "that"
            raise EntryNotFound(f"{what} is not on the do-not-call list.")
        return _to_entry(row)


# --- importing a suppression file -------------------------------------------------------

PROBLEMS_KEPT = 50
PROGRESS_EVERY = 1000
NO_PROGRESS = NoProgress()


@dataclass(frozen=True)
class DncImportCounts:
    """What a suppression file brought: rows_read = added + already_listed + rejected."""

    file: str
    rows_read: int
    added: int
    already_listed: int  # on the list before, or repeated in the file
    rejected: int
    members_suppressed: int
    problems: list[RowProblem]  # the first rows that could not be used, with the reason


def _row_entries(
    row: SuppressionRow, region: str
) -> tuple[list[tuple[str | None, str | None]], str | None]:
    """(phone, customer id) pairs a row asks to list, and why it cannot be used if so."""
    customer_id = row.customer_id[:CUSTOMER_ID_MAX_LENGTH] if row.customer_id else None
    phones: list[str] = []
    bad: str | None = None
    for written in row.phones:
        try:
            phones.append(normalise_phone(written, region))
        except UserFacingError:
            bad = bad or written
    if phones:
        return [(phone, customer_id) for phone in phones], None
    if customer_id is not None:
        return [(None, customer_id)], None
    if bad is not None:
        return [], f'"{bad}" is not a phone number that can be dialled'
    return [], "no phone number or customer id"


def import_suppression_file(
    db: Database, path: Path, profile: Profile, progress: Progress = NO_PROGRESS
) -> DncImportCounts:
    """Put every phone and customer id of a CSV or spreadsheet on the list, in one go.

    ``progress`` hears every ``PROGRESS_EVERY`` rows; a cancel there leaves the list as it was.
    """
    require_lead(profile, "import a suppression file")
    rows_read = added = already = rejected = 0
    problems: list[RowProblem] = []
    new_rows: list[dict[str, object]] = []
    with db.session() as session:
        region = default_region(session)
        listed = active_suppressions(session)
        phones, ids = set(listed.phones), set(listed.customer_ids)
        new_phones: set[str] = set()
        new_ids: set[str] = set()
        for row in read_suppression_file(path):
            rows_read += 1
            if rows_read % PROGRESS_EVERY == 0:
                progress.report(rows_read, None, f"{rows_read:,} rows read from {path.name}")
            entries, problem = _row_entries(row, region)
            if problem is not None:
                rejected += 1
                if len(problems) < PROBLEMS_KEPT:
                    problems.append(RowProblem(row.row, problem))
                continue
            fresh = [
                (phone, cid)
                for phone, cid in entries
                if not ((phone is None or phone in phones) and (cid is None or cid in ids))
            ]
            if not fresh:
                already += 1
                continue
            added += 1
            for phone, cid in fresh:
                new_rows.append(
                    {
                        "phone": phone,
                        "customer_external_id": cid,
                        "reason": row.reason or f"listed in {path.name}",
                        "source": path.name,
                        "added_by": profile.name,
                    }
                )
                if phone is not None:
                    phones.add(phone)
                    new_phones.add(phone)
                if cid is not None:
                    ids.add(cid)
                    new_ids.add(cid)
        if rows_read == 0:
            raise UserFacingError(
                f"{path.name} holds no phone numbers or customer ids: check that it is the "
                "suppression list, with a Phone or Customer id column."
            )
        if new_rows:
            session.execute(insert(DoNotCall), new_rows)
        suppressed = suppress_members(session, new_phones, new_ids)
    return DncImportCounts(path.name, rows_read, added, already, rejected, suppressed, problems)
