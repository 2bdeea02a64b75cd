"""Rejected rows of an import: to look at in the app, and to export for fixing in Excel."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.exceptions
from sqlalchemy import select
from sqlalchemy.orm import Session

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.model import RejectedRowsTable, RejectedRowValues, RowProblem
from lastmile_desktop.importing.rows import unique_labels
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import ImportBatch, RejectedRow

EXPORT_SUFFIXES = (".xlsx", ".csv")
# A cell starting with one of these is run as a formula by Excel and LibreOffice.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Text that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _batch(session: Session, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise UserFacingError(f"There is no import number {batch_id}; it may have been undone.")
    return batch


def rejected_rows(db: Database, batch_id: int) -> list[RowProblem]:
    """The rows an import turned away, in sheet order, with the reason for each."""
    with db.read_session() as session:
        _batch(session, batch_id)
        rows = session.execute(
            select(RejectedRow.row_number, RejectedRow.reason)
            .where(RejectedRow.batch_id == batch_id)
            .order_by(RejectedRow.row_number, RejectedRow.id)
        ).all()
    return [RowProblem(row, reason) for row, reason in rows]


def rejected_rows_table(db: Database, batch_id: int) -> RejectedRowsTable:
    """The rows an import turned away with their values, under the file's own columns.

    The columns are the header row as the import read it (a blank header is "Column 3", a
    repeated one "Phone (2)", as the values were kept); values erased since (a forgotten
    customer) read as empty.
    """
    with db.read_session() as session:
        batch = _batch(session, batch_id)
        headers = [str(h) for h in (batch.mapping or {}).get("headers", [])]
        records = session.execute(
            select(RejectedRow.row_number, RejectedRow.reason, RejectedRow.values)
            .where(RejectedRow.batch_id == batch_id)
            .order_by(RejectedRow.row_number, RejectedRow.id)
        ).all()
    columns = unique_labels(headers)
    for _, _, values in records:
        for key in values or {}:
            if key not in columns:
                columns.append(key)
    rows = tuple(
        RejectedRowValues(
            number, reason, tuple(str((values or {}).get(column, "")) for column in columns)
        )
        for number, reason, values in records
    )
    return RejectedRowsTable(tuple(columns), rows)


def _table(db: Database, batch_id: int) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the export: row number, reason, then the row's original values."""
    table = rejected_rows_table(db, batch_id)
    rows = [[record.row, record.reason, *record.values] for record in table.rows]
    return ["Sheet row", "Reason", *table.columns], rows


def export_rejected_rows(db: Database, batch_id: int, target: Path) -> Path:
    """Write the rejected rows to ``target`` (.xlsx or .csv, by its suffix) and return it."""
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise UserFacingError(
            f"{target.name}: rejected rows can be saved as .xlsx or .csv; choose one of those."
        )
    header, rows = _table(db, batch_id)
    try:
        if suffix == ".csv":
            _write_csv(target, header, rows)
        else:
            _write_xlsx(target, header, rows)
    except (OSError, xlsxwriter.exceptions.FileCreateError) as error:
        raise UserFacingError(
            f"{target.name} could not be written ({getattr(error, 'strerror', None) or error}): "
            "close it if it is open in another program, or choose another folder."
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
