"""Opening a database: engine, connection rules, sessions, and migration at start."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, ExceptionContext
from sqlalchemy.orm import Session, sessionmaker

from lastmile_desktop.errors import (
    BUSY_MESSAGE,
    DatabaseBusyError,
    DatabaseFileError,
    DatabaseLocationError,
    DiskFullError,
    UserFacingError,
)
from lastmile_desktop.storage.one_flight import one_flight, ping_when_idle
from lastmile_desktop.storage.postgres import connect_arguments, user_facing_postgres_error
from lastmile_desktop.storage.server_roles import refused_by_server
from lastmile_desktop.storage.urls import database_url, masked_url

# How long a write waits for another window or program to finish its own before giving up.
BUSY_TIMEOUT_MS = 10_000
BUSY_TIMEOUT_ENV_VAR = "LASTMILE_BUSY_TIMEOUT_MS"
# At close, how long to wait for other readers so that a pending erasure can finish.
CLOSE_WAIT_MS = 2_000
# Execution option marking a write transaction: it starts with BEGIN IMMEDIATE (see _begin).
WRITES = "lastmile_writes"
# Execution option of a write that would rather give up than wait long for another writer:
# the milliseconds it waits for SQLite's write lock (instead of the busy timeout).
LOCK_WAIT_MS = "lastmile_lock_wait_ms"
# Where a connection keeps the busy timeout last set on it.
_BUSY_TIMEOUT_SET = "lastmile_busy_timeout_ms"
SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_HEADER_SIZE = 100
NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smbfs", "smb3", "9p", "afs", "fuse.sshfs", "ncpfs", "davfs", "webdav"}
)


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        return None
    return Path(url.database)


def _mount_fstype(path: Path) -> str | None:
    """File system type of the mount holding ``path`` (Linux); None where unknown."""
    mounts = Path("/proc/mounts")
    if not mounts.exists():
        return None
    resolved = str(path.resolve())
    best, best_type = "", None
    for line in mounts.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        inside = resolved == mount_point or resolved.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def is_network_path(path: Path) -> bool:
    text = str(path)
    if text.startswith(("\\\\", "//")):  # UNC path: \\server\share
        return True
    if sys.platform == "win32":
        import ctypes

        drive = Path(path).resolve().drive + "\\"
        drive_remote = 4
        return bool(ctypes.windll.kernel32.GetDriveTypeW(drive) == drive_remote)  # type: ignore[attr-defined]
    fstype = _mount_fstype(path.parent if not path.exists() else path)
    return fstype in NETWORK_FILESYSTEMS


def busy_timeout_ms() -> int:
    """The busy timeout: ``LASTMILE_BUSY_TIMEOUT_MS`` when set (tests use a short one)."""
    text = os.environ.get(BUSY_TIMEOUT_ENV_VAR, "").strip()
    return int(text) if text.isdigit() else BUSY_TIMEOUT_MS


def check_location(path: Path) -> None:
    if is_network_path(path):
        raise DatabaseLocationError(
            f"The database {path} is on a network share. SQLite files on shared drives can be "
            "corrupted when two computers write at once. Copy it to this computer's disk and "
            "open the copy, or use a database server (a postgresql:// URL)."
        )
    if not path.parent.exists():
        raise DatabaseLocationError(
            f"The folder {path.parent} does not exist. Create it or choose another location."
        )


def check_file(path: Path) -> None:
    """Refuse, with what to do, a path SQLite could not use safely; reads only the header."""
    if path.is_dir():
        raise DatabaseFileError(
            f"{path} is a folder, not a database file. Choose a .sqlite3 file, or give a new "
            "file name to start a new database."
        )
    if path.exists():
        if not os.access(path, os.R_OK):
            raise DatabaseFileError(
                f"{path} cannot be read with your account's permissions. Ask whoever manages "
                "this computer for access, or open another database."
            )
        if not os.access(path, os.W_OK):
            raise DatabaseFileError(
                f"{path} is read-only, so Last Mile could not save anything in it. Make the file "
                "writable (in its properties), or copy it to a folder of yours and open the copy."
            )
        _check_header(path)
    if not os.access(path.parent, os.W_OK):
        if not path.exists():
            raise DatabaseFileError(
                f"The folder {path.parent} is read-only, so no database can be started in it. "
                "Choose a folder where you can write."
            )
        raise DatabaseFileError(
            f"The folder {path.parent} is read-only, and SQLite writes its working files "
            f"(-wal, -shm) beside the database. Copy {path.name} to a folder where you can "
            "write, or choose another location."
        )


def _check_header(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        return  # an empty file is an empty database: SQLite starts one in it
    with path.open("rb") as handle:
        header = handle.read(SQLITE_HEADER_SIZE)
    if not header.startswith(SQLITE_HEADER):
        raise DatabaseFileError(_not_a_database(path))
    cut_short = DatabaseFileError(
        f"{path} is cut short: the file is smaller than the database it holds, as after an "
        "interrupted copy or download. Copy it again from where it came from, or restore a "
        "backup copy."
    )
    if len(header) < SQLITE_HEADER_SIZE:
        raise cut_short
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65_536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count in the header is valid when these two counters agree (SQLite's format doc).
    counted = header[24:28] == header[92:96] and pages > 0
    # With a non-empty log or journal beside it, SQLite finishes or undoes an interrupted
    # write on opening, and the file may be shorter until then.
    logs = [path.with_name(path.name + suffix) for suffix in ("-wal", "-journal")]
    pending = any(log.exists() and log.stat().st_size for log in logs)
    if counted and size < pages * page_size and not pending:
        raise cut_short


def _not_a_database(path: Path | None) -> str:
    return (
        f"{path or 'This'} is not a Last Mile database (it is not a SQLite database file). "
        "Check that you chose the right file, or open another database."
    )


def user_facing_sqlite_error(error: BaseException, path: Path | None) -> UserFacingError | None:
    """The message for a SQLite error the user can act on; None for a bug.

    The one place where SQLite's result codes become sentences, for sessions (through the
    engine's ``handle_error`` event) and for the raw connections of migration and erasure.
    """
    code = getattr(error, "sqlite_errorcode", None)
    if not isinstance(error, sqlite3.Error) or code is None:
        return None
    name = str(path) if path is not None else "The database"
    primary = code & 0xFF  # extended codes keep the primary code in their low byte
    if primary in {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}:
        return DatabaseBusyError(BUSY_MESSAGE)
    if primary == sqlite3.SQLITE_FULL:
        where = f"the disk that holds {path}" if path is not None else "the disk"
        return DiskFullError(
            f"The disk is full, so nothing was saved. Free some space on {where}, then try again."
        )
    if primary == sqlite3.SQLITE_NOTADB:
        return DatabaseFileError(_not_a_database(path))
    if primary == sqlite3.SQLITE_CORRUPT:
        return DatabaseFileError(
            f"{name} is damaged and cannot be read. Restore it from a backup copy, or open "
            "another database."
        )
    if primary == sqlite3.SQLITE_READONLY:
        return DatabaseFileError(
            f"{name} can be read but not changed. Make the file and its folder writable, or "
            "copy the file to a folder of yours and open the copy."
        )
    if primary == sqlite3.SQLITE_CANTOPEN:
        return DatabaseFileError(
            f"{name} could not be opened. Check that the file and its folder exist and that "
            "you may write in the folder, or open another database."
        )
    if primary == sqlite3.SQLITE_IOERR:
        return DatabaseFileError(
            f"{name} could not be read or written: the disk, or the connection to it, failed. "
            "Copy the file to this computer's disk and open the copy."
        )
    return None


def _user_facing_error(path: Path | None, context: ExceptionContext) -> BaseException | None:
    # Returned, the sentence replaces SQLAlchemy's exception (which is kept as its cause).
    return user_facing_sqlite_error(context.original_exception, path)


def _user_facing_server_error(url: URL, context: ExceptionContext) -> BaseException | None:
    # A chain's server refuses a store's login what is not its own: say so in words.
    refused = refused_by_server(context)
    if refused is not None:
        return refused
    # Connection failures reach here too (SQLAlchemy calls it for errors while connecting).
    return user_facing_postgres_error(
        context.original_exception, url, is_disconnect=context.is_disconnect
    )


def _set_sqlite_pragmas(timeout_ms: int, dbapi_connection: Any, record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide where transactions start (see _begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed call outcome survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
    finally:
        cursor.close()
    record.info[_BUSY_TIMEOUT_SET] = timeout_ms


def _begin(timeout_ms: int, connection: Connection) -> None:
    # A write transaction takes the write lock at once, waiting up to the busy timeout for
    # another writer. A deferred one that reads first and writes later cannot wait: SQLite
    # refuses its upgrade at once, since its snapshot would be stale when the lock came free.
    options = connection.get_execution_options()
    immediate = options.get(WRITES, False)
    if immediate:
        _set_busy_timeout(connection, int(options.get(LOCK_WAIT_MS, timeout_ms)))
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _set_busy_timeout(connection: Connection, wait_ms: int) -> None:
    """How long this connection's next write waits for the lock; set only when it changes
    (on the driver's own cursor: a setting, not a statement of the action)."""
    if connection.info.get(_BUSY_TIMEOUT_SET) == wait_ms:
        return
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA busy_timeout={wait_ms}")
    finally:
        cursor.close()
    connection.info[_BUSY_TIMEOUT_SET] = wait_ms


def create_database_engine(url: str | URL, timeout_ms: int | None = None) -> Engine:
    parsed = database_url(url)
    timeout_ms = busy_timeout_ms() if timeout_ms is None else timeout_ms
    # hide_parameters: SQL errors never carry names and phone numbers into logs and messages.
    if parsed.get_backend_name() == "postgresql":
        server = create_engine(
            parsed, hide_parameters=True, connect_args=connect_arguments(parsed, timeout_ms)
        )
        # A connection the server dropped while idle (a restart, a network cut) is replaced
        # before use, so the first action after the server is back works.
        ping_when_idle(server)
        event.listen(server, "handle_error", partial(_user_facing_server_error, parsed))
        return server
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    engine = create_engine(
        parsed, hide_parameters=True, connect_args={"timeout": timeout_ms / 1000}
    )
    event.listen(engine, "connect", partial(_set_sqlite_pragmas, timeout_ms))
    event.listen(engine, "begin", partial(_begin, timeout_ms))
    event.listen(engine, "handle_error", partial(_user_facing_error, sqlite_path(parsed)))
    return engine


@dataclass
class Database:
    """An open database: the engine and a session factory. Passed explicitly, never global."""

    url: URL
    engine: Engine
    sessions: sessionmaker[Session]
    busy_timeout_ms: int = BUSY_TIMEOUT_MS
    # Erased values still sit in SQLite's log because another connection was reading.
    erasure_pending: bool = False

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_postgres(self) -> bool:
        """A PostgreSQL server: no file, no backup copies, no data_version."""
        return self.url.get_backend_name() == "postgresql"

    @property
    def display_name(self) -> str:
        """How the database is named to people: its file, or its URL without the password."""
        path = self.path
        if path is not None:
            return str(path)
        return masked_url(self.url)

    @contextmanager
    def session(self, *, lock_wait_ms: int | None = None) -> Iterator[Session]:
        """One user action: everything inside commits together or not at all.

        The transaction takes the write lock as it starts, waiting for another window or
        program up to the busy timeout (``lock_wait_ms``, when given, instead: a small write
        the screen waits for); past it, ``DatabaseBusyError`` and nothing changed.
        """
        options: dict[str, object] = {WRITES: True}
        if lock_wait_ms is not None:
            options[LOCK_WAIT_MS] = lock_wait_ms
        with self.sessions() as session, session.begin():
            session.connection(execution_options=options)
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """For reading: nothing is committed."""
        with self.sessions() as session:
            yield session

    @contextmanager
    def single_statement(self) -> Iterator[Session]:
        """For an action that is one statement: a read, or a write complete in itself.

        On PostgreSQL the session's connection is in autocommit, so the statement is its own
        transaction: no BEGIN and COMMIT, each a round trip to the server that every caller
        on a busy server waits for. On SQLite (in-process: no round trips) an ordinary
        transaction, committed at the end.
        """
        with self.sessions() as session, session.begin():
            if self.is_postgres:
                session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            yield session

    @contextmanager
    def separate_reads(self) -> Iterator[Session]:
        """For reads that need not see one moment together (a page of the queue: a store
        renamed between two of its statements changes nothing that matters): on PostgreSQL
        each statement is its own transaction, with no BEGIN and ROLLBACK round trips; on
        SQLite an ordinary read session."""
        if not self.is_postgres:
            with self.read_session() as session:
                yield session
            return
        with self.sessions() as session:
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            yield session

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A Core connection in a write transaction (BEGIN IMMEDIATE), committed at the end."""
        with self.engine.connect() as connection:
            connection.execution_options(**{WRITES: True})
            with connection.begin():
                yield connection

    @contextmanager
    def one_flight(self) -> Iterator[Connection]:
        """A write transaction of statements whose results are not read, sent to a server
        and answered in one round trip (storage/one_flight.py); on SQLite, an ordinary one."""
        with one_flight(self.engine, sqlite_options={WRITES: True}) as connection:
            yield connection

    def truncate_log(self, wait_ms: int = 0) -> bool:
        """Move SQLite's write-ahead log into the file and empty it; False if readers block it.

        A connection reading an older snapshot keeps the log in use; ``wait_ms`` is how long
        to wait for it to finish. Other databases manage their own storage: always True.
        """
        if self.path is None:
            return True
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(f"PRAGMA busy_timeout={wait_ms}")
            try:
                busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                cursor.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms}")
        except sqlite3.Error as error:
            problem = user_facing_sqlite_error(error, self.path)
            if problem is None:
                raise
            raise problem from error
        finally:
            raw.close()
        return int(busy) == 0

    def finish_pending_erasure(self, wait_ms: int = 0) -> bool:
        """Retry an erasure that readers held up; True when none is pending any more.

        Cheap when nothing is pending: the window calls it from a timer, commands at exit.
        """
        if self.erasure_pending:
            self.erasure_pending = not self.truncate_log(wait_ms)
        return not self.erasure_pending

    def close(self) -> bool:
        """Finish a pending erasure if readers let go in time, then release the connections.

        Returns False when erased values are still in the log (another program is still
        reading): SQLite moves them out when the last connection to the file closes.
        """
        done = self.finish_pending_erasure(CLOSE_WAIT_MS)
        self.dispose()
        return done

    def dispose(self) -> None:
        self.engine.dispose()


def connect(url: str | URL, timeout_ms: int | None = None) -> Database:
    """Open the database at ``url`` without migrating it (see ``storage.migrations``).

    ``timeout_ms`` is how long a write waits for another window or program (the busy timeout).
    """
    parsed = database_url(url)
    path = sqlite_path(parsed)
    if path is not None:
        check_location(path)
        check_file(path)
    timeout_ms = busy_timeout_ms() if timeout_ms is None else timeout_ms
    engine = create_database_engine(parsed, timeout_ms)
    return Database(parsed, engine, sessionmaker(engine, expire_on_commit=False), timeout_ms)


def backup_sqlite(source: Path, target: Path) -> Path:
    """Copy a live SQLite file with the online backup API (a file copy would miss the WAL).

    A copy that fails halfway (a full disk) is removed, and the reason given as a sentence.
    """
    try:
        with closing(sqlite3.connect(str(source))) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    except sqlite3.Error as error:
        for leftover in (target, target.with_name(target.name + "-journal")):
            leftover.unlink(missing_ok=True)
        problem = user_facing_sqlite_error(error, target)
        if problem is None:
            raise
        raise problem from error
    return target
