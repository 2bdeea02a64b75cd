"""``lastmile export-pack --store CODE FILE``: one store's share of a campaign, for its own PC."""

from __future__ import annotations

import argparse
from pathlib import Path

from lastmile_desktop.commands.common import (
    COMMAND_LINE_PROFILE,
    Subparsers,
    add_command,
    local_text,
    open_for_command,
    print_json,
    progress_on_terminal,
)
from lastmile_desktop.packs.pack_out import PackExportSummary, check_pack_target, export_pack


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "export-pack",
        help="write a store's pack (.xlsx) for a store that works offline on its own PC",
        description=(
            "Write the store pack of one store: the campaign's settings and scripts, the "
            "store and its managers, the store's customers to call (never the holdout) with "
            "their details and where their calls stand, the calls and purchases so far and "
            "the do-not-call entries for them. The store's PC imports it with "
            "lastmile import-pack. The regional lead's action."
        ),
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the .xlsx to write")
    parser.add_argument("--store", required=True, metavar="CODE", help="the store's code")
    parser.add_argument(
        "--campaign", metavar="NAME", help="the campaign (default: the most recent open one)"
    )
    parser.add_argument("--json", action="store_true", help="print what was written as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_pack_target(args.file)
    db = open_for_command(args)
    try:
        with progress_on_terminal() as progress:
            summary = export_pack(
                db,
                COMMAND_LINE_PROFILE,
                args.file,
                store=args.store,
                campaign=args.campaign,
                progress=progress,
            )
    finally:
        db.dispose()
    if args.json:
        print_json(summary.as_json())
    else:
        print(summary_text(summary))
    return 0


def summary_text(summary: PackExportSummary) -> str:
    """ "Wrote leeds.xlsx: the store pack of Leeds (12), campaign “Spring”; Members 60 rows..."."""
    counts = ", ".join(f"{sheet} {rows:,} rows" for sheet, rows in summary.rows.items())
    text = (
        f"Wrote {summary.file}: the store pack of {summary.store}, campaign "
        f"“{summary.campaign}”; {counts}."
    )
    if summary.previous_export is not None:
        text += f" It replaces the pack exported {local_text(summary.previous_export)}."
    return text
