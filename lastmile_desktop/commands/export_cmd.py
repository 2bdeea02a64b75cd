"""``lastmile export FILE``: a campaign's results as a workbook (or one sheet as CSV)."""

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
from lastmile_desktop.commands.leaderboard_cmd import manager_profile
from lastmile_desktop.exporting.results import ExportSummary, check_export_target, export_results
from lastmile_desktop.exporting.sheets import DATA_SHEETS, Sheet


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "export",
        help="write a campaign's results to a workbook (.xlsx) or one sheet to a .csv file",
        description=(
            "Write a campaign's results for Excel: one row per customer with what the calls "
            "brought (Call results), every call (Attempts), the leaderboard's figures "
            "(Stores) and sentences (Heroes and gaps), the rows the imports turned away "
            "(Rejected rows) and a Read me. A FILE ending in .csv holds one sheet (--sheet)."
        ),
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the .xlsx or .csv to write")
    parser.add_argument(
        "--campaign", metavar="NAME", help="the campaign (default: the most recent open one)"
    )
    parser.add_argument("--store", metavar="CODE", help="only this store's customers and figures")
    parser.add_argument(
        "--sheet",
        choices=[sheet.value for sheet in DATA_SHEETS],
        default=Sheet.CALL_RESULTS.value,
        metavar="NAME",
        help='for a .csv file, the sheet to write (default: "Call results"; also "Attempts", '
        '"Stores", "Heroes and gaps", "Rejected rows")',
    )
    parser.add_argument(
        "--as",
        dest="manager",
        metavar="MANAGER",
        help="export as this store manager would: their own store only",
    )
    parser.add_argument("--json", action="store_true", help="print what was written as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_export_target(args.file)
    db = open_for_command(args)
    try:
        profile = manager_profile(db, args.manager) if args.manager else COMMAND_LINE_PROFILE
        with progress_on_terminal() as progress:
            summary = export_results(
                db,
                profile,
                args.file,
                campaign=args.campaign,
                store=args.store,
                sheet=Sheet(args.sheet),
                progress=progress,
            )
    finally:
        db.dispose()
    if args.json:
        print_json(summary.as_json())
    else:
        print(summary_text(summary))
    return 0


def summary_text(summary: ExportSummary) -> str:
    """ "Wrote r.xlsx: campaign “Spring”, every store; Call results 2,000 rows, ..."."""
    stores = f"store {summary.store}" if summary.store else "every store"
    counts = ", ".join(f"{sheet.value} {rows:,} rows" for sheet, rows in summary.rows.items())
    return f"Wrote {summary.file}: campaign “{summary.campaign}”, {stores}; {counts}."
