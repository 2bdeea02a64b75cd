"""How many statements one logged outcome costs on a PostgreSQL server:
each is a round trip to the server, which every caller on a busy server waits for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.storage import Database
from tests.calling.desk_data import LEAD, Person, Region, build_region, uk_mobile, utc

pytestmark = pytest.mark.postgres

AT = utc(2025, 1, 15, 12, 0)
# Statements sent (each one a round trip: no pipelining) for one outcome logged by the lead
# on a member called before.
LOG_STATEMENTS = 9


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
