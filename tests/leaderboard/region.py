"""A small region written by hand for leaderboard tests: every call and sale at a known time.

Times are UTC and the tests read periods in UTC (``zone=UTC``), so a day is a UTC day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from lastmile_desktop.calling.life import Call, CampaignRules, FollowUp, MemberLife, after_call
from lastmile_desktop.calling.member_facts import refresh_customers, refresh_members
from lastmile_desktop.calling.outcomes import outcome_by_code
from lastmile_desktop.storage.models import (
    AssignmentChange,
    CallAttempt,
    Campaign,
    CampaignMember,
    Customer,
    Manager,
    MemberGroup,
    MemberStatus,
    Purchase,
    Store,
)

CAMPAIGN_START = date(2026, 11, 2)  # a Monday
TODAY = date(2026, 11, 29)  # a Sunday: this week is 23-29 November
NOW = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
ASSIGNED_AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # the day before the campaign starts


def at(day: int, hour: int = 10, month: int = 11, minute: int = 0) -> datetime:
    """``at(5)``: 5 November 2026 at 10:00 UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Region:
    """Writes stores, managers, one campaign and its members in one session."""

    session: Session
    campaign_id: int = 0
    customers: int = 0

    def store(self, code: str, name: str) -> int:
        store = Store(code=code, name=name)
        self.session.add(store)
        self.session.flush()
        return store.id

    def manager(self, store_id: int, name: str) -> int:
        manager = Manager(store_id=store_id, name=name)
        self.session.add(manager)
        self.session.flush()
        return manager.id

    def campaign(
        self, name: str = "Autumn win-back", start: date = CAMPAIGN_START, window: int = 30
    ) -> int:
        campaign = Campaign(
            name=name,
            start_date=start,
            attribution_window_days=window,
            created_at=datetime.combine(start - timedelta(days=3), datetime.min.time(), UTC),
        )
        self.session.add(campaign)
        self.session.flush()
        self.campaign_id = campaign.id
        return campaign.id

    def member(
        self,
        store_id: int,
        manager_id: int | None = None,
        *,
        holdout: bool = False,
        assigned_at: datetime | None = ASSIGNED_AT,
        name: str | None = None,
    ) -> int:
        self.customers += 1
        number = self.customers
        customer = Customer(
            external_id=f"C{number:04d}",
            first_name=name or f"Customer{number}",
            last_name=f"Last{number:04d}",
            phone=f"+447400{100000 + number:06d}",
        )
        self.session.add(customer)
        self.session.flush()
        member = CampaignMember(
            campaign_id=self.campaign_id,
            customer_id=customer.id,
            store_id=store_id,
            manager_id=None if holdout else manager_id,
            group=(MemberGroup.HOLDOUT if holdout else MemberGroup.CALL).value,
            status=(MemberStatus.HOLDOUT if holdout else MemberStatus.TO_CALL).value,
            created_at=at(1, 8),
        )
        self.session.add(member)
        self.session.flush()
        if assigned_at is not None and not holdout:
            self.session.add(
                AssignmentChange(
                    member_id=member.id,
                    changed_at=assigned_at,
                    changed_by="lead",
                    to_store_id=store_id,
                    to_manager_id=manager_id,
                    reason="assigned",
                )
            )
        return member.id

    def call(
        self,
        member_id: int,
        when: datetime,
        outcome: str,
        *,
        note: str | None = None,
        reason: str | None = None,
        callback_at: datetime | None = None,
        visit: date | None = None,
        follow_up: FollowUp | None = None,
    ) -> None:
        """One call, as the desk would record it: the member's life moves on by the rules
        (calling/life.py) and its facts are refreshed (calling/member_facts.py)."""
        member = self.session.get_one(CampaignMember, member_id)
        self.session.add(
            CallAttempt(
                member_id=member_id,
                store_id=member.store_id,
                manager_id=member.manager_id,
                called_at=when,
                outcome=outcome,
                note=note,
                reason=reason,
                callback_at=callback_at,
                planned_visit_date=visit,
                follow_up=str(follow_up) if follow_up is not None else None,
            )
        )
        campaign = self.session.get_one(Campaign, member.campaign_id)
        call = Call(outcome_by_code(outcome), when, callback_at, visit, ("UTC",), follow_up)
        after_call(MemberLife.of(member), call, CampaignRules.of(campaign)).apply_to(member)
        self.session.flush()
        refresh_members(self.session, [member_id])

    def buy(self, member_id: int, when: datetime, amount_cents: int = 1_000) -> None:
        member = self.session.get_one(CampaignMember, member_id)
        self.session.add(
            Purchase(
                customer_id=member.customer_id,
                store_id=member.store_id,
                purchased_at=when,
                amount_cents=amount_cents,
            )
        )
        self.session.flush()
        refresh_customers(self.session, [member.customer_id])
