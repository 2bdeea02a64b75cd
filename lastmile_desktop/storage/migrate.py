"""Bring a database to the current schema, backing up an existing SQLite file first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from lastmile_desktop.storage.database import Database, backup_sqlite, connect

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class MigrationReport:
    from_revision: str | None
    to_revision: str
    backup_path: Path | None

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision

    def describe(self) -> str:
        if not self.changed:
            return "The database is up to date."
        if self.backup_path is not None:
            return f"The database was upgraded; a copy from before is at {self.backup_path}"
        return "A new database was created."


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _has_tables(db: Database) -> bool:
    with db.engine.connect() as connection:
        return bool(inspect(connection).get_table_names())


def _backup_path(path: Path, revision: str | None) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.before-upgrade-{revision or 'unversioned'}-{stamp}.sqlite3")


def upgrade(db: Database) -> MigrationReport:
    """Apply every pending migration; idempotent."""
    before = current_revision(db)
    head = head_revision()
    backup: Path | None = None
    if before != head and db.path is not None and db.path.exists() and _has_tables(db):
        backup = backup_sqlite(db.path, _backup_path(db.path, before))
    if before != head:
        config = _alembic_config()
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    return MigrationReport(before, head, backup)


def open_database(url: str) -> tuple[Database, MigrationReport]:
    """Open and migrate: what the app and every command do at start."""
    db = connect(url)
    try:
        report = upgrade(db)
    except Exception:
        db.dispose()
        raise
    return db, report
