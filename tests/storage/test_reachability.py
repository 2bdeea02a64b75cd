"""Telling a server out of reach (wait and try again) from one that answered and refused."""

from __future__ import annotations

import socket

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage.reachability import is_unreachable


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wrapped(message: str, *, invalidated: bool = False) -> OperationalError:
    """The driver's error as SQLAlchemy hands it on."""
    return OperationalError(
        "SELECT 1", {}, psycopg.OperationalError(message), connection_invalidated=invalidated
    )


def test_a_refused_connection_is_out_of_reach() -> None:
    engine = create_engine(f"postgresql+psycopg://store_12@127.0.0.1:{closed_port()}/lastmile")
    with pytest.raises(OperationalError) as refused:
        engine.connect()
    engine.dispose()

    assert is_unreachable(refused.value)


@pytest.mark.parametrize(
    "message",
    [
        "consuming input failed: server closed the connection unexpectedly",
        'connection failed: could not translate host name "db.shop" to address',
        'connection failed: connection to server at "10.0.0.9", port 5432 failed: timeout expired',
        "connection failed: FATAL:  the database system is starting up",
    ],
)
def test_a_dropped_or_impossible_connection_is_out_of_reach(message: str) -> None:
    assert is_unreachable(wrapped(message))


@pytest.mark.parametrize(
    "message",
    [
        'connection failed: FATAL:  password authentication failed for user "store_12"',
        'connection failed: FATAL:  database "lastmile" does not exist',
        'connection failed: FATAL:  role "store_99" does not exist',
    ],
)
def test_a_server_that_answered_and_refused_is_not_out_of_reach(message: str) -> None:
    assert not is_unreachable(wrapped(message))


def test_a_connection_sqlalchemy_found_dropped_is_out_of_reach_whatever_it_says() -> None:
    assert is_unreachable(wrapped("SSL SYSCALL error: EOF detected", invalidated=True))


def test_a_plain_message_raised_from_a_lost_connection_is_judged_by_its_cause() -> None:
    try:
        try:
            raise wrapped("server closed the connection unexpectedly")
        except OperationalError as lost:
            raise UserFacingError("Cannot reach the database server at db:5432") from lost
    except UserFacingError as error:
        assert is_unreachable(error)
    try:
        try:
            raise wrapped("server closed the connection unexpectedly")
        except OperationalError:
            raise UserFacingError("Someone else logged first") from None
    except UserFacingError as error:
        assert not is_unreachable(error)  # ``from None``: the drop is not its cause


def test_errors_of_a_database_file_and_of_sql_are_not_connection_losses() -> None:
    engine = create_engine("sqlite://")
    with pytest.raises(OperationalError) as broken, engine.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table"))
    engine.dispose()

    assert not is_unreachable(broken.value)
    assert not is_unreachable(
        ProgrammingError("SELECT", {}, psycopg.ProgrammingError("syntax error"))
    )
    assert not is_unreachable(ValueError("not a database error"))


def test_the_servers_unreachable_sentence_counts_as_unreachable() -> None:
    from lastmile_desktop.errors import DatabaseUnreachableError

    assert is_unreachable(DatabaseUnreachableError("Cannot reach the database server"))
