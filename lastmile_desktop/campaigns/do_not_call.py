"""Editing the do-not-call list: add, remove with a kept reason, list.

The list is keyed by E.164 phone and by head office's customer id, so it holds across
every re-import and every new campaign (the import engine reads it through
``suppression.active_suppressions``; a suppression file is imported by
``importing.suppression_list``). Adding an entry also takes matching customers out of the
call group of every open campaign at once. Entries are never deleted: a removal keeps who
removed it, when and why. The call desk's Do not call, logged from the customer as the card
showed them, is written as statements whose results are not read (``listing_statements``),
so a server gets it in the call's one flight.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Executable,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    not_,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from lastmile_desktop.calling.life import SUPPRESSIBLE_STATUSES, status_after_release
from lastmile_desktop.campaigns.access import (
    LeadAction,
    Profile,
    check_profile,
    dnc_visibility,
    require_lead,
)
from lastmile_desktop.campaigns.identities import customer_id_key, customers_with_ids
from lastmile_desktop.campaigns.phones import normalise_phone
from lastmile_desktop.campaigns.suppression import active_suppressions, entries_for
from lastmile_desktop.data_settings import default_region
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.defaults import CUSTOMER_ID_MAX_LENGTH
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    CampaignState,
    Customer,
    DoNotCall,
    MemberStatus,
)
from lastmile_desktop.storage.sql_text import has_non_ascii
from lastmile_desktop.storage.types import utcnow

SOURCE_BY_HAND = "added by hand"
_CHUNK = 500  # stays under every database's limit of bound parameters per statement
T = TypeVar("T", str, int)


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


def _chunks(values: Collection[T]) -> Iterator[list[T]]:
    items = sorted(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _matching_customers(
    session: Session, phones: Collection[str], customer_ids: Collection[str]
) -> Iterator[ColumnElement[bool]]:
    """WHERE clauses that pick the customers one of these phones or ids belongs to."""
    for chunk in _chunks(phones):
        yield or_(Customer.phone.in_(chunk), Customer.phone_alt.in_(chunk))
    for id_chunk in _chunks(customers_with_ids(session, customer_ids)):
        yield Customer.id.in_(id_chunk)


def suppress_members(
    session: Session, phones: Collection[str], customer_ids: Collection[str]
) -> int:
    """Take customers with these phones or ids out of every open campaign's call group."""
    open_campaigns = select(Campaign.id).where(Campaign.state == CampaignState.OPEN)
    changed = 0
    for clause in _matching_customers(session, phones, customer_ids):
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
    for clause in _matching_customers(session, phones, ids):
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
    entries = entries_for(session, phones=[phone] if phone else [], customer_id=customer_id)
    if not entries:
        return None
    return session.scalars(
        select(DoNotCall)
        .where(DoNotCall.removed_at.is_(None))
        .where(DoNotCall.id.in_(entries))
        .order_by(DoNotCall.id)
        .limit(1)
    ).first()


def _same_customer_id(listed: str | None, typed: str) -> bool:
    return listed is not None and customer_id_key(listed) == customer_id_key(typed)


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
        and (clean_id is None or _same_customer_id(existing.customer_external_id, clean_id))
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


# What customer_id_key treats as a space besides " " (str.isspace in ASCII): an id holding
# one is compared by a rule SQL cannot follow (see listing_statements).
_OTHER_ASCII_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"


def can_list_in_statements(phone: str | None, customer_id: str | None) -> bool:
    """Whether ``listing_statements`` puts a customer with this phone (as customers.phone
    holds it) and id on the list exactly as ``add_entry_in_session`` would: the phone is
    E.164 already (normalise_phone leaves it as it is), the id is written plainly (ASCII,
    trimmed, single spaces: ``customer_id_key`` is then its lower case, which SQL can do)."""
    if phone is not None:
        if not phone.startswith("+"):
            return False
        try:
            # Written with its country code: the region is not read.
            if normalise_phone(phone, "ZZ") != phone:
                return False
        except UserFacingError:
            return False
    if customer_id is not None and not (
        customer_id
        and customer_id == customer_id.strip()
        and customer_id.isascii()
        and customer_id.isprintable()
        and "  " not in customer_id
        and len(customer_id) <= CUSTOMER_ID_MAX_LENGTH
    ):
        return False
    return phone is not None or customer_id is not None


def listing_statements(
    *,
    phone: str | None,
    customer_id: str | None,
    reason: str,
    source: str,
    added_by: str | ColumnElement[str],
    added_at: datetime,
    attempt: uuid.UUID,
    refuse_unless: ColumnElement[bool],
) -> list[Executable]:
    """A call's Do not call as statements whose results are not read (for a server, one
    flight with the call: calling/log.py), with the same result as ``add_entry_in_session``
    followed by linking the entry to the attempt: the entry is added unless the first active
    entry for the phone or the id lists both already; if added, it names ``attempt`` (the
    call, written before these) and the members of open campaigns whose customer has the
    phone (own or second) or the id are taken out of the call group.

    Only for what ``can_list_in_statements`` takes. Ids are compared in SQL as plain ids
    are (trimmed, lower case); an id on the list or of a customer written otherwise (a
    letter outside ASCII, two spaces, a tab) may read as this one by ``customer_id_key``,
    which SQL cannot follow: then, as when ``refuse_unless`` does not hold (what the caller
    saw has changed), the entry's reason is NULL, which the table refuses, and the whole
    transaction is undone for the caller to do it the reading way."""
    if not can_list_in_statements(phone, customer_id):
        raise ValueError("listing_statements: the phone or the id needs add_entry_in_session")
    key = customer_id.lower() if customer_id is not None else None
    attempt_id = select(CallAttempt.id).where(CallAttempt.uuid == attempt).scalar_subquery()

    def listing(phone_columns: list[Any], id_column: InstrumentedAttribute[str | None]) -> Any:
        clauses = [column == phone for column in phone_columns] if phone is not None else []
        if key is not None:
            clauses.append(func.lower(func.trim(id_column)) == key)
        return or_(*clauses)

    active = DoNotCall.removed_at.is_(None)
    first = select(func.min(DoNotCall.id)).where(
        active, listing([DoNotCall.phone], DoNotCall.customer_external_id)
    )
    covers = [DoNotCall.id == first.scalar_subquery()]
    if phone is not None:
        covers.append(DoNotCall.phone == phone)
    if key is not None:
        covers.append(func.lower(func.trim(DoNotCall.customer_external_id)) == key)
    listed_already = exists().where(*covers)
    refused = not_(refuse_unless)
    if key is not None:
        refused = or_(
            refused,
            exists().where(_written_otherwise(Customer.external_id)),
            exists().where(active, _written_otherwise(DoNotCall.customer_external_id)),
        )
    entry = select(
        literal(phone, DoNotCall.phone.type),
        literal(customer_id, DoNotCall.customer_external_id.type),
        case((refused, null()), else_=literal(reason.strip(), DoNotCall.reason.type)),
        literal(source, DoNotCall.source.type),
        added_by if not isinstance(added_by, str) else literal(added_by, DoNotCall.added_by.type),
        literal(added_at, DoNotCall.added_at.type),
        attempt_id,
    ).where(or_(not_(listed_already), refused))
    added = insert(DoNotCall).from_select(
        ["phone", "customer_external_id", "reason", "source", "added_by", "added_at", "attempt_id"],
        entry,
    )
    open_campaigns = select(Campaign.id).where(Campaign.state == CampaignState.OPEN)
    # As suppress_members, for the customers the entry lists, once it is added.
    suppressed = (
        update(CampaignMember)
        .where(
            CampaignMember.customer_id.in_(
                select(Customer.id).where(
                    listing([Customer.phone, Customer.phone_alt], Customer.external_id)
                )
            ),
            CampaignMember.campaign_id.in_(open_campaigns),
            CampaignMember.status.in_(SUPPRESSIBLE_STATUSES),
            exists().where(DoNotCall.attempt_id == attempt_id),
        )
        .values(status=MemberStatus.SUPPRESSED, version=CampaignMember.version + 1)
        .execution_options(synchronize_session=False)
    )
    return [added, suppressed]


def _written_otherwise(column: InstrumentedAttribute[str | None]) -> ColumnElement[bool]:
    """Whether an id is written so that ``customer_id_key`` is more than its lower case."""
    return and_(
        column.is_not(None),
        or_(
            has_non_ascii(column),
            column.contains("  ", autoescape=True),
            *(column.contains(space, autoescape=True) for space in _OTHER_ASCII_SPACES),
        ),
    )


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
        check_profile(session, profile)
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
    require_lead(profile, LeadAction.REMOVE_DNC)
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


def list_entries(db: Database, profile: Profile, include_removed: bool = False) -> list[DncEntry]:
    """Newest first; removed entries only when asked, with who removed them and why.

    A store manager gets the entries of their own store's customers only (``dnc_visibility``).
    """
    with db.read_session() as session:
        check_profile(session, profile)
        query = (
            select(DoNotCall)
            .where(dnc_visibility(profile))
            .order_by(DoNotCall.added_at.desc(), DoNotCall.id.desc())
        )
        if not include_removed:
            query = query.where(DoNotCall.removed_at.is_(None))
        return [_to_entry(row) for row in session.scalars(query)]


def find_active_entry(
    db: Database,
    *,
    phone: str | None = None,
    customer_id: str | None = None,
    profile: Profile,
) -> DncEntry:
    """The active entry for a phone (typed any way) or a customer id, for the command line.

    An entry ``profile`` may not see (``dnc_visibility``) is not found.
    """
    with db.read_session() as session:
        check_profile(session, profile)
        clean_phone = normalise_phone(phone, default_region(session)) if phone else None
        row = _active_entry(session, clean_phone, _clean_customer_id(customer_id))
        if row is not None and not session.scalar(
            select(DoNotCall.id).where(DoNotCall.id == row.id, dnc_visibility(profile))
        ):
            row = None
        if row is None:
            what = clean_phone or customer_id or "that"
            raise EntryNotFound(f"{what} is not on the do-not-call list.")
        return _to_entry(row)
