"""A database server that cannot be reached, refuses the login, or goes away: one sentence
each, naming the server but never the password, and the next action after it comes back
works without reopening anything."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import make_url, select, text

from lastmile_desktop.errors import (
    BUSY_MESSAGE,
    DatabaseBusyError,
    DatabaseLoginError,
    DatabaseUnreachableError,
)
from lastmile_desktop.storage import Database, connect, open_database
from lastmile_desktop.storage.database import BUSY_TIMEOUT_ENV_VAR
from lastmile_desktop.storage.models import Store
from lastmile_desktop.storage.postgres import user_facing_postgres_error
from lastmile_desktop.storage.urls import database_url, masked_url
from tests.postgres_server import PostgresServer, PostgresUnavailable, start_server

PASSWORD = "Tr0ub4dor-and-3"


def _closed_port() -> int:
    """A port of this computer where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_server_nobody_answers_on_is_unreachable_in_one_sentence_without_the_password() -> None:
    port = _closed_port()
    with pytest.raises(DatabaseUnreachableError) as caught:
        open_database(f"postgresql://lead:{PASSWORD}@127.0.0.1:{port}/lastmile")
    assert str(caught.value) == (
        f"Cannot reach the database server at 127.0.0.1:{port}: it refused the connection. "
        "Check the network connection and that the server is running, then try again."
    )
    assert (caught.value.host, caught.value.port, caught.value.server) == (
        "127.0.0.1",
        port,
        f"127.0.0.1:{port}",
    )


def test_a_bare_postgresql_url_means_psycopg_3_and_is_shown_without_its_password() -> None:
    url = f"postgresql://lead:{PASSWORD}@dbserver:5433/lastmile"
    assert database_url(url).drivername == "postgresql+psycopg"
    assert database_url("postgres://lead@dbserver/lastmile").drivername == "postgresql+psycopg"
    assert database_url("sqlite:///x.sqlite3").drivername == "sqlite"
    assert masked_url(url) == "postgresql://lead:***@dbserver:5433/lastmile"
    db = connect(url)  # no connection is made before the first action
    try:
        assert PASSWORD not in db.display_name
        assert PASSWORD not in repr(db)
        assert db.display_name == "postgresql+psycopg://lead:***@dbserver:5433/lastmile"
        assert db.is_postgres and not db.is_sqlite and db.path is None
    finally:
        db.dispose()


def test_errors_that_are_bugs_are_left_alone() -> None:
    import psycopg

    url = make_url("postgresql+psycopg://lead@dbserver/lastmile")
    assert user_facing_postgres_error(psycopg.errors.SyntaxError("near x"), url) is None
    assert user_facing_postgres_error(ValueError("not a database error"), url) is None


@pytest.mark.postgres
def test_an_unknown_login_or_database_is_refused_by_name(postgres_server: PostgresServer) -> None:
    where = f"{postgres_server.host}:{postgres_server.port}"
    nobody = postgres_server.url("postgres", user="nobody", password=PASSWORD)
    with pytest.raises(DatabaseLoginError) as caught:
        open_database(nobody.render_as_string(hide_password=False))
    assert str(caught.value) == (
        f'The database server at {where} refused the login "nobody": check the login name '
        "and its password."
    )
    missing = postgres_server.url("no_such_database", password=PASSWORD)
    with pytest.raises(DatabaseLoginError, match=f'at {where} has no database "no_such_database"'):
        open_database(missing.render_as_string(hide_password=False))


@pytest.mark.postgres
def test_a_write_waits_for_another_writer_no_longer_than_the_busy_timeout(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.session() as session:
        session.add(Store(code="1", name="Leeds"))
    monkeypatch.setenv(BUSY_TIMEOUT_ENV_VAR, "150")
    impatient = connect(db.url)
    try:
        with impatient.engine.connect() as connection:
            assert connection.execute(text("SHOW lock_timeout")).scalar_one() == "150ms"
        with db.session() as holder:
            holder.execute(select(Store).with_for_update()).all()  # another PC's open change
            with pytest.raises(DatabaseBusyError) as caught, impatient.session() as session:
                session.execute(text("UPDATE stores SET name = 'York'"))
        assert str(caught.value) == BUSY_MESSAGE
        with impatient.read_session() as session:
            assert session.scalars(select(Store.name)).all() == ["Leeds"]
    finally:
        impatient.dispose()


@pytest.fixture
def own_server() -> Iterator[PostgresServer]:
    """A server of this test's own, to stop and start without disturbing the others; it
    flushes every commit, so what was committed before a crash is there after it."""
    try:
        server = start_server(durable=True)
    except PostgresUnavailable as reason:
        pytest.skip(f"PostgreSQL tests need a server: {reason}")
    yield server
    server.remove()


@pytest.mark.postgres
def test_a_server_that_goes_away_is_unreachable_and_the_next_action_after_it_returns_works(
    own_server: PostgresServer,
) -> None:
    db, _ = open_database(own_server.url(password=PASSWORD).render_as_string(hide_password=False))
    try:
        with db.session() as session:
            session.add(Store(code="1", name="Leeds"))
        own_server.stop("immediate")  # a crash, or the network cut: no goodbye

        with pytest.raises(DatabaseUnreachableError) as caught, db.session() as session:
            session.add(Store(code="2", name="York"))
        assert str(caught.value).startswith(
            f"Cannot reach the database server at {own_server.host}:{own_server.port}: "
        )
        assert PASSWORD not in str(caught.value)

        own_server.start()
        with db.read_session() as session:
            assert session.scalars(select(Store.name)).all() == ["Leeds"]
    finally:
        db.dispose()
