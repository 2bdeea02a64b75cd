"""Noticing that someone else committed to the database (another window, the command line,
another PC of the chain).

``watch_changes(db)`` returns a ``ChangeWatch``: ``poll()`` says whether anything was
committed since the last look, cheaply enough to ask every second or two. For SQLite it
reads ``PRAGMA data_version`` on a connection of its own, which changes whenever any other
connection commits. On PostgreSQL it LISTENs for the notices the triggers of migration 0008
send when attempts, purchases or campaign members change (one per table and store), on a
connection and a thread of its own; it also tells its ``subscribe``rs at once, so a window
that is not in front (the leaderboard on the shop's screen) refreshes too. Notices sent by
this app's own connections are not news: the action that committed announces its change
itself. On a store's login only that store's notices count. No Qt here: the window decides
what to do with a change.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import event

from lastmile_desktop.storage.database import Database
from lastmile_desktop.storage.server_roles import login_store_id

if TYPE_CHECKING:
    import psycopg  # imported when a server is watched: a local database never needs it

log = logging.getLogger(__name__)

# The channel migration 0008's triggers send on.
CHANGES_CHANNEL = "lastmile_changes"


@dataclass(frozen=True)
class ChangeNote:
    """One notice from the server: a table changed, for this store (None: no store)."""

    table: str
    store_id: int | None


ChangeListener = Callable[[ChangeNote], None]


class ChangeWatch(Protocol):
    def poll(self) -> bool:
        """True when something was committed elsewhere since the last poll or ``mark_seen``."""
        ...

    def mark_seen(self) -> None:
        """Take everything committed so far as known (after this process's own change)."""
        ...

    def subscribe(self, listener: ChangeListener) -> None:
        """Have ``listener`` called, from another thread, with each change as it arrives; a
        watch that can only be polled never calls it."""
        ...

    def close(self) -> None: ...


class NoChangeWatch:
    """For databases without a way to hear about others' commits yet: never reports."""

    def poll(self) -> bool:
        return False

    def mark_seen(self) -> None:
        return None

    def subscribe(self, listener: ChangeListener) -> None:
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

    def subscribe(self, listener: ChangeListener) -> None:
        return None  # polled only: SQLite has no way to call anyone

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._seen = None


class PostgresNotifyWatch:
    """LISTEN on ``CHANGES_CHANNEL`` in a thread with a connection of its own (autocommit).

    Created listening: whatever anyone commits after the constructor returns is heard. When
    the server goes away the thread reconnects by itself, and counts the return as a change
    (notices sent meanwhile were lost). ``store_id``: hear only that store's notices.
    """

    RECEIVE_SECONDS = 0.25  # how long a wait for notices lasts before looking at ``close``
    RETRY_SECONDS = (1.0, 2.0, 5.0)  # between attempts to reconnect, growing
    CONNECT_TIMEOUT_SECONDS = 5

    def __init__(self, db: Database, store_id: int | None = None) -> None:
        url = db.url.set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self._connect_options: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in url.query:
            self._connect_options["connect_timeout"] = self.CONNECT_TIMEOUT_SECONDS
        self._store_id = store_id
        self._engine = db.engine
        self._own_backends: set[int] = set()
        event.listen(self._engine, "checkout", self._note_own_connection)
        self._condition = threading.Condition()
        self._changed = False
        self._listeners: list[ChangeListener] = []
        self._stop = threading.Event()
        self._connection = self._listen()
        self._thread = threading.Thread(target=self._run, name="change-watch", daemon=True)
        self._thread.start()

    def _note_own_connection(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # Every write of this app goes through a connection checked out here first.
        self._own_backends.add(int(dbapi_connection.info.backend_pid))

    def _listen(self) -> psycopg.Connection[Any] | None:
        import psycopg

        try:
            connection = psycopg.connect(self._conninfo, **self._connect_options)
            connection.execute(f"LISTEN {CHANGES_CHANNEL}")
        except psycopg.Error as error:
            log.info("not listening for changes on the server for now: %s", type(error).__name__)
            return None
        return connection

    def _run(self) -> None:
        import psycopg

        failures = 0
        try:
            while not self._stop.is_set():
                if self._connection is None:
                    delay = self.RETRY_SECONDS[min(failures, len(self.RETRY_SECONDS) - 1)]
                    if self._stop.wait(delay):
                        break
                    self._connection = self._listen()
                    if self._connection is None:
                        failures += 1
                        continue
                    failures = 0
                    self._heard(None)
                try:
                    for notice in self._connection.notifies(timeout=self.RECEIVE_SECONDS):
                        self._receive(notice)
                except psycopg.Error:
                    self._drop_connection()
        finally:
            self._drop_connection()

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _receive(self, notice: psycopg.Notify) -> None:
        if notice.pid in self._own_backends:
            return
        note = _parse_note(notice.payload)
        if self._store_id is not None and note.store_id != self._store_id:
            return
        self._heard(note)

    def _heard(self, note: ChangeNote | None) -> None:
        with self._condition:
            self._changed = True
            self._condition.notify_all()
        for listener in list(self._listeners):
            try:
                listener(note or ChangeNote("", None))
            except Exception:  # a listener's bug must not stop the watch; it is logged
                log.exception("a listener to database changes failed")

    def poll(self) -> bool:
        with self._condition:
            changed, self._changed = self._changed, False
        return changed

    def mark_seen(self) -> None:
        with self._condition:
            self._changed = False

    def wait_for_change(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a change from elsewhere; True once one came
        (it still counts for the next ``poll``)."""
        with self._condition:
            return self._condition.wait_for(lambda: self._changed, timeout)

    def subscribe(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def close(self) -> None:
        self._stop.set()
        self._listeners.clear()
        self._thread.join()
        if event.contains(self._engine, "checkout", self._note_own_connection):
            event.remove(self._engine, "checkout", self._note_own_connection)


def _parse_note(payload: str) -> ChangeNote:
    try:
        data = json.loads(payload)
        store = data.get("store")
        return ChangeNote(str(data.get("table", "")), None if store is None else int(store))
    except (ValueError, AttributeError, TypeError):
        return ChangeNote("", None)


def watch_changes(db: Database) -> ChangeWatch:
    """The change watch for ``db``'s kind of database (see the module's note)."""
    path = db.path
    if path is not None:
        return SqliteDataVersionWatch(str(path))
    if db.url.get_backend_name() == "postgresql":
        with db.engine.connect() as connection:
            store = login_store_id(connection)
        return PostgresNotifyWatch(db, store)
    return NoChangeWatch()
