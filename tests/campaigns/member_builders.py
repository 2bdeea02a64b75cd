"""Small builders for assignment tests: stores, managers, a campaign and its members.

Rows go in through Core inserts, as the import engine writes them: members get the
customer's home store (or None), no manager, no group and status UNASSIGNED.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    Customer,
    Manager,
    MemberStatus,
    Store,
)
from lastmile_desktop.storage.types import utcnow

FIRST_NAMES = ("Ann", "Bilal", "Chloé", "Dev", "Eve", "Femi", "Grace", "Hugo", "Iris", "Jon")
LAST_NAMES = ("Achebe", "Byrne", "Costa", "Dunn", "Evans", "Fox", "Gill", "Hart", "Ives", "Jones")


@dataclass(frozen=True)
class NewCustomer:
    first_name: str
    last_name: str
    phone: str
    spend_cents: int | None
    last_purchase: date | None
    uuid: uuid.UUID | None = None  # fixed to build the same customers in two databases


def add_store(db: Database, code: str, name: str | None = None) -> int:
    with db.session() as session:
        store_id = session.execute(
            insert(Store).values(code=code, name=name or f"Store {code}").returning(Store.id)
        ).scalar_one()
    return int(store_id)


def add_managers(db: Database, store_id: int, *names: str, active: bool = True) -> list[int]:
    with db.session() as session:
        return [
            int(
                session.execute(
                    insert(Manager)
                    .values(store_id=store_id, name=name, active=active)
                    .returning(Manager.id)
                ).scalar_one()
            )
            for name in names
        ]


def add_campaign(db: Database, name: str = "Spring win-back", share: float = 0.10) -> int:
    with db.session() as session:
        campaign_id = session.execute(
            insert(Campaign).values(name=name, holdout_share=share).returning(Campaign.id)
        ).scalar_one()
    return int(campaign_id)


def random_customers(count: int, seed: int = 1, start: int = 0) -> list[NewCustomer]:
    rng = random.Random(seed)
    return [
        NewCustomer(
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            phone=f"+4474001{start + index:05d}",
            spend_cents=rng.randrange(1_000, 500_000),
            last_purchase=date(2025, 1, 1) + timedelta(days=rng.randrange(365)),
            uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"lastmile-test:{seed}:{start + index}"),
        )
        for index in range(count)
    ]


def add_members(
    db: Database,
    campaign_id: int,
    store_id: int | None,
    customers: list[NewCustomer],
) -> list[int]:
    """Customers and their campaign members, as a fresh import leaves them. Returns member ids."""
    now = utcnow()
    with db.session() as session:
        first_customer = (session.scalar(select(func.max(Customer.id))) or 0) + 1
        session.execute(
            insert(Customer),
            [
                {
                    "uuid": c.uuid or uuid.uuid4(),
                    "first_name": c.first_name,
                    "last_name": c.last_name,
                    "phone": c.phone,
                    "home_store_id": store_id,
                    "lifetime_spend_cents": c.spend_cents,
                    "last_purchase_date": c.last_purchase,
                    "created_at": now,
                    "updated_at": now,
                }
                for c in customers
            ],
        )
        customer_ids = list(
            session.scalars(
                select(Customer.id).where(Customer.id >= first_customer).order_by(Customer.id)
            )
        )
        first_member = (session.scalar(select(func.max(CampaignMember.id))) or 0) + 1
        session.execute(
            insert(CampaignMember),
            [
                {
                    "uuid": uuid.uuid4(),
                    "campaign_id": campaign_id,
                    "customer_id": customer_id,
                    "store_id": store_id,
                    "status": MemberStatus.UNASSIGNED,
                    "created_at": now,
                    "updated_at": now,
                }
                for customer_id in customer_ids
            ],
        )
        return list(
            session.scalars(
                select(CampaignMember.id)
                .where(CampaignMember.id >= first_member)
                .order_by(CampaignMember.id)
            )
        )


def log_attempt(db: Database, member_id: int, outcome: str = "no_answer") -> None:
    """A call attempt as the call desk records it: the attempt row and the member's count."""
    with db.session() as session:
        member = session.get_one(CampaignMember, member_id)
        session.add(
            CallAttempt(
                member_id=member_id,
                manager_id=member.manager_id,
                store_id=member.store_id,
                outcome=outcome,
            )
        )
        member.attempts += 1
        member.status = MemberStatus.IN_PROGRESS
        member.last_outcome = outcome
