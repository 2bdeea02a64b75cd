"""Making erased data really gone from the database file (SQLite's part of "forget me").

SQLite keeps deleted or overwritten text in free pages and in the write-ahead log until
something overwrites it. Other databases manage their own storage, so these do nothing there.
"""

from __future__ import annotations

import atexit
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from sqlalchemy.orm import Session

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage.database import Database


@contextmanager
def zeroing_freed_space(session: Session) -> Iterator[None]:
    """Inside this block SQLite zeroes the pages it frees; the previous setting comes back."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = session.connection()
    previous = int(connection.exec_driver_sql("PRAGMA secure_delete").scalar() or 0)
    connection.exec_driver_sql("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA secure_delete = {previous}")


def checkpoint_log(db: Database) -> bool:
    """Move committed pages out of SQLite's write-ahead log and truncate it.

    Returns False when another connection still reads an older snapshot, which keeps the
    erased values in the log and the old pages in the file. The erasure is then pending:
    ``Database.finish_pending_erasure`` retries it (the window from a timer), and
    ``Database.close`` and the end of the process try once more.
    """
    if db.truncate_log():
        return True
    if not db.erasure_pending:
        db.erasure_pending = True
        atexit.register(_finish_at_exit, db)
    return False


def _finish_at_exit(db: Database) -> None:
    # A last try as the process ends; the file may have been moved or deleted meanwhile.
    if db.erasure_pending and db.path is not None and db.path.exists():
        with suppress(UserFacingError):
            db.close()
