from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, make_url

from lastmile_desktop.errors import DatabaseFileError
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, connect, open_database
from lastmile_desktop.storage import migrate as migrate_module
from lastmile_desktop.storage.migrate import current_revision, head_revision
from lastmile_desktop.storage.models import Base, Customer
from tests.conftest import empty_database_url, run_admin_sql

if TYPE_CHECKING:
    from tests.postgres_server import PostgresServer


def test_migrations_create_every_table_on_an_empty_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    db, report = open_database(empty_database_url(request, tmp_path, "new"))
    with db.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    db.dispose()
    assert set(Base.metadata.tables) <= tables
    assert report.from_revision is None
    assert report.to_revision == head_revision()
    assert report.backup_path is None  # nothing existed worth backing up


def test_running_migrations_again_changes_nothing(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = empty_database_url(request, tmp_path, "twice")
    first_db, _ = open_database(url)
    first_db.dispose()
    db, report = open_database(url)
    assert not report.changed
    assert report.backup_path is None
    assert current_revision(db) == head_revision()
    db.dispose()


def test_models_and_migrations_describe_the_same_schema(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    db, _ = open_database(empty_database_url(request, tmp_path, "schema"))
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    db.dispose()
    assert diff == [], "a model changed without a migration: add one under storage/migrations"


NEXT_REVISION = "9001_next"


def _ship_next_version(folder: Path, monkeypatch: pytest.MonkeyPatch, *, body: str) -> str:
    """The shipped migrations plus one more, as the next version of the app would ship them.

    Returns the revision a database of this version is at (the one before the new one).
    """
    previous = head_revision()
    shutil.copytree(
        migrate_module.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__")
    )
    (folder / "versions" / f"{NEXT_REVISION}.py").write_text(
        "import sqlalchemy as sa\n"
        "from alembic import op\n\n"
        f"revision = {NEXT_REVISION!r}\n"
        f"down_revision = {previous!r}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade() -> None:\n"
        '    op.create_table("next_notes", sa.Column("id", sa.Integer, primary_key=True))\n'
        f"{body}\n\n"
        "def downgrade() -> None:\n"
        '    op.drop_table("next_notes")\n'
    )
    monkeypatch.setattr(migrate_module, "MIGRATIONS_DIR", folder)
    return previous


def _database_of_this_version(path_or_url: Path | str) -> None:
    db, _ = open_database(to_url(path_or_url))
    with db.session() as session:
        session.add(Customer(first_name="Nkechi", last_name="Achebe", phone="+447700900777"))
    db.dispose()


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as raw:
        return {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}


@pytest.mark.sqlite_only
def test_an_existing_database_is_backed_up_before_it_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    _database_of_this_version(path)
    previous = _ship_next_version(tmp_path / "migrations", monkeypatch, body="")

    db, report = open_database(to_url(path))
    db.dispose()

    assert (report.from_revision, report.to_revision) == (previous, NEXT_REVISION)
    assert report.backup_path is not None
    assert report.backup_path.parent == path.parent
    assert str(report.backup_path) in report.describe()
    with closing(sqlite3.connect(report.backup_path)) as copy:
        rows = copy.execute("SELECT last_name FROM customers").fetchall()
    assert rows == [("Achebe",)]
    assert "next_notes" not in _tables(report.backup_path)  # the copy is from before
    assert "next_notes" in _tables(path)


@pytest.mark.sqlite_only
def test_backup_includes_changes_still_in_the_write_ahead_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wal.sqlite3"
    _database_of_this_version(path)
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA wal_autocheckpoint=0")  # keep the row in the WAL, not the main file
    writer.execute("UPDATE customers SET notes = 'only in the wal'")
    writer.commit()
    _ship_next_version(tmp_path / "migrations", monkeypatch, body="")

    db, report = open_database(to_url(path))
    db.dispose()
    writer.close()

    assert report.backup_path is not None
    with closing(sqlite3.connect(report.backup_path)) as copy:
        assert copy.execute("SELECT notes FROM customers").fetchall() == [("only in the wal",)]


@pytest.mark.sqlite_only
def test_a_failed_upgrade_leaves_the_database_as_it_was_and_removes_its_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    _database_of_this_version(path)
    previous = _ship_next_version(
        tmp_path / "migrations",
        monkeypatch,
        body='    raise RuntimeError("a step of the upgrade failed")\n',
    )

    with pytest.raises(RuntimeError, match="a step of the upgrade failed"):
        open_database(to_url(path))

    assert sorted(p.name for p in path.parent.glob("*.sqlite3")) == ["old.sqlite3"]
    assert "next_notes" not in _tables(path)  # the upgrade's one transaction was undone
    with closing(sqlite3.connect(path)) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [(previous,)]


@pytest.mark.sqlite_only
def test_a_database_from_a_newer_version_is_refused_untouched_and_without_a_backup(
    tmp_path: Path,
) -> None:
    path = tmp_path / "newer.sqlite3"
    _database_of_this_version(path)
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("UPDATE alembic_version SET version_num = 'f00dfeed2031'")
    before = path.read_bytes()

    with pytest.raises(DatabaseFileError, match="newer version of Last Mile"):
        open_database(to_url(path))

    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.sqlite3"]


@pytest.mark.sqlite_only
def test_a_database_with_tables_but_no_version_mark_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other-app.sqlite3"
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("CREATE TABLE legacy_notes (id INTEGER PRIMARY KEY, body TEXT)")
        raw.execute("INSERT INTO legacy_notes (body) VALUES ('call Mrs Achebe back')")
    before = path.read_bytes()

    with pytest.raises(DatabaseFileError, match="no Last Mile version mark"):
        open_database(to_url(path))

    assert path.read_bytes() == before  # not even switched to the app's journal mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-app.sqlite3"]


def _table_names(db: Database) -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


@pytest.mark.postgres
def test_a_server_database_is_upgraded_without_a_copy_and_the_report_says_why(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = empty_database_url(request, tmp_path)
    _database_of_this_version(url)
    previous = _ship_next_version(tmp_path / "migrations", monkeypatch, body="")

    db, report = open_database(url)
    tables = _table_names(db)
    db.dispose()

    assert (report.from_revision, report.to_revision) == (previous, NEXT_REVISION)
    assert report.backup_path is None
    assert report.backup_skipped_reason == migrate_module.SERVER_BACKUP_SKIPPED
    assert report.describe() == (
        f"The database was upgraded; {migrate_module.SERVER_BACKUP_SKIPPED}."
    )
    assert "next_notes" in tables
    assert list(tmp_path.glob("*.sqlite3")) == []


@pytest.mark.postgres
def test_a_failed_upgrade_on_a_server_leaves_the_database_as_it_was(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = empty_database_url(request, tmp_path)
    _database_of_this_version(url)
    previous = _ship_next_version(
        tmp_path / "migrations",
        monkeypatch,
        body='    raise RuntimeError("a step of the upgrade failed")\n',
    )

    with pytest.raises(RuntimeError, match="a step of the upgrade failed"):
        open_database(url)

    db = connect(url)
    try:
        assert "next_notes" not in _table_names(db)  # the upgrade's one transaction was undone
        assert current_revision(db) == previous
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_server_database_from_a_newer_version_or_another_program_is_refused_untouched(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_server: PostgresServer
) -> None:
    newer = empty_database_url(request, tmp_path)
    _database_of_this_version(newer)
    other = empty_database_url(request, tmp_path)
    name = make_url(newer).database
    assert name is not None
    run_admin_sql(
        postgres_server, "UPDATE alembic_version SET version_num = 'f00dfeed2031'", database=name
    )
    other_name = make_url(other).database
    assert other_name is not None
    run_admin_sql(
        postgres_server,
        "CREATE TABLE legacy_notes (id integer PRIMARY KEY, body text)",
        database=other_name,
    )

    with pytest.raises(DatabaseFileError, match="newer version of Last Mile"):
        open_database(newer)
    with pytest.raises(DatabaseFileError, match="no Last Mile version mark"):
        open_database(other)

    db = connect(newer)
    try:
        assert current_revision(db) == "f00dfeed2031"
    finally:
        db.dispose()
    db = connect(other)
    try:
        assert _table_names(db) == {"legacy_notes"}
    finally:
        db.dispose()
