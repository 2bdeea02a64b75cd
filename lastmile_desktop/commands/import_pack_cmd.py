"""``lastmile import-pack FILE``: a store pack into this PC's database, all of it or nothing."""

from __future__ import annotations

import argparse
from pathlib import Path

from lastmile_desktop.commands.common import (
    COMMAND_LINE_PROFILE,
    Subparsers,
    add_command,
    open_for_command,
    print_json,
    progress_on_terminal,
)
from lastmile_desktop.packs.pack_in import PackImportSummary, import_pack

SHOWN_ROWS = 10


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "import-pack",
        help="import a store pack (from lastmile export-pack) on the store's own PC",
        description=(
            "Import a store pack into this database (it may be new and empty): the campaign, "
            "the store, its managers and its customers to call are created or brought up to "
            "date with the same ids, all of it or nothing. Importing the same pack again "
            "changes nothing; a newer pack updates; an older one is refused. Calls logged on "
            "this PC are kept."
        ),
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the store pack (.xlsx)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.set_defaults(run=run)


def describe(summary: PackImportSummary) -> str:
    """What landed, sheet by sheet, and the rows turned away with why."""
    lines = [f"{summary.file}: {summary.headline()}"]
    lines += [f"  {line}" for line in summary.kind_lines()]
    lines += summary.notes()
    rejected = summary.rejected_rows
    if rejected:
        shown = rejected[:SHOWN_ROWS]
        more = "" if len(shown) == len(rejected) else f" (the first {len(shown)}; all with --json)"
        lines.append(f"Rejected rows{more}:")
        lines += [f"  {row.sheet}, row {row.row}: {row.reason}" for row in shown]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        with progress_on_terminal() as progress:
            summary = import_pack(db, COMMAND_LINE_PROFILE, args.file, progress=progress)
    finally:
        db.dispose()
    if args.json:
        print_json(summary.as_json())
    else:
        print(describe(summary))
    return 0
