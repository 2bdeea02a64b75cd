from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import connect, open_database, upgrade
from lastmile_desktop.storage.migrate import current_revision, head_revision
from lastmile_desktop.storage.models import Base


def test_migrations_create_every_table_on_an_empty_database(tmp_path: Path) -> None:
    db, report = open_database(to_url(tmp_path / "new.sqlite3"))
    with db.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    db.dispose()
    assert set(Base.metadata.tables) <= tables
    assert report.from_revision is None
    assert report.to_revision == head_revision()
    assert report.backup_path is None  # nothing existed worth backing up


def test_running_migrations_again_changes_nothing(tmp_path: Path) -> None:
    url = to_url(tmp_path / "twice.sqlite3")
    first_db, _ = open_database(url)
    first_db.dispose()
    db, report = open_database(url)
    assert not report.changed
    assert report.backup_path is None
    assert current_revision(db) == head_revision()
    db.dispose()


def test_models_and_migrations_describe_the_same_schema(tmp_path: Path) -> None:
    db, _ = open_database(to_url(tmp_path / "schema.sqlite3"))
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    db.dispose()
    assert diff == [], "a model changed without a migration: add one under storage/migrations"


def test_an_existing_database_is_backed_up_before_it_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    # An "older version": a database with data but no schema version yet recorded.
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE legacy_notes (id INTEGER PRIMARY KEY, body TEXT)")
        raw.execute("INSERT INTO legacy_notes (body) VALUES ('call Mrs Achebe back')")
    raw.close()

    db = connect(to_url(path))
    report = upgrade(db)
    db.dispose()

    assert report.backup_path is not None
    assert report.backup_path.parent == path.parent
    assert str(report.backup_path) in report.describe()
    with sqlite3.connect(report.backup_path) as copy:
        rows = copy.execute("SELECT body FROM legacy_notes").fetchall()
        tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    copy.close()
    assert rows == [("call Mrs Achebe back",)]
    assert "customers" not in tables  # the copy is from before the migration


def test_backup_includes_changes_still_in_the_write_ahead_log(tmp_path: Path) -> None:
    path = tmp_path / "wal.sqlite3"
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # keep the row in the WAL, not the main file
    writer.execute("CREATE TABLE t (v TEXT)")
    writer.execute("INSERT INTO t VALUES ('only in the wal')")
    writer.commit()

    db = connect(to_url(path))
    report = upgrade(db)
    db.dispose()
    writer.close()

    assert report.backup_path is not None
    with sqlite3.connect(report.backup_path) as copy:
        assert copy.execute("SELECT v FROM t").fetchall() == [("only in the wal",)]
    copy.close()
