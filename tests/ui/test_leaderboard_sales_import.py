"""File > Import sales from the till: the extract is imported in the background, every row is
accounted for, Cancel writes nothing, and the leaderboard counts the new purchases at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.importing import sales as sales_service
from lastmile_desktop.progress import Progress
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Purchase
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.leaderboard import sales_import
from lastmile_desktop.ui.leaderboard.page import LeaderboardPage
from lastmile_desktop.ui.leaderboard.sales_import import SalesImport
from lastmile_desktop.ui.main_window import MainWindow
from tests.spreadsheets.workbook_builders import write_csv
from tests.ui.leaderboard_helpers import WAIT_MS, Stores, build_stores, cells

# Customer C0027 was reached on 17 November and has not bought yet; C9999 is nobody.
EXTRACT = [
    ["Customer ID", "Date", "Amount"],
    ["C0027", "2026-11-19", "24.50"],
    ["C9999", "2026-11-19", "10.00"],
    ["C0028", "", "5.00"],
]


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """The window remembers its size and page in QSettings: never the user's own."""


@pytest.fixture
def stores(db: Database) -> Stores:
    return build_stores(db)


def purchases(db: Database) -> int:
    with db.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(Purchase)) or 0)


def open_window(qtbot: QtBot, db: Database, profile: Profile) -> MainWindow:
    window = MainWindow(AppContext(db, profile=profile))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.outside_changes_timer.stop()
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_file_menu_imports_an_extract_and_the_leaderboard_counts_it(
    qtbot: QtBot,
    db: Database,
    stores: Stores,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_csv(tmp_path / "till.csv", EXTRACT)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *_args: (str(path), "Sales extracts")
    )
    window = open_window(qtbot, db, Profile.lead())
    page = window.pages["leaderboard"]
    assert isinstance(page, LeaderboardPage)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        window.show_page("leaderboard")
    assert cells(page, "Won back")["Aston"] == "6"
    assert window.import_sales_action.text() == "Import s&ales from the till..."
    assert window.import_sales_action.shortcut().toString() == "Ctrl+Shift+I"

    before = purchases(db)

    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        window.import_sales_action.trigger()

    importer = window.sales_import
    assert importer is not None and importer.message_box is not None
    assert importer.message_box.text() == (
        "till.csv: 3 rows read: 1 added, 0 already known, 1 unmatched, 1 rejected."
    )
    assert importer.message_box.detailedText().splitlines() == [
        "Unmatched:",
        "  row 3: no customer with id C9999",
        "Rejected:",
        "  row 4: no date",
    ]
    importer.message_box.close()
    assert cells(page, "Won back")["Aston"] == "7"
    assert purchases(db) == before + 1


def test_a_store_manager_is_not_offered_the_sales_import(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    window = open_window(qtbot, db, stores.manager_profile("Crewe"))

    assert not window.import_sales_action.isEnabled()
    assert window.import_sales_action.toolTip() == "Only the regional lead can import sales."
    assert window.choose_sales_file() is None


def test_cancel_stops_the_import_before_anything_is_written(
    qtbot: QtBot,
    db: Database,
    stores: Stores,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_csv(tmp_path / "till.csv", EXTRACT)
    started, go_on = threading.Event(), threading.Event()
    real_import = sales_service.import_sales

    def import_after_cancel(
        db: Database, path: Path, options: object, progress: Progress, *, profile: Profile
    ) -> object:
        started.set()
        go_on.wait(WAIT_MS / 1000)  # the user presses Cancel meanwhile
        return real_import(db, path, options, progress, profile=profile)  # type: ignore[arg-type]

    monkeypatch.setattr(sales_import, "import_sales", import_after_cancel)
    parent = QWidget()
    qtbot.addWidget(parent)
    importer = SalesImport(AppContext(db, profile=Profile.lead()), parent)
    before = purchases(db)

    with qtbot.waitSignal(importer.finished, timeout=WAIT_MS) as finished:
        importer.start(path)
        assert started.wait(WAIT_MS / 1000)
        assert importer.progress_dialog is not None
        cancel = importer.progress_dialog.findChild(QPushButton)
        assert cancel is not None and cancel.text() == "Cancel"
        cancel.click()
        go_on.set()

    assert finished.args == [None]
    assert importer.message_box is not None
    assert importer.message_box.text() == "Cancelled: nothing was imported."
    assert importer.progress_dialog is None
    assert purchases(db) == before
    QApplication.processEvents()
