"""Claims on a PostgreSQL server: what only a server with desks in transactions of their own
shows. The rules themselves are tested on both databases in test_claims.py."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Connection, select, text

from lastmile_desktop.calling.claims import ClaimedCustomer, claim_next
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CampaignMember
from tests.calling.desk_data import LEAD, Person, Region, build_region, uk_mobile, utc

pytestmark = pytest.mark.postgres

AT = utc(2025, 1, 15, 12, 0)
WAIT_S = 20


@pytest.fixture
def region(db: Database) -> Region:
    return build_region(
        db,
        [
            Person("Ann", uk_mobile(1), 90_000),
            Person("Ben", uk_mobile(2), 80_000),
            Person("Cat", uk_mobile(3), 70_000),
        ],
    )


@pytest.fixture
def another_desk_mid_claim(region: Region) -> Iterator[Connection]:
    """Another desk's claim of Ann, caught in the middle: her row locked, not committed."""
    with region.db.engine.connect() as connection, connection.begin() as transaction:
        connection.execute(
            select(CampaignMember.id)
            .where(CampaignMember.uuid == region.members["Ann"])
            .with_for_update(key_share=True)
        )
        yield connection
        transaction.rollback()


def claim_in_thread(region: Region, desk: str) -> ClaimedCustomer | None:
    """Claims from another thread, and fails (rather than hangs) if the claim waits."""
    result: list[ClaimedCustomer | None] = []
    worker = threading.Thread(
        target=lambda: result.append(claim_next(region.db, LEAD, None, desk, store="LON", at=AT)),
        daemon=True,
    )
    worker.start()
    worker.join(WAIT_S)
    assert not worker.is_alive(), "the claim waited for another desk's transaction"
    (claimed,) = result
    return claimed


def test_a_customer_another_desk_is_claiming_this_instant_is_passed_over_without_waiting(
    region: Region, another_desk_mid_claim: Connection
) -> None:
    claimed = claim_in_thread(region, "desk B")
    assert claimed is not None
    assert claimed.card.name == "Ben Example"


def test_a_desk_that_dies_in_the_middle_of_its_claim_took_nobody(region: Region) -> None:
    """The server undoes the transaction of a connection that dies: the customer goes to the
    next desk at once, with no lease to wait for."""
    doomed = psycopg.connect(region.db.url.set(drivername="postgresql").render_as_string(False))
    try:
        pid = doomed.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        doomed.execute(
            "INSERT INTO member_claims (member_id, claimed_by, claimed_until)"
            " SELECT id, 'desk A', timezone('UTC', now()) + interval '1 hour'"
            " FROM campaign_members WHERE uuid = %s FOR NO KEY UPDATE",
            (str(region.members["Ann"]),),
        )
        with region.db.engine.connect() as server:
            server.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        claimed = claim_in_thread(region, "desk B")
    finally:
        with contextlib.suppress(psycopg.Error):
            doomed.close()
    assert claimed is not None
    assert claimed.card.name == "Ann Example"
