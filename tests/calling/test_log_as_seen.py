"""Logging an outcome from the member as the desk saw it (no read first): the same record as
logging after a read, and whatever changed since is caught and decided afresh."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from lastmile_desktop.calling.card import customer_card
from lastmile_desktop.calling.log import StaleMemberError, log_outcome
from lastmile_desktop.calling.seen import SeenMember
from lastmile_desktop.campaigns.access import AccessDenied
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    Manager,
    StoreTally,
)
from tests.calling.desk_data import LEAD, Person, Region, build_region, uk_mobile, utc
from tests.conftest import fresh_database_url

MONDAY = utc(2025, 1, 13, 10, 0)


@pytest.fixture
def region(db: Database) -> Region:
    return build_region(db, [Person("Ann", uk_mobile(1)), Person("Ben", uk_mobile(2))])


def seen(region: Region, name: str) -> SeenMember:
    """The member as a desk's card shows it now."""
    card = customer_card(region.db, LEAD, region.members[name], at=MONDAY)
    assert card.seen is not None
    return card.seen


def attempts_of(region: Region) -> list[dict[str, Any]]:
    with region.db.read_session() as session:
        return [
            {
                column.key: getattr(row, column.key)
                for column in CallAttempt.__table__.columns
                if column.key not in {"id", "uuid", "logged_at"}
            }
            for row in session.scalars(select(CallAttempt).order_by(CallAttempt.called_at))
        ]


def members_of(region: Region) -> list[dict[str, Any]]:
    with region.db.read_session() as session:
        return [
            {
                column.key: getattr(row, column.key)
                for column in CampaignMember.__table__.columns
                # Not the times the two databases were built at, nor what follows from them.
                if column.key not in {"uuid", "created_at", "updated_at", "first_call_days"}
            }
            for row in session.scalars(select(CampaignMember).order_by(CampaignMember.id))
        ]


def tallies_of(region: Region) -> set[tuple[Any, ...]]:
    with region.db.read_session() as session:
        return {
            (t.store_id, t.series, t.from_day, t.to_day, t.kind, t.reason, t.members, t.attempts)
            for t in session.scalars(select(StoreTally))
            if t.members
        }


def test_an_outcome_logged_as_seen_is_recorded_as_one_logged_after_a_read(
    region: Region, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    twin_db, _ = open_database(fresh_database_url(request, tmp_path, "twin"))
    twin = build_region(twin_db, [Person("Ann", uk_mobile(1)), Person("Ben", uk_mobile(2))])
    calls = [
        ("Ann", "no_answer", {}),
        ("Ben", "callback_requested", {"callback_at": MONDAY + timedelta(days=1)}),
        ("Ann", "not_interested", {"reason": "price"}),
        ("Ben", "accepted_offer", {}),
    ]
    try:
        for hours, (name, outcome, details) in enumerate(calls):
            at = MONDAY + timedelta(hours=hours)
            as_seen = log_outcome(
                region.db,
                LEAD,
                region.members[name],
                outcome,
                at=at,
                seen=seen(region, name),
                **details,
            )
            read_first = log_outcome(twin.db, LEAD, twin.members[name], outcome, at=at, **details)
            assert (as_seen.status, as_seen.version, as_seen.next_due_at) == (
                read_first.status,
                read_first.version,
                read_first.next_due_at,
            )
        assert attempts_of(region) == attempts_of(twin)
        assert members_of(region) == members_of(twin)
        assert tallies_of(region) == tallies_of(twin)
    finally:
        twin_db.dispose()


def test_a_member_called_by_someone_else_since_it_was_seen_is_refused(region: Region) -> None:
    before = seen(region, "Ann")
    log_outcome(region.db, LEAD, region.members["Ann"], "no_answer", at=MONDAY)
    with pytest.raises(StaleMemberError):
        log_outcome(
            region.db,
            LEAD,
            region.members["Ann"],
            "busy",
            at=MONDAY + timedelta(minutes=5),
            expected_version=before.version,
            seen=before,
        )
    assert [a["outcome"] for a in attempts_of(region)] == ["no_answer"]


def test_a_campaign_closed_since_the_member_was_seen_takes_no_call(region: Region) -> None:
    before = seen(region, "Ann")
    with region.db.session() as session:
        session.execute(update(Campaign).values(state="closed"))
    with pytest.raises(UserFacingError, match="is closed"):
        log_outcome(region.db, LEAD, region.members["Ann"], "no_answer", at=MONDAY, seen=before)
    assert attempts_of(region) == []


def test_rules_changed_since_the_member_was_seen_are_the_ones_applied(region: Region) -> None:
    before = seen(region, "Ann")
    with region.db.session() as session:
        session.execute(update(Campaign).values(max_attempts=1))
    logged = log_outcome(
        region.db, LEAD, region.members["Ann"], "no_answer", at=MONDAY, seen=before
    )
    assert logged.status == "done"  # one try is all the campaign allows now


def test_a_manager_deactivated_since_the_member_was_seen_logs_nothing(region: Region) -> None:
    alice = region.managers["Alice"]
    before = seen(region, "Ann")
    with region.db.session() as session:
        session.execute(update(Manager).where(Manager.id == alice.manager_id).values(active=False))
    with pytest.raises(AccessDenied):
        log_outcome(region.db, alice, region.members["Ann"], "no_answer", at=MONDAY, seen=before)
    assert attempts_of(region) == []


def test_an_outcome_sent_again_as_seen_is_recorded_once(region: Region) -> None:
    attempt = uuid.uuid4()
    before = seen(region, "Ann")
    first = log_outcome(
        region.db,
        LEAD,
        region.members["Ann"],
        "no_answer",
        at=MONDAY,
        attempt_uuid=attempt,
        seen=before,
    )
    again = log_outcome(
        region.db,
        LEAD,
        region.members["Ann"],
        "no_answer",
        at=MONDAY,
        attempt_uuid=attempt,
        seen=before,
    )
    assert (first.already_known, again.already_known) == (False, True)
    assert len(attempts_of(region)) == 1


def test_a_visit_reminder_is_logged_as_seen(region: Region) -> None:
    ann = region.members["Ann"]
    log_outcome(region.db, LEAD, ann, "A", at=MONDAY, visit_on=date(2025, 1, 17))
    reminder_day = utc(2025, 1, 16, 9, 30)
    reminded = log_outcome(region.db, LEAD, ann, "N", at=reminder_day, seen=seen(region, "Ann"))
    assert reminded.follow_up == "visit_reminder"
    assert [a["follow_up"] for a in attempts_of(region)] == [None, "visit_reminder"]


def test_a_purchase_since_the_card_was_seen_decides_the_follow_up_afresh(region: Region) -> None:
    ann = region.members["Ann"]
    log_outcome(region.db, LEAD, ann, "A", at=MONDAY, visit_on=date(2025, 1, 17))
    after_the_visit = utc(2025, 1, 20, 10, 0)
    before = seen(region, "Ann")  # not seen in the shop: a follow-up call is due
    region.bought("Ann", utc(2025, 1, 17, 15, 0))  # the till's sales arrive meanwhile
    with pytest.raises(UserFacingError, match="finished for this campaign"):
        log_outcome(region.db, LEAD, ann, "N", at=after_the_visit, seen=before)
    assert len(attempts_of(region)) == 1


def test_a_visit_not_seen_is_followed_up_as_seen(region: Region) -> None:
    ann = region.members["Ann"]
    log_outcome(region.db, LEAD, ann, "A", at=MONDAY, visit_on=date(2025, 1, 17))
    after_the_visit = utc(2025, 1, 20, 10, 0)
    logged = log_outcome(region.db, LEAD, ann, "N", at=after_the_visit, seen=seen(region, "Ann"))
    assert logged.follow_up == "promised_not_seen"
