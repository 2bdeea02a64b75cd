"""``lastmile export FILE``: a campaign's results as a workbook (or one sheet as CSV);
``--pdf FILE``: the leaderboard on one page for the regional meeting."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.commands.common import (
    COMMAND_LINE_PROFILE,
    Subparsers,
    add_command,
    open_for_command,
    print_json,
    progress_on_terminal,
)
from lastmile_desktop.commands.leaderboard_cmd import (
    add_period_and_rate,
    manager_profile,
    period_and_rate,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.exporting.results import ExportSummary, check_export_target, export_results
from lastmile_desktop.exporting.sheets import DATA_SHEETS, Sheet
from lastmile_desktop.leaderboard.model import Leaderboard
from lastmile_desktop.leaderboard.periods import PeriodChoice
from lastmile_desktop.leaderboard.rates import Rate
from lastmile_desktop.leaderboard.service import leaderboard, weekly_trend
from lastmile_desktop.paper import Paper, usual_paper
from lastmile_desktop.storage import Database

if TYPE_CHECKING:  # the PDF is painted by Qt, which the command loads only for --pdf
    from lastmile_desktop.ui.paper.leaderboard_pdf import PaperSummary


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "export",
        help="write a campaign's results to a workbook (.xlsx) or one sheet to a .csv file",
        description=(
            "Write a campaign's results for Excel: one row per customer with what the calls "
            "brought (Call results), every call (Attempts), the leaderboard's figures "
            "(Stores) and sentences (Heroes and gaps), the rows the imports turned away "
            "(Rejected rows) and a Read me. A FILE ending in .csv holds one sheet (--sheet). "
            "--pdf writes the leaderboard on one page (A4 or US Letter) for a meeting: the "
            "heroes, the weekly trend, the store table and the gaps, as the Leaderboard page "
            "shows them; with --pdf alone, only the PDF is written."
        ),
    )
    parser.add_argument(
        "file",
        type=Path,
        nargs="?",
        metavar="FILE",
        help="the .xlsx or .csv to write (leave it out to write only the --pdf)",
    )
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
    parser.add_argument(
        "--pdf",
        type=Path,
        metavar="FILE",
        help="also write the leaderboard on one page to this .pdf (or only it, without FILE)",
    )
    parser.add_argument(
        "--paper",
        choices=[paper.value for paper in Paper],
        help=f"the PDF's paper (default: {usual_paper().value}, from this computer's locale; "
        "letter in North America and the Philippines, a4 elsewhere)",
    )
    add_period_and_rate(parser, what="for the PDF: ")
    parser.add_argument("--json", action="store_true", help="print what was written as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    _check_choices(args)
    period, rate = period_and_rate(args)
    if args.file is not None:
        check_export_target(args.file)
    if args.pdf is not None:
        if not os.environ.get("QT_QPA_PLATFORM"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a PDF needs fonts, not a screen
        from lastmile_desktop.ui.paper.leaderboard_pdf import check_pdf_target

        check_pdf_target(args.pdf)
    summary: ExportSummary | None = None
    on_paper: tuple[Leaderboard, PaperSummary] | None = None
    db = open_for_command(args)
    try:
        profile = manager_profile(db, args.manager) if args.manager else COMMAND_LINE_PROFILE
        if args.file is not None:
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
        if args.pdf is not None:
            paper = Paper(args.paper) if args.paper else usual_paper()
            on_paper = _write_pdf(
                db,
                profile,
                args.pdf,
                campaign=args.campaign,
                period=period,
                rate=rate,
                paper=paper,
            )
    finally:
        db.dispose()
    if args.json:
        pdf_json = on_paper[1].as_json(on_paper[0]) if on_paper is not None else None
        if summary is None:
            print_json(pdf_json)
        else:
            print_json(summary.as_json() | ({"pdf": pdf_json} if pdf_json else {}))
        return 0
    if summary is not None:
        print(summary_text(summary))
    if on_paper is not None:
        print(pdf_text(*on_paper))
    return 0


def _check_choices(args: argparse.Namespace) -> None:
    """Options that would do nothing are refused rather than ignored."""
    if args.file is None and args.pdf is None:
        raise UserFacingError(
            "Give the file to write: a workbook (FILE, .xlsx or .csv), --pdf FILE for the "
            "leaderboard on one page, or both."
        )
    if args.pdf is None and (args.period or args.rate or args.paper):
        raise UserFacingError(
            "--period, --rate and --paper choose what the PDF shows: add --pdf FILE. The "
            "workbook always holds the campaign to date."
        )
    if args.file is None and args.store:
        raise UserFacingError(
            "--store narrows the workbook; the PDF shows every store of the leaderboard, as "
            "the Leaderboard page does. Give a workbook FILE too, or leave --store out."
        )


def _write_pdf(
    db: Database,
    profile: Profile,
    target: Path,
    *,
    campaign: str | None,
    period: PeriodChoice,
    rate: Rate,
    paper: Paper,
) -> tuple[Leaderboard, PaperSummary]:
    """The leaderboard and its trend as the Leaderboard page reads them, on one page."""
    from lastmile_desktop.ui.paper.leaderboard_pdf import write_leaderboard_pdf

    now = datetime.now(UTC)  # one moment for the table and the chart
    board = leaderboard(db, profile, campaign=campaign, period=period, rate=rate, now=now)
    trend = weekly_trend(db, profile, campaign=board.campaign_id, rate=rate, now=now)
    return board, write_leaderboard_pdf(board, trend, target, paper)


def summary_text(summary: ExportSummary) -> str:
    """ "Wrote r.xlsx: campaign “Spring”, every store; Call results 2,000 rows, ..."."""
    stores = f"store {summary.store}" if summary.store else "every store"
    counts = ", ".join(f"{sheet.value} {rows:,} rows" for sheet, rows in summary.rows.items())
    return f"Wrote {summary.file}: campaign “{summary.campaign}”, {stores}; {counts}."


def pdf_text(board: Leaderboard, written: PaperSummary) -> str:
    """ "Wrote b.pdf: the leaderboard of “Spring”, 2-29 Nov 2026, on one page of A4; ..."."""
    pages = "one page" if written.pages == 1 else f"{written.pages} pages"
    held = f"{written.contents()} on it" + (
        "" if written.complete else " (the workbook has them all)"
    )
    return (
        f"Wrote {written.file}: the leaderboard of “{board.campaign}”, "
        f"{board.period.describe()}, on {pages} of {written.paper.label}; {held}."
    )
