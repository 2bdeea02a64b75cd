"""PostgreSQL's side of opening a database: connection options, and its errors as sentences.

The sentences say what happened and what to do, as SQLite's do (storage/database.py), and
carry no value of a statement, no password and no text of the server's own message beyond
the names the user typed (host, port, login, database): the server's messages can quote
rows, and the log must stay free of personal data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import URL

from lastmile_desktop.errors import (
    BUSY_MESSAGE,
    DatabaseBusyError,
    DatabaseLoginError,
    DatabaseUnreachableError,
    DiskFullError,
    UserFacingError,
)

DEFAULT_PORT = 5432
# Seconds to wait for a server that does not answer (a cable pulled, a host switched off)
# before saying it cannot be reached; a URL's own ?connect_timeout= wins.
CONNECT_TIMEOUT_S = 10

# SQLSTATE codes (PostgreSQL's appendix A) and what they mean to the user.
_BUSY_STATES = frozenset(
    {
        "55P03",  # lock_not_available: waited lock_timeout for another writer's lock
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
    }
)
_GONE_STATES = frozenset(
    {
        "57P01",  # admin_shutdown: the server is stopping
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: starting up or shutting down
        "08000",  # connection_exception
        "08003",  # connection_does_not_exist
        "08006",  # connection_failure
    }
)
_DISK_FULL_STATES = frozenset({"53100", "53200"})  # disk_full, out_of_memory

# Pieces of libpq's messages for a connection that was never made or was lost, with the
# plain reason shown for each (the message itself is not shown: see the module's note).
_UNREACHABLE_REASONS = (
    ("connection refused", "it refused the connection"),
    ("failed to resolve host", "its name is not known on this network"),
    ("could not translate host name", "its name is not known on this network"),
    ("name or service not known", "its name is not known on this network"),
    ("timeout expired", "it did not answer in time"),
    ("timed out", "it did not answer in time"),
    ("no route to host", "there is no network route to it"),
    ("network is unreachable", "there is no network route to it"),
    ("starting up", "it is starting up"),
    ("shutting down", "it is shutting down"),
    ("too many clients", "it has no free connection"),
    ("remaining connection slots", "it has no free connection"),
    ("terminating connection", "it ended the connection"),
    ("server closed the connection", "the connection was lost"),
    ("connection is lost", "the connection was lost"),
    ("consuming input failed", "the connection was lost"),
    ("connection is closed", "the connection was lost"),
    ("connection already closed", "the connection was lost"),
    ("ssl connection has been closed", "the connection was lost"),
    ("connection reset", "the connection was lost"),
    ("broken pipe", "the connection was lost"),
)


def connect_arguments(url: URL, busy_timeout_ms: int) -> dict[str, Any]:
    """psycopg's connect arguments: a bounded wait for the server, and for other writers."""
    arguments: dict[str, Any] = {
        # A write waits for another writer's row or table lock as long as a SQLite write
        # waits for the file's lock, then says the database is busy.
        "options": f"-c lock_timeout={int(busy_timeout_ms)}",
    }
    if "connect_timeout" not in url.query:
        arguments["connect_timeout"] = CONNECT_TIMEOUT_S
    return arguments


def server_name(url: URL) -> tuple[str, int]:
    return url.host or "localhost", url.port or DEFAULT_PORT


def unreachable_error(url: URL, reason: str) -> DatabaseUnreachableError:
    host, port = server_name(url)
    return DatabaseUnreachableError(
        f"Cannot reach the database server at {host}:{port}: {reason}. Check the network "
        "connection and that the server is running, then try again.",
        host,
        port,
    )


def _unreachable_reason(message: str) -> str | None:
    lowered = message.lower()
    for piece, reason in _UNREACHABLE_REASONS:
        if piece in lowered:
            return reason
    return None


def _login_error(url: URL, message: str) -> UserFacingError | None:
    """The server answered the connection but refused it (the message says FATAL)."""
    lowered = message.lower()
    host, port = server_name(url)
    login = url.username or "(the computer's user name)"
    if "database" in lowered and "does not exist" in lowered:
        return DatabaseLoginError(
            f'The database server at {host}:{port} has no database "{url.database}". Check '
            "the name in the address, or ask whoever runs the server to create it."
        )
    if "pg_hba.conf" in lowered:
        return DatabaseLoginError(
            f'The database server at {host}:{port} does not let the login "{login}" connect '
            "from this computer. Ask whoever runs the server to allow it."
        )
    if (
        "password" in lowered
        or "authentication" in lowered
        or ("role" in lowered and "does not exist" in lowered)
    ):
        return DatabaseLoginError(
            f'The database server at {host}:{port} refused the login "{login}": check the '
            "login name and its password."
        )
    return None


def user_facing_postgres_error(
    error: BaseException, url: URL, *, is_disconnect: bool = False
) -> UserFacingError | None:
    """The sentence for a psycopg error the user can act on; None for a bug."""
    import psycopg

    if not isinstance(error, psycopg.Error):
        return None
    state = getattr(error, "sqlstate", None)
    message = str(error)
    if state in _BUSY_STATES:
        return DatabaseBusyError(BUSY_MESSAGE)
    if state in _DISK_FULL_STATES:
        host, port = server_name(url)
        return DiskFullError(
            f"The database server at {host}:{port} is out of disk space or memory, so nothing "
            "was saved. Ask whoever runs the server to free some, then try again."
        )
    if state is None and isinstance(error, psycopg.OperationalError):
        refused = _login_error(url, message) if "fatal" in message.lower() else None
        if refused is not None:
            return refused
    if is_disconnect or state in _GONE_STATES or isinstance(error, psycopg.OperationalError):
        reason = _unreachable_reason(message)
        if reason is not None or is_disconnect or state in _GONE_STATES:
            return unreachable_error(url, reason or "the connection was lost")
    return None
