"""Outcomes kept while the server could not be reached: sent in order, each recorded once by its
attempt id, and what the server refuses kept and told in plain words.

The sending runs here against the run's database (SQLite by default), with the outbox file in
the test's folder; tests/server/test_outbox_outage.py cuts a real server's connection.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lastmile_desktop.calling.log import AttemptConflictError, StaleMemberError, log_outcome
from lastmile_desktop.calling.outbox import (
    Outbox,
    describe_report,
    offline_text,
    open_outbox,
    queue_outcome,
    send_waiting,
    server_key,
    take_back,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CallAttempt, CampaignMember
from lastmile_desktop.storage.outbox_store import OUTBOX_FILE_NAME, OutboxStore
from lastmile_desktop.storage.outbox_store import PendingOutcome as Pending
from tests.calling.desk_data import Person, Region, build_region, uk_mobile, utc

MONDAY = utc(2025, 1, 13, 10, 0)


@pytest.fixture
def region(db: Database) -> Region:
    return build_region(
        db,
        [
            Person("Ann", uk_mobile(1)),
            Person("Ben", uk_mobile(2)),
            Person("Cat", uk_mobile(3)),
        ],
    )


@pytest.fixture
def outbox(region: Region, tmp_path: Path) -> Outbox:
    """The outbox as the window keeps it for this database (a server's, in real use)."""
    return Outbox(OutboxStore(tmp_path / OUTBOX_FILE_NAME), server_key(region.db.url))


def version(region: Region, name: str) -> int:
    with region.db.read_session() as session:
        return session.scalars(
            select(CampaignMember.version).where(CampaignMember.uuid == region.members[name])
        ).one()


def attempts_by_uuid(db: Database) -> dict[uuid.UUID, tuple[str, str]]:
    with db.read_session() as session:
        rows = session.execute(
            select(CallAttempt.uuid, CampaignMember.uuid, CallAttempt.outcome).join(
                CampaignMember, CampaignMember.id == CallAttempt.member_id
            )
        ).all()
    return {attempt: (str(member), outcome) for attempt, member, outcome in rows}


# -- the log service takes the attempt id --------------------------------------------------------


def test_the_same_call_sent_again_is_already_known_and_written_once(region: Region) -> None:
    alice, ann = region.managers["Alice"], region.members["Ann"]
    attempt = uuid.uuid4()
    seen = version(region, "Ann")
    first = log_outcome(
        region.db, alice, ann, "x", reason="price", at=MONDAY, expected_version=seen,
        attempt_uuid=attempt,
    )  # fmt: skip

    again = log_outcome(
        region.db, alice, ann, "x", reason="price", at=MONDAY, expected_version=seen,
        attempt_uuid=attempt,
    )  # fmt: skip

    assert first.attempt == again.attempt == attempt
    assert (first.already_known, again.already_known) == (False, True)
    assert (again.status, again.version) == (first.status, first.version)
    assert attempts_by_uuid(region.db) == {attempt: (str(ann), "not_interested")}


def test_another_call_under_a_recorded_attempt_id_is_a_conflict_and_changes_nothing(
    region: Region,
) -> None:
    alice, ann = region.managers["Alice"], region.members["Ann"]
    attempt = uuid.uuid4()
    log_outcome(region.db, alice, ann, "n", at=MONDAY, attempt_uuid=attempt)
    before = version(region, "Ann")

    with pytest.raises(AttemptConflictError) as conflict:
        log_outcome(
            region.db, alice, ann, "b", at=MONDAY + timedelta(minutes=1), attempt_uuid=attempt
        )

    assert str(conflict.value) == (
        "A call with this id is recorded already, with another outcome and time of the call: "
        "the recorded call is kept and this one was not saved."
    )
    assert version(region, "Ann") == before
    assert attempts_by_uuid(region.db) == {attempt: (str(ann), "no_answer")}


# -- sending what waits ---------------------------------------------------------------------------


def test_waiting_outcomes_are_sent_in_the_order_they_were_logged(
    region: Region, outbox: Outbox
) -> None:
    alice = region.managers["Alice"]
    ann, ben = region.members["Ann"], region.members["Ben"]
    first = queue_outcome(
        outbox, alice, ann, "n", at=MONDAY, expected_version=version(region, "Ann")
    )
    second = queue_outcome(
        outbox, alice, ben, "c", at=MONDAY + timedelta(minutes=2),
        callback_at=MONDAY + timedelta(days=1), expected_version=version(region, "Ben"),
    )  # fmt: skip
    # The same customer again, a day later: it must land after the first.
    third = queue_outcome(outbox, alice, ann, "a", at=MONDAY + timedelta(days=1))
    assert (first.waiting, second.waiting, third.waiting) == (1, 2, 3)

    report = send_waiting(region.db, outbox)

    assert [call.attempt for call in report.recorded] == [
        first.attempt,
        second.attempt,
        third.attempt,
    ]
    assert (report.refused, report.waiting, report.already_known) == ((), 0, 0)
    assert attempts_by_uuid(region.db) == {
        first.attempt: (str(ann), "no_answer"),
        second.attempt: (str(ben), "callback_requested"),
        third.attempt: (str(ann), "accepted_offer"),
    }
    assert outbox.waiting() == 0
    assert describe_report(report) == (
        "3 outcomes logged while the server could not be reached are now saved on the server."
    )


def test_an_outcome_that_reached_the_server_before_the_drop_is_counted_once(
    region: Region, outbox: Outbox
) -> None:
    alice, ann = region.managers["Alice"], region.members["Ann"]
    seen = version(region, "Ann")
    # The commit went through but its answer was lost: the desk kept the call too.
    logged = log_outcome(region.db, alice, ann, "n", at=MONDAY, expected_version=seen)
    queue_outcome(
        outbox, alice, ann, "n", at=MONDAY, expected_version=seen, attempt_uuid=logged.attempt
    )

    report = send_waiting(region.db, outbox)

    assert [(c.attempt, c.already_known) for c in report.recorded] == [(logged.attempt, True)]
    assert attempts_by_uuid(region.db) == {logged.attempt: (str(ann), "no_answer")}
    assert outbox.waiting() == 0
    assert "1 of them had reached it before the connection dropped" in describe_report(report)


def test_a_customer_someone_else_called_meanwhile_keeps_their_call_and_ours_is_kept_refused(
    region: Region, outbox: Outbox
) -> None:
    alice, ann, ben = region.managers["Alice"], region.members["Ann"], region.members["Ben"]
    ours = queue_outcome(
        outbox, alice, ann, "a", at=MONDAY, expected_version=version(region, "Ann")
    )
    after = queue_outcome(outbox, alice, ben, "n", at=MONDAY + timedelta(minutes=1))
    # Another PC reached the server and logged Ann first.
    theirs = log_outcome(region.db, alice, ann, "x", reason="price", at=MONDAY)

    report = send_waiting(region.db, outbox)

    assert [call.attempt for call in report.recorded] == [after.attempt]
    assert [(call.attempt, call.outcome) for call in report.refused] == [
        (ours.attempt, "accepted_offer")
    ]
    assert attempts_by_uuid(region.db) == {
        theirs.attempt: (str(ann), "not_interested"),
        after.attempt: (str(ben), "no_answer"),
    }
    kept = outbox.refused()
    assert [(o.attempt, o.why_refused) for o in kept] == [
        (
            ours.attempt,
            "someone else logged a call for this customer while this computer was offline, "
            "and the server keeps theirs",
        )
    ]
    assert describe_report(report, MONDAY.tzinfo) == (
        "1 outcome logged while the server could not be reached is now saved on the server. "
        "Accepted offer at 13 Jan 10:00 was not saved: someone else logged a call for this "
        "customer while this computer was offline, and the server keeps theirs. The server's "
        "records stand; call the customers again if needed."
    )
    assert outbox.waiting() == 0


def test_a_conflicting_record_under_the_same_id_stays_on_the_server(
    region: Region, outbox: Outbox
) -> None:
    alice, ann = region.managers["Alice"], region.members["Ann"]
    recorded = log_outcome(region.db, alice, ann, "n", at=MONDAY)
    queue_outcome(outbox, alice, ann, "b", at=MONDAY, attempt_uuid=recorded.attempt)

    report = send_waiting(region.db, outbox)

    assert report.recorded == ()
    assert [call.why_refused for call in report.refused] == [
        "A call with this id is recorded already, with another outcome: the recorded call is "
        "kept and this one was not saved."
    ]
    assert attempts_by_uuid(region.db) == {recorded.attempt: (str(ann), "no_answer")}


def test_a_refused_outcome_is_never_lost_by_a_later_send(region: Region, outbox: Outbox) -> None:
    alice, ann = region.managers["Alice"], region.members["Ann"]
    queue_outcome(outbox, alice, ann, "a", at=MONDAY, expected_version=version(region, "Ann"))
    log_outcome(region.db, alice, ann, "n", at=MONDAY)
    send_waiting(region.db, outbox)

    again = send_waiting(region.db, outbox)

    assert (again.recorded, again.refused, again.waiting) == ((), (), 0)
    assert [o.outcome for o in outbox.refused()] == ["accepted_offer"]


def test_an_outcome_missing_what_it_needs_is_refused_before_it_is_kept(
    region: Region, outbox: Outbox
) -> None:
    alice, ann = region.managers["Alice"], region.members["Ann"]

    with pytest.raises(UserFacingError, match="Callback requested needs the date and time"):
        queue_outcome(outbox, alice, ann, "c", at=MONDAY)

    assert outbox.waiting() == 0


def test_a_waiting_outcome_taken_back_never_reaches_the_server(
    region: Region, outbox: Outbox
) -> None:
    alice, ann = region.managers["Alice"], region.members["Ann"]
    queued = queue_outcome(outbox, alice, ann, "n", at=MONDAY)

    take_back(region.db, outbox, alice, queued.attempt)
    report = send_waiting(region.db, outbox)

    assert report.recorded == ()
    assert attempts_by_uuid(region.db) == {}


def test_an_outcome_already_sent_is_taken_back_on_the_server(
    region: Region, outbox: Outbox
) -> None:
    alice, ann = region.managers["Alice"], region.members["Ann"]
    before = version(region, "Ann")
    queued = queue_outcome(outbox, alice, ann, "n", at=MONDAY, expected_version=before)
    send_waiting(region.db, outbox)

    take_back(region.db, outbox, alice, queued.attempt)

    assert attempts_by_uuid(region.db) == {}
    assert version(region, "Ann") == before + 2  # logged, then undone: back as it was
    with pytest.raises(StaleMemberError):  # the old version no longer fits
        log_outcome(region.db, alice, ann, "n", at=MONDAY, expected_version=before)


def test_the_waiting_members_are_known_so_the_desk_does_not_offer_them_again(
    region: Region, outbox: Outbox
) -> None:
    alice = region.managers["Alice"]
    queue_outcome(outbox, alice, region.members["Ann"], "n", at=MONDAY)
    queue_outcome(outbox, alice, region.members["Cat"], "b", at=MONDAY)

    assert outbox.waiting_members() == {region.members["Ann"], region.members["Cat"]}
    assert offline_text(outbox.waiting()) == "Offline: 2 outcomes waiting"
    assert offline_text(1) == "Offline: 1 outcome waiting"


# -- the retry schedule ---------------------------------------------------------------------------


def test_tries_back_off_while_the_server_stays_away_and_start_again_once_it_answers(
    tmp_path: Path,
) -> None:
    now = [100.0]
    outbox = Outbox(
        OutboxStore(tmp_path / OUTBOX_FILE_NAME),
        "store_12@db:5432/lastmile",
        clock=lambda: now[0],
        delays=(5, 10, 60),
    )
    assert outbox.seconds_until_retry() == 0

    waits = []
    for _ in range(4):
        outbox.note_unreachable()
        waits.append(outbox.seconds_until_retry())
    now[0] += 30
    later = outbox.seconds_until_retry()
    outbox.note_reached()

    assert waits == [5, 10, 60, 60]
    assert later == 30
    assert (outbox.seconds_until_retry(), outbox.failed_tries) == (0, 0)


def test_a_database_file_has_no_outbox_and_a_server_one_per_login(tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    assert open_outbox(make_url(f"sqlite:///{tmp_path / 'x.sqlite3'}"), tmp_path) is None
    server = open_outbox(
        make_url("postgresql+psycopg://store_12:secret@db.example.com/lastmile"), tmp_path
    )
    assert server is not None
    assert server.server == "store_12@db.example.com:5432/lastmile"
    assert (tmp_path / OUTBOX_FILE_NAME).exists()


def test_kept_outcomes_carry_the_profile_that_logged_them(region: Region, outbox: Outbox) -> None:
    alice = region.managers["Alice"]
    queued = queue_outcome(outbox, alice, region.members["Ann"], "n", at=MONDAY)

    [kept] = outbox.store.waiting(outbox.server)

    assert isinstance(kept, Pending)
    assert kept.attempt == queued.attempt
    assert (kept.profile.role, kept.profile.name, kept.profile.manager_id) == (
        "manager",
        alice.name,
        alice.manager_id,
    )
    report = send_waiting(region.db, outbox)
    with region.db.read_session() as session:
        manager = session.scalars(
            select(CallAttempt.manager_id).where(CallAttempt.uuid == queued.attempt)
        ).one()
    assert (len(report.recorded), manager) == (1, alice.manager_id)
