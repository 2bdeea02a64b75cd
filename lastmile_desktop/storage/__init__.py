"""Database models, connection rules and migrations. No Qt here."""

from lastmile_desktop.errors import DatabaseLoginError, DatabaseUnreachableError
from lastmile_desktop.storage.database import Database, connect
from lastmile_desktop.storage.migrate import MigrationReport, open_database, upgrade
from lastmile_desktop.storage.urls import masked_url

__all__ = [
    "Database",
    "DatabaseLoginError",
    "DatabaseUnreachableError",
    "MigrationReport",
    "connect",
    "masked_url",
    "open_database",
    "upgrade",
]
