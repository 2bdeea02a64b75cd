"""Logging and undoing outcomes: what is written, what is refused (nothing written), two
people on one customer, do-not-call reaching every open campaign."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lastmile_desktop.calling.log import StaleMemberError, log_outcome, undo_outcome
from lastmile_desktop.calling.lookup import MemberNotFound
from lastmile_desktop.calling.queue import build_queue
from lastmile_desktop.campaigns.access import AccessDenied
from lastmile_desktop.campaigns.assignment import assign_campaign
from lastmile_desktop.campaigns.campaigns import CampaignDraft, create_campaign
from lastmile_desktop.campaigns.do_not_call import list_entries
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import CallAttempt, CampaignMember, Customer, MemberStatus
from tests.calling.desk_data import (
    LEAD,
    Person,
    Region,
    add_people,
    build_region,
    uk_mobile,
    utc,
)

MONDAY = utc(2025, 1, 13, 10, 0)


@pytest.fixture
def region(db: Database) -> Region:
    return build_region(
        db,
        [
            Person("Ann", uk_mobile(1)),
            Person("Ben", uk_mobile(2)),
            Person("Cat", uk_mobile(3)),
            Person("Zed", uk_mobile(9), store="LEE"),
        ],
    )


def attempts(db: Database) -> int:
    with db.read_session() as session:
        return session.scalar(select(func.count()).select_from(CallAttempt)) or 0


def member_row(region: Region, name: str) -> tuple[str, int, int]:
    with region.db.read_session() as session:
        row = session.scalars(
            select(CampaignMember).where(CampaignMember.uuid == region.members[name])
        ).one()
        return row.status, row.attempts, row.version


def test_an_outcome_is_written_with_what_it_books(region: Region) -> None:
    alice = region.managers["Alice"]
    logged = log_outcome(region.db, alice, region.members["Ann"], "n", at=MONDAY, note="  rang  ")

    assert (logged.outcome, logged.status, logged.called_at) == ("no_answer", "in_progress", MONDAY)
    assert logged.scheduled is not None and logged.scheduled.kind == "retry"
    assert logged.next_due_at == logged.scheduled.at == MONDAY + timedelta(hours=20)
    assert member_row(region, "Ann") == ("in_progress", 1, logged.version)
    with region.db.read_session() as session:
        row = session.scalars(select(CallAttempt).where(CallAttempt.uuid == logged.attempt)).one()
        assert (row.note, row.manager_id, row.timezone, row.follow_up) == (
            "rang",
            alice.manager_id,
            "Europe/London",
            None,
        )
        assert row.logged_at is not None and row.logged_at > MONDAY


@pytest.mark.parametrize(
    ("outcome", "details", "message"),
    [
        ("callback_requested", {}, "date and time to call back"),
        ("not_interested", {}, "needs a reason"),
        ("not_interested", {"reason": "bored"}, "not a reason"),
        ("no_answer", {"reason": "price"}, "goes with Not interested"),
        ("no_answer", {"visit_on": date(2025, 1, 20)}, "goes with Accepted offer"),
        ("busy", {"callback_at": utc(2025, 1, 14, 10)}, "goes with Callback requested"),
        ("C", {"callback_at": utc(2025, 1, 13, 9)}, "not after the call"),
        ("A", {"visit_on": date(2025, 1, 12)}, "before the call"),
        ("shrug", {}, "is not an outcome"),
    ],
)
def test_an_outcome_missing_what_it_needs_is_refused_and_nothing_is_written(
    region: Region, outcome: str, details: dict[str, object], message: str
) -> None:
    before = member_row(region, "Ann")
    with pytest.raises(UserFacingError, match=message):
        log_outcome(region.db, LEAD, region.members["Ann"], outcome, at=MONDAY, **details)  # type: ignore[arg-type]
    assert attempts(region.db) == 0
    assert member_row(region, "Ann") == before


def test_a_call_time_outside_the_campaign_or_in_the_future_is_refused(region: Region) -> None:
    with pytest.raises(UserFacingError, match="before the campaign started"):
        log_outcome(region.db, LEAD, region.members["Ann"], "N", at=utc(2024, 12, 31, 10))
    with pytest.raises(UserFacingError, match="in the future"):
        log_outcome(region.db, LEAD, region.members["Ann"], "N", at=utc(2099, 1, 1, 10))
    assert attempts(region.db) == 0


def test_finished_held_out_and_unknown_members_are_refused(region: Region) -> None:
    log_outcome(region.db, LEAD, region.members["Ann"], "not_interested", at=MONDAY, reason="price")
    with pytest.raises(UserFacingError, match="finished"):
        log_outcome(region.db, LEAD, region.members["Ann"], "N", at=MONDAY + timedelta(days=1))
    region.hold_out("Ben")
    with pytest.raises(UserFacingError, match="holdout"):
        log_outcome(region.db, LEAD, region.members["Ben"], "N", at=MONDAY)
    with pytest.raises(MemberNotFound):
        log_outcome(region.db, LEAD, uuid.uuid4(), "N", at=MONDAY)
    with pytest.raises(AccessDenied):
        log_outcome(region.db, region.managers["Alice"], region.members["Zed"], "N", at=MONDAY)
    assert attempts(region.db) == 1


def test_an_old_version_is_refused_as_stale(region: Region) -> None:
    _, _, version = member_row(region, "Ann")
    log_outcome(region.db, LEAD, region.members["Ann"], "B", at=MONDAY, expected_version=version)
    with pytest.raises(StaleMemberError):
        log_outcome(
            region.db, LEAD, region.members["Ann"], "N", at=MONDAY, expected_version=version
        )
    assert attempts(region.db) == 1


def test_two_sessions_on_one_member_the_second_gets_a_stale_member_error(
    region: Region, db_url: str
) -> None:
    """Two windows (two engines on one database) show the same entry; both press a key."""
    other, _ = open_database(db_url)
    try:
        mine = build_queue(region.db, LEAD, at=MONDAY).now
        theirs = build_queue(other, LEAD, at=MONDAY).now
        ann = region.members["Ann"]
        (my_entry,) = [e for e in mine if e.member == ann]
        (their_entry,) = [e for e in theirs if e.member == ann]
        log_outcome(region.db, LEAD, ann, "N", at=MONDAY, expected_version=my_entry.version)
        with pytest.raises(StaleMemberError, match="Someone else"):
            log_outcome(other, LEAD, ann, "A", at=MONDAY, expected_version=their_entry.version)
    finally:
        other.dispose()
    assert member_row(region, "Ann")[:2] == ("in_progress", 1)


def test_do_not_call_lists_the_customer_and_takes_them_out_of_every_open_campaign(
    region: Region,
) -> None:
    # Ann is also in a second open campaign, still to call there.
    second = build_region_campaign(region)
    logged = log_outcome(region.db, LEAD, region.members["Ann"], "D", at=MONDAY)

    assert logged.status == MemberStatus.DONE
    (entry,) = list_entries(region.db, LEAD)
    assert (entry.phone, entry.customer_id, entry.source) == (uk_mobile(1), "HO-Ann", "Call desk")
    assert member_status(region.db, second) == MemberStatus.SUPPRESSED

    undo_outcome(region.db, LEAD, logged.attempt)  # a wrong key: all of it goes back
    assert member_row(region, "Ann")[:2] == (MemberStatus.TO_CALL, 0)
    assert member_status(region.db, second) == MemberStatus.TO_CALL
    (lifted,) = list_entries(region.db, LEAD, include_removed=True)
    assert lifted.removed_reason == "the call outcome was undone"
    assert attempts(region.db) == 0


def build_region_campaign(region: Region) -> uuid.UUID:
    """A second open campaign holding Ann's customer record, assigned to Alice."""
    info = create_campaign(region.db, CampaignDraft("Autumn", holdout_share=0.0), LEAD)
    with region.db.session() as session:
        customer_id = session.scalars(
            select(CampaignMember.customer_id).where(CampaignMember.uuid == region.members["Ann"])
        ).one()
        customer = session.get_one(Customer, customer_id)
        member = CampaignMember(
            campaign_id=info.id,
            customer_id=customer.id,
            store_id=region.stores["LON"],
            status=MemberStatus.UNASSIGNED,
        )
        session.add(member)
        session.flush()
        key = member.uuid
    assign_campaign(region.db, info.id, LEAD, seed=1)
    return key


def member_status(db: Database, member: uuid.UUID) -> str:
    with db.read_session() as session:
        return session.scalars(
            select(CampaignMember.status).where(CampaignMember.uuid == member)
        ).one()


def test_undo_gives_the_member_back_as_it_was(region: Region) -> None:
    ann = region.members["Ann"]
    first = log_outcome(region.db, LEAD, ann, "N", at=MONDAY)
    second = log_outcome(
        region.db, LEAD, ann, "A", at=MONDAY + timedelta(days=1), visit_on=date(2025, 1, 20)
    )
    with pytest.raises(UserFacingError, match="latest"):
        undo_outcome(region.db, LEAD, first.attempt)

    undo_outcome(region.db, LEAD, second.attempt)

    status, count, version = member_row(region, "Ann")
    assert (status, count) == ("in_progress", 1)
    assert version == second.version + 1  # undoing is a change too: stale copies are refused
    with region.db.read_session() as session:
        row = session.scalars(select(CampaignMember).where(CampaignMember.uuid == ann)).one()
        assert (row.next_due_at, row.scheduled_kind, row.visit_date) == (
            first.next_due_at,
            "retry",
            None,
        )
    with pytest.raises(UserFacingError, match="undone already"):
        undo_outcome(region.db, LEAD, second.attempt)


def test_a_visit_reminder_is_a_call_that_does_not_count(region: Region) -> None:
    ann = region.members["Ann"]
    log_outcome(region.db, LEAD, ann, "A", at=MONDAY, visit_on=date(2025, 1, 17))
    reminder_day = utc(2025, 1, 16, 9, 30)
    queue = build_queue(region.db, LEAD, at=reminder_day)
    assert [(e.member, e.why) for e in queue.now if e.member == ann] == [(ann, "visit_reminder")]

    reminded = log_outcome(region.db, LEAD, ann, "N", at=reminder_day)

    assert reminded.follow_up == "visit_reminder"
    assert member_row(region, "Ann")[:2] == ("done", 1)
    assert ann not in {e.member for e in build_queue(region.db, LEAD, at=reminder_day).now}


def test_a_member_imported_after_the_call_can_still_take_it(region: Region) -> None:
    """A call sheet typed in later: the call happened before the customer was imported."""
    added = add_people(region.db, region.campaign_id, region.stores, [Person("Dee", uk_mobile(4))])
    assign_campaign(region.db, region.campaign_id, LEAD)
    logged = log_outcome(region.db, LEAD, added["Dee"], "B", at=utc(2025, 1, 2, 9))
    assert logged.called_at == utc(2025, 1, 2, 9)
