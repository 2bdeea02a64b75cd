"""A network that drops in the middle of a series of outcomes: every one reaches the server
exactly once, and the members end as they would have without the outage.

The store PC reaches the test server through a proxy the test cuts and restores, so the
session's server and the other tests' connections are left alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from lastmile_desktop.calling.log import LoggedCall
from lastmile_desktop.calling.outbox import (
    Outbox,
    QueuedCall,
    log_or_queue,
    open_outbox,
    send_waiting,
)
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import CallAttempt, CampaignMember
from tests.calling.desk_data import Person, Region, build_region, uk_mobile, utc
from tests.conftest import run_admin_sql
from tests.postgres_server import PostgresServer
from tests.server.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres

MONDAY = utc(2025, 1, 13, 9, 0)
PEOPLE = ["Ann", "Ben", "Cat", "Dan", "Eve", "Fay", "Gus", "Hal"]


@dataclass(frozen=True)
class Call:
    name: str
    outcome: str
    at: datetime
    attempt: uuid.UUID
    details: dict[str, Any]


def series() -> list[Call]:
    """Twelve calls by Alice, some customers twice (a retry the next day)."""
    plan: list[tuple[str, str, dict[str, Any]]] = [
        ("Ann", "n", {}),
        ("Ben", "b", {}),
        ("Cat", "c", {"callback_at": MONDAY + timedelta(days=2)}),
        ("Dan", "x", {"reason": "price"}),
        ("Eve", "v", {"note": "left a message about the offer"}),
        ("Fay", "a", {"visit_on": (MONDAY + timedelta(days=5)).date()}),
        ("Gus", "n", {}),
        ("Hal", "i", {}),
        ("Ann", "b", {}),
        ("Ben", "a", {}),
        ("Gus", "k", {}),
        ("Hal", "n", {}),
    ]
    calls = []
    for number, (name, outcome, details) in enumerate(plan):
        day = 0 if number < len(PEOPLE) else 1
        at = MONDAY + timedelta(days=day, minutes=number * 3)
        calls.append(Call(name, outcome, at, uuid.uuid4(), details))
    return calls


@pytest.fixture
def twin_databases(
    db: Database, db_url: str, postgres_server: PostgresServer
) -> Iterator[tuple[Region, str]]:
    """A region, and a copy of it (same members, same ids) for the run without an outage."""
    region = build_region(db, [Person(name, uk_mobile(i + 1)) for i, name in enumerate(PEOPLE)])
    db.dispose()  # CREATE DATABASE ... TEMPLATE needs the original to be idle
    original = make_url(db_url).database
    twin = f"{original}_twin"
    run_admin_sql(postgres_server, f"CREATE DATABASE {twin} TEMPLATE {original}")
    try:
        yield region, postgres_server.url(twin).render_as_string(hide_password=False)
    finally:
        run_admin_sql(postgres_server, f"DROP DATABASE IF EXISTS {twin} WITH (FORCE)")


def log(db: Database, outbox: Outbox, alice: Profile, region: Region, call: Call) -> Any:
    return log_or_queue(
        db,
        outbox,
        alice,
        region.members[call.name],
        call.outcome,
        at=call.at,
        attempt_uuid=call.attempt,
        **call.details,
    )


def members_and_attempts(db: Database) -> tuple[dict[str, Any], dict[str, Any]]:
    with db.read_session() as session:
        members = {
            str(row.uuid): {
                column.key: getattr(row, column.key)
                for column in CampaignMember.__table__.columns
                if column.key != "updated_at"
            }
            for row in session.scalars(select(CampaignMember))
        }
        attempts = {
            str(row.uuid): {
                column.key: getattr(row, column.key)
                for column in CallAttempt.__table__.columns
                if column.key not in {"id", "logged_at"}
            }
            for row in session.scalars(select(CallAttempt))
        }
    return members, attempts


def test_every_outcome_arrives_once_through_a_network_that_drops(
    twin_databases: tuple[Region, str], postgres_server: PostgresServer, tmp_path: Path
) -> None:
    region, twin_url = twin_databases
    alice = region.managers["Alice"]
    calls = series()

    # Without an outage, on the twin.
    steady, _ = open_database(twin_url)
    steady_outbox = open_outbox(steady.url, tmp_path / "steady")
    assert steady_outbox is not None
    try:
        for call in calls:
            assert isinstance(log(steady, steady_outbox, alice, region, call), LoggedCall)
        expected = members_and_attempts(steady)
    finally:
        steady.dispose()

    # Through a network that drops, on the original.
    with TcpProxy(postgres_server.host, postgres_server.port) as proxy:
        url = region.db.url.set(port=proxy.port)
        store_pc, _ = open_database(url.render_as_string(hide_password=False))
        outbox = open_outbox(store_pc.url, tmp_path / "store-pc")
        assert outbox is not None
        try:
            results: list[Any] = []

            def call(number: int) -> Any:
                result = log(store_pc, outbox, alice, region, calls[number])
                results.append(result)
                return result

            for number in range(3):
                assert isinstance(call(number), LoggedCall)

            proxy.cut()  # the network goes
            assert isinstance(call(3), QueuedCall)
            assert isinstance(call(4), QueuedCall)
            assert outbox.waiting() == 2
            assert outbox.seconds_until_retry() > 0  # backing off

            proxy.restore()
            report = send_waiting(store_pc, outbox)
            assert [c.attempt for c in report.recorded] == [calls[3].attempt, calls[4].attempt]
            assert (report.already_known, report.refused, report.waiting) == (0, (), 0)

            assert isinstance(call(5), LoggedCall)
            proxy.cut_after_commit()  # saved on the server, but the answer is lost
            assert isinstance(call(6), QueuedCall)
            assert proxy.commits_cut == 1
            assert isinstance(call(7), QueuedCall)  # still cut
            proxy.restore()
            assert isinstance(call(8), QueuedCall)  # behind the two waiting: order kept
            assert outbox.waiting() == 3

            report = send_waiting(store_pc, outbox)
            assert [c.attempt for c in report.recorded] == [
                calls[6].attempt,
                calls[7].attempt,
                calls[8].attempt,
            ]
            assert [c.already_known for c in report.recorded] == [True, False, False]
            assert (report.refused, report.waiting) == ((), 0)
            assert outbox.seconds_until_retry() == 0

            for number in range(9, len(calls)):
                assert isinstance(call(number), LoggedCall)
            arrived = members_and_attempts(store_pc)
        finally:
            store_pc.dispose()

    members, attempts = arrived
    assert sorted(attempts) == sorted(str(c.attempt) for c in calls)  # each exactly once
    assert attempts == expected[1]
    assert members == expected[0]
    assert outbox.waiting() == 0 and outbox.refused() == []
