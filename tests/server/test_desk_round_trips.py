"""What one logged outcome and the next customer cost a call desk on a PostgreSQL server,
in round trips counted on the wire (round_trips.py): the desk's loop as
benchmarks/bench_server_load.py runs it, through the desk's own engine (the pool's ping
included).

DESK_ROUND_TRIPS is what the code costs, at worst over the loop; the aim (issue 13) is 3.
Lower it as the round trips go, never raise it to let a change through. The log is one
flight (the member's guarded update with the attempt, the facts and tallies, between a
BEGIN and a COMMIT of its own: storage/one_flight.py), written from the member as the card
showed it; the next claim is one statement that brings the card (calling/claims.py); a
connection used a moment ago is not pinged. psycopg prepares a statement the fifth time a
connection runs it, in the same flight: the loop runs long enough to include that.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lastmile_desktop.calling.claims import ClaimedCustomer, claim_next, release
from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.queue import QueueEntry, build_queue
from lastmile_desktop.storage import Database, connect
from tests.calling.desk_data import LEAD, Person, Region, build_region, uk_mobile, utc
from tests.postgres_server import PostgresServer
from tests.server.round_trips import RoundTripCounter

pytestmark = pytest.mark.postgres

# Round trips from the key that logs an outcome until the next customer's card is in hand.
DESK_ROUND_TRIPS = 2

AT = utc(2025, 1, 15, 12, 0)
DESK = "desk 1"
# The outcomes logged in turn: each takes its own way through log_outcome.
OUTCOMES: list[tuple[str, dict[str, Any]]] = [
    ("no_answer", {}),
    ("not_interested", {"reason": "price"}),
    ("callback_requested", {"callback_at": utc(2025, 1, 16, 10, 0)}),
    ("accepted_offer", {}),
    ("wrong_number", {}),
    ("busy", {}),
    ("interested", {}),
    ("do_not_call", {}),
]
NAMES = ("Ann", "Ben", "Cat", "Dan", "Eve", "Fay", "Gus", "Hal", "Ivy")


@pytest.fixture
def region(db: Database) -> Region:
    people = [Person(name, uk_mobile(n), 10_000 * (20 - n)) for n, name in enumerate(NAMES)]
    return build_region(db, people)


@pytest.fixture
def desk(
    region: Region, postgres_server: PostgresServer
) -> Iterator[tuple[Database, RoundTripCounter]]:
    """The desk's own database, reaching the server through a round trip counter."""
    with RoundTripCounter(postgres_server.host, postgres_server.port) as counter:
        desk_db = connect(counter.via(region.db.url))
        try:
            yield desk_db, counter
        finally:
            release(desk_db, DESK)
            desk_db.dispose()


def claim(db: Database, held: list[QueueEntry]) -> ClaimedCustomer:
    claimed = claim_next(db, LEAD, None, DESK, candidates=held, at=AT)
    assert claimed is not None
    gone = {*claimed.passed_over, claimed.card.member}
    held[:] = [entry for entry in held if entry.member not in gone]
    return claimed


def test_an_outcome_and_the_next_customer_cost_few_round_trips(
    desk: tuple[Database, RoundTripCounter],
) -> None:
    db, counter = desk
    held = build_queue(db, LEAD, store="LON", desk=DESK, at=AT).now
    assert len(held) == len(NAMES)
    claimed = claim(db, held)  # the first card: connecting and the dialect's look are not counted
    costs: list[tuple[str, int, int]] = []  # outcome, round trips to log it, to claim next
    for code, details in OUTCOMES:
        with counter.counted() as logging:
            logged = log_outcome(
                db,
                LEAD,
                claimed.card.member,
                code,
                at=AT,
                expected_version=claimed.card.version,
                seen=claimed.card.seen,
                **details,
            )
        with counter.counted() as claiming:
            claimed = claim(db, held)
        assert logged.attempt is not None
        costs.append((code, logging.total, claiming.total))
    assert max(log + next_ for _code, log, next_ in costs) <= DESK_ROUND_TRIPS, costs
    assert all(log == 1 for _code, log, _next in costs), costs  # each outcome: one flight
