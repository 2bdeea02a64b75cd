"""Rejected rows of an import: to look at in the app, and to export for fixing in Excel.

A rejected row is nobody's customer yet, so it belongs to the store its store column names,
read and matched the way the import reads and matches stores. A store manager sees (and
exports) the rows naming their store; rows naming no store, or one that does not exist, are
the regional lead's alone (see ``campaigns.access``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.exceptions
from sqlalchemy import select
from sqlalchemy.orm import Session

from lastmile_desktop.campaigns.access import Profile, check_profile
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.lookups import load_store_keys, match_store
from lastmile_desktop.importing.model import (
    Field,
    RejectedRowsTable,
    RejectedRowValues,
    RowProblem,
)
from lastmile_desktop.importing.normalize import read_store
from lastmile_desktop.importing.rows import unique_labels
from lastmile_desktop.spreadsheets.safe_cells import safe_cell
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import ImportBatch, RejectedRow

EXPORT_SUFFIXES = (".xlsx", ".csv")


def _batch(session: Session, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise UserFacingError(f"There is no import number {batch_id}; it may have been undone.")
    return batch


def _store_label(batch: ImportBatch) -> str | None:
    """The key of the store column in the batch's saved row values (as ``RowReader`` reads)."""
    mapping = batch.mapping or {}
    labels = unique_labels([str(header) for header in mapping.get("headers") or []])
    columns = [
        int(column)
        for column, field in (mapping.get("columns") or {}).items()
        if field == Field.STORE.value and int(column) < len(labels)
    ]
    return labels[min(columns)] if columns else None


@dataclass(frozen=True)
class StoredReject:
    row_number: int
    reason: str
    values: dict[str, Any] | None


def visible_rejects(session: Session, batch: ImportBatch, profile: Profile) -> list[StoredReject]:
    """The batch's rejected rows ``profile`` may see, in sheet order (see the module's rule)."""
    rows = [
        StoredReject(number, reason, values)
        for number, reason, values in session.execute(
            select(RejectedRow.row_number, RejectedRow.reason, RejectedRow.values)
            .where(RejectedRow.batch_id == batch.id)
            .order_by(RejectedRow.row_number, RejectedRow.id)
        )
    ]
    if profile.is_lead:
        return rows
    label = _store_label(batch)
    if label is None:
        return []
    stores = load_store_keys(session)

    def store_of(values: dict[str, Any] | None) -> int | None:
        named = read_store((values or {}).get(label))
        return None if named is None else match_store(stores, named)

    return [row for row in rows if profile.can_see_store(store_of(row.values))]


def rejected_rows(db: Database, batch_id: int, profile: Profile) -> list[RowProblem]:
    """The rows an import turned away that ``profile`` may see, in sheet order, with why."""
    with db.read_session() as session:
        check_profile(session, profile)
        rows = visible_rejects(session, _batch(session, batch_id), profile)
    return [RowProblem(row.row_number, row.reason) for row in rows]


def rejected_rows_table(db: Database, batch_id: int, profile: Profile) -> RejectedRowsTable:
    """The rows ``profile`` may see that an import turned away, with their values, under the
    file's own columns.

    The columns are the header row as the import read it (a blank header is "Column 3", a
    repeated one "Phone (2)", as the values were kept); values erased since (a forgotten
    customer) read as empty.
    """
    with db.read_session() as session:
        check_profile(session, profile)
        batch = _batch(session, batch_id)
        headers = [str(h) for h in (batch.mapping or {}).get("headers", [])]
        records = visible_rejects(session, batch, profile)
    columns = unique_labels(headers)
    for record in records:
        for key in record.values or {}:
            if key not in columns:
                columns.append(key)
    rows = tuple(
        RejectedRowValues(
            record.row_number,
            record.reason,
            tuple(str((record.values or {}).get(column, "")) for column in columns),
        )
        for record in records
    )
    return RejectedRowsTable(tuple(columns), rows)


def _table(db: Database, batch_id: int, profile: Profile) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the export: row number, reason, then the row's original values."""
    table = rejected_rows_table(db, batch_id, profile)
    rows = [[record.row, record.reason, *record.values] for record in table.rows]
    return ["Sheet row", "Reason", *table.columns], rows


def check_export_target(target: Path) -> None:
    """Refuse a file the rejected rows cannot be saved to, before any work is done."""
    if target.suffix.lower() not in EXPORT_SUFFIXES:
        raise UserFacingError(
            f"{target.name}: rejected rows can be saved as .xlsx or .csv; choose one of those."
        )
    if target.is_dir():
        raise UserFacingError(f"{target} is a folder: give a file name ending in .xlsx or .csv.")
    if not target.parent.is_dir():
        raise UserFacingError(
            f"The folder {target.parent} does not exist: create it, or choose another folder "
            f"for {target.name}."
        )


def export_rejected_rows(db: Database, batch_id: int, target: Path, profile: Profile) -> Path:
    """Write the rejected rows ``profile`` may see to ``target`` (.xlsx or .csv, by its
    suffix) and return it."""
    target = Path(target)
    check_export_target(target)
    header, rows = _table(db, batch_id, profile)
    try:
        if target.suffix.lower() == ".csv":
            _write_csv(target, header, rows)
        else:
            _write_xlsx(target, header, rows)
    except (OSError, xlsxwriter.exceptions.FileCreateError) as error:
        # xlsxwriter wraps the operating system's error; the reason is in the original.
        cause = error.args[0] if error.args and isinstance(error.args[0], OSError) else error
        if isinstance(cause, FileNotFoundError):
            check_export_target(target)  # the folder went away meanwhile: say so
        raise UserFacingError(
            f"{target.name} could not be written ({getattr(cause, 'strerror', None) or cause}): "
            "close it if it is open in another program, or choose a folder where you can write."
        ) from None
    return target


def _write_csv(target: Path, header: list[str], rows: list[list[Any]]) -> None:
    # UTF-8 with a byte order mark: Excel then opens accented names correctly.
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow([safe_cell(text) for text in header])
        for row in rows:
            out.writerow([row[0], *(safe_cell(str(value)) for value in row[1:])])


def _write_xlsx(target: Path, header: list[str], rows: list[list[Any]]) -> None:
    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    try:
        sheet = workbook.add_worksheet("Rejected rows")
        # Set before any row is written: constant-memory mode writes rows out as it goes.
        sheet.freeze_panes(1, 0)
        sheet.set_column(1, 1, 45)
        bold = workbook.add_format({"bold": True})
        for column, text in enumerate(header):
            sheet.write_string(0, column, safe_cell(text), bold)
        for index, row in enumerate(rows, start=1):
            sheet.write_number(index, 0, row[0])
            for column, value in enumerate(row[1:], start=1):
                sheet.write_string(index, column, safe_cell(str(value)))
    finally:
        workbook.close()
