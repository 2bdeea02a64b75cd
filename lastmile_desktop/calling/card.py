"""The customer card: what makes a call personal, and every earlier call to the customer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from lastmile_desktop.calling.hours import computer_zone, to_local
from lastmile_desktop.calling.life import MemberLife, describe
from lastmile_desktop.calling.lookup import member_by_uuid
from lastmile_desktop.calling.outcomes import UnknownOutcomeError, outcome_by_code
from lastmile_desktop.campaigns.access import Profile, check_profile
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


def customer_card(
    db: Database, profile: Profile, member: uuid.UUID, *, at: datetime | None = None
) -> CustomerCard:
    """Everything the desk shows about the member's customer at ``at`` (default now)."""
    with db.read_session() as session:
        check_profile(session, profile)
        return card_of(session, member_by_uuid(session, profile, member).id, at)


_OWNER = aliased(Manager)


def card_of(session: Session, member_id: int, at: datetime | None = None) -> CustomerCard:
    """The card of a member the caller may see, read in ``session`` (a claim's own): the
    member with its customer, campaign, store and manager in one statement, then the calls."""
    moment = (at or utcnow()).astimezone(UTC)
    today = to_local(moment, computer_zone()).date()
    row, customer, campaign, store_name, owner, bought = session.execute(
        select(
            CampaignMember,
            Customer,
            Campaign,
            Store.name,
            _OWNER.name,
            select(func.max(Purchase.purchased_at))
            .where(Purchase.customer_id == Customer.id)
            .scalar_subquery(),
        )
        .join(Customer, Customer.id == CampaignMember.customer_id)
        .join(Campaign, Campaign.id == CampaignMember.campaign_id)
        .outerjoin(Store, Store.id == CampaignMember.store_id)
        .outerjoin(_OWNER, _OWNER.id == CampaignMember.manager_id)
        .where(CampaignMember.id == member_id)
    ).one()
    last_purchase = _latest(
        customer.last_purchase_date,
        to_local(bought, computer_zone()).date() if bought is not None else None,
    )
    facts = ScriptFacts(
        first_name=customer.first_name,
        last_name=customer.last_name,
        store=store_name,
        manager=owner,
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
        store=store_name,
        manager=owner,
        days_since_last_purchase=(today - last_purchase).days if last_purchase else None,
        last_purchase=last_purchase,
        lifetime_spend_cents=customer.lifetime_spend_cents,
        visits=customer.visits,
        offer=campaign.offer,
        script=render_script(campaign.script, facts.values(today)),
        pinned_note=customer.pinned_note,
        attempts=row.attempts,
        status=describe(MemberLife.of(row)),
        history=_history(session, customer.id),
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


def _history(session: Session, customer_id: int) -> list[AttemptLine]:
    rows = session.execute(
        select(
            CallAttempt.called_at,
            Campaign.name,
            Manager.name,
            CallAttempt.outcome,
            CallAttempt.note,
            CallAttempt.reason,
            CallAttempt.follow_up,
        )
        .join(CampaignMember, CampaignMember.id == CallAttempt.member_id)
        .join(Campaign, Campaign.id == CampaignMember.campaign_id)
        .outerjoin(Manager, Manager.id == CallAttempt.manager_id)
        .where(CampaignMember.customer_id == customer_id)
        .order_by(CallAttempt.called_at.desc(), CallAttempt.id.desc())
    )
    return [
        AttemptLine(
            called_at=called_at,
            campaign=campaign,
            manager=manager,
            outcome=outcome,
            outcome_label=_label(outcome),
            note=note,
            reason=reason,
            follow_up=follow_up,
        )
        for called_at, campaign, manager, outcome, note, reason, follow_up in rows
    ]


def _label(code: str) -> str:
    try:
        return outcome_by_code(code).label
    except UnknownOutcomeError:
        return code
