"""Database models, connection rules and migrations. No Qt here."""

from lastmile_desktop.storage.database import Database, connect
from lastmile_desktop.storage.migrate import MigrationReport, open_database, upgrade

__all__ = ["Database", "MigrationReport", "connect", "open_database", "upgrade"]
