"""The round trip counter (round_trips.py) against a real server: what a caller waits for."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, text

from tests.postgres_server import PostgresServer
from tests.server.round_trips import RoundTripCounter

pytestmark = pytest.mark.postgres


@pytest.fixture
def counter(postgres_server: PostgresServer) -> Iterator[RoundTripCounter]:
    with RoundTripCounter(postgres_server.host, postgres_server.port) as running:
        yield running


def raw_connection(counter: RoundTripCounter, *, autocommit: bool) -> psycopg.Connection:
    return psycopg.connect(
        host=counter.host, port=counter.port, user="postgres", autocommit=autocommit
    )


def engine(counter: RoundTripCounter, server: PostgresServer, **options: object) -> Engine:
    built = create_engine(counter.via(server.url()), **options)  # type: ignore[arg-type]
    with built.connect():
        pass  # the dialect's first look at the server is not what a test counts
    return built


def test_an_autocommit_select_is_one_round_trip(counter: RoundTripCounter) -> None:
    with raw_connection(counter, autocommit=True) as connection, counter.counted() as trips:
        assert connection.execute("SELECT 1").fetchone() == (1,)
    assert trips.total == 1


def test_a_transaction_costs_its_begin_and_its_commit(
    counter: RoundTripCounter, postgres_server: PostgresServer
) -> None:
    quiet = engine(counter, postgres_server, pool_pre_ping=False)
    with counter.counted() as trips, quiet.begin() as connection:
        connection.execute(text("SELECT 1")).all()
    quiet.dispose()
    assert trips.total == 3  # BEGIN, SELECT, COMMIT: psycopg waits for each


def test_the_pools_ping_is_one_more_round_trip(
    counter: RoundTripCounter, postgres_server: PostgresServer
) -> None:
    pinging = engine(counter, postgres_server, pool_pre_ping=True)
    with counter.counted() as trips, pinging.begin() as connection:
        connection.execute(text("SELECT 1")).all()
    pinging.dispose()
    assert trips.total == 4


def test_a_pipeline_with_its_begin_and_commit_on_an_autocommit_connection_is_one_flight(
    counter: RoundTripCounter,
) -> None:
    with raw_connection(counter, autocommit=True) as connection:
        connection.execute("CREATE TEMP TABLE kept (n int)")
        with counter.counted() as trips:
            with connection.pipeline():
                connection.execute("BEGIN")
                for n in range(10):
                    connection.execute("INSERT INTO kept VALUES (%s)", (n,))
                counted = connection.execute("SELECT count(*) FROM kept")
                connection.execute("COMMIT")
            assert counted.fetchone() == (10,)
    assert trips.total == 1


def test_text_begin_and_commit_queued_in_a_pipeline_through_sqlalchemy_are_one_flight(
    counter: RoundTripCounter, postgres_server: PostgresServer
) -> None:
    autocommit = engine(counter, postgres_server, isolation_level="AUTOCOMMIT")
    with autocommit.connect() as connection:
        raw = connection.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        with counter.counted() as trips, raw.pipeline():
            connection.execute(text("BEGIN"))
            connection.execute(text("SELECT 1"))
            connection.execute(text("SELECT 2"))
            connection.execute(text("COMMIT"))
    autocommit.dispose()
    assert trips.total == 1


def test_a_pipeline_in_a_transaction_psycopg_opens_waits_for_its_begin(
    counter: RoundTripCounter,
) -> None:
    # psycopg 3.3 sends its own BEGIN with a sync and waits for it; the COMMIT is one more.
    with raw_connection(counter, autocommit=False) as connection, counter.counted() as trips:
        with connection.pipeline():
            connection.execute("SELECT 1")
            connection.execute("SELECT 2")
        connection.commit()
    assert trips.total == 3


def test_each_connection_is_counted_on_its_own(counter: RoundTripCounter) -> None:
    with (
        raw_connection(counter, autocommit=True) as first,
        raw_connection(counter, autocommit=True) as second,
        counter.counted() as trips,
    ):
        first.execute("SELECT 1")
        second.execute("SELECT 1")
        second.execute("SELECT 2")
    assert sorted(trips.by_connection.values()) == [1, 2]
    assert trips.total == 3
    assert sum(counter.by_connection().values()) == counter.total


def test_a_connection_the_server_ends_ends_for_the_client_too(counter: RoundTripCounter) -> None:
    with (
        raw_connection(counter, autocommit=True) as ended,
        raw_connection(counter, autocommit=True) as other,
    ):
        other.execute("SELECT pg_terminate_backend(%s)", (ended.info.backend_pid,))
        with pytest.raises(psycopg.OperationalError):
            ended.execute("SELECT 1")
        assert other.execute("SELECT 1").fetchone() == (1,)
