"""What every subcommand shares: opening the chosen database, printing JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Protocol

from lastmile_desktop.settings import choose_database
from lastmile_desktop.storage import Database, open_database


class Subparsers(Protocol):
    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


def open_for_command(args: argparse.Namespace) -> Database:
    """Open (and migrate) the database picked by ``--db``, ``LASTMILE_DB`` or the default."""
    choice = choose_database(getattr(args, "db", None))
    db, report = open_database(choice.url)
    if report.backup_path is not None:
        print(report.describe(), file=sys.stderr)
    return db


def print_json(payload: Any) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


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
