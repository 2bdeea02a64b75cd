"""Rejected rows of an import: to look at in the app, and to export for fixing in Excel.

A rejected row is nobody's customer yet, so it belongs to the store its store column names,
read and matched the way the import reads and matches stores. A store manager sees (and
exports) the rows naming their store; rows naming no store, or one that does not exist, are
the regional lead's alone (see ``campaigns.access``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from lastmile_desktop.spreadsheets.writing import (
    Cell,
    CellKind,
    Column,
    WorkbookWriter,
    check_target,
    write_csv,
)
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


def visible_rejects(
    session: Session, batch: ImportBatch, profile: Profile, store_id: int | None = None
) -> list[StoredReject]:
    """The batch's rejected rows ``profile`` may see, in sheet order (see the module's rule);
    with ``store_id``, only those naming that store."""
    rows = [
        StoredReject(number, reason, values)
        for number, reason, values in session.execute(
            select(RejectedRow.row_number, RejectedRow.reason, RejectedRow.values)
            .where(RejectedRow.batch_id == batch.id)
            .order_by(RejectedRow.row_number, RejectedRow.id)
        )
    ]
    if profile.is_lead and store_id is None:
        return rows
    label = _store_label(batch)
    if label is None:
        return []
    stores = load_store_keys(session)

    def store_of(values: dict[str, Any] | None) -> int | None:
        named = read_store((values or {}).get(label))
        return None if named is None else match_store(stores, named)

    return [
        row
        for row in rows
        if profile.can_see_store(named := store_of(row.values))
        and (store_id is None or named == store_id)
    ]


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


def _table(db: Database, batch_id: int, profile: Profile) -> tuple[list[Column], list[list[Cell]]]:
    """Header and rows of the export: row number, reason, then the row's original values."""
    table = rejected_rows_table(db, batch_id, profile)
    rows: list[list[Cell]] = [[record.row, record.reason, *record.values] for record in table.rows]
    columns = [
        Column("Sheet row", CellKind.INTEGER, width=10),
        Column("Reason", width=45),
        *(Column(title) for title in table.columns),
    ]
    return columns, rows


def check_export_target(target: Path) -> None:
    """Refuse a file the rejected rows cannot be saved to, before any work is done."""
    check_target(target, EXPORT_SUFFIXES, "rejected rows")


def export_rejected_rows(db: Database, batch_id: int, target: Path, profile: Profile) -> Path:
    """Write the rejected rows ``profile`` may see to ``target`` (.xlsx or .csv, by its
    suffix) and return it."""
    target = Path(target)
    check_export_target(target)
    columns, rows = _table(db, batch_id, profile)
    if target.suffix.lower() == ".csv":
        write_csv(target, columns, rows)
    else:
        with WorkbookWriter(target) as workbook:
            workbook.add_data_sheet("Rejected rows", columns, rows, table="RejectedRows")
    return target
