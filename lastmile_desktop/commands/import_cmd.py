"""``lastmile import FILE``: import a customer list into a campaign from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lastmile_desktop.commands.common import (
    COMMAND_LINE_PROFILE,
    Subparsers,
    add_command,
    open_for_command,
    print_json,
    progress_on_terminal,
)
from lastmile_desktop.countries import numbers_of
from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.model import ImportOptions, ImportSummary
from lastmile_desktop.importing.rejects import check_export_target
from lastmile_desktop.importing.service import export_rejected_rows, run_import

SHOWN_REJECTS = 10


def positive_row_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a row number (1, 2, 3 ...)")
    return number


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "import",
        help="import a customer list (.xlsx, .xlsm, .xls, .xlsb, .ods or .csv) into a campaign",
        description=(
            "Import a customer list into a campaign, all of it or nothing. Every row lands in "
            "one bucket: imported, updated, duplicate, rejected or suppressed. A file imported "
            "before is refused unless --again is given."
        ),
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the list to import")
    parser.add_argument(
        "--campaign",
        metavar="NAME",
        help="campaign to add the customers to (an open one, or created if new; default: the "
        "most recent open campaign, else a new one named after the file)",
    )
    parser.add_argument("--sheet", metavar="NAME", help="the sheet holding the list")
    parser.add_argument(
        "--header-row",
        type=positive_row_number,
        metavar="N",
        help="the row holding the column names",
    )
    parser.add_argument(
        "--region",
        metavar="XX",
        help="country for numbers and dates written without one, e.g. GB, US, FR "
        "(default: worked out from the numbers, the database's setting, its stores and the "
        "computer's locale; the summary says which)",
    )
    order = parser.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        dest="date_order",
        action="store_const",
        const=DateOrder.DAY_FIRST,
        help="read dates such as 03/04/2024 as 3 April (when the column does not tell; "
        "default: the database's date order setting, else the region's habit)",
    )
    order.add_argument(
        "--monthfirst",
        dest="date_order",
        action="store_const",
        const=DateOrder.MONTH_FIRST,
        help="read dates such as 03/04/2024 as 4 March",
    )
    parser.add_argument(
        "--again", action="store_true", help="import a file that was imported before"
    )
    parser.add_argument(
        "--rejects-to",
        type=Path,
        metavar="FILE",
        help="also save the rejected rows, with their reasons, to FILE (.xlsx or .csv)",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.set_defaults(run=run)


def describe(summary: ImportSummary, rejects_file: Path | None) -> str:
    """The summary a person reads: where the rows went, the stores, the first rejects."""
    counts = summary.counts
    lines = [
        f'{summary.file}: sheet "{summary.sheet}", header on row {summary.header_row}, '
        f'into campaign "{summary.campaign}"',
        f"{counts.rows_read:,} rows read = {counts.imported:,} imported + {counts.updated:,} "
        f"updated + {counts.duplicates:,} duplicates + {counts.rejected:,} rejected + "
        f"{counts.suppressed:,} suppressed",
    ]
    if summary.stores:
        lines.append(f"Stores ({len(summary.stores)}): {', '.join(summary.stores)}")
    lines.extend(summary.notes)
    fits = summary.phone_region.fits_better
    if fits:
        lines.append(
            f"To read them as {numbers_of(fits[0])}: "
            f"lastmile import FILE --region {fits[0]} --again"
        )
    if summary.rejects:
        shown = summary.rejects[:SHOWN_REJECTS]
        heading = "Rejected rows" if len(shown) == len(summary.rejects) else (
            f"First {len(shown)} of {len(summary.rejects):,} rejected rows"
        )  # fmt: skip
        lines.append(f"{heading}:")
        lines.extend(f"  row {problem.row}: {problem.reason}" for problem in shown)
        if rejects_file is not None:
            lines.append(f"All rejected rows, with their values, are in {rejects_file}")
        else:
            lines.append(
                "To see all of them with their values, open this import in the app, or import "
                "with --rejects-to FILE.xlsx (or --json)."
            )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    options = ImportOptions(
        sheet=args.sheet,
        header_row=args.header_row,
        region=args.region,
        date_order=args.date_order,
        campaign_name=args.campaign,
        allow_repeat=args.again,
    )
    if args.rejects_to is not None:
        check_export_target(args.rejects_to)  # said before the import, which then does not run
    db = open_for_command(args)
    rejects_problem: UserFacingError | None = None
    try:
        with progress_on_terminal() as progress:
            summary = run_import(db, args.file, options, progress)
        rejects_file = None
        if args.rejects_to is not None and summary.rejects:
            try:
                rejects_file = export_rejected_rows(
                    db, summary.batch_id, args.rejects_to, COMMAND_LINE_PROFILE
                )
            except UserFacingError as error:
                rejects_problem = error
    finally:
        db.close()
    if args.json:
        payload = summary.as_json()
        if rejects_problem is not None:
            payload["error"] = f"the import worked, but {rejects_problem}"
        print_json(payload)
    else:
        print(describe(summary, rejects_file))
    if rejects_problem is not None:
        # The import itself is done and stays; only the file asked for is missing.
        print(f"lastmile: the import worked, but {rejects_problem}", file=sys.stderr)
        return 1
    return 0
