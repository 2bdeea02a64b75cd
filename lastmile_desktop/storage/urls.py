"""Database URLs: which driver a server URL means, and how a URL is shown to people.

A URL typed with ``--db`` may carry a password (``postgresql://lead:secret@server/lastmile``).
Whatever prints or logs a URL (errors, the window title, the About box, JSON output) goes
through ``masked_url``, so the password never leaves the process.
"""

from __future__ import annotations

from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["database_url", "masked_url"]

# The PostgreSQL driver Last Mile ships (psycopg 3); a bare "postgresql://" would mean
# psycopg2 to SQLAlchemy, which is not installed.
POSTGRES_DRIVER = "postgresql+psycopg"
_BARE_POSTGRES = frozenset({"postgresql", "postgres"})


def database_url(url: str | URL) -> URL:
    """The URL to open: ``postgresql://`` and ``postgres://`` mean psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in _BARE_POSTGRES:
        return parsed.set(drivername=POSTGRES_DRIVER)
    return parsed


def masked_url(url: str | URL) -> str:
    """The URL as it may be shown or logged: any password replaced by ``***``."""
    try:
        parsed = make_url(url)
    except (
        ArgumentError,
        ValueError,
    ):  # not a URL SQLAlchemy reads: show nothing of it rather than a secret
        return "(a database URL that could not be read)"
    return parsed.render_as_string(hide_password=True)
