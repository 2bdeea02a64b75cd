"""The store results file read back: the Pack sheet, every call with its UUIDs, exact times as
text beside real spreadsheet dates, notes that never run as formulas; who may export what."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from lastmile_desktop.campaigns.access import AccessDenied
from lastmile_desktop.cli import main
from lastmile_desktop.errors import Cancelled, UserFacingError
from lastmile_desktop.packs.results_out import (
    CALL_COLUMNS,
    CALL_TIME,
    CALL_TITLES,
    CALLBACK_TIME,
    CALLS_SHEET,
    REACHED,
    export_store_results,
)
from lastmile_desktop.packs.workbook import PackKind, PackReader
from lastmile_desktop.storage.models import CallAttempt, Campaign, Manager
from tests.calling.desk_data import LEAD
from tests.packs.results_support import (
    FORMULA_NOTES,
    MONDAY,
    Sites,
    sheet_rows,
    two_sites,
)

NOW = datetime(2025, 2, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[Sites]:
    with two_sites(tmp_path) as both:
        yield both


def calls_logged(sites: Sites) -> dict[str, uuid.UUID]:
    store = sites.store
    return {
        "first": sites.log(store, "Ann", "no_answer", MONDAY, note=FORMULA_NOTES[0]),
        "callback": sites.log(
            store,
            "Ben",
            "callback_requested",
            MONDAY + timedelta(minutes=7, microseconds=123_456),
            callback_at=MONDAY + timedelta(days=2, hours=6),
            note=FORMULA_NOTES[1],
        ),
        "accepted": sites.log(
            store, "Cat", "accepted_offer", MONDAY + timedelta(hours=1), note=FORMULA_NOTES[2]
        ),
        "again": sites.log(store, "Ann", "busy", MONDAY + timedelta(days=1), note=FORMULA_NOTES[3]),
    }


def by_title(row: list[object]) -> dict[str, object]:
    return dict(zip(CALL_TITLES, row, strict=True))


def test_the_calls_sheet_holds_every_call_of_the_store_with_its_uuids(
    sites: Sites, tmp_path: Path
) -> None:
    logged = calls_logged(sites)
    sites.log(sites.store, "Zed", "no_answer", MONDAY)  # store LEE: not in LON's results

    summary = export_store_results(sites.store.db, LEAD, tmp_path / "r.xlsx", store="LON", now=NOW)

    rows = sheet_rows(summary.file, CALLS_SHEET.name)
    assert rows[0] == list(CALL_TITLES)
    calls = [by_title(row) for row in rows[1:]]
    assert [call["Call UUID"] for call in calls] == [
        str(logged[key]) for key in ("first", "callback", "accepted", "again")
    ]  # in the order they were made
    assert summary.calls == 4 and summary.store_code == "LON"
    with sites.store.db.read_session() as session:
        ben = session.scalars(
            select(CallAttempt).where(CallAttempt.uuid == logged["callback"])
        ).one()
        alice = session.get_one(Manager, ben.manager_id)
    callback = calls[1]
    assert callback == {
        **callback,
        "Member UUID": str(sites.store.members["Ben"]),
        "Customer ID": "HO-Ben",
        "Store code": "LON",
        "Manager UUID": str(alice.uuid),
        "Manager": "Alice Smith",
        "Called at (UTC)": "2025-01-13T10:07:00.123456+00:00",
        CALL_TIME: datetime(2025, 1, 13, 10, 7),
        "Outcome": "callback_requested",
        REACHED: True,
        "Note": FORMULA_NOTES[1],
        "Callback at (UTC)": "2025-01-15T16:00:00.000000+00:00",
        CALLBACK_TIME: datetime(2025, 1, 15, 16, 0),
        "Time zones": "Europe/London",
        "Script version": 1,
        "Logged at (UTC)": ben.logged_at.isoformat(timespec="microseconds"),
    }
    assert uuid.UUID(str(callback["Customer UUID"]))
    assert (calls[0][REACHED], calls[0]["Callback at (UTC)"]) == (False, None)


def test_the_pack_sheet_says_store_results_of_the_campaign_and_store(
    sites: Sites, tmp_path: Path
) -> None:
    calls_logged(sites)
    summary = export_store_results(sites.store.db, LEAD, tmp_path / "r.xlsx", store="LON", now=NOW)

    with PackReader(summary.file, PackKind.STORE_RESULTS) as pack:
        info = pack.info
    with sites.store.db.read_session() as session:
        campaign = session.get_one(Campaign, sites.store.campaign_id)
    assert (info.kind, info.campaign_uuid, info.campaign, info.store_code) == (
        PackKind.STORE_RESULTS,
        campaign.uuid,
        "Spring win-back",
        "LON",
    )
    assert (info.exported_at, info.exported_by) == (NOW, LEAD.name)
    assert openpyxl.load_workbook(summary.file).sheetnames == ["Pack", "Calls"]
    assert summary.as_json() == {
        "file": str(summary.file),
        "kind": "Store results",
        "campaign": "Spring win-back",
        "campaign_uuid": str(campaign.uuid),
        "store": info.store,
        "store_code": "LON",
        "calls": 4,
        "exported_at": "2025-02-01T12:00:00.000000+00:00",
        "exported_by": LEAD.name,
    }


def test_cells_have_their_types_and_formats_and_notes_stay_text(
    sites: Sites, tmp_path: Path
) -> None:
    calls_logged(sites)
    target = export_store_results(sites.store.db, LEAD, tmp_path / "r.xlsx", store="LON").file

    sheet = openpyxl.load_workbook(target)[CALLS_SHEET.name]
    kinds = {column.title: column.kind.value for column in CALL_COLUMNS}
    assert sheet.freeze_panes == "A2" and [c.font.b for c in sheet[1]] == [True] * len(kinds)
    assert list(sheet.tables) == ["Calls"]
    row = {title: sheet.cell(row=2, column=i + 1) for i, title in enumerate(CALL_TITLES)}
    assert row[CALL_TIME].is_date and row[CALL_TIME].number_format == "yyyy-mm-dd hh:mm"
    assert row["Called at (UTC)"].data_type == "s"
    assert row[REACHED].data_type == "b" and row["Script version"].data_type == "n"
    notes = [sheet.cell(row=r, column=CALL_TITLES.index("Note") + 1) for r in range(2, 6)]
    assert sorted(cell.value for cell in notes) == sorted(FORMULA_NOTES)
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in notes)
    # The import's own reader (calamine) reads the same characters back.
    with PackReader(target, PackKind.STORE_RESULTS) as pack:
        read = sorted(str(row.text("Note")) for row in pack.rows(CALLS_SHEET.name, ["Note"]))
    assert read == sorted(FORMULA_NOTES)


def test_a_manager_exports_their_own_store_and_no_other(sites: Sites, tmp_path: Path) -> None:
    calls_logged(sites)
    sites.log(sites.store, "Zed", "no_answer", MONDAY)
    alice, bob = sites.store.managers["Alice"], sites.store.managers["Bob"]

    own = export_store_results(sites.store.db, bob, tmp_path / "bob.xlsx")

    assert (own.store_code, own.calls) == ("LEE", 1)
    with pytest.raises(AccessDenied, match="your own store"):
        export_store_results(sites.store.db, alice, tmp_path / "lee.xlsx", store="LEE")
    assert not (tmp_path / "lee.xlsx").exists()


def test_a_database_with_several_stores_asks_which_one(sites: Sites, tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match=r"2 stores .*\(LEE, LON\): name the store"):
        export_store_results(sites.store.db, LEAD, tmp_path / "r.xlsx")
    assert not (tmp_path / "r.xlsx").exists()


def test_a_deactivated_manager_exports_nothing(sites: Sites, tmp_path: Path) -> None:
    alice = sites.store.managers["Alice"]
    with sites.store.db.session() as session:
        session.get_one(Manager, alice.manager_id).active = False
    with pytest.raises(AccessDenied, match="no longer active"):
        export_store_results(sites.store.db, alice, tmp_path / "r.xlsx")
    assert not (tmp_path / "r.xlsx").exists()


class CancelAtOnce:
    def report(self, done: int, total: int | None, message: str = "") -> None:
        if done:
            raise Cancelled()


def test_a_cancelled_export_leaves_no_file(sites: Sites, tmp_path: Path) -> None:
    calls_logged(sites)
    target = tmp_path / "r.xlsx"
    with pytest.raises(Cancelled):
        export_store_results(sites.store.db, LEAD, target, store="LON", progress=CancelAtOnce())
    assert list(tmp_path.glob("*.xlsx")) == []


def test_the_command_line_writes_the_file_and_says_so_in_json(
    sites: Sites, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls_logged(sites)
    target = tmp_path / "results.xlsx"
    database = str(sites.store.db.path)

    code = main(["--db", database, "export-results", str(target), "--store", "lon", "--json"])

    shown = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (shown["file"], shown["calls"], shown["store_code"]) == (str(target), 4, "LON")
    assert main(["--db", database, "export-results", str(tmp_path / "r.csv")]) == 1
    assert "store results can be saved as .xlsx" in capsys.readouterr().err
    as_bob = ["--db", database, "export-results", str(tmp_path / "b.xlsx"), "--as", "Bob Jones"]
    assert main(as_bob) == 0
    assert "0 calls of store Leeds Briggate (LEE)" in capsys.readouterr().out
