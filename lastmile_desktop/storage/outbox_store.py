"""The outbox file: call outcomes logged while the database server could not be reached.

A small SQLite file of its own in the data folder (``outbox.sqlite3``), apart from any
database: one row per outcome waiting to be sent, with the attempt id chosen when the call
was logged, so sending it twice records it once. Rows are kept in the order they were
logged and name the server connection they wait for (``login@host:port/database``), so an
outcome is only ever sent where it was meant to go.

A row the server refused (someone else logged first, a conflicting record) stays, marked
refused with the reason, until the user has read it and lets it go: nothing logged is lost
silently. Every write is committed with ``synchronous=FULL`` before it returns.

One sender at a time: ``turn`` holds the file's write lock while one outcome is sent, so
another thread or program withdrawing or sending the same outcome waits for it.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from lastmile_desktop.errors import DatabaseFileError
from lastmile_desktop.storage.database import user_facing_sqlite_error

OUTBOX_FILE_NAME = "outbox.sqlite3"
SCHEMA_VERSION = 1
# A turn holds the lock while one outcome travels to the server (at most its connect timeout).
OUTBOX_BUSY_TIMEOUT_S = 60.0
WAITING = "waiting"
REFUSED = "refused"

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS outcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    attempt TEXT NOT NULL UNIQUE,
    server TEXT NOT NULL,
    member TEXT NOT NULL,
    member_version INTEGER,
    outcome TEXT NOT NULL,
    called_at TEXT NOT NULL,
    note TEXT,
    callback_at TEXT,
    visit_on TEXT,
    reason TEXT,
    as_manager TEXT,
    profile TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'waiting',
    why_refused TEXT
)""",
    "CREATE INDEX IF NOT EXISTS ix_outcomes_server_state ON outcomes (server, state, id)",
)


@dataclass(frozen=True)
class OutboxProfile:
    """Who logged the call, as the services' profile names them (storage knows no Profile)."""

    role: str
    name: str
    manager_id: int | None
    store_id: int | None


@dataclass(frozen=True)
class PendingOutcome:
    """One outcome in the outbox, as it was logged."""

    attempt: uuid.UUID
    server: str
    member: uuid.UUID
    member_version: int | None  # the version the caller saw; None: not checked
    outcome: str  # the catalogue code
    called_at: datetime  # aware UTC
    note: str | None
    callback_at: datetime | None
    visit_on: date | None
    reason: str | None
    as_manager: str | None
    profile: OutboxProfile
    queued_at: datetime  # aware UTC
    state: str = WAITING
    why_refused: str | None = None


class OutboxTurn:
    """The oldest waiting outcome, held while it is sent: settle it with ``sent`` or
    ``refused``; left unsettled it stays waiting."""

    def __init__(self, connection: sqlite3.Connection, outcome: PendingOutcome) -> None:
        self._connection = connection
        self.outcome = outcome

    def sent(self) -> None:
        """The server has it: it leaves the outbox."""
        self._connection.execute(
            "DELETE FROM outcomes WHERE attempt = ?", (str(self.outcome.attempt),)
        )

    def refused(self, why: str) -> None:
        """The server will never take it as it is: kept, with the reason, for the user."""
        self._connection.execute(
            "UPDATE outcomes SET state = ?, why_refused = ? WHERE attempt = ?",
            (REFUSED, why, str(self.outcome.attempt)),
        )


class OutboxStore:
    """The outbox file at ``path``, created with its schema on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._write() as connection:
            (version,) = connection.execute("PRAGMA user_version").fetchone()
            if version > SCHEMA_VERSION:
                raise DatabaseFileError(
                    f"The outbox {path} was written by a newer version of Last Mile. Send "
                    "what waits in it with that version, or update Last Mile."
                )
            for statement in _SCHEMA:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- connections ---------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(
                self.path, timeout=OUTBOX_BUSY_TIMEOUT_S, isolation_level=None
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as error:
            raise self._problem(error) from error
        return connection

    def _problem(self, error: sqlite3.Error) -> Exception:
        problem = user_facing_sqlite_error(error, self.path)
        return problem if problem is not None else error

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction holding the file's write lock, committed at the end."""
        with closing(self._connect()) as connection:
            try:
                connection.execute("BEGIN IMMEDIATE")
                yield connection
                connection.execute("COMMIT")
            except BaseException as error:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise self._problem(error) from error
                raise

    def _read(self, sql: str, parameters: tuple[object, ...]) -> list[sqlite3.Row]:
        with closing(self._connect()) as connection:
            connection.row_factory = sqlite3.Row
            try:
                return connection.execute(sql, parameters).fetchall()
            except sqlite3.Error as error:
                raise self._problem(error) from error

    # -- writing -------------------------------------------------------------------------------
    def add(self, outcome: PendingOutcome) -> None:
        """Keep ``outcome`` until it is sent; committed to disk when this returns."""
        with self._write() as connection:
            connection.execute(
                "INSERT INTO outcomes (attempt, server, member, member_version, outcome, "
                "called_at, note, callback_at, visit_on, reason, as_manager, profile, "
                "queued_at, state, why_refused) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _to_row(outcome),
            )

    @contextmanager
    def turn(self, server: str) -> Iterator[OutboxTurn | None]:
        """The oldest outcome waiting for ``server`` (None when none waits), held under the
        file's write lock until the block ends; what the turn settled is then committed."""
        with self._write() as connection:
            connection.row_factory = sqlite3.Row
            row = connection.execute(
                "SELECT * FROM outcomes WHERE server = ? AND state = ? ORDER BY id LIMIT 1",
                (server, WAITING),
            ).fetchone()
            yield None if row is None else OutboxTurn(connection, _from_row(row))

    def withdraw(self, attempt: uuid.UUID) -> bool:
        """Take back an outcome still waiting; False when it is not waiting (sent already)."""
        with self._write() as connection:
            cursor = connection.execute(
                "DELETE FROM outcomes WHERE attempt = ? AND state = ?", (str(attempt), WAITING)
            )
            return cursor.rowcount > 0

    def let_go_of_refused(self, server: str) -> int:
        """Remove the refused outcomes of ``server`` once the user has read them; how many."""
        with self._write() as connection:
            cursor = connection.execute(
                "DELETE FROM outcomes WHERE server = ? AND state = ?", (server, REFUSED)
            )
            return cursor.rowcount

    # -- reading -------------------------------------------------------------------------------
    def waiting(self, server: str) -> list[PendingOutcome]:
        """The outcomes waiting for ``server``, oldest first."""
        return self._outcomes(server, WAITING)

    def refused(self, server: str) -> list[PendingOutcome]:
        return self._outcomes(server, REFUSED)

    def count_waiting(self, server: str) -> int:
        rows = self._read(
            "SELECT count(*) FROM outcomes WHERE server = ? AND state = ?", (server, WAITING)
        )
        return int(rows[0][0])

    def _outcomes(self, server: str, state: str) -> list[PendingOutcome]:
        rows = self._read(
            "SELECT * FROM outcomes WHERE server = ? AND state = ? ORDER BY id", (server, state)
        )
        return [_from_row(row) for row in rows]


def _time_text(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


def _to_row(outcome: PendingOutcome) -> tuple[object, ...]:
    profile = outcome.profile
    return (
        str(outcome.attempt),
        outcome.server,
        str(outcome.member),
        outcome.member_version,
        outcome.outcome,
        _time_text(outcome.called_at),
        outcome.note,
        _time_text(outcome.callback_at),
        outcome.visit_on.isoformat() if outcome.visit_on is not None else None,
        outcome.reason,
        outcome.as_manager,
        json.dumps([profile.role, profile.name, profile.manager_id, profile.store_id]),
        _time_text(outcome.queued_at),
        outcome.state,
        outcome.why_refused,
    )


def _from_row(row: sqlite3.Row) -> PendingOutcome:
    role, name, manager_id, store_id = json.loads(row["profile"])
    called_at = _time(row["called_at"])
    queued_at = _time(row["queued_at"])
    assert called_at is not None and queued_at is not None
    return PendingOutcome(
        attempt=uuid.UUID(row["attempt"]),
        server=row["server"],
        member=uuid.UUID(row["member"]),
        member_version=row["member_version"],
        outcome=row["outcome"],
        called_at=called_at,
        note=row["note"],
        callback_at=_time(row["callback_at"]),
        visit_on=date.fromisoformat(row["visit_on"]) if row["visit_on"] else None,
        reason=row["reason"],
        as_manager=row["as_manager"],
        profile=OutboxProfile(role, name, manager_id, store_id),
        queued_at=queued_at,
        state=row["state"],
        why_refused=row["why_refused"],
    )
