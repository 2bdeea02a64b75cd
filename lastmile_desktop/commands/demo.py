"""``lastmile demo``: fill a database with a realistic demo region to explore the app with.

Without ``--db`` (or ``LASTMILE_DB``) the demo goes into its own file beside the user's
database, never into the user's database itself.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path

from lastmile_desktop.commands.common import (
    Subparsers,
    add_command,
    print_json,
    progress_on_terminal,
)
from lastmile_desktop.demo import MAX_CUSTOMERS, DemoSummary, generate_demo
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.settings import DB_ENV_VAR, choose_database, demo_db_path, to_url
from lastmile_desktop.storage import open_database

DEFAULT_CUSTOMERS = 2000
DEFAULT_SEED = 7


def _customer_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_CUSTOMERS:
        raise argparse.ArgumentTypeError(f"choose between 1 and {MAX_CUSTOMERS:,}")
    return value


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "demo",
        help="fill a database with a realistic demo region (stores, customers, calls)",
        description=(
            "Builds a synthetic UK region: about 12 stores with their managers, lapsed "
            "customers, a running campaign with a holdout group, five weeks of calls and the "
            "purchases that followed. Without --db it goes into the separate demo database, "
            "never into your own."
        ),
    )
    parser.add_argument(
        "--customers",
        type=_customer_count,
        default=DEFAULT_CUSTOMERS,
        metavar="N",
        help=f"how many customers to invent (default {DEFAULT_CUSTOMERS:,})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="S",
        help=f"the same seed gives the same region on the same day (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="delete the separate demo database first and build it again",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(run=run)


def _sqlite_files(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))]


def _quoted(text: str) -> str:
    return f'"{text}"' if any(c.isspace() for c in text) else text


def _describe(summary: DemoSummary, where: str) -> str:
    return "\n".join(
        (
            f"Demo region written to {where}:",
            f"  {summary.stores} stores, {summary.managers} managers, "
            f"{summary.customers:,} customers",
            f'  campaign "{summary.campaign}": '
            f"{summary.call_group:,} to call, "
            f"{summary.holdout:,} held out, {summary.unassigned:,} without a store, "
            f"{summary.suppressed:,} on the do-not-call list",
            f"  {summary.attempts:,} calls logged ({summary.accepted_offers:,} accepted offers), "
            f"{summary.purchases:,} purchases since",
            f"Open it with:  lastmile --db {_quoted(where)}",
        )
    )


def run(args: argparse.Namespace) -> int:
    db_arg = getattr(args, "db", None)
    separate = not db_arg and not os.environ.get(DB_ENV_VAR)
    if args.replace and not separate:
        raise UserFacingError(
            "--replace only rebuilds the separate demo database; it never deletes a database "
            "given with --db or LASTMILE_DB. Delete that file yourself if you mean to."
        )
    path = demo_db_path()
    url = to_url(path) if separate else choose_database(db_arg).url
    if separate and args.replace:
        for file in _sqlite_files(path):
            file.unlink(missing_ok=True)
    created_here = separate and not path.exists()

    db, _ = open_database(url)
    where = db.display_name
    try:
        with progress_on_terminal() as progress:
            summary = generate_demo(db, customers=args.customers, seed=args.seed, progress=progress)
    except UserFacingError as error:
        if separate and not created_here:
            raise UserFacingError(
                f"The demo database {path} already holds a demo. Open it with "
                f"`lastmile --db {_quoted(str(path))}`, or build a new one with "
                "`lastmile demo --replace`."
            ) from error
        raise
    except BaseException:
        db.dispose()
        if created_here:  # an unfinished demo (Ctrl+C, an error) leaves no file behind
            for file in _sqlite_files(path):
                file.unlink(missing_ok=True)
        raise
    finally:
        db.dispose()

    if args.json:
        print_json({"database": where, **dataclasses.asdict(summary)})
    else:
        print(_describe(summary, where))
    return 0
