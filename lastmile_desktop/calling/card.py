"""The customer card: what makes a call personal, and every earlier call to the customer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Row, Select, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm import join as orm_join

from lastmile_desktop.calling.hours import computer_zone, to_local
from lastmile_desktop.calling.life import MemberLife, bought_since_promise, describe
from lastmile_desktop.calling.lookup import member_by_uuid, member_key, visible_member
from lastmile_desktop.calling.outcomes import UnknownOutcomeError, outcome_by_code
from lastmile_desktop.calling.seen import SeenMember, script_version_on_screen
from lastmile_desktop.campaigns.access import Profile, check_profile, profile_still_valid
from lastmile_desktop.campaigns.members import customer_display_name
from lastmile_desktop.campaigns.script import ScriptFacts, render_script
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.defaults import PINNED_NOTE_MAX_LENGTH
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    Customer,
    Manager,
    Purchase,
    Store,
)
from lastmile_desktop.storage.types import utcnow


@dataclass(frozen=True)
class AttemptLine:
    called_at: datetime  # aware UTC
    campaign: str
    manager: str | None
    outcome: str  # the catalogue code
    outcome_label: str
    note: str | None
    reason: str | None = None  # Not interested: the reason's code
    follow_up: str | None = None  # a reminder call (not a counted attempt)


@dataclass(frozen=True)
class CustomerCard:
    member: uuid.UUID
    version: int
    name: str
    phone: str | None  # E.164
    phone_alt: str | None
    store: str | None  # the store's name
    manager: str | None
    days_since_last_purchase: int | None
    last_purchase: date | None
    lifetime_spend_cents: int | None
    visits: int | None
    offer: str
    script: str  # the campaign's script, placeholders filled
    pinned_note: str | None
    attempts: int
    status: str  # in a few words ("To try again", "Finished: no more tries")
    history: list[AttemptLine]  # newest first, this campaign and earlier ones
    # The member as read for this card: what logging its outcome needs (calling/seen.py).
    seen: SeenMember | None = None


def customer_card(
    db: Database, profile: Profile, member: uuid.UUID, *, at: datetime | None = None
) -> CustomerCard:
    """Everything the desk shows about the member's customer at ``at`` (default now).

    One statement, the profile's check included (on a server, one round trip)."""
    key = member_key(member)
    with db.single_statement() as session:
        rows = session.execute(
            card_select(CampaignMember.uuid == key).add_columns(
                profile_still_valid(profile).label("profile_valid")
            )
        ).all()
        if not rows or not rows[0].profile_valid:
            check_profile(session, profile)  # refuses a profile that is no longer valid
        visible_member(profile, key, rows[0].CampaignMember if rows else None)
        return card_from_rows(rows, at)


def card_of(session: Session, member_id: int, at: datetime | None = None) -> CustomerCard:
    """The card of a member the caller may see, read in ``session`` (a claim's own)."""
    return card_from_rows(session.execute(card_select(CampaignMember.id == member_id)).all(), at)


# The member's own manager; each earlier call's member, campaign and manager.
_OWNER = aliased(Manager)
_CALLED = aliased(CampaignMember)
_CALLED_IN = aliased(Campaign)
_CALLER = aliased(Manager)


def card_select(chosen: ColumnElement[bool], start: FromClause | None = None) -> Select[Any]:
    """The card in one statement: the member ``chosen`` picks, with its customer, campaign,
    store, manager, latest purchase and current script version, on one row per earlier call
    to the customer (newest first; one row with no call for a customer never called).

    ``start``: what the member is joined to by ``chosen`` (a claim's CTE: the card comes
    back with the claim); without it ``chosen`` is the WHERE. ``card_from_rows`` reads the
    rows, whatever columns the caller adds after these.
    """
    calls = (
        orm_join(CallAttempt, _CALLED, _CALLED.id == CallAttempt.member_id)
        .join(_CALLED_IN, _CALLED_IN.id == _CALLED.campaign_id)
        .outerjoin(_CALLER, _CALLER.id == CallAttempt.manager_id)
    )
    query = select(
        CampaignMember,
        Customer,
        Campaign,
        Store.name.label("store_name"),
        Store.timezone.label("store_timezone"),
        _OWNER.name.label("owner"),
        select(func.max(Purchase.purchased_at))
        .where(Purchase.customer_id == Customer.id)
        .scalar_subquery()
        .label("bought"),
        script_version_on_screen(Campaign.id).label("script_version_id"),
        bought_since_promise(Customer.id, CampaignMember.promised_at).label("bought_since_promise"),
        CallAttempt.called_at,
        _CALLED_IN.name.label("called_in"),
        _CALLER.name.label("caller"),
        CallAttempt.outcome,
        CallAttempt.note,
        CallAttempt.reason,
        CallAttempt.follow_up,
    )
    member = (
        orm_join(CampaignMember, Customer, Customer.id == CampaignMember.customer_id)
        if start is None
        else orm_join(start, CampaignMember, chosen).join(
            Customer, Customer.id == CampaignMember.customer_id
        )
    )
    query = query.select_from(
        member.join(Campaign, Campaign.id == CampaignMember.campaign_id)
        .outerjoin(Store, Store.id == CampaignMember.store_id)
        .outerjoin(_OWNER, _OWNER.id == CampaignMember.manager_id)
        .outerjoin(calls, _CALLED.customer_id == Customer.id)
    ).order_by(CallAttempt.called_at.desc(), CallAttempt.id.desc())
    return query.where(chosen) if start is None else query


def card_from_rows(rows: Sequence[Row[Any]], at: datetime | None = None) -> CustomerCard:
    """The card read by ``card_select``'s rows (at least one), as of ``at`` (default now)."""
    first = rows[0]
    row: CampaignMember = first.CampaignMember
    customer: Customer = first.Customer
    campaign: Campaign = first.Campaign
    moment = (at or utcnow()).astimezone(UTC)
    today = to_local(moment, computer_zone()).date()
    last_purchase = _latest(
        customer.last_purchase_date,
        to_local(first.bought, computer_zone()).date() if first.bought is not None else None,
    )
    facts = ScriptFacts(
        first_name=customer.first_name,
        last_name=customer.last_name,
        store=first.store_name,
        manager=first.owner,
        last_purchase_date=last_purchase,
        visits=customer.visits,
        offer=campaign.offer,
        offer_code=campaign.offer_code,
    )
    return CustomerCard(
        member=row.uuid,
        version=row.version,
        name=customer_display_name(
            customer.first_name, customer.last_name, erased=customer.erased_at is not None
        ),
        phone=customer.phone,
        phone_alt=customer.phone_alt,
        store=first.store_name,
        manager=first.owner,
        days_since_last_purchase=(today - last_purchase).days if last_purchase else None,
        last_purchase=last_purchase,
        lifetime_spend_cents=customer.lifetime_spend_cents,
        visits=customer.visits,
        offer=campaign.offer,
        script=render_script(campaign.script, facts.values(today)),
        pinned_note=customer.pinned_note,
        attempts=row.attempts,
        status=describe(MemberLife.of(row)),
        history=[_line(call) for call in rows if call.called_at is not None],
        seen=SeenMember.of(
            row,
            campaign,
            customer,
            first.store_timezone,
            first.script_version_id,
            bought_since_promise=first.bought_since_promise,
        ),
    )


@dataclass(frozen=True)
class PinnedNote:
    """A pinned note as saved, and the member whose card it was edited on."""

    member_id: int
    campaign_id: int
    note: str | None


def set_pinned_note(
    db: Database, profile: Profile, member: uuid.UUID, note: str | None
) -> PinnedNote:
    """The personal note that stays with the customer across campaigns; empty clears it."""
    text = " ".join((note or "").split()) or None
    if text is not None and len(text) > PINNED_NOTE_MAX_LENGTH:
        raise UserFacingError(f"Shorten the note to {PINNED_NOTE_MAX_LENGTH} characters.")
    with db.session() as session:
        check_profile(session, profile)
        row = member_by_uuid(session, profile, member)
        customer = session.get_one(Customer, row.customer_id)
        if customer.erased_at is not None:
            raise UserFacingError("This customer asked to be forgotten: no note can be kept.")
        customer.pinned_note = text
        return PinnedNote(row.id, row.campaign_id, text)


def _latest(first: date | None, second: date | None) -> date | None:
    known = [day for day in (first, second) if day is not None]
    return max(known) if known else None


def _line(call: Row[Any]) -> AttemptLine:
    return AttemptLine(
        called_at=call.called_at,
        campaign=call.called_in,
        manager=call.caller,
        outcome=call.outcome,
        outcome_label=_label(call.outcome),
        note=call.note,
        reason=call.reason,
        follow_up=call.follow_up,
    )


def _label(code: str) -> str:
    try:
        return outcome_by_code(code).label
    except UnknownOutcomeError:
        return code
