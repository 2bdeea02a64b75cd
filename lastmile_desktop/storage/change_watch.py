"""Noticing that someone else committed to the database (another window, the command line).

``watch_changes(db)`` returns a ``ChangeWatch``: ``poll()`` says whether anything was
committed since the last look, cheaply enough to ask every second or two. The watch is
chosen by database there, and only there:

- SQLite: ``PRAGMA data_version`` on a connection of its own, which changes whenever any
  other connection commits;
- PostgreSQL: none yet (``NoChangeWatch``): a watch on LISTEN/NOTIFY implements the same
  three methods and takes its place in ``watch_changes``;
- any other database: ``NoChangeWatch``.

No Qt here: the window decides when to poll.
"""

from __future__ import annotations

import sqlite3
from typing import Protocol

from lastmile_desktop.storage.database import Database


class ChangeWatch(Protocol):
    def poll(self) -> bool:
        """True when something was committed elsewhere since the last poll or ``mark_seen``."""
        ...

    def mark_seen(self) -> None:
        """Take everything committed so far as known (after this process's own change)."""
        ...

    def close(self) -> None: ...


class NoChangeWatch:
    """For databases without a way to hear about others' commits yet: never reports."""

    def poll(self) -> bool:
        return False

    def mark_seen(self) -> None:
        return None

    def close(self) -> None:
        return None


class SqliteDataVersionWatch:
    """``PRAGMA data_version`` on a dedicated connection: it changes when others commit.

    The connection only ever runs that pragma in autocommit mode, so it holds no read
    transaction open and never keeps a WAL checkpoint waiting.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None
        self._seen: int | None = None

    def _version(self) -> int:
        if self._connection is None:
            # The GUI thread polls, but a watch may be created on another thread.
            self._connection = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=False
            )
        row = self._connection.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def poll(self) -> bool:
        try:
            version = self._version()
        except sqlite3.Error:
            return False  # busy or gone for a moment: look again at the next poll
        changed = self._seen is not None and version != self._seen
        self._seen = version
        return changed

    def mark_seen(self) -> None:
        try:
            self._seen = self._version()
        except sqlite3.Error:
            self._seen = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._seen = None


def watch_changes(db: Database) -> ChangeWatch:
    """The change watch for ``db``'s kind of database (see the module's note)."""
    path = db.path
    if path is not None:
        return SqliteDataVersionWatch(str(path))
    # PostgreSQL's LISTEN/NOTIFY watch is chosen here once it exists (``db.is_postgres``);
    # until then pages refresh from this window's own changes, on F5 and when shown.
    return NoChangeWatch()
