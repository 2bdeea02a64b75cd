"""Bring a database to the current schema, backing up an existing SQLite file first.

Only a database this version knows how to upgrade is touched: a file from a newer version
of the app, or one with tables but no version mark, is refused before anything is written
(no backup copy either: each copy is one more file holding personal data).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from lastmile_desktop import __version__
from lastmile_desktop.errors import DatabaseFileError
from lastmile_desktop.storage.database import (
    Database,
    backup_sqlite,
    connect,
    user_facing_sqlite_error,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"


# Why a database on a server gets no copy before an upgrade.
SERVER_BACKUP_SKIPPED = (
    "no copy was made first: a database server is backed up with its own tools (pg_dump)"
)


@dataclass(frozen=True)
class MigrationReport:
    from_revision: str | None
    to_revision: str
    backup_path: Path | None
    # Set when an existing database was upgraded without a copy first, saying why.
    backup_skipped_reason: str | None = None

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision

    @property
    def worth_telling(self) -> bool:
        """An existing database was upgraded: say where its copy is, or why there is none."""
        return self.backup_path is not None or self.backup_skipped_reason is not None

    def describe(self) -> str:
        if not self.changed:
            return "The database is up to date."
        if self.backup_path is not None:
            return f"The database was upgraded; a copy from before is at {self.backup_path}"
        if self.backup_skipped_reason is not None:
            return f"The database was upgraded; {self.backup_skipped_reason}."
        return "A new database was created."


@dataclass(frozen=True)
class SchemaState:
    revision: str | None  # what the version table says; None without one
    has_tables: bool


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_state(db: Database) -> SchemaState:
    """The version mark and whether there are tables, read without writing anything.

    A SQLite file is read through a plain connection before the app's engine switches it to
    its own journal mode, so that a file this version refuses stays byte for byte as it was.
    """
    path = db.path
    if path is None:
        with db.engine.connect() as connection:
            table_names = inspect(connection).get_table_names()
            revision = MigrationContext.configure(connection).get_current_revision()
        return SchemaState(revision, bool(table_names))
    if not path.exists() or path.stat().st_size == 0:
        return SchemaState(None, False)
    try:
        with closing(sqlite3.connect(path, timeout=db.busy_timeout_ms / 1000)) as raw:
            tables = {
                name
                for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            row = None
            if VERSION_TABLE in tables:
                row = raw.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    except sqlite3.Error as error:
        problem = user_facing_sqlite_error(error, path)
        if problem is None:
            raise
        raise problem from error
    return SchemaState(None if row is None else str(row[0]), bool(tables))


def _refuse_unknown(db: Database, state: SchemaState) -> None:
    if state.revision is None and state.has_tables:
        raise DatabaseFileError(
            f"{db.display_name} holds tables but no Last Mile version mark, so it is not a "
            "Last Mile database (or its mark was lost). Last Mile leaves it as it is: open "
            "another database."
        )
    known = {script.revision for script in _scripts().walk_revisions()}
    if state.revision is not None and state.revision not in known:
        raise DatabaseFileError(
            f"{db.display_name} was saved by a newer version of Last Mile than this one "
            f"({__version__}). Install the latest version to open it; this one leaves the "
            "file as it is."
        )


def upgradable_state(db: Database) -> SchemaState:
    """The database's schema state, read without writing; refused (``DatabaseFileError``)
    when this version does not know how to upgrade it."""
    state = schema_state(db)
    _refuse_unknown(db, state)
    return state


def _backup_path(path: Path, revision: str | None) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.before-upgrade-{revision or 'unversioned'}-{stamp}.sqlite3")


def upgrade(db: Database) -> MigrationReport:
    """Apply every pending migration in one transaction; idempotent.

    An existing database is copied first. If the upgrade fails, its transaction leaves the
    file as it was, so the copy (more personal data on disk) is removed again.
    """
    state = upgradable_state(db)
    head = head_revision()
    if state.revision == head:
        return MigrationReport(head, head, None)
    backup: Path | None = None
    skipped: str | None = None
    if state.revision is not None and db.path is not None:
        backup = backup_sqlite(db.path, _backup_path(db.path, state.revision))
    elif state.revision is not None and db.is_postgres:
        skipped = SERVER_BACKUP_SKIPPED
    try:
        config = _alembic_config()
        with db.write_connection() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except BaseException:
        if backup is not None:
            backup.unlink(missing_ok=True)
        raise
    return MigrationReport(state.revision, head, backup, skipped)


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def open_database(url: str, timeout_ms: int | None = None) -> tuple[Database, MigrationReport]:
    """Open and migrate: what the app and every command do at start.

    A database file this call created is removed again when it cannot be set up (a full
    disk), so a failed start leaves nothing behind.
    """
    db = connect(url, timeout_ms)
    created = db.path is not None and not db.path.exists()
    try:
        report = upgrade(db)
    except BaseException:
        db.dispose()
        if created and db.path is not None:
            for file in _sqlite_files(db.path):
                file.unlink(missing_ok=True)
        raise
    return db, report
