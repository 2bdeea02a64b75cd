"""Shared by the import service tests: lists to write, numbers that dial, a table dump."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lastmile_desktop.importing.model import ImportOptions, ImportSummary
from lastmile_desktop.importing.service import run_import
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Base, CampaignMember, Customer, Store
from tests.spreadsheets.workbook_builders import write_xlsx

HEADER = ["Customer ID", "First name", "Last name", "Phone", "Store", "Last purchase"]
_KEYWORDS = {
    "customer_id": "Customer ID",
    "first_name": "First name",
    "last_name": "Last name",
    "phone": "Phone",
    "store": "Store",
    "last_purchase": "Last purchase",
}


def mobile(number: int) -> str:
    """A UK mobile that phonenumbers accepts, written the usual national way."""
    return f"07400 {100000 + number:06d}"


def mobile_e164(number: int) -> str:
    return f"+447400{100000 + number:06d}"


def customer(number: int, **changes: object) -> list[object]:
    """A row under ``HEADER``; keyword arguments replace single cells by header name."""
    row: dict[str, object] = {
        "Customer ID": f"C{number:04d}",
        "First name": f"First{number}",
        "Last name": f"Last{number}",
        "Phone": mobile(number),
        "Store": number % 3 + 1,
        "Last purchase": "2024-01-15",
    }
    for key, value in changes.items():
        row[_KEYWORDS[key]] = value
    return [row[name] for name in HEADER]


def write_list(
    path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER
) -> Path:
    return write_xlsx(path, {"Customers": [list(header), *[list(row) for row in rows]]})


def import_list(db: Database, path: Path, **options: Any) -> ImportSummary:
    options.setdefault("region", "GB")
    summary = run_import(db, path, ImportOptions(**options))
    assert summary.counts.accounted_for, summary.counts
    return summary


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order: equal dumps mean equal content."""
    with db.read_session() as session:
        return {
            table.name: [
                tuple(row)
                for row in session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def customers_by_id(db: Database) -> dict[str | None, Customer]:
    with db.read_session() as session:
        return {c.external_id: c for c in session.execute(select(Customer)).scalars()}


def members(db: Database) -> list[CampaignMember]:
    with db.read_session() as session:
        return list(session.execute(select(CampaignMember)).scalars())


def store_codes(db: Database) -> dict[int, str]:
    with db.read_session() as session:
        rows = session.execute(select(Store.id, Store.code)).all()
    return {row.id: row.code for row in rows}
