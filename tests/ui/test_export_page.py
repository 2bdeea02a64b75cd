"""The Export page: the export runs off the GUI thread with progress, Cancel leaves no file,
a refusal is a message, and a store manager exports their own store."""

from __future__ import annotations

import threading
from datetime import UTC
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.stores import StoreDraft, add_store
from lastmile_desktop.exporting import results as results_service
from lastmile_desktop.exporting.results import ExportSummary
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Manager
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.export import page as export_page
from lastmile_desktop.ui.export.page import EVERY_STORE, ExportPage, default_file_name
from tests.exporting.export_data import LEAD, ExportRegion, build_region

WAIT_MS = 30_000


@pytest.fixture
def region(db: Database, tmp_path: Path) -> ExportRegion:
    return build_region(db, tmp_path)


def open_page(qtbot: QtBot, db: Database, profile: Profile = LEAD) -> ExportPage:
    context = AppContext(db, profile=profile)
    page = ExportPage(context, zone=UTC)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_the_export_runs_in_the_background_with_progress_and_says_what_it_wrote(
    qtbot: QtBot, db: Database, region: ExportRegion, tmp_path: Path
) -> None:
    page = open_page(qtbot, db)
    assert page.campaign_combo.currentText() == "Winter win-back"
    assert [page.store_combo.itemText(i) for i in range(page.store_combo.count())] == [
        EVERY_STORE,
        "Store 1",
        "Store 2",
    ]
    assert page.file_edit.text().endswith(".xlsx")
    assert Path(page.file_edit.text()).name.startswith("Results Winter win-back ")
    target = tmp_path / "out" / "results.xlsx"
    target.parent.mkdir()
    page.set_file(target)
    values: list[int] = []
    page.progress_bar.valueChanged.connect(values.append)

    assert page.export_button.shortcut().toString() == "Ctrl+E"
    assert page.export_button.text() == "Export  (Ctrl+E)"
    with qtbot.waitSignal(page.finished, timeout=WAIT_MS) as finished:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
        assert page.is_busy() and page.cancel_button.isVisible()
        assert not page.export_button.isEnabled()
    summary = finished.args[0]
    assert isinstance(summary, ExportSummary) and summary.file == target
    # One bar over every customer and every call: 12 + 4.
    assert page.progress_bar.maximum() == 16 and values[-1] == 16
    assert not page.progress_bar.isVisible() and not page.cancel_button.isVisible()
    assert page.export_button.isEnabled()
    assert page.status.text().startswith(f"Saved results.xlsx in {target.parent}: Call results 12")
    assert openpyxl.load_workbook(target).sheetnames[0] == "Call results"


def test_cancel_stops_the_export_and_leaves_no_file(
    qtbot: QtBot,
    db: Database,
    region: ExportRegion,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    writing_attempts = threading.Event()
    release = threading.Event()

    def export_held_at_the_attempts(*args: Any, progress: Any, **kwargs: Any) -> ExportSummary:
        class Held:
            def report(self, done: int, total: int | None, message: str = "") -> None:
                if message == "Writing attempts...":
                    writing_attempts.set()
                    release.wait(timeout=WAIT_MS / 1000)
                progress.report(done, total, message)

        return results_service.export_results(*args, progress=Held(), **kwargs)

    monkeypatch.setattr(export_page, "export_results", export_held_at_the_attempts)
    page = open_page(qtbot, db)
    page.set_file(folder / "results.xlsx")
    page.start_export()
    qtbot.waitUntil(writing_attempts.is_set, timeout=WAIT_MS)
    # Half written: the call results are in a temporary file beside the target.
    assert [path.name for path in folder.iterdir()] != []
    assert not (folder / "results.xlsx").exists()

    with qtbot.waitSignal(page.finished, timeout=WAIT_MS) as finished:
        assert page.cancel_button.shortcut().toString() == "Esc"
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
        assert page.status.text() == "Cancelling..."
        release.set()
    assert finished.args == [None]
    assert page.status.text() == "Cancelled: no file was written."
    assert list(folder.iterdir()) == []
    assert page.export_button.isEnabled() and not page.cancel_button.isVisible()


def test_a_refused_export_is_shown_as_a_message(
    qtbot: QtBot, db: Database, region: ExportRegion, tmp_path: Path
) -> None:
    page = open_page(qtbot, db)
    page.set_file(tmp_path / "missing" / "results.xlsx")
    with qtbot.waitSignal(page.finished, timeout=WAIT_MS) as finished:
        page.start_export()
    assert finished.args == [None]
    box = page.message_box()
    assert isinstance(box, QMessageBox)
    assert "missing does not exist: create it, or choose another folder" in box.text()
    assert page.status.text() == "Nothing was written."
    box.close()


def test_a_manager_exports_their_own_store_only(
    qtbot: QtBot, db: Database, region: ExportRegion, tmp_path: Path
) -> None:
    with db.read_session() as session:
        bob = session.scalars(select(Manager).where(Manager.name == "Bob Baker")).one()
    profile = Profile.manager(bob.name, bob.id, bob.store_id)
    page = open_page(qtbot, db, profile)
    assert page.store_combo.count() == 1 and page.store_combo.currentText() == "Store 2"
    assert not page.store_combo.isEnabled()
    assert "their own store" in page.store_combo.toolTip()
    page.set_file(tmp_path / "bob.xlsx")
    with qtbot.waitSignal(page.finished, timeout=WAIT_MS) as finished:
        page.start_export()
    summary = finished.args[0]
    assert isinstance(summary, ExportSummary) and summary.store == "Store 2"
    sheet = openpyxl.load_workbook(summary.file)["Call results"]
    stores = {
        row[0] for row in sheet.iter_rows(min_row=2, min_col=10, max_col=10, values_only=True)
    }
    assert stores == {"Store 2"}


def test_the_pickers_follow_new_stores_and_a_csv_asks_which_sheet(
    qtbot: QtBot, db: Database, region: ExportRegion, tmp_path: Path
) -> None:
    page = open_page(qtbot, db)
    page.store_combo.setCurrentIndex(2)
    assert not page.sheet_combo.isEnabled()
    add_store(db, StoreDraft(name="Store 3", code="3"), LEAD)
    page.context.announce(Changed(ChangeKind.STORES_CHANGED))
    assert page.store_combo.count() == 4
    assert page.store_combo.currentText() == "Store 2"  # what was picked stays picked
    page.set_file(tmp_path / "calls.csv")
    assert page.sheet_combo.isEnabled()
    page.sheet_combo.setCurrentIndex(page.sheet_combo.findData("Attempts"))
    with qtbot.waitSignal(page.finished, timeout=WAIT_MS) as finished:
        page.start_export()
    summary = finished.args[0]
    assert isinstance(summary, ExportSummary)
    assert list(summary.rows.values()) == [2]  # store 2's two calls


def test_the_default_file_name_holds_nothing_a_file_name_may_not() -> None:
    from datetime import datetime

    day = datetime(2026, 3, 14, tzinfo=UTC)
    assert (
        default_file_name('Spring: "VIP" / north', day)
        == "Results Spring VIP north 2026-03-14.xlsx"
    )
