"""Opening a database: engine, connection rules, sessions, and migration at start."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from lastmile_desktop.errors import DatabaseLocationError

BUSY_TIMEOUT_MS = 10_000
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


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide where transactions start (see _begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed call outcome survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


# Execution option naming how a SQLite transaction begins (see ``Database.write_session``).
BEGIN_OPTION = "lastmile_sqlite_begin"


def _begin(connection: Any) -> None:
    mode = connection.get_execution_options().get(BEGIN_OPTION, "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def create_database_engine(url: str | URL) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _set_sqlite_pragmas)
    event.listen(engine, "begin", _begin)
    return engine


@dataclass
class Database:
    """An open database: the engine and a session factory. Passed explicitly, never global."""

    url: URL
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @property
    def display_name(self) -> str:
        path = self.path
        if path is not None:
            return str(path)
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One user action: everything inside commits together or not at all."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A user action that reads, decides, then writes (logging a call outcome).

        On SQLite it takes the write lock at the start (BEGIN IMMEDIATE): a second writer
        waits its turn and then reads what the first one committed, instead of deciding on
        a stale read and failing when it tries to write.
        """
        with self.sessions() as session, session.begin():
            if self.url.get_backend_name() == "sqlite":
                session.connection(execution_options={BEGIN_OPTION: "IMMEDIATE"})
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """For reading: nothing is committed."""
        with self.sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def connect(url: str | URL) -> Database:
    """Open the database at ``url`` without migrating it (see ``storage.migrations``)."""
    parsed = make_url(url)
    path = sqlite_path(parsed)
    if path is not None:
        check_location(path)
    engine = create_database_engine(parsed)
    return Database(parsed, engine, sessionmaker(engine, expire_on_commit=False))


def backup_sqlite(source: Path, target: Path) -> Path:
    """Copy a live SQLite file with the online backup API (a file copy would miss the WAL)."""
    with sqlite3.connect(str(source)) as src, sqlite3.connect(str(target)) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target
