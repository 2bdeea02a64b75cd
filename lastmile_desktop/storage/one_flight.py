"""Round trips to a database server: a write sent in one flight, and pings only when due.

Every statement a client sends to PostgreSQL and waits for is a round trip; on a store's
network each costs milliseconds, and a busy desk pays them for every call. Two things here
keep them few:

- ``one_flight``: a transaction whose statements' results are not read (a call's outcome:
  the member's update, the attempt, the facts and tallies that follow) is queued in
  psycopg's pipeline mode, between a BEGIN and a COMMIT of its own, on an autocommit
  connection, and sent and answered once. (psycopg's own transaction would wait for its
  BEGIN, and its pipeline's end for a further sync: three waits instead of one.) A
  statement that fails aborts the rest: nothing of the transaction is kept, and the error is
  raised as it would be outside a pipeline, through the engine's own translation into
  sentences. On SQLite, in-process, it is an ordinary write transaction.
- ``ping_when_idle``: the pool checks a connection with a ping before it is used only when
  it has been idle a while (a server restart or a network cut happens while nobody is
  using it; a connection that fails while used is dropped by the pool, with every other
  connection as old). A desk calling customer after customer sends no pings.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import Connection, Engine, event, exc

from lastmile_desktop.storage.postgres import user_facing_postgres_error

# A connection idle this long is pinged before use. Short enough that a connection left
# over a break is checked; long enough that a desk between two calls never pays a ping.
PING_WHEN_IDLE_S = 10.0
_IDLE_SINCE = "lastmile_idle_since"


def ping_when_idle(engine: Engine) -> None:
    """Ping pooled connections before use, only those idle ``PING_WHEN_IDLE_S`` or more."""
    event.listen(engine, "checkin", _mark_idle)
    event.listen(engine, "checkout", _ping_if_idle(engine))


def _mark_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(engine: Engine) -> Any:
    def ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        # A connection just made needs no ping; nor does one used a moment ago.
        if idle_since is None or time.monotonic() - idle_since < PING_WHEN_IDLE_S:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(str(error)) from error
        if not alive:
            raise exc.DisconnectionError("the connection did not answer a ping")

    return ping


@contextmanager
def one_flight(engine: Engine, *, sqlite_options: dict[str, Any]) -> Iterator[Connection]:
    """A write transaction sent to a server in one flight (see the module's notes): only
    statements whose results are not read may run in it (an INSERT ``.inline()``, so that
    SQLAlchemy does not ask for the new row's key back). ``sqlite_options``: the execution
    options of an ordinary write transaction, for SQLite."""
    if engine.dialect.name != "postgresql":
        with engine.connect() as connection:
            connection.execution_options(**sqlite_options)
            with connection.begin():
                yield connection
        return
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        driver = connection.connection.driver_connection
        assert driver is not None
        try:
            with driver.pipeline():
                connection.exec_driver_sql("BEGIN")
                yield connection
                connection.exec_driver_sql("COMMIT")
        except driver.Error as error:
            lost = driver.broken or driver.closed
            if lost:
                # The server or the network went: every pooled connection went with it, as
                # SQLAlchemy decides for a connection lost under its own statements.
                connection.invalidate(error)
                engine.dispose()
            else:
                _roll_back(connection)
            # Raised as the pipeline ends, outside SQLAlchemy: translated as its own are.
            raise _translated(connection, error, lost=lost) from error
        except BaseException:
            _roll_back(connection)
            raise


def _roll_back(connection: Connection) -> None:
    """A statement failed (the transaction is aborted) or the caller gave up: the server
    keeps nothing of it, and the connection goes back to the pool clean."""
    with suppress(exc.SQLAlchemyError):
        connection.exec_driver_sql("ROLLBACK")


def _translated(connection: Connection, error: Exception, *, lost: bool) -> BaseException:
    """The error as the engine reports a statement's failure: a sentence when the user can act
    on it (the server gone, busy, full), else SQLAlchemy's wrapper (``IntegrityError`` for a
    broken constraint)."""
    problem = user_facing_postgres_error(error, connection.engine.url, is_disconnect=lost)
    if problem is not None:
        return problem
    return exc.DBAPIError.instance(
        None,
        None,
        error,
        connection.dialect.loaded_dbapi.Error,
        hide_parameters=True,
        dialect=connection.dialect,
    )
