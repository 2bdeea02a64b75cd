"""What every subcommand shares: opening the chosen database, printing JSON, progress."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, Protocol, TextIO

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.connection import database_to_open
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.storage import Database, open_database

# The command line works as the regional lead: local mode has no passwords, and whoever runs
# commands on the database file administers it.
COMMAND_LINE_PROFILE = Profile.lead("Regional lead (command line)")


class Subparsers(Protocol):
    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


def database_url(args: argparse.Namespace) -> str:
    """The database picked by ``--db``, ``LASTMILE_DB``, the saved server or the default."""
    return database_to_open(getattr(args, "db", None)).url


def open_for_command(args: argparse.Namespace) -> Database:
    """Open (and migrate) the database picked by ``--db``, ``LASTMILE_DB``, the saved server
    (``lastmile connect``) or the default."""
    db, report = open_database(database_url(args))
    if report.worth_telling:
        print(report.describe(), file=sys.stderr)
    return db


def parse_time(text: str, what: str) -> datetime:
    """An ISO 8601 time as typed on the command line; without a zone, this computer's local
    time. Returned aware (UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserFacingError(
            f'{what} "{text}" is not a time: write it like 2025-03-14T17:30 '
            "(this computer's time) or 2025-03-14T17:30+01:00."
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the computer's local time, daylight saving included
    return moment.astimezone(UTC)


def parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserFacingError(f'{what} "{text}" is not a date: write it like 2025-03-14.') from None


def json_time(moment: datetime | None) -> str | None:
    """How JSON output gives a time: UTC, with its zone (2025-03-14T17:30:00+00:00)."""
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def local_text(moment: datetime | None) -> str:
    """How text output gives a time: this computer's local time, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


def print_json(payload: Any) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def report_failure(args: argparse.Namespace, error: UserFacingError) -> None:
    """A command that failed: one line on standard error, and with ``--json`` one object
    on standard output too (``{"error": ..., "file": ...}``), so a script can read it."""
    print(f"lastmile: {error}", file=sys.stderr)
    if getattr(args, "json", False):
        payload: dict[str, Any] = {"error": str(error)}
        if getattr(args, "file", None) is not None:
            payload["file"] = str(args.file)
        print_json(payload)


def add_command(
    subparsers: Subparsers, name: str, *, help: str, description: str | None = None
) -> argparse.ArgumentParser:
    """A subcommand that also accepts ``--db`` after its name (``lastmile import F --db X``)."""
    parser = subparsers.add_parser(name, help=help, description=description or help)
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=argparse.SUPPRESS,
        help="database file or SQLAlchemy URL (overrides the one given before the command)",
    )
    return parser


class TerminalProgress:
    """One self-rewriting line: the step, and how far it is when the total is known.

    Redrawn at most ten times a second, so work that reports every row costs no terminal
    time; a shorter line is padded to cover what the longer one before it left behind.
    """

    REDRAW_SECONDS = 0.1

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._drawn_at: float | None = None
        self._width = 0

    def report(self, done: int, total: int | None, message: str = "") -> None:
        now = self._clock()
        if self._drawn_at is not None and now - self._drawn_at < self.REDRAW_SECONDS:
            return
        self._drawn_at = now
        line = f"{message} {min(100, 100 * done // total)}%" if total else message
        self._stream.write("\r" + line.ljust(self._width))
        self._stream.flush()
        self._width = max(self._width, len(line))

    def finish(self) -> None:
        """Clear the line, so that what the command prints next starts on a clean one."""
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


@contextmanager
def progress_on_terminal(stream: TextIO | None = None) -> Iterator[Progress]:
    """Progress on ``stream`` (standard error) when a person watches it, else none.

    The line is cleared when the block ends, also when it ends in an error or Ctrl+C.
    Standard output stays free for the result, JSON included.
    """
    target = sys.stderr if stream is None else stream
    if not target.isatty():
        yield NoProgress()
        return
    terminal = TerminalProgress(target)
    try:
        yield terminal
    finally:
        terminal.finish()
