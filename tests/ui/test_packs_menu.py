"""File menu > Store packs: the four steps of a store working offline, in the window."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.managers import list_managers
from lastmile_desktop.packs import pack_in
from lastmile_desktop.packs.results_out import export_store_results
from lastmile_desktop.progress import Progress
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CallAttempt, CampaignMember
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.main_window import MainWindow
from lastmile_desktop.ui.packs import menu as packs_menu
from lastmile_desktop.ui.packs.choice import StoreChoiceDialog
from tests.packs.pack_support import LEAD, MONDAY, Sites, sheet_rows, two_sites
from tests.ui.shortcut_audit import ambiguities, duplicated_mnemonics

WAIT_MS = 5000


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """The window remembers its size and page in QSettings: never the user's own."""


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[Sites]:
    with two_sites(tmp_path) as both:
        yield both


def open_window(qtbot: QtBot, db: Database, profile: Profile = LEAD) -> MainWindow:
    window = MainWindow(AppContext(db, profile=profile))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.outside_changes_timer.stop()
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # shortcuts only reach the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    return window


def save_as(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """The save dialog answers ``path``; returns the names it was offered."""
    offered: list[str] = []

    def answer(_parent: object, _title: str, start: str, _filter: str) -> tuple[str, str]:
        offered.append(Path(start).name)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    return offered


def open_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(path), ""))


def members(db: Database) -> int:
    with db.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(CampaignMember)) or 0)


def test_the_file_menu_has_the_four_steps_in_a_block_of_their_own(
    qtbot: QtBot, sites: Sites
) -> None:
    window = open_window(qtbot, sites.region.db)
    file_menu = window.menuBar().actions()[0].menu()
    texts = [action.text() for action in file_menu.actions()]  # type: ignore[union-attr]
    start = texts.index("Store packs")  # the section's heading
    assert texts[start : start + 5] == [
        "Store packs",
        "E&xport store pack...",
        "Import store &pack...",
        "Export &results for the region...",
        "Import store res&ults...",
    ]
    keys = [action.shortcut().toString() for action in window.store_packs.actions]
    assert keys == ["Ctrl+Shift+E", "Ctrl+Shift+K", "Ctrl+Shift+R", "Ctrl+Shift+U"]
    assert all(action.isEnabled() for action in window.store_packs.actions)
    assert ambiguities(window) == []
    assert duplicated_mnemonics(window) == []


def test_a_store_manager_may_import_a_pack_and_export_results_only(
    qtbot: QtBot, sites: Sites
) -> None:
    window = open_window(qtbot, sites.region.db, sites.region.managers["Alice"])
    packs = window.store_packs
    assert not packs.export_pack_action.isEnabled()
    assert packs.export_pack_action.toolTip() == "Only the regional lead can export store packs."
    assert not packs.import_results_action.isEnabled()
    assert packs.import_results_action.toolTip() == (
        "Only the regional lead can import store results."
    )
    assert packs.import_pack_action.isEnabled() and packs.export_results_action.isEnabled()
    dialog = packs.export_results()
    assert dialog is not None
    assert [dialog.store_combo.itemText(i) for i in range(dialog.store_combo.count())] == [
        "London Camden (LON)"
    ]
    assert not dialog.store_combo.isEnabled()
    dialog.reject()


def test_ctrl_shift_e_asks_which_store_then_writes_its_pack(
    qtbot: QtBot, sites: Sites, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sites.folder / "chosen.xlsx"
    offered = save_as(monkeypatch, target)
    window = open_window(qtbot, sites.region.db)
    qtbot.keyClick(
        window,
        Qt.Key.Key_E,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = window.store_packs.choice
    assert isinstance(dialog, StoreChoiceDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    assert dialog.campaign_name == "Spring win-back"
    dialog.choose("LON")
    with qtbot.waitSignal(window.store_packs.finished, timeout=WAIT_MS) as finished:
        dialog.ok_button.click()
    summary = finished.args[0]
    assert summary is not None and summary.file == target
    assert offered and offered[0].startswith("Store pack LON Spring win-back ")
    assert len(sheet_rows(target, "Members")) == 3
    box = window.store_packs.message_box
    assert box is not None
    assert box.text().startswith(
        "Saved the store pack of London Camden (LON) for “Spring win-back” as chosen.xlsx in "
    )
    assert "3 customers to call, 1 manager, 0 calls so far" in box.text()


def test_a_new_store_pc_imports_its_pack_and_leaves_the_first_run_screen(
    qtbot: QtBot, sites: Sites, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = sites.export()
    open_file(monkeypatch, pack)
    window = open_window(qtbot, sites.store)
    assert window.is_showing_first_run()
    with qtbot.waitSignal(window.store_packs.finished, timeout=WAIT_MS) as finished:
        qtbot.keyClick(
            window,
            Qt.Key.Key_K,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert finished.args[0] is not None
    box = window.store_packs.message_box
    assert box is not None
    assert box.text().startswith(
        "Store pack for London Camden (LON), campaign “Spring win-back”: 7 rows read: 7 created, "
        "0 updated, 0 unchanged, 0 rejected."
    )
    assert "Members: 3 read: 3 created, 0 updated, 0 unchanged" in box.detailedText()
    assert not window.is_showing_first_run()  # the import was announced to every page
    assert members(sites.store) == 3
    box.close()

    with qtbot.waitSignal(window.store_packs.finished, timeout=WAIT_MS):
        window.store_packs.import_pack_action.trigger()
    again = window.store_packs.message_box
    assert again is not None and "Nothing changed" in again.text()


def test_a_pack_with_bad_rows_lists_them_behind_the_details(
    qtbot: QtBot, sites: Sites, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = sites.export()
    book = openpyxl.load_workbook(pack)
    book["Members"]["A2"] = "not-a-uuid"
    book.save(pack)
    window = open_window(qtbot, sites.store)
    with qtbot.waitSignal(window.store_packs.finished, timeout=WAIT_MS):
        window.store_packs.start_import_pack(pack)
    box = window.store_packs.message_box
    assert box is not None and "1 rejected" in box.text()
    assert box.detailedText().splitlines()[-2:] == [
        "Rejected rows (1):",
        '  Members, row 2: Member UUID: "not-a-uuid" is not a UUID',
    ]


def test_a_file_that_is_not_a_pack_is_refused_in_a_message(qtbot: QtBot, sites: Sites) -> None:
    other = sites.folder / "notes.csv"
    other.write_text("Name,Phone\nAnn,07400100001\n", encoding="utf-8")
    window = open_window(qtbot, sites.store)
    with qtbot.waitSignal(window.store_packs.finished, timeout=WAIT_MS) as finished:
        window.store_packs.start_import_pack(other)
    assert finished.args == [None]
    assert window.store_packs.progress_dialog is None
    shown = [box.text() for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert shown == [
        "notes.csv is not a store pack made by Last Mile (it has no Pack sheet saying so). A "
        "customer list is imported with File > Import a customer list..., a sales extract with "
        "File > Import sales from the till...; a store pack is made by the regional lead with "
        "File > Export store pack... (lastmile export-pack)."
    ]
    assert members(sites.store) == 0


def test_cancel_stops_a_pack_import_and_nothing_changes(
    qtbot: QtBot, sites: Sites, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = sites.export()
    started, go_on = threading.Event(), threading.Event()
    real_import = pack_in.import_pack

    def import_after_cancel(
        db: Database, profile: Profile, source: Path, *, progress: Progress
    ) -> object:
        started.set()
        go_on.wait(WAIT_MS / 1000)  # the user presses Cancel meanwhile
        return real_import(db, profile, source, progress=progress)

    monkeypatch.setattr(packs_menu, "import_pack", import_after_cancel)
    window = open_window(qtbot, sites.store)
    with qtbot.waitSignal(window.store_packs.finished, timeout=WAIT_MS) as finished:
        window.store_packs.start_import_pack(pack)
        assert started.wait(WAIT_MS / 1000)
        dialog = window.store_packs.progress_dialog
        assert dialog is not None
        cancel = dialog.findChild(QPushButton)
        assert cancel is not None and cancel.text() == "Cancel"
        cancel.click()
        go_on.set()
    assert finished.args == [None]
    box = window.store_packs.message_box
    assert box is not None
    assert box.text() == "Cancelled: nothing was written and nothing was changed."
    assert members(sites.store) == 0


def test_results_go_back_to_the_region_and_a_conflict_is_listed(
    qtbot: QtBot, sites: Sites, monkeypatch: pytest.MonkeyPatch
) -> None:
    region = sites.region
    sites.import_(sites.export())
    alice = next(m for m in list_managers(sites.store, LEAD) if m.name == "Alice Smith")
    at_store = Profile.manager(alice.name, alice.id, alice.store_id)
    log_outcome(sites.store, at_store, region.members["Ann"], "no_answer", at=MONDAY)

    # On the store's PC: Export results for the region, as the store's manager.
    results = sites.folder / "results.xlsx"
    save_as(monkeypatch, results)
    store_window = open_window(qtbot, sites.store, at_store)
    dialog = store_window.store_packs.export_results()
    assert dialog is not None
    with qtbot.waitSignal(store_window.store_packs.finished, timeout=WAIT_MS):
        dialog.ok_button.click()
    box = store_window.store_packs.message_box
    assert box is not None
    assert box.text().startswith("Saved 1 call of London Camden (LON) for “Spring win-back”")
    box.close()

    # At the region: Import store results, then a copy whose note was changed since.
    region_window = open_window(qtbot, region.db)
    with qtbot.waitSignal(region_window.store_packs.finished, timeout=WAIT_MS):
        region_window.store_packs.start_import_results(results)
    box = region_window.store_packs.message_box
    assert box is not None
    assert box.text().startswith(
        "Results of London Camden (LON) for “Spring win-back”: 1 row read: 1 added, "
        "0 already known, 0 conflicts, 0 rejected."
    )
    with region.db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(CallAttempt)) == 1
    box.close()
    edited = sites.folder / "edited.xlsx"
    export_store_results(sites.store, at_store, edited)
    book = openpyxl.load_workbook(edited)
    sheet = book["Calls"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("Note") + 1, value="changed afterwards")
    book.save(edited)
    with qtbot.waitSignal(region_window.store_packs.finished, timeout=WAIT_MS):
        region_window.store_packs.start_import_results(edited)
    box = region_window.store_packs.message_box
    assert box is not None
    assert "1 conflict" in box.text() and "left as the region has it" in box.text()
    details = box.detailedText().splitlines()
    assert details[0] == "Conflicts (1):"
    assert details[1].startswith("  row 2 (call ")


def test_the_first_run_screen_offers_a_store_pc_its_pack_and_the_server(
    qtbot: QtBot, sites: Sites, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = sites.export()
    open_file(monkeypatch, pack)
    window = open_window(qtbot, sites.store)
    assert window.is_showing_first_run()
    assert window.first_run.pack_button.text() == "Import a store pack...  (Ctrl+Shift+K)"
    with qtbot.waitSignal(window.store_packs.finished, timeout=WAIT_MS) as finished:
        qtbot.mouseClick(window.first_run.pack_button, Qt.MouseButton.LeftButton)
    assert finished.args[0] is not None
    assert members(sites.store) == 3
    box = window.store_packs.message_box
    assert box is not None
    box.close()

    opened: list[bool] = []
    monkeypatch.setattr(window, "open_connect_dialog", lambda: opened.append(True))
    window.connect_action.triggered.disconnect()
    window.connect_action.triggered.connect(window.open_connect_dialog)
    qtbot.mouseClick(window.first_run.connect_button, Qt.MouseButton.LeftButton)
    assert opened == [True]
