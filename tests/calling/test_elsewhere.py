"""Calls logged in another database, brought in: each member ends as if every call had been
logged here in the order they happened; what leaves no room is refused, nothing written."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lastmile_desktop.calling.elsewhere import (
    CallFromElsewhere,
    bring_in_calls,
    call_of,
    replay,
    room_for,
)
from lastmile_desktop.calling.life import Call, CampaignRules, FollowUp, MemberLife
from lastmile_desktop.calling.log import log_outcome, undo_outcome
from lastmile_desktop.calling.member_facts import FACT_COLUMNS
from lastmile_desktop.calling.outcomes import outcome_by_code
from lastmile_desktop.campaigns.assignment import assign_campaign
from lastmile_desktop.campaigns.campaigns import CampaignDraft, create_campaign
from lastmile_desktop.campaigns.do_not_call import add_entry, list_entries
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import (
    CallAttempt,
    CampaignMember,
    Manager,
    MemberDay,
    MemberStatus,
)
from tests.calling.desk_data import LEAD, Person, Region, add_people, build_region, uk_mobile, utc
from tests.importing.service_support import dump

MONDAY = utc(2025, 1, 13, 10, 0)
PEOPLE = [Person("Ann", uk_mobile(1)), Person("Ben", uk_mobile(2)), Person("Zed", uk_mobile(9))]


@dataclass
class Twins:
    """The same region twice: ``here`` receives calls logged ``there``."""

    here: Region
    there: Region


@pytest.fixture
def twins(tmp_path: Path) -> Iterator[Twins]:
    first = tmp_path / "here.sqlite3"
    db, _ = open_database(to_url(first))
    region = build_region(db, PEOPLE)
    db.dispose()
    shutil.copyfile(first, tmp_path / "there.sqlite3")
    here, _ = open_database(to_url(first))
    there, _ = open_database(to_url(tmp_path / "there.sqlite3"))
    yield Twins(
        Region(**{**region.__dict__, "db": here}), Region(**{**region.__dict__, "db": there})
    )
    here.dispose()
    there.dispose()


def brought(db: Database, attempt: uuid.UUID) -> CallFromElsewhere:
    """A call recorded in ``db``, as another database receives it (the same member ids)."""
    with db.read_session() as session:
        row = session.scalars(select(CallAttempt).where(CallAttempt.uuid == attempt)).one()
        call = call_of(row)
        return CallFromElsewhere(
            uuid=row.uuid,
            member_id=row.member_id,
            outcome=call.outcome,
            called_at=call.called_at,
            logged_at=row.logged_at,
            note=row.note,
            callback_at=row.callback_at,
            planned_visit_date=row.planned_visit_date,
            reason=row.reason,
            follow_up=call.follow_up,
            zones=call.zones,
            manager_id=row.manager_id,
            manager_name=session.get_one(Manager, row.manager_id).name if row.manager_id else None,
            store_id=row.store_id,
            script_version_id=row.script_version_id,
        )


def bring(db: Database, *calls: CallFromElsewhere) -> Any:
    with db.session() as session:
        return bring_in_calls(session, calls, source="Store results", added_by="Regional lead")


def member_state(region: Region, name: str) -> dict[str, Any]:
    """What a member's calls make of it: its life, its facts and its days."""
    with region.db.read_session() as session:
        row = session.scalars(
            select(CampaignMember).where(CampaignMember.uuid == region.members[name])
        ).one()
        days = session.execute(
            select(MemberDay.day, MemberDay.attempts, MemberDay.first_at, MemberDay.last_at)
            .where(MemberDay.member_id == row.id)
            .order_by(MemberDay.day)
        ).all()
        return {
            "life": MemberLife.of(row),
            "facts": {column: getattr(row, column) for column in FACT_COLUMNS},
            "days": [tuple(day) for day in days],
        }


def log(region: Region, name: str, outcome: str, at: datetime, **details: Any) -> uuid.UUID:
    alice = region.managers["Alice"]
    return log_outcome(region.db, alice, region.members[name], outcome, at=at, **details).attempt


def test_a_call_brought_in_between_two_recorded_here_ends_as_if_logged_in_order(
    twins: Twins,
) -> None:
    # There: no answer, then a voicemail, then no answer again: the second unanswered try
    # after a voicemail ends the calls.
    log(twins.there, "Ann", "no_answer", MONDAY)
    voicemail = log(twins.there, "Ann", "left_voicemail", MONDAY + timedelta(days=1))
    log(twins.there, "Ann", "no_answer", MONDAY + timedelta(days=2))
    # Here the first and the last were logged, the voicemail comes in afterwards.
    log(twins.here, "Ann", "no_answer", MONDAY)
    log(twins.here, "Ann", "no_answer", MONDAY + timedelta(days=2))
    assert member_state(twins.here, "Ann")["life"].status == MemberStatus.IN_PROGRESS

    result = bring(twins.here.db, brought(twins.there.db, voicemail))

    assert result.added == (voicemail,) and result.refused == {}
    assert member_state(twins.here, "Ann") == member_state(twins.there, "Ann")
    assert member_state(twins.here, "Ann")["life"].status == MemberStatus.DONE


def test_calls_brought_in_after_those_recorded_here_carry_on_from_the_member_as_it_is(
    twins: Twins,
) -> None:
    first = log(twins.there, "Ben", "busy", MONDAY)
    later = log(
        twins.there,
        "Ben",
        "callback_requested",
        MONDAY + timedelta(days=1),
        callback_at=MONDAY + timedelta(days=3),
    )
    accepted = log(twins.there, "Ben", "accepted_offer", MONDAY + timedelta(days=3, hours=1))

    result = bring(twins.here.db, *(brought(twins.there.db, a) for a in (accepted, later, first)))

    assert result.added == (accepted, later, first)
    assert member_state(twins.here, "Ben") == member_state(twins.there, "Ben")


def test_a_call_after_the_members_calls_ended_here_is_refused_and_not_written(
    twins: Twins,
) -> None:
    late = log(twins.there, "Ann", "no_answer", MONDAY + timedelta(days=1))
    log(twins.here, "Ann", "not_interested", MONDAY, reason="price")
    before = dump(twins.here.db)

    result = bring(twins.here.db, brought(twins.there.db, late))

    assert result.added == ()
    assert result.refused == {
        late: "the customer's calls had already ended here by then (last outcome: Not interested)"
    }
    assert dump(twins.here.db) == before


def test_a_call_that_would_leave_a_later_recorded_call_without_room_is_refused(
    twins: Twins,
) -> None:
    accepted = log(twins.there, "Ann", "accepted_offer", MONDAY)
    log(twins.here, "Ann", "no_answer", MONDAY + timedelta(days=1))

    result = bring(twins.here.db, brought(twins.there.db, accepted))

    assert result.added == ()
    assert result.refused[accepted].startswith(
        "it leaves no room for the call recorded here at 2025-01-14 10:00 UTC (No answer): "
    )
    assert member_state(twins.here, "Ann")["life"].attempts == 1


def test_do_not_call_brought_in_lists_the_customer_and_takes_them_out_elsewhere(
    twins: Twins,
) -> None:
    other = create_campaign(twins.here.db, CampaignDraft(name="Summer", holdout_share=0.0), LEAD)
    add_people(
        twins.here.db,
        other.id,
        twins.here.stores,
        [Person("Ann2", uk_mobile(1))],  # the same phone: the same person on the list
    )
    assign_campaign(twins.here.db, other.id, LEAD, seed=1)
    asked = log(twins.there, "Ann", "do_not_call", MONDAY)

    bring(twins.here.db, brought(twins.there.db, asked))

    entries = list_entries(twins.here.db, LEAD)
    assert [(e.phone, e.source, e.added_by) for e in entries] == [
        (uk_mobile(1), "Store results", "Alice Smith")
    ]
    with twins.here.db.read_session() as session:
        statuses = set(
            session.scalars(
                select(CampaignMember.status).where(CampaignMember.campaign_id == other.id)
            )
        )
    assert statuses == {MemberStatus.SUPPRESSED}
    assert member_state(twins.here, "Ann")["life"].status == MemberStatus.DONE


def test_a_member_put_on_the_list_here_since_keeps_the_call_and_stays_out(twins: Twins) -> None:
    busy = log(twins.there, "Ann", "busy", MONDAY)
    add_entry(twins.here.db, phone=uk_mobile(1), reason="asked by letter", profile=LEAD)

    bring(twins.here.db, brought(twins.there.db, busy))

    life = member_state(twins.here, "Ann")["life"]
    assert (life.status, life.attempts, life.last_outcome) == (MemberStatus.SUPPRESSED, 1, "busy")


def test_a_call_that_ended_the_calls_before_the_member_was_listed_here_leaves_it_done(
    twins: Twins,
) -> None:
    accepted = log(twins.there, "Ann", "accepted_offer", MONDAY)
    add_entry(twins.here.db, phone=uk_mobile(1), reason="asked by letter", profile=LEAD)

    bring(twins.here.db, brought(twins.there.db, accepted))

    life = member_state(twins.here, "Ann")["life"]
    assert (life.status, life.attempts) == (MemberStatus.DONE, 1)


def test_a_call_brought_in_is_not_undone_here(twins: Twins) -> None:
    busy = log(twins.there, "Ann", "busy", MONDAY)
    bring(twins.here.db, brought(twins.there.db, busy))

    with pytest.raises(UserFacingError, match="logged on another computer"):
        undo_outcome(twins.here.db, LEAD, busy)


def test_a_second_merge_before_an_earlier_one_starts_from_the_snapshots_it_left(
    twins: Twins,
) -> None:
    calls = [
        log(twins.there, "Ann", outcome, MONDAY + timedelta(days=day))
        for day, outcome in ((0, "no_answer"), (1, "busy"), (2, "left_voicemail"))
    ]
    bring(twins.here.db, brought(twins.there.db, calls[2]))
    bring(twins.here.db, brought(twins.there.db, calls[0]))
    bring(twins.here.db, brought(twins.there.db, calls[1]))

    assert member_state(twins.here, "Ann") == member_state(twins.there, "Ann")


def test_room_for_a_follow_up_needs_calls_that_ended() -> None:
    rules = CampaignRules()
    open_life = MemberLife(status=MemberStatus.IN_PROGRESS, attempts=1)
    reminder = call_of_outcome("no_answer", follow_up=FollowUp.VISIT_REMINDER)
    assert room_for(open_life, reminder) is not None
    done = replay(open_life, [call_of_outcome("accepted_offer")], rules)[-1]
    assert done.status == MemberStatus.DONE
    assert room_for(done, reminder) is None
    assert room_for(done, call_of_outcome("no_answer")) is not None


def call_of_outcome(code: str, follow_up: FollowUp | None = None) -> Call:
    return Call(outcome_by_code(code), MONDAY, follow_up=follow_up)
