from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from lastmile_desktop.errors import DatabaseBusyError, DatabaseLocationError
from lastmile_desktop.settings import choose_database, default_db_path, to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage import database as database_module
from lastmile_desktop.storage.models import Customer


@pytest.mark.sqlite_only
def test_new_connections_use_wal_full_sync_foreign_keys_and_a_busy_timeout(db: Database) -> None:
    with db.engine.connect() as connection:

        def pragma(name: str) -> object:
            return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == database_module.BUSY_TIMEOUT_MS


def test_every_customer_gets_its_own_uuid(db: Database) -> None:
    with db.session() as session:
        session.add_all(Customer(first_name=f"Customer {i}") for i in range(500))
    with db.read_session() as session:
        uuids = session.scalars(select(Customer.uuid)).all()
    assert len(uuids) == 500
    assert len(set(uuids)) == 500
    assert all(isinstance(value, uuid.UUID) and value.version == 4 for value in uuids)


def test_a_failed_action_commits_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as session:
        session.add(Customer(first_name="Ada"))
        session.flush()
        raise RuntimeError("the action failed halfway")
    with db.read_session() as session:
        assert session.scalars(select(Customer)).all() == []


@pytest.mark.sqlite_only
def test_a_database_on_a_network_share_is_refused_with_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_module, "_mount_fstype", lambda _path: "cifs")
    with pytest.raises(DatabaseLocationError, match="network share"):
        database_module.connect(to_url(tmp_path / "shared.sqlite3"))


@pytest.mark.sqlite_only
def test_unc_paths_count_as_network_paths() -> None:
    assert database_module.is_network_path(Path("//fileserver/region/lastmile.sqlite3"))


def test_database_choice_prefers_the_option_then_the_environment_then_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert choose_database(None).url == to_url(default_db_path())
    monkeypatch.setenv("LASTMILE_DB", str(tmp_path / "env.sqlite3"))
    assert choose_database(None).origin == "LASTMILE_DB"
    assert choose_database(str(tmp_path / "cli.sqlite3")).url.endswith("cli.sqlite3")
    assert choose_database("postgresql://u@host/db").url == "postgresql://u@host/db"


@pytest.mark.sqlite_only
def test_a_write_with_a_short_lock_wait_gives_up_sooner_and_the_next_waits_as_usual(
    db_path: Path,
) -> None:
    db, _ = open_database(to_url(db_path), timeout_ms=1_000)
    other_program = sqlite3.connect(db_path, isolation_level=None)
    try:
        other_program.execute("BEGIN IMMEDIATE")  # holds the write lock throughout
        started = time.monotonic()
        with pytest.raises(DatabaseBusyError), db.session(lock_wait_ms=50):
            pass
        short = time.monotonic() - started
        started = time.monotonic()
        with pytest.raises(DatabaseBusyError), db.session():
            pass
        usual = time.monotonic() - started
    finally:
        other_program.close()
        db.dispose()
    assert short < 0.5
    assert usual > 0.9  # the busy timeout, as before the short wait
