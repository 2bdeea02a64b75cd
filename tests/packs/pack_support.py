"""Shared by the store pack tests: a small region (two stores, named customers, calls logged
through the desk's service), a store's PC with a database of its own, and a pack read back
with openpyxl as a person's spreadsheet would read it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import select, update

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.packs.pack_in import PackImportSummary, import_pack
from lastmile_desktop.packs.pack_out import PackExportSummary, export_pack
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import CampaignMember, Customer
from tests.calling.desk_data import Person, Region, build_region, uk_mobile, utc

LEAD = Profile.lead()
MONDAY = utc(2025, 1, 13, 10, 0)
# Ann, Ben and Cat at London (LON, Alice); Dee in the holdout there; Zed at Leeds (LEE, Bob).
PEOPLE = [
    Person("Ann", uk_mobile(1)),
    Person("Ben", uk_mobile(2)),
    Person("Cat", uk_mobile(3)),
    Person("Dee", uk_mobile(4)),
    Person("Zed", uk_mobile(9), store="LEE"),
]


@contextmanager
def database(path: Path) -> Iterator[Database]:
    db, _ = open_database(to_url(path))
    try:
        yield db
    finally:
        db.dispose()


@dataclass
class Sites:
    """The region's database and a store's PC (its own database, empty to start with)."""

    folder: Path
    region: Region
    store: Database

    def export(self, name: str = "pack.xlsx", store: str = "LON", **options: Any) -> Path:
        target = self.folder / name
        export_pack(self.region.db, LEAD, target, store=store, **options)
        return target

    def export_summary(self, name: str = "pack.xlsx", **options: Any) -> PackExportSummary:
        return export_pack(self.region.db, LEAD, self.folder / name, store="LON", **options)

    def import_(self, pack: Path, profile: Profile = LEAD) -> PackImportSummary:
        return import_pack(self.store, profile, pack)


@contextmanager
def two_sites(folder: Path) -> Iterator[Sites]:
    """The region with Dee held out, and an empty database for the London store's PC."""
    with (
        database(folder / "region.sqlite3") as region_db,
        database(folder / "store.sqlite3") as store_db,
    ):
        region = build_region(region_db, PEOPLE)
        region.hold_out("Dee")
        yield Sites(folder, region, store_db)


def sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    """A pack sheet's rows as dictionaries by column title, read with openpyxl."""
    book = openpyxl.load_workbook(path)
    rows = list(book[sheet].iter_rows(values_only=True))
    header = [str(title) for title in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:] if any(row)]


def pack_lines(path: Path) -> dict[str, Any]:
    """The Pack sheet's first column and second, as a dictionary."""
    book = openpyxl.load_workbook(path)
    return {row[0]: row[1] for row in book["Pack"].iter_rows(values_only=True) if row[0]}


def edit_pack(path: Path, sheet: str, row: int, column: str, value: object) -> None:
    """Change one cell, as a person editing the pack in a spreadsheet would."""
    book = openpyxl.load_workbook(path)
    worksheet = book[sheet]
    header = [cell.value for cell in worksheet[1]]
    worksheet.cell(row=row, column=header.index(column) + 1, value=value)
    book.save(path)


def customer_of(db: Database, member: uuid.UUID) -> Customer:
    with db.read_session() as session:
        return session.scalars(
            select(Customer)
            .join(CampaignMember, CampaignMember.customer_id == Customer.id)
            .where(CampaignMember.uuid == member)
        ).one()


def member_row(db: Database, member: uuid.UUID) -> CampaignMember | None:
    with db.read_session() as session:
        return session.scalars(select(CampaignMember).where(CampaignMember.uuid == member)).first()


def set_customer(db: Database, member: uuid.UUID, **values: Any) -> None:
    with db.session() as session:
        customer_id = session.scalars(
            select(CampaignMember.customer_id).where(CampaignMember.uuid == member)
        ).one()
        session.execute(update(Customer).where(Customer.id == customer_id).values(**values))
