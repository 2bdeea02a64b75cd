"""``lastmile import-results FILE``: merge a store's calls into the region's database."""

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
from lastmile_desktop.packs.results_in import (
    ResultRow,
    ResultsImportSummary,
    import_store_results,
)

SHOWN_ROWS = 10


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "import-results",
        help="merge a store results file (from lastmile export-results) into this database",
        description=(
            "The regional lead's side of the store packs: add the calls of a store results "
            "file by their UUIDs, all of it or nothing, and bring the customers' calls up to "
            "date. Every row lands in one bucket: added, already known (importing the same "
            "file twice adds nothing), conflict (recorded here with other content: left as it "
            "is here) or rejected."
        ),
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the store results file")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        with progress_on_terminal() as progress:
            summary = import_store_results(db, COMMAND_LINE_PROFILE, args.file, progress=progress)
    finally:
        db.dispose()
    if args.json:
        print_json(summary.as_json())
    else:
        print(describe(summary))
    return 0


def _rows(heading: str, rows: tuple[ResultRow, ...]) -> list[str]:
    if not rows:
        return []
    shown = rows[:SHOWN_ROWS]
    title = heading if len(shown) == len(rows) else f"First {len(shown)} of {heading.lower()}"
    lines = [f"{title} ({len(rows):,}):"]
    lines.extend(f"  row {row.row}: {row.reason}" for row in shown)
    return lines


def describe(summary: ResultsImportSummary) -> str:
    """The summary a person reads: where the rows went, and the rows not added."""
    lines = [
        f"{summary.file}: calls of store {summary.store}, campaign “{summary.campaign}”, "
        f"exported {summary.exported_at:%Y-%m-%d %H:%M} UTC",
        f"{summary.rows_read:,} rows read = {summary.added:,} added + "
        f"{summary.already_known:,} already known + {summary.conflicts:,} conflicts + "
        f"{summary.rejected:,} rejected",
    ]
    if summary.managers_added:
        lines.append("Managers added from the store: " + ", ".join(summary.managers_added))
    lines.extend(_rows("Conflicts, left as they are here", summary.conflict_rows))
    lines.extend(_rows("Rejected rows", summary.rejected_rows))
    if len(summary.conflict_rows) > SHOWN_ROWS or len(summary.rejected_rows) > SHOWN_ROWS:
        lines.append("Every row is listed with --json.")
    return "\n".join(lines)
