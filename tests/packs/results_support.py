"""Shared by the store results tests: a region and a store's database with the same customers,
calls logged through the real desk service, and edits of a results file as a person makes
them in a spreadsheet."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import select

from lastmile_desktop.calling.life import MemberLife
from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.member_facts import FACT_COLUMNS
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import open_database
from lastmile_desktop.storage.models import CampaignMember, MemberDay
from tests.calling.desk_data import Person, Region, build_region, uk_mobile, utc

MONDAY = utc(2025, 1, 13, 10, 0)
PEOPLE = [
    Person("Ann", uk_mobile(1)),
    Person("Ben", uk_mobile(2)),
    Person("Cat", uk_mobile(3)),
    Person("Zed", uk_mobile(9), store="LEE"),
]
# Text a spreadsheet would run as a formula: each must come back as the same characters.
FORMULA_NOTES = (
    '=HYPERLINK("http://evil.example","click")',
    "+44 asked for a callback",
    "-5% was not enough",
    "@home after six",
)


@dataclass
class Sites:
    """The region's database and a store's, holding the same region (same UUIDs)."""

    region: Region
    store: Region

    def log(
        self, where: Region, name: str, outcome: str, at: datetime, **details: Any
    ) -> uuid.UUID:
        """A call logged through the desk's own service by the customer's store's manager
        (Alice at LON, Bob at LEE)."""
        caller = where.managers["Bob" if name == "Zed" else "Alice"]
        return log_outcome(where.db, caller, where.members[name], outcome, at=at, **details).attempt


@contextmanager
def two_sites(folder: Path, people: list[Person] | None = None) -> Iterator[Sites]:
    """The region built once, the store's database a copy of it (as a store pack gives)."""
    region_path, store_path = folder / "region.sqlite3", folder / "store.sqlite3"
    db, _ = open_database(to_url(region_path))
    region = build_region(db, people or PEOPLE)
    db.dispose()
    shutil.copyfile(region_path, store_path)
    region_db, _ = open_database(to_url(region_path))
    store_db, _ = open_database(to_url(store_path))
    try:
        yield Sites(replace(region, db=region_db), replace(region, db=store_db))
    finally:
        region_db.dispose()
        store_db.dispose()


@contextmanager
def copy_of(region: Region, path: Path) -> Iterator[Region]:
    """Another database holding what ``region``'s holds now (its log moved into the file)."""
    assert region.db.truncate_log(wait_ms=1_000)
    assert region.db.path is not None
    shutil.copyfile(region.db.path, path)
    db, _ = open_database(to_url(path))
    try:
        yield replace(region, db=db)
    finally:
        db.dispose()


def member_state(region: Region, name: str) -> dict[str, Any]:
    """What a member's calls make of it: its life, its facts and its days."""
    with region.db.read_session() as session:
        row = session.scalars(
            select(CampaignMember).where(CampaignMember.uuid == region.members[name])
        ).one()
        days = session.execute(
            select(MemberDay.day, MemberDay.attempts, MemberDay.first_at, MemberDay.last_at)
            .where(MemberDay.member_id == row.id)
            .order_by(MemberDay.day)
        ).all()
        return {
            "life": MemberLife.of(row),
            "facts": {column: getattr(row, column) for column in FACT_COLUMNS},
            "days": [tuple(day) for day in days],
        }


def sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    book = openpyxl.load_workbook(path)
    try:
        return [list(row) for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def edit_cells(path: Path, sheet: str, changes: dict[tuple[int, str], Any]) -> Path:
    """Change cells of ``sheet`` by (row number, column title), as a person would, and save."""
    book = openpyxl.load_workbook(path)
    cells = book[sheet]
    titles = [cell.value for cell in cells[1]]
    for (row, title), value in changes.items():
        cells.cell(row=row, column=titles.index(title) + 1, value=value)
    book.save(path)
    book.close()
    return path


def copy_row(path: Path, sheet: str, row: int) -> Path:
    """Append a copy of ``row`` under the sheet's last row."""
    book = openpyxl.load_workbook(path)
    cells = book[sheet]
    cells.append([cell.value for cell in cells[row]])
    book.save(path)
    book.close()
    return path
