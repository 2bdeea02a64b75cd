"""``lastmile import-sales FILE``: add a till's sales extract as purchases of known customers."""

from __future__ import annotations

import argparse
from pathlib import Path

from lastmile_desktop.commands.common import (
    Subparsers,
    add_command,
    open_for_command,
    print_json,
    progress_on_terminal,
)
from lastmile_desktop.commands.import_cmd import positive_row_number
from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.importing.sales import import_sales
from lastmile_desktop.importing.sales_model import (
    SaleRowProblem,
    SalesImportOptions,
    SalesImportSummary,
)

SHOWN_ROWS = 10


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "import-sales",
        help="import a sales extract from the till (.xlsx, .xls, .ods or .csv) as purchases",
        description=(
            "Add the sales of a till extract (customer id and/or phone, store, date, amount, "
            "receipt or line id) as purchases of known customers, all of it or nothing. Every "
            "row lands in one bucket: added, already known, unmatched or rejected. The same "
            "sale is never added twice, so an extract can be imported again, or overlap an "
            "earlier one."
        ),
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the sales extract to import")
    parser.add_argument("--sheet", metavar="NAME", help="the sheet holding the sales")
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
        "(default: the database's setting)",
    )
    order = parser.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        dest="date_order",
        action="store_const",
        const=DateOrder.DAY_FIRST,
        help="read dates such as 03/04/2024 as 3 April",
    )
    order.add_argument(
        "--monthfirst",
        dest="date_order",
        action="store_const",
        const=DateOrder.MONTH_FIRST,
        help="read dates such as 03/04/2024 as 4 March",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.set_defaults(run=run)


def _rows(heading: str, problems: list[SaleRowProblem]) -> list[str]:
    if not problems:
        return []
    shown = problems[:SHOWN_ROWS]
    title = heading if len(shown) == len(problems) else f"First {len(shown)} of {heading.lower()}"
    lines = [f"{title} ({len(problems):,}):"]
    lines.extend(f"  row {problem.row}: {problem.reason}" for problem in shown)
    return lines


def describe(summary: SalesImportSummary) -> str:
    """The summary a person reads: where the rows went, how customers were found, problems."""
    counts = summary.counts
    lines = [
        f'{summary.file}: sheet "{summary.sheet}", header on row {summary.header_row}',
        f"{counts.rows_read:,} rows read = {counts.added:,} added + {counts.already_known:,} "
        f"already known + {counts.unmatched:,} unmatched + {counts.rejected:,} rejected",
        f"Customers found by customer id: {counts.matched_by_id:,}, by phone: "
        f"{counts.matched_by_phone:,}",
    ]
    lines.extend(summary.notes)
    lines.extend(_rows("Unmatched rows", summary.unmatched_rows))
    lines.extend(_rows("Rejected rows", summary.rejected_rows))
    if len(summary.unmatched_rows) > SHOWN_ROWS:
        lines.append("All unmatched rows are listed with --json.")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    options = SalesImportOptions(
        sheet=args.sheet, header_row=args.header_row, region=args.region, date_order=args.date_order
    )
    db = open_for_command(args)
    try:
        with progress_on_terminal() as progress:
            summary = import_sales(db, args.file, options, progress)
    finally:
        db.dispose()
    if args.json:
        print_json(summary.as_json())
    else:
        print(describe(summary))
    return 0
