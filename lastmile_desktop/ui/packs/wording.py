"""What the four store pack steps say when they are done: plain sentences, counted in full."""

from __future__ import annotations

import re
from datetime import datetime

from lastmile_desktop.packs.pack_in import PackImportSummary
from lastmile_desktop.packs.pack_out import (
    CALLS_SHEET,
    DNC_SHEET,
    MANAGERS_SHEET,
    MEMBERS_SHEET,
    PURCHASES_SHEET,
    PackExportSummary,
)
from lastmile_desktop.packs.results_in import ResultRow, ResultsImportSummary
from lastmile_desktop.packs.results_out import ResultsExportSummary

# Rows listed behind "Show Details..."; the command line's --json lists all of them.
DETAIL_ROWS = 100
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|]+')


def counted(count: int, one: str, many: str | None = None) -> str:
    """ "1 call", "2,000 calls"."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def file_name(kind: str, store_code: str, campaign: str, day: datetime) -> str:
    """ "Store pack LON Spring win-back 2026-03-14.xlsx": nothing a file name may not hold."""
    name = _NOT_IN_FILE_NAMES.sub(" ", f"{kind} {store_code} {campaign} {day:%Y-%m-%d}")
    return " ".join(name.split()) + ".xlsx"


def pack_exported(summary: PackExportSummary) -> str:
    rows = summary.rows
    return (
        f"Saved the store pack of {summary.store} for “{summary.campaign}” as "
        f"{summary.file.name} in {summary.file.parent}: "
        f"{counted(rows.get(MEMBERS_SHEET.name, 0), 'customer')} to call, "
        f"{counted(rows.get(MANAGERS_SHEET.name, 0), 'manager')}, "
        f"{counted(rows.get(CALLS_SHEET.name, 0), 'call')} so far, "
        f"{counted(rows.get(PURCHASES_SHEET.name, 0), 'purchase')}, "
        f"{counted(rows.get(DNC_SHEET.name, 0), 'do-not-call entry', 'do-not-call entries')}. "
        "On the store's PC, import it with File > Import store pack..."
    )


def pack_imported(summary: PackImportSummary) -> str:
    return f"{summary.headline()} " + " ".join(summary.notes())


def pack_import_details(summary: PackImportSummary) -> str:
    lines = list(summary.kind_lines())
    rejected = summary.rejected_rows
    if rejected:
        lines.append("")
        lines.append(_heading("Rejected rows", len(rejected)))
        lines += [f"  {row.sheet}, row {row.row}: {row.reason}" for row in rejected[:DETAIL_ROWS]]
    return "\n".join(lines)


def results_exported(summary: ResultsExportSummary) -> str:
    return (
        f"Saved {counted(summary.calls, 'call')} of {summary.store} for “{summary.campaign}” "
        f"as {summary.file.name} in {summary.file.parent}. Send it to the regional lead, who "
        "imports it with File > Import store results..."
    )


def results_imported(summary: ResultsImportSummary) -> str:
    text = (
        f"Results of {summary.store} for “{summary.campaign}”: "
        f"{counted(summary.rows_read, 'row')} read: {summary.added:,} added, "
        f"{summary.already_known:,} already known, "
        f"{counted(summary.conflicts, 'conflict')}, {summary.rejected:,} rejected."
    )
    if summary.conflicts:
        text += (
            " A conflict is a call the region already has with other details: it was left as "
            "the region has it."
        )
    if summary.managers_added:
        text += f" New managers from the store: {', '.join(summary.managers_added)}."
    return text


def results_import_details(summary: ResultsImportSummary) -> str:
    lines: list[str] = []
    for heading, rows in (
        ("Conflicts", summary.conflict_rows),
        ("Rejected rows", summary.rejected_rows),
    ):
        if rows:
            if lines:
                lines.append("")
            lines.append(_heading(heading, len(rows)))
            lines += [_result_row(row) for row in rows[:DETAIL_ROWS]]
    return "\n".join(lines)


def _result_row(row: ResultRow) -> str:
    call = f" (call {row.attempt})" if row.attempt else ""
    return f"  row {row.row}{call}: {row.reason}"


def _heading(title: str, count: int) -> str:
    shown = f", the first {DETAIL_ROWS}" if count > DETAIL_ROWS else ""
    return f"{title} ({count:,}{shown}):"
