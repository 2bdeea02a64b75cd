"""``lastmile export-results FILE``: the calls logged on a store's PC, for the regional lead."""

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
from lastmile_desktop.packs.results_out import (
    ResultsExportSummary,
    check_results_target,
    export_store_results,
)


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "export-results",
        help="write the calls logged here for a store's customers to a store results file",
        description=(
            "On a store's own PC: write the calls logged here for the store's customers in "
            "the campaign, with their UUIDs, to a workbook (.xlsx) the regional lead imports "
            "with lastmile import-results."
        ),
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the .xlsx to write")
    parser.add_argument(
        "--campaign", metavar="NAME", help="the campaign (default: the most recent open one)"
    )
    parser.add_argument(
        "--store",
        metavar="CODE",
        help="the store whose calls to write (needed when this database holds several stores)",
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
    check_results_target(args.file)
    db = open_for_command(args)
    try:
        profile = manager_profile(db, args.manager) if args.manager else COMMAND_LINE_PROFILE
        with progress_on_terminal() as progress:
            summary = export_store_results(
                db,
                profile,
                args.file,
                campaign=args.campaign,
                store=args.store,
                progress=progress,
            )
    finally:
        db.dispose()
    if args.json:
        print_json(summary.as_json())
    else:
        print(summary_text(summary))
    return 0


def summary_text(summary: ResultsExportSummary) -> str:
    """ "Wrote r.xlsx: 41 calls of store Leeds (12), campaign “Spring”; the lead imports it
    with lastmile import-results."."""
    calls = f"{summary.calls:,} call" + ("" if summary.calls == 1 else "s")
    return (
        f"Wrote {summary.file}: {calls} of store {summary.store}, campaign “{summary.campaign}”; "
        "the regional lead imports it with lastmile import-results."
    )
