"""The customer card (history across campaigns, the pinned note) and the manager's day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lastmile_desktop.calling.card import customer_card, set_pinned_note
from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.my_day import my_day
from lastmile_desktop.campaigns.access import AccessDenied
from lastmile_desktop.campaigns.campaigns import CampaignDraft, create_campaign
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CampaignMember, MemberStatus
from tests.calling.desk_data import LEAD, Person, Region, build_region, uk_mobile, utc

MONDAY = utc(2025, 1, 13, 10, 0)


@pytest.fixture
def region(db: Database) -> Region:
    return build_region(
        db,
        [
            Person("Ann", uk_mobile(1), 123_45, date(2024, 10, 1)),
            Person("Ben", uk_mobile(2)),
            Person("Cat", uk_mobile(3)),
            Person("Zed", uk_mobile(9), store="LEE"),
        ],
    )


def test_the_card_shows_what_makes_the_call_personal(region: Region) -> None:
    ann = region.members["Ann"]
    region.bought("Ann", utc(2024, 12, 20, 15))  # a purchase newer than the list's date
    log_outcome(region.db, region.managers["Alice"], ann, "N", at=MONDAY, note="rang twice")

    card = customer_card(region.db, region.managers["Alice"], ann, at=utc(2025, 1, 15, 9))

    assert (card.name, card.phone, card.store, card.manager) == (
        "Ann Example",
        uk_mobile(1),
        "London Camden",
        "Alice Smith",
    )
    assert (card.last_purchase, card.days_since_last_purchase) == (date(2024, 12, 20), 26)
    assert (card.lifetime_spend_cents, card.visits, card.attempts) == (12_345, 4, 1)
    assert card.script == "Hello Ann, it's London Camden: 20% off with BACK20."
    assert card.status == "To try again"
    (line,) = card.history
    assert (line.outcome, line.outcome_label, line.manager, line.note) == (
        "no_answer",
        "No answer",
        "Alice Smith",
        "rang twice",
    )


def test_the_history_spans_earlier_campaigns_newest_first(region: Region) -> None:
    ann = region.members["Ann"]
    log_outcome(region.db, LEAD, ann, "X", at=MONDAY, reason="price")
    later = create_campaign(region.db, CampaignDraft("Summer", holdout_share=0.0), LEAD)
    with region.db.session() as session:
        old = session.scalars(select(CampaignMember).where(CampaignMember.uuid == ann)).one()
        member = CampaignMember(
            campaign_id=later.id,
            customer_id=old.customer_id,
            store_id=old.store_id,
            manager_id=old.manager_id,
            group="call",
            status=MemberStatus.TO_CALL,
        )
        session.add(member)
        session.flush()
        summer = member.uuid
    log_outcome(region.db, LEAD, summer, "B", at=MONDAY + timedelta(days=2))

    history = customer_card(region.db, LEAD, summer).history

    assert [(line.campaign, line.outcome, line.reason) for line in history] == [
        ("Summer", "busy", None),
        ("Spring win-back", "not_interested", "price"),
    ]


def test_the_pinned_note_stays_with_the_customer_and_can_be_cleared(region: Region) -> None:
    ann = region.members["Ann"]
    set_pinned_note(region.db, region.managers["Alice"], ann, "  new baby:\n Simon ")
    assert customer_card(region.db, LEAD, ann).pinned_note == "new baby: Simon"
    with pytest.raises(UserFacingError, match="Shorten"):
        set_pinned_note(region.db, LEAD, ann, "x" * 501)
    with pytest.raises(AccessDenied):
        set_pinned_note(region.db, region.managers["Bob"], ann, "not my customer")
    set_pinned_note(region.db, LEAD, ann, "")
    assert customer_card(region.db, LEAD, ann).pinned_note is None


def test_my_day_counts_todays_calls_and_what_is_left(region: Region) -> None:
    alice = region.managers["Alice"]
    m = region.members
    log_outcome(region.db, alice, m["Ann"], "A", at=MONDAY, visit_on=date(2025, 1, 20))
    log_outcome(region.db, alice, m["Ben"], "C", at=MONDAY, callback_at=MONDAY + timedelta(hours=5))
    log_outcome(region.db, alice, m["Cat"], "N", at=MONDAY - timedelta(days=1))  # yesterday
    log_outcome(region.db, region.managers["Bob"], m["Zed"], "N", at=MONDAY)

    day = my_day(region.db, alice, at=MONDAY + timedelta(hours=1))

    assert (day.calls_made, day.reached, day.accepted) == (2, 2, 1)
    assert (day.callbacks_due, day.left_to_call) == (1, 2)  # Ben's callback; Ben and Cat
    everyone = my_day(region.db, LEAD, at=MONDAY + timedelta(hours=1))
    assert everyone.calls_made == 3
