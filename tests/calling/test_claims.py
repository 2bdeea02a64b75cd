"""Claims: the customer a desk shows is that desk's alone until it moves on, closes or crashes.

Run on SQLite and, with ``--backend=postgres``, on a PostgreSQL server; the tests that need a
server's own behaviour (rows locked by a transaction still open) are in
test_claims_postgres.py.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from lastmile_desktop.calling import queue as queue_module
from lastmile_desktop.calling.claims import claim_next, release, renew
from lastmile_desktop.calling.leases import DEFAULT_LEASE, new_desk_id
from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.queue import build_queue
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database, connect
from lastmile_desktop.storage.models import CampaignMember, MemberClaim
from lastmile_desktop.storage.types import utcnow
from tests.calling.desk_data import LEAD, Person, Region, build_region, uk_mobile, utc

AT = utc(2025, 1, 15, 12, 0)  # a Wednesday, lunchtime in London: everyone is callable
# The order of Now: never tried, highest spend first.
PEOPLE = [
    Person("Ann", uk_mobile(1), 90_000),
    Person("Ben", uk_mobile(2), 80_000),
    Person("Cat", uk_mobile(3), 70_000),
    Person("Dan", uk_mobile(4), 60_000),
    Person("Zed", uk_mobile(99), 50_000, store="LEE"),
]


@pytest.fixture
def region(db: Database) -> Region:
    return build_region(db, PEOPLE)


def names(region: Region) -> dict[uuid.UUID, str]:
    return {member: name for name, member in region.members.items()}


def claims(region: Region) -> dict[str, str]:
    """Who holds whom now: first name -> desk."""
    with region.db.read_session() as session:
        rows = session.execute(
            select(CampaignMember.uuid, MemberClaim.claimed_by).join(
                MemberClaim, MemberClaim.member_id == CampaignMember.id
            )
        ).all()
    return {names(region)[member]: desk for member, desk in rows}


def claim(region: Region, desk: str, leases_at: datetime | None = None) -> str | None:
    """The first name of the customer ``desk`` claims in London's queue (None: nobody)."""
    claimed = claim_next(region.db, LEAD, None, desk, store="LON", at=AT, leases_at=leases_at)
    return claimed.card.name.split()[0] if claimed is not None else None


def test_two_desks_on_one_queue_get_the_first_two_customers_in_queue_order(
    region: Region,
) -> None:
    assert claim(region, "desk A") == "Ann"
    assert claim(region, "desk B") == "Ben"
    assert claims(region) == {"Ann": "desk A", "Ben": "desk B"}


def test_the_claimed_card_is_the_customers_card_and_the_member_is_unchanged(
    region: Region,
) -> None:
    before = _version(region, "Ann")
    claimed = claim_next(region.db, LEAD, None, "desk A", store="LON", at=AT)
    assert claimed is not None
    assert (claimed.card.member, claimed.card.name) == (region.members["Ann"], "Ann Example")
    assert claimed.card.version == before == _version(region, "Ann")  # no stale views
    assert claimed.passed_over == ()


def test_a_desk_claiming_again_keeps_its_customer_until_it_logs_them(region: Region) -> None:
    assert claim(region, "desk A") == "Ann"
    assert claim(region, "desk A") == "Ann"  # still on its screen: nobody else's
    log_outcome(region.db, LEAD, region.members["Ann"], "no_answer", at=AT)
    assert claim(region, "desk A") == "Ben"
    assert claims(region) == {"Ben": "desk A"}  # Ann was let go of by the next claim


def test_release_frees_the_customer_for_the_other_desks_at_once(region: Region) -> None:
    assert claim(region, "desk A") == "Ann"
    assert claim(region, "desk B") == "Ben"
    assert release(region.db, "desk A") == 1
    assert release(region.db, "desk A") == 0
    assert claim(region, "desk C") == "Ann"
    assert claims(region) == {"Ann": "desk C", "Ben": "desk B"}


def test_a_crashed_desks_customer_comes_back_when_the_lease_runs_out(region: Region) -> None:
    """Desk A claims Ann and is never heard of again: no release, no renewal."""
    assert claim(region, "desk A", leases_at=AT) == "Ann"
    almost = AT + DEFAULT_LEASE - timedelta(seconds=1)
    assert claim(region, "desk B", leases_at=almost) == "Ben"
    assert claim(region, "desk C", leases_at=AT + DEFAULT_LEASE) == "Ann"
    assert claims(region) == {"Ann": "desk C", "Ben": "desk B"}


def test_a_renewed_claim_outlasts_its_first_lease(region: Region) -> None:
    assert claim(region, "desk A", leases_at=AT) == "Ann"
    until = renew(region.db, "desk A", leases_at=AT + timedelta(minutes=8))
    assert until == AT + timedelta(minutes=8) + DEFAULT_LEASE
    assert claim(region, "desk B", leases_at=AT + timedelta(minutes=11)) == "Ben"


def test_renewing_a_claim_another_desk_took_after_it_ran_out_says_so(region: Region) -> None:
    assert claim(region, "desk A", leases_at=AT) == "Ann"
    assert claim(region, "desk B", leases_at=AT + timedelta(minutes=11)) == "Ann"
    assert renew(region.db, "desk A", leases_at=AT + timedelta(minutes=11)) is None
    assert renew(region.db, "desk B", leases_at=AT + timedelta(minutes=11)) is not None


def test_the_lease_runs_from_the_databases_clock_not_the_desks(region: Region) -> None:
    """The desk's clock says January 2025 (``at``); the lease runs from the database's now."""
    claimed = claim_next(region.db, LEAD, None, "desk A", store="LON", at=AT)
    now = utcnow()  # the database's clock, on this same machine
    assert claimed is not None
    assert now + DEFAULT_LEASE - timedelta(minutes=1) < claimed.until <= now + DEFAULT_LEASE


def test_a_desks_queue_leaves_out_customers_other_desks_have_on_screen(region: Region) -> None:
    assert claim(region, "desk A") == "Ann"

    def first_names(desk: str | None) -> list[str]:
        queue = build_queue(region.db, LEAD, store="LON", at=AT, desk=desk)
        return [entry.name.split()[0] for entry in queue.now]

    assert first_names("desk B") == ["Ben", "Cat", "Dan"]
    assert first_names("desk A") == ["Ann", "Ben", "Cat", "Dan"]  # its own stays
    assert first_names(None) == ["Ann", "Ben", "Cat", "Dan"]  # not a desk: everyone


def test_candidates_held_elsewhere_or_changed_since_read_are_passed_over(region: Region) -> None:
    held_by_desk_b = build_queue(region.db, LEAD, store="LON", at=AT).now
    assert claim(region, "desk B") == "Ann"
    log_outcome(region.db, LEAD, region.members["Ben"], "busy", at=AT)  # Ben changed since

    claimed = claim_next(region.db, LEAD, None, "desk A", candidates=held_by_desk_b)
    assert claimed is not None
    assert claimed.card.name == "Cat Example"
    assert claimed.passed_over == (region.members["Ann"], region.members["Ben"])


def test_nobody_free_claims_nobody_and_lets_go_of_the_last_customer(region: Region) -> None:
    queue = build_queue(region.db, LEAD, store="LON", at=AT).now
    assert claim(region, "desk A") == "Ann"
    assert claim(region, "desk B") == "Ben"
    claimed = claim_next(region.db, LEAD, None, "desk A", candidates=[queue[1]])
    assert claimed is None
    assert claims(region) == {"Ben": "desk B"}


def test_a_store_manager_cannot_claim_another_stores_customer(region: Region) -> None:
    lee = build_queue(region.db, LEAD, store="LEE", at=AT).now
    alice = region.managers["Alice"]
    assert claim_next(region.db, alice, None, "desk A", candidates=lee) is None
    claimed = claim_next(region.db, alice, None, "desk A", at=AT)
    assert claimed is not None
    assert claimed.card.name == "Ann Example"  # her own queue


def test_a_desk_needs_a_name(region: Region) -> None:
    with pytest.raises(UserFacingError, match="Name the desk"):
        claim_next(region.db, LEAD, None, "  ", store="LON", at=AT)
    with pytest.raises(UserFacingError, match="Name the desk"):
        release(region.db, "x" * 201)


def test_every_desk_session_has_a_name_of_its_own() -> None:
    first, second = new_desk_id(), new_desk_id()
    assert first != second
    assert "@" in first


# -- many desks at once ---------------------------------------------------------------------

DESKS = 6
ROUNDS = 15


@pytest.fixture
def crowd(db: Database) -> Region:
    people = [Person(f"P{index:03d}", uk_mobile(index), 100_000 - index) for index in range(120)]
    return build_region(db, people)


@pytest.fixture
def desk_databases(db_url: str, crowd: Region) -> Iterator[list[Database]]:
    """One connection pool per desk, as separate PCs have."""
    opened = [connect(db_url) for _ in range(DESKS)]
    yield opened
    for database in opened:
        database.dispose()


def test_desks_claiming_at_the_same_instant_never_get_the_same_customer(
    crowd: Region, desk_databases: list[Database]
) -> None:
    """Every round all desks claim at once; each logs its customer, then claims the next."""
    start = threading.Barrier(DESKS)
    held: list[list[uuid.UUID | None]] = [[] for _ in range(ROUNDS)]
    failures: list[BaseException] = []
    lock = threading.Lock()

    def work(desk: int) -> None:
        db = desk_databases[desk]
        try:
            for round_ in range(ROUNDS):
                start.wait(timeout=60)
                claimed = claim_next(db, LEAD, None, f"desk {desk}", store="LON", at=AT)
                with lock:
                    held[round_].append(claimed.card.member if claimed else None)
                start.wait(timeout=60)  # everyone holds their customer: compared below
                if claimed is not None:
                    log_outcome(
                        db, LEAD, claimed.card.member, "no_answer", at=AT,
                        expected_version=claimed.card.version,
                    )  # fmt: skip
        except BaseException as error:
            failures.append(error)
            start.abort()

    threads = [threading.Thread(target=work, args=(desk,)) for desk in range(DESKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    for round_ in held:
        assert None not in round_  # 120 customers: nobody ran short
        assert len(set(round_)) == DESKS  # never two desks on one customer
    every = [member for round_ in held for member in round_]
    assert len(set(every)) == DESKS * ROUNDS  # and once logged, nobody is offered again
    # In queue order: the first DESKS * ROUNDS customers, each once.
    assert {names(crowd)[m] for m in every} == {f"P{i:03d}" for i in range(DESKS * ROUNDS)}


def _version(region: Region, first_name: str) -> int:
    with region.db.read_session() as session:
        return session.scalars(
            select(CampaignMember.version).where(CampaignMember.uuid == region.members[first_name])
        ).one()


def test_a_member_called_while_a_page_of_the_queue_is_read_is_passed_over(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page is two reads (the sections, then what the entries kept show); on a server each
    sees the moment it runs. A call logged between them leaves the entry with the version its
    section was worked out at, so a claim passes the member over instead of showing a
    customer whose calls may be finished."""
    region = build_region(
        db, [Person("Ann", uk_mobile(1), 90_000), Person("Ben", uk_mobile(2), 80_000)]
    )
    details = queue_module._details_statement

    def called_in_between(member_ids: list[int]) -> Any:
        log_outcome(region.db, LEAD, region.members["Ann"], "do_not_call", at=AT)
        return details(member_ids)

    monkeypatch.setattr(queue_module, "_details_statement", called_in_between)
    page = build_queue(region.db, LEAD, store="LON", at=AT, limit=10).now
    monkeypatch.undo()
    assert [entry.member for entry in page] == [region.members["Ann"], region.members["Ben"]]
    claimed = claim_next(region.db, LEAD, None, "desk A", candidates=page, at=AT)
    assert claimed is not None
    assert claimed.card.member == region.members["Ben"]
    assert claimed.passed_over == (region.members["Ann"],)
