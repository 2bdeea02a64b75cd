"""Whether an error means the database server could not be reached (or the connection to it
dropped), as opposed to a server that answered and refused.

The one place that tells the two apart: the outbox keeps an outcome for later when waiting
helps (a network that drops, a server restarting) and never when it does not (a wrong
password, a missing database, a refused call). A SQLite file is never "unreachable": its
failures have their own messages (storage/database.py).
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from lastmile_desktop.errors import DatabaseUnreachableError

# SQLSTATE classes and codes that mean "the connection is gone, or the server is not taking
# connections right now": 08 connection exceptions, 57P01-57P03 shutdown and start-up.
_CONNECTION_CLASS = "08"
_SERVER_GOING_OR_COMING = frozenset({"57P01", "57P02", "57P03"})
# A connection attempt the server answered ("FATAL: ...") failed for a reason waiting does
# not cure, except these, which pass once the server has started.
_PASSING_REFUSALS = (
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "the database system is not yet accepting connections",
    "sorry, too many clients already",
)


def is_unreachable(error: BaseException) -> bool:
    """True when ``error`` (or what caused it) is a lost or impossible connection to a
    database server: refused, timed out, unknown host, dropped mid-transaction, restarting.

    Follows the chain of causes, so a user-facing error raised from the driver's error is
    judged by that driver error.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_lost_connection(current):
            return True
        suppressed = current.__suppress_context__  # raise ... from None: not the cause
        current = current.__cause__ or (None if suppressed else current.__context__)
    return False


def _is_lost_connection(error: BaseException | None) -> bool:
    if isinstance(error, DatabaseUnreachableError):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency; SQLite needs none
        return False
    if not isinstance(error, psycopg.OperationalError):
        return False
    if isinstance(error, psycopg.errors.ConnectionTimeout):
        return True
    sqlstate = error.sqlstate
    if sqlstate is not None:
        return sqlstate.startswith(_CONNECTION_CLASS) or sqlstate in _SERVER_GOING_OR_COMING
    text = str(error)
    if "FATAL:" in text:
        return any(phrase in text for phrase in _PASSING_REFUSALS)
    # No answer from a server at all: connection refused, timed out, host unknown, closed.
    return True
