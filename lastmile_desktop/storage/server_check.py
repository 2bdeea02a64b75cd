"""Trying a database server before choosing it: does it answer, does it take the login, and
does the database hold Last Mile's tables? Nothing is written and nothing is migrated."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from lastmile_desktop.storage.reachability import is_unreachable

# Long enough for a slow shop line, short enough that a wrong address is known quickly.
CHECK_TIMEOUT_S = 10


class ProbeResult(enum.StrEnum):
    READY = "ready"  # connected; the database holds Last Mile's tables
    EMPTY = "empty"  # connected; the database holds no Last Mile tables yet
    UNREACHABLE = "unreachable"  # nothing answered at that address and port
    LOGIN_REFUSED = "login_refused"  # the server refused the login or the password
    NO_DATABASE = "no_database"  # the server has no database of that name
    FAILED = "failed"  # the server answered with another refusal (``detail`` says which)


@dataclass(frozen=True)
class ServerProbe:
    result: ProbeResult
    detail: str = ""  # the server's or driver's own words (never the password)
    revision: str | None = None  # the schema's migration, when READY


_LOGIN_REFUSALS = (
    "password authentication failed",
    "no password supplied",
    "role ",  # role "x" does not exist
    "no pg_hba.conf entry",
    "authentication failed",
    "permission denied for database",
)


def probe_server(url: URL, timeout_s: int = CHECK_TIMEOUT_S) -> ServerProbe:
    """Connect to the server at ``url`` once, read the schema's version, and say how it went."""
    engine = create_engine(
        url,
        poolclass=NullPool,
        hide_parameters=True,
        connect_args={"connect_timeout": timeout_s},
    )
    try:
        with engine.connect() as connection:
            table = connection.execute(text("SELECT to_regclass('alembic_version')")).scalar()
            if table is None:
                return ServerProbe(ProbeResult.EMPTY)
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return ServerProbe(ProbeResult.READY, revision=revision)
    except DBAPIError as error:
        return _refusal(error)
    finally:
        engine.dispose()


def _refusal(error: DBAPIError) -> ServerProbe:
    detail = _driver_words(error)
    if is_unreachable(error):
        return ServerProbe(ProbeResult.UNREACHABLE, detail)
    lowered = detail.lower()
    if "database" in lowered and "does not exist" in lowered:
        return ServerProbe(ProbeResult.NO_DATABASE, detail)
    if any(phrase in lowered for phrase in _LOGIN_REFUSALS):
        return ServerProbe(ProbeResult.LOGIN_REFUSED, detail)
    return ServerProbe(ProbeResult.FAILED, detail)


def _driver_words(error: DBAPIError) -> str:
    """The driver's message, on one line, without its "connection to server ... failed:"."""
    words = " ".join(str(error.orig).split())
    if "FATAL:" in words:
        words = words.split("FATAL:", 1)[1]
    elif " failed: " in words:
        words = words.rsplit(" failed: ", 1)[1]
    return words.strip()
