"""A small region for call desk tests: stores, managers, an open campaign and named customers
whose calls are logged through the real services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import insert, select, update

from lastmile_desktop.calling.member_facts import refresh_customers, refresh_members
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.assignment import assign_campaign
from lastmile_desktop.campaigns.campaigns import CampaignDraft, create_campaign
from lastmile_desktop.campaigns.managers import ManagerDraft, add_manager
from lastmile_desktop.campaigns.stores import StoreDraft, add_store
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    CampaignMember,
    Customer,
    MemberStatus,
    Purchase,
)
from lastmile_desktop.storage.types import utcnow

LEAD = Profile.lead()
LONDON = "Europe/London"
CAMPAIGN = "Spring win-back"
CAMPAIGN_START = date(2025, 1, 1)
SCRIPT = "Hello {first_name}, it's {store}: {offer} with {offer_code}."


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@dataclass(frozen=True)
class Person:
    first_name: str
    phone: str
    spend_cents: int = 10_000
    last_purchase: date = date(2024, 9, 1)
    store: str = "LON"


@dataclass
class Region:
    db: Database
    campaign_id: int
    stores: dict[str, int]
    managers: dict[str, Profile]
    members: dict[str, uuid.UUID]  # by first name

    def member_id(self, first_name: str) -> int:
        with self.db.read_session() as session:
            return session.scalars(
                select(CampaignMember.id).where(CampaignMember.uuid == self.members[first_name])
            ).one()

    def bought(self, first_name: str, at: datetime) -> None:
        with self.db.session() as session:
            customer_id = session.scalars(
                select(CampaignMember.customer_id).where(
                    CampaignMember.uuid == self.members[first_name]
                )
            ).one()
            session.add(Purchase(customer_id=customer_id, purchased_at=at, amount_cents=2500))
            session.flush()
            refresh_customers(session, [customer_id])  # as the sales import does

    def hold_out(self, first_name: str) -> None:
        with self.db.session() as session:
            session.execute(
                update(CampaignMember)
                .where(CampaignMember.uuid == self.members[first_name])
                .values(group="holdout", status=MemberStatus.HOLDOUT, manager_id=None)
            )
            # As every writer of a member's group does.
            member_id = session.scalars(
                select(CampaignMember.id).where(CampaignMember.uuid == self.members[first_name])
            ).one()
            refresh_members(session, [member_id])


def uk_mobile(number: int) -> str:
    """A valid UK mobile number (phonenumbers knows its zones)."""
    return f"+4479111{number:05d}"


def build_region(db: Database, people: list[Person], campaign: str = CAMPAIGN) -> Region:
    """Stores LON (Alice) and LEE (Bob), the campaign with no holdout, everyone assigned."""
    stores = {
        "LON": add_store(db, StoreDraft("London Camden", "LON", LONDON), LEAD).id,
        "LEE": add_store(db, StoreDraft("Leeds Briggate", "LEE", LONDON), LEAD).id,
    }
    managers = {}
    for name, code in (("Alice Smith", "LON"), ("Bob Jones", "LEE")):
        info = add_manager(db, ManagerDraft(name, stores[code]), LEAD)
        managers[name.split()[0]] = Profile.manager(info.name, info.id, info.store_id)
    info = create_campaign(
        db,
        CampaignDraft(
            name=campaign,
            offer="20% off",
            offer_code="BACK20",
            script=SCRIPT,
            start_date=CAMPAIGN_START,
            holdout_share=0.0,
        ),
        LEAD,
    )
    members = add_people(db, info.id, stores, people)
    assign_campaign(db, info.id, LEAD, seed=1)
    return Region(db, info.id, stores, managers, members)


def add_people(
    db: Database, campaign_id: int, stores: dict[str, int], people: list[Person]
) -> dict[str, uuid.UUID]:
    now = utcnow()
    members: dict[str, uuid.UUID] = {}
    with db.session() as session:
        for person in people:
            customer_id = session.execute(
                insert(Customer)
                .values(
                    uuid=uuid.uuid4(),
                    external_id=f"HO-{person.first_name}",
                    first_name=person.first_name,
                    last_name="Example",
                    phone=person.phone,
                    home_store_id=stores[person.store],
                    lifetime_spend_cents=person.spend_cents,
                    last_purchase_date=person.last_purchase,
                    visits=4,
                    created_at=now,
                    updated_at=now,
                )
                .returning(Customer.id)
            ).scalar_one()
            member = uuid.uuid4()
            session.execute(
                insert(CampaignMember).values(
                    uuid=member,
                    campaign_id=campaign_id,
                    customer_id=customer_id,
                    store_id=stores[person.store],
                    status=MemberStatus.UNASSIGNED,
                    created_at=now,
                    updated_at=now,
                )
            )
            members[person.first_name] = member
    return members
