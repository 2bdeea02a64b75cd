"""How many statements one logged outcome costs on a PostgreSQL server:
each is a round trip to the server, which every caller on a busy server waits for, unless
it is queued in a pipeline: a statement whose result the client never reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from lastmile_desktop.calling.log import log_outcome, undo_outcome
from lastmile_desktop.calling.member_facts import refresh_members
from lastmile_desktop.campaigns.assignment import reassign_members
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CallAttempt, Manager
from tests.calling.desk_data import LEAD, Person, Region, build_region, uk_mobile, utc
from tests.calling.test_member_facts import recomputed, stored

pytestmark = pytest.mark.postgres

AT = utc(2025, 1, 15, 12, 0)
DAY = timedelta(days=1)
# Statements sent (each one a round trip: no pipelining) for one outcome logged by the lead
# on a member called before.
LOG_STATEMENTS = 6


@contextmanager
def statements_sent(db: Database) -> Iterator[list[str]]:
    sent: list[str] = []

    def count(*args: object) -> None:
        sent.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def region(db: Database) -> Region:
    return build_region(
        db, [Person("Ann", uk_mobile(1), 90_000), Person("Ben", uk_mobile(2), 80_000)]
    )


def test_logging_an_outcome_on_a_member_called_before_sends_few_statements(
    region: Region,
) -> None:
    log_outcome(region.db, LEAD, region.members["Ann"], "no_answer", at=AT)
    with statements_sent(region.db) as sent:
        logged = log_outcome(
            region.db, LEAD, region.members["Ann"], "not_interested", reason="price", at=AT
        )
    assert logged.status == "done"
    assert len(sent) <= LOG_STATEMENTS, sent


def test_refreshing_called_members_is_one_statement_that_keeps_the_tallies_as_recomputed(
    region: Region,
) -> None:
    ann, ben = region.members["Ann"], region.members["Ben"]
    log_outcome(region.db, LEAD, ann, "no_answer", at=utc(2025, 1, 13, 9, 0))
    log_outcome(region.db, LEAD, ben, "interested", at=utc(2025, 1, 13, 10, 0))
    log_outcome(region.db, LEAD, ann, "busy", at=utc(2025, 1, 14, 9, 0))
    taken_back = log_outcome(region.db, LEAD, ann, "no_answer", at=utc(2025, 1, 14, 11, 0))
    undo_outcome(region.db, LEAD, taken_back.attempt)
    log_outcome(region.db, LEAD, ben, "not_interested", reason="price", at=AT)
    with region.db.read_session() as session:
        bob = session.scalars(select(Manager.id).where(Manager.name == "Bob Jones")).one()
    # Ann's spans leave London for Leeds: London's rows of them come to zero.
    reassign_members(region.db, LEAD, [region.member_id("Ann")], bob, "moved")
    log_outcome(region.db, LEAD, ann, "left_voicemail", at=AT)

    members = [region.member_id("Ann"), region.member_id("Ben")]

    with region.db.session() as session:
        # An attempt written by hand, a day later: the refresh has everything to move.
        session.add(CallAttempt(member_id=members[0], called_at=AT + DAY, outcome="busy"))
        session.flush()
        with statements_sent(region.db) as sent:
            refresh_members(session, members, all_called=True)
    assert len(sent) == 1, sent
    _, _, kept = stored(region.db)
    _, _, again = recomputed(region.db)
    assert kept == again
