"""Small builders for campaign tests: rows written straight into a test database."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    Customer,
    Manager,
    MemberGroup,
    MemberStatus,
    Store,
)


def add_store(session: Session, code: str, name: str | None = None) -> int:
    store = Store(code=code, name=name or f"Store {code}")
    session.add(store)
    session.flush()
    return store.id


def add_manager(session: Session, store_id: int, name: str, active: bool = True) -> int:
    manager = Manager(store_id=store_id, name=name, active=active)
    session.add(manager)
    session.flush()
    return manager.id


def add_campaign(session: Session, name: str = "Spring win-back", **fields: Any) -> int:
    campaign = Campaign(name=name, **fields)
    session.add(campaign)
    session.flush()
    return campaign.id


def add_customer(session: Session, **fields: Any) -> int:
    values: dict[str, Any] = {
        "first_name": "Ann",
        "last_name": "Example",
        "last_purchase_date": date(2025, 1, 15),
        "lifetime_spend_cents": 12_000,
    }
    values.update(fields)
    customer = Customer(**values)
    session.add(customer)
    session.flush()
    return customer.id


def add_member(
    session: Session,
    campaign_id: int,
    customer_id: int,
    *,
    store_id: int | None = None,
    manager_id: int | None = None,
    status: MemberStatus = MemberStatus.TO_CALL,
    group: MemberGroup | None = MemberGroup.CALL,
    attempts: int = 0,
) -> int:
    member = CampaignMember(
        campaign_id=campaign_id,
        customer_id=customer_id,
        store_id=store_id,
        manager_id=manager_id,
        status=status,
        group=group,
        attempts=attempts,
    )
    session.add(member)
    session.flush()
    return member.id


def add_attempt(
    session: Session, member_id: int, outcome: str = "no_answer", note: str | None = None
) -> int:
    """An attempt row and the member's count of attempts, as the call desk records them."""
    attempt = CallAttempt(member_id=member_id, outcome=outcome, note=note)
    session.add(attempt)
    member = session.get_one(CampaignMember, member_id)
    member.attempts += 1
    member.last_outcome = outcome
    if member.status == MemberStatus.TO_CALL:
        member.status = MemberStatus.IN_PROGRESS
    session.flush()
    return attempt.id
