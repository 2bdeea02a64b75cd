"""A write sent in one flight: together or not at all, on either database; pings only when due."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from lastmile_desktop.storage import Database
from lastmile_desktop.storage import one_flight as one_flight_module
from lastmile_desktop.storage.models import Store
from tests.conftest import run_admin_sql
from tests.postgres_server import PostgresServer


def store_codes(db: Database) -> list[str]:
    with db.read_session() as session:
        return list(session.scalars(select(Store.code).order_by(Store.code)))


def test_the_statements_of_one_flight_are_kept_together(db: Database) -> None:
    with db.one_flight() as connection:
        connection.execute(insert(Store).values(code="S1", name="One").inline())
        connection.execute(insert(Store).values(code="S2", name="Two").inline())
    assert store_codes(db) == ["S1", "S2"]


def test_a_statement_that_fails_keeps_nothing_of_its_flight(db: Database) -> None:
    with db.one_flight() as connection:
        connection.execute(insert(Store).values(code="S1", name="One").inline())
    with pytest.raises(IntegrityError), db.one_flight() as connection:
        connection.execute(insert(Store).values(code="S2", name="Two").inline())
        connection.execute(insert(Store).values(code="S1", name="One again").inline())  # taken
        connection.execute(insert(Store).values(code="S3", name="Three").inline())
    assert store_codes(db) == ["S1"]
    # The connection went back to the pool clean: the next flight works.
    with db.one_flight() as connection:
        connection.execute(insert(Store).values(code="S4", name="Four").inline())
    assert store_codes(db) == ["S1", "S4"]


def test_a_flight_given_up_halfway_keeps_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.one_flight() as connection:
        connection.execute(insert(Store).values(code="S1", name="One").inline())
        raise RuntimeError("the action failed halfway")
    assert store_codes(db) == []
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Store)) == 0


@pytest.mark.postgres
def test_a_connection_the_server_dropped_while_idle_is_replaced_before_use(
    db: Database, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.engine.connect() as connection:
        pid = int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() or 0)
    # The pool's only connection is ended, as a server restart would end it.
    run_admin_sql(postgres_server, f"SELECT pg_terminate_backend({pid})")
    monkeypatch.setattr(one_flight_module, "PING_WHEN_IDLE_S", 0.0)
    with db.one_flight() as connection:
        connection.execute(insert(Store).values(code="S1", name="One").inline())
    assert store_codes(db) == ["S1"]
