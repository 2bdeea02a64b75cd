"""Who exports what: the lead every store or one; a store manager their own store only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.exporting.results import export_results
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Manager
from tests.exporting.export_data import LEAD, ExportRegion, build_region


@pytest.fixture
def region(db: Database, tmp_path: Path) -> ExportRegion:
    return build_region(db, tmp_path)


def manager_of(db: Database, region: ExportRegion, code: str) -> Profile:
    with db.read_session() as session:
        manager = session.scalars(
            select(Manager).where(Manager.store_id == region.stores[code])
        ).one()
    return Profile.manager(manager.name, manager.id, manager.store_id)


def sheets(path: Path) -> dict[str, list[dict[str, Any]]]:
    book = openpyxl.load_workbook(path)
    result = {}
    for sheet in book:
        rows = list(sheet.iter_rows(values_only=True))
        titles = rows[0]
        result[sheet.title] = [dict(zip(titles, row, strict=True)) for row in rows[1:] if any(row)]
    return result


def test_a_manager_exports_only_their_stores_call_group(
    db: Database, region: ExportRegion, tmp_path: Path
) -> None:
    ann = manager_of(db, region, "1")
    summary = export_results(db, ann, tmp_path / "mine.xlsx")
    assert summary.store == "Store 1"

    exported = sheets(summary.file)
    results = exported["Call results"]
    assert results and {row["Store"] for row in results} == {"Store 1"}
    # The holdout is not to be called: a manager never gets its names and numbers.
    assert {row["Group"] for row in results} == {"call"}
    everyone = sheets(export_results(db, LEAD, tmp_path / "all.xlsx").file)
    store_1_calls = [
        row
        for row in everyone["Call results"]
        if row["Store"] == "Store 1" and row["Group"] == "call"
    ]
    assert [row["Member UUID"] for row in results] == [row["Member UUID"] for row in store_1_calls]
    assert {row["Store"] for row in exported["Attempts"]} == {"Store 1"}
    assert len(exported["Attempts"]) == 2
    assert [row["store"] for row in exported["Stores"]] == ["Store 1"]
    assert {row["Store"] for row in exported["Heroes and gaps"]} == {"Store 1"}
    # The rejected row names store 1 in its store column: the manager of store 1 sees it.
    assert [row["Customer ID"] for row in exported["Rejected rows"]] == ["C0099"]


def test_a_manager_of_another_store_sees_none_of_store_1(
    db: Database, region: ExportRegion, tmp_path: Path
) -> None:
    bob = manager_of(db, region, "2")
    exported = sheets(export_results(db, bob, tmp_path / "bob.xlsx").file)
    assert {row["Store"] for row in exported["Call results"]} == {"Store 2"}
    assert exported["Rejected rows"] == []
    assert [row["store"] for row in exported["Stores"]] == ["Store 2"]


def test_a_manager_cannot_export_another_store(
    db: Database, region: ExportRegion, tmp_path: Path
) -> None:
    ann = manager_of(db, region, "1")
    with pytest.raises(AccessDenied, match="your own store"):
        export_results(db, ann, tmp_path / "theirs.xlsx", store="2")
    assert not (tmp_path / "theirs.xlsx").exists()


def test_the_lead_can_export_one_store(db: Database, region: ExportRegion, tmp_path: Path) -> None:
    summary = export_results(db, LEAD, tmp_path / "store2.xlsx", store="2")
    exported = sheets(summary.file)
    assert summary.store == "Store 2"
    results = exported["Call results"]
    # The lead sees the store's holdout too.
    assert {row["Store"] for row in results} == {"Store 2"}
    assert {row["Group"] for row in results} == {"call", "holdout"}
    assert [row["store"] for row in exported["Stores"]] == ["Store 2"]
    assert exported["Rejected rows"] == []  # the rejected row names store 1


def test_a_manager_who_left_is_refused(db: Database, region: ExportRegion, tmp_path: Path) -> None:
    from lastmile_desktop.campaigns.managers import deactivate_manager

    ann = manager_of(db, region, "1")
    assert ann.manager_id is not None
    deactivate_manager(db, ann.manager_id, LEAD)
    with pytest.raises(AccessDenied, match="no longer active"):
        export_results(db, ann, tmp_path / "gone.xlsx")
    assert list(tmp_path.glob("gone*")) == []
