"""Logging an outcome from the member as the desk saw it (no read first): the same record as
logging after a read, and whatever changed since is caught and decided afresh."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from lastmile_desktop.calling import log as log_module
from lastmile_desktop.calling.card import customer_card
from lastmile_desktop.calling.log import (
    DO_NOT_CALL_REASON,
    StaleMemberError,
    log_outcome,
    undo_outcome,
)
from lastmile_desktop.calling.seen import SeenMember
from lastmile_desktop.campaigns.access import AccessDenied
from lastmile_desktop.campaigns.assignment import assign_campaign
from lastmile_desktop.campaigns.campaigns import CampaignDraft, create_campaign
from lastmile_desktop.campaigns.do_not_call import list_entries
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    Customer,
    DoNotCall,
    Manager,
    MemberStatus,
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


def entries_of(db: Database) -> list[dict[str, Any]]:
    """The do-not-call list, each entry with the call that added it (by its time)."""
    with db.read_session() as session:
        called = {
            row.id: row.called_at
            for row in session.execute(select(CallAttempt.id, CallAttempt.called_at))
        }
        return [
            {
                **{
                    column.key: getattr(row, column.key)
                    for column in DoNotCall.__table__.columns
                    if column.key not in {"id", "added_at", "attempt_id"}
                },
                "call": called.get(row.attempt_id) if row.attempt_id is not None else None,
            }
            for row in session.scalars(select(DoNotCall).order_by(DoNotCall.id))
        ]


DNC_PEOPLE = [
    Person("Ann", uk_mobile(1)),
    Person("Ben", uk_mobile(2)),
    Person("Cat", uk_mobile(3)),
    Person("Dan", uk_mobile(4)),
    Person("Eve", uk_mobile(5)),
    Person("Kit", uk_mobile(6)),
]


def dnc_region(db: Database, *, kelvin: bool = False) -> Region:
    """Ann also in a second open campaign; Dan's second phone is Ben's; Eve's id is Ann's in
    another case; Ben's phone alone is listed, Cat's phone and id are; with ``kelvin``, Kit's
    id is listed as written with a Kelvin sign (the same id to the list, not to SQL). The
    entries were added without taking anyone out: they are still to be called."""
    region = build_region(db, DNC_PEOPLE)
    add_to_second_campaign(region, "Ann")
    with db.session() as session:
        session.execute(
            update(Customer).where(Customer.external_id == "HO-Dan").values(phone_alt=uk_mobile(2))
        )
        session.execute(
            update(Customer).where(Customer.external_id == "HO-Eve").values(external_id="ho-ann")
        )
        session.add_all(
            [
                DoNotCall(phone=uk_mobile(2), reason="by hand", source="file", added_by="x"),
                DoNotCall(
                    phone=uk_mobile(3),
                    customer_external_id="ho-cat",
                    reason="by hand",
                    source="file",
                    added_by="x",
                ),
            ]
        )
        if kelvin:
            session.add(
                DoNotCall(
                    customer_external_id="HO-\u212ait",
                    reason="by hand",
                    source="file",
                    added_by="x",
                )
            )
    return region


def add_to_second_campaign(region: Region, name: str) -> None:
    info = create_campaign(region.db, CampaignDraft("Autumn", holdout_share=0.0), LEAD)
    with region.db.session() as session:
        customer_id = session.scalars(
            select(CampaignMember.customer_id).where(CampaignMember.uuid == region.members[name])
        ).one()
        session.add(
            CampaignMember(
                campaign_id=info.id,
                customer_id=customer_id,
                store_id=region.stores["LON"],
                status=MemberStatus.UNASSIGNED,
            )
        )
    assign_campaign(region.db, info.id, LEAD, seed=1)


def log_do_not_calls_on_twins(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    *,
    kelvin: bool,
) -> tuple[list[str | None], Region, Region]:
    """Do not call for Ann (by Alice), Ben, Cat (by Alice) and Kit as seen on one region and
    after a read on its twin; returns the customers the region put on the list the reading
    way, and both regions (the twin's database to be disposed of by the caller)."""
    region = dnc_region(db, kelvin=kelvin)
    twin_db, _ = open_database(fresh_database_url(request, tmp_path, "twin"))
    twin = dnc_region(twin_db, kelvin=kelvin)
    read_first: list[str | None] = []
    ordinary = log_module.put_on_do_not_call
    on_twin = [False]

    def put_on_do_not_call(*args: Any, **kwargs: Any) -> None:
        if not on_twin[0]:
            read_first.append(args[1].external_id)
        ordinary(*args, **kwargs)

    monkeypatch.setattr(log_module, "put_on_do_not_call", put_on_do_not_call)
    calls = [("Ann", "Alice"), ("Ben", None), ("Cat", "Alice"), ("Kit", None)]
    for hours, (name, manager) in enumerate(calls):
        at = MONDAY + timedelta(hours=hours)
        as_seen = log_outcome(
            region.db,
            region.managers[manager] if manager else LEAD,
            region.members[name],
            "do_not_call",
            at=at,
            seen=seen(region, name),
        )
        twin_caller = twin.managers[manager] if manager else LEAD
        on_twin[0] = True
        after_read = log_outcome(twin.db, twin_caller, twin.members[name], "D", at=at)
        on_twin[0] = False
        assert (as_seen.status, as_seen.version) == (after_read.status, after_read.version)
    return read_first, region, twin


def test_a_do_not_call_logged_as_seen_is_recorded_as_one_logged_after_a_read(
    request: pytest.FixtureRequest, tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_first, region, twin = log_do_not_calls_on_twins(
        request, tmp_path, db, monkeypatch, kelvin=False
    )
    try:
        assert read_first == []  # all in one flight
        # Everyone listed but Cat, whose phone and id are listed already.
        entries = entries_of(region.db)
        assert entries == entries_of(twin.db)
        assert [(e["phone"], e["customer_external_id"], e["added_by"]) for e in entries[2:]] == [
            (uk_mobile(1), "HO-Ann", "Alice Smith"),
            (uk_mobile(2), "HO-Ben", LEAD.name),  # Ben's phone alone was listed
            (uk_mobile(6), "HO-Kit", LEAD.name),
        ]
        assert {e["reason"] for e in entries[2:]} == {DO_NOT_CALL_REASON}
        assert all(e["call"] is not None for e in entries[2:])
        assert attempts_of(region) == attempts_of(twin)
        assert members_of(region) == members_of(twin)
        assert tallies_of(region) == tallies_of(twin)
        suppressed = [m for m in members_of(region) if m["status"] == MemberStatus.SUPPRESSED]
        # Ann's second membership, Dan (Ben's phone is his second) and Eve (Ann's id).
        assert len(suppressed) == 3
    finally:
        twin.db.dispose()


def test_a_do_not_call_for_an_id_listed_as_written_otherwise_reads_first(
    request: pytest.FixtureRequest, tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_first, region, twin = log_do_not_calls_on_twins(
        request, tmp_path, db, monkeypatch, kelvin=True
    )
    try:
        # Any id the list may read as another is compared by the list's own rule.
        assert read_first == ["HO-Ann", "HO-Ben", "HO-Cat", "HO-Kit"]
        assert entries_of(region.db) == entries_of(twin.db)
        assert members_of(region) == members_of(twin)
    finally:
        twin.db.dispose()


def test_a_do_not_call_logged_as_seen_is_undone_with_its_entry(region: Region) -> None:
    logged = log_outcome(
        region.db, LEAD, region.members["Ann"], "do_not_call", at=MONDAY, seen=seen(region, "Ann")
    )
    (entry,) = list_entries(region.db, LEAD)
    assert (entry.phone, entry.customer_id, entry.reason) == (
        uk_mobile(1),
        "HO-Ann",
        DO_NOT_CALL_REASON,
    )
    undo_outcome(region.db, LEAD, logged.attempt)
    (lifted,) = list_entries(region.db, LEAD, include_removed=True)
    assert lifted.removed_reason == "the call outcome was undone"
    assert attempts_of(region) == []


def test_a_do_not_call_lists_the_phone_the_customer_has_now(region: Region) -> None:
    before = seen(region, "Ann")
    with region.db.session() as session:
        session.execute(
            update(Customer).where(Customer.external_id == "HO-Ann").values(phone=uk_mobile(7))
        )
    log_outcome(region.db, LEAD, region.members["Ann"], "D", at=MONDAY, seen=before)
    (entry,) = list_entries(region.db, LEAD)
    assert entry.phone == uk_mobile(7)


def test_a_forgotten_customer_is_listed_by_the_id_kept(region: Region) -> None:
    with region.db.session() as session:
        session.execute(
            update(Customer)
            .where(Customer.external_id == "HO-Ann")
            .values(phone=None, first_name=None, erased_at=MONDAY)
        )
    log_outcome(region.db, LEAD, region.members["Ann"], "D", at=MONDAY, seen=seen(region, "Ann"))
    (entry,) = list_entries(region.db, LEAD)
    assert (entry.phone, entry.customer_id) == (None, "HO-Ann")
