"""Screens are never stale: changes made in this window, by F5, or by another process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.campaigns import CampaignDraft, create_campaign
from lastmile_desktop.campaigns.stores import StoreDraft, add_store
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, connect
from lastmile_desktop.ui.assign.member_model import COLUMN_NAME
from lastmile_desktop.ui.assign.page import AssignPage
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.import_wizard.page import ImportPage, Step
from lastmile_desktop.ui.main_window import MainWindow
from tests.ui.import_wizard_helpers import WAIT_MS, use_region, wait_for_step, write_workbook
from tests.ui.test_assign_page import build_region

LEAD = Profile.lead()


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """The window remembers its page and campaign in QSettings: never the user's own."""


def open_window(qtbot: QtBot, db: Database, *, active: bool = True) -> MainWindow:
    window = MainWindow(AppContext(db, profile=LEAD))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    if active:
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    return window


def assign_page(window: MainWindow) -> AssignPage:
    window.show_page("assign")
    page = window.pages["assign"]
    assert isinstance(page, AssignPage)
    return page


def select_rows(page: AssignPage, rows: list[int]) -> list[int]:
    selection = page.customers.table.selectionModel()
    for row in rows:
        selection.select(
            page.customers.model.index(row, COLUMN_NAME),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    return sorted(row.member_id for row in page.customers.selected_rows())


def campaigns_listed(page: AssignPage) -> list[str]:
    model = page.campaigns_tab.model
    return sorted(model.row_at(row).name for row in range(model.rowCount()))


def write_elsewhere(db_path: Path, name: str) -> None:
    """A commit from another Database object: to SQLite, another process or window."""
    other = connect(to_url(db_path))
    try:
        create_campaign(other, CampaignDraft(name=name), LEAD)
    finally:
        other.dispose()


def test_an_import_from_the_command_line_updates_the_open_assign_page(
    qtbot: QtBot, db: Database, db_path: Path, tmp_path: Path
) -> None:
    region = build_region(db)
    create_campaign(db, CampaignDraft(name="Autumn return"), LEAD)
    window = open_window(qtbot, db)
    page = assign_page(window)
    page.select_campaign(region.campaign_id)
    assert page.customers.model.total == 19
    kept = select_rows(page, [1, 2])
    page.tabs.setCurrentWidget(page.campaigns_tab)
    page.campaigns_tab.select_campaign(region.campaign_id + 1)  # Autumn return
    assert page.campaigns_tab.current is not None

    workbook = write_workbook(tmp_path / "more lapsed.xlsx")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lastmile_desktop.cli",
            "--db",
            str(db_path),
            "import",
            str(workbook),
            "--campaign",
            "Spring win-back",
            "--region",
            "GB",
        ],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "LASTMILE_DATA_DIR": str(tmp_path)},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr

    # Noticed by the window's own look at the database, with nothing pressed.
    qtbot.waitUntil(lambda: page.customers.model.total == 22, timeout=WAIT_MS)
    assert page.campaign_id() == region.campaign_id
    assert sorted(row.member_id for row in page.customers.selected_rows()) == kept
    assert page.campaigns_tab.current is not None
    assert page.campaigns_tab.current.name == "Autumn return"
    assert page.tabs.currentWidget() is page.campaigns_tab
    page.tabs.setCurrentWidget(page.stores_tab)  # read as it is shown
    stores = [store.name for store in page.stores_tab.store_model.loaded_rows()]
    assert "Store 14" in stores  # the import's new store is listed too


def test_a_campaign_created_elsewhere_is_listed_without_losing_the_selection(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    region = build_region(db)
    window = open_window(qtbot, db)
    page = assign_page(window)
    page.tabs.setCurrentWidget(page.campaigns_tab)
    page.campaigns_tab.select_campaign(region.campaign_id)

    write_elsewhere(db_path, "Summer recall")

    qtbot.waitUntil(lambda: "Summer recall" in campaigns_listed(page), timeout=WAIT_MS)
    assert campaigns_listed(page) == ["Spring win-back", "Summer recall"]
    assert page.campaigns_tab.current is not None
    assert page.campaigns_tab.current.id == region.campaign_id
    assert page.campaign_combo.findText("Summer recall") >= 0
    assert page.campaign_id() == region.campaign_id


def test_unsaved_edits_survive_a_refresh_from_elsewhere(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    region = build_region(db)
    window = open_window(qtbot, db)
    page = assign_page(window)
    tab = page.campaigns_tab
    page.tabs.setCurrentWidget(tab)
    tab.select_campaign(region.campaign_id)
    tab.form.name_edit.end(False)
    qtbot.keyClicks(tab.form.name_edit, ", second wave")
    assert tab.is_dirty

    write_elsewhere(db_path, "Summer recall")
    qtbot.waitUntil(lambda: "Summer recall" in campaigns_listed(page), timeout=WAIT_MS)

    assert tab.form.name_edit.text() == "Spring win-back, second wave"
    assert tab.is_dirty


def test_an_import_in_this_window_lists_its_new_campaign_on_the_campaigns_tab(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    use_region(db, "GB")
    window = open_window(qtbot, db)
    assert window.is_showing_first_run()
    page = assign_page(window)
    assert page.campaigns_tab.empty_hint.isVisibleTo(page.campaigns_tab)

    wizard = window.pages["import"]
    assert isinstance(wizard, ImportPage)
    window.request_import(str(write_workbook(tmp_path / "lapsed.xlsx")))
    wait_for_step(qtbot, wizard, Step.LAYOUT)
    wizard.go_forward()
    wizard.go_forward()
    wait_for_step(qtbot, wizard, Step.VALIDATION)
    wizard.go_forward()
    wait_for_step(qtbot, wizard, Step.SUMMARY)

    assign_page(window)  # pages behind the wizard catch up as they are shown
    assert page.campaign_combo.currentText() == "lapsed"
    assert page.customers.model.total == 3
    page.tabs.setCurrentWidget(page.campaigns_tab)
    assert campaigns_listed(page) == ["lapsed"]
    assert not page.campaigns_tab.empty_hint.isVisibleTo(page.campaigns_tab)
    assert not window.is_showing_first_run()


def test_f5_reads_the_page_again(qtbot: QtBot, db: Database, db_path: Path) -> None:
    region = build_region(db)
    window = open_window(qtbot, db)
    window.outside_changes_timer.stop()  # only F5 may notice the change here
    page = assign_page(window)
    kept = select_rows(page, [0])

    write_elsewhere(db_path, "Summer recall")
    assert page.campaign_combo.findText("Summer recall") < 0

    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F5)

    assert page.campaign_combo.findText("Summer recall") >= 0
    assert "Summer recall" in campaigns_listed(page)
    assert page.campaign_id() == region.campaign_id
    assert sorted(row.member_id for row in page.customers.selected_rows()) == kept


def test_the_database_is_watched_only_while_the_window_is_active(
    qtbot: QtBot, db: Database
) -> None:
    build_region(db)
    window = open_window(qtbot, db)
    assert window.outside_changes_timer.isActive()

    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is other, timeout=WAIT_MS)
    assert not window.outside_changes_timer.isActive()

    window.activateWindow()
    qtbot.waitUntil(window.outside_changes_timer.isActive, timeout=WAIT_MS)


def test_returning_to_the_window_shows_what_changed_meanwhile_at_once(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    build_region(db)
    window = open_window(qtbot, db, active=False)
    page = assign_page(window)
    write_elsewhere(db_path, "Summer recall")
    assert page.campaign_combo.findText("Summer recall") < 0

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)

    assert page.campaign_combo.findText("Summer recall") >= 0


def test_store_details_being_typed_survive_a_refresh_from_elsewhere(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    region = build_region(db)
    window = open_window(qtbot, db)
    page = assign_page(window)
    page.tabs.setCurrentWidget(page.stores_tab)
    tab = page.stores_tab
    tab.select_store(region.york)
    qtbot.keyClicks(tab.hours_edit, "Mon-Fri 09:00-17:00")

    other = connect(to_url(db_path))
    try:
        add_store(other, StoreDraft(name="Harrogate", code="31"), LEAD)
    finally:
        other.dispose()
    qtbot.waitUntil(lambda: len(tab.store_model.loaded_rows()) == 3, timeout=WAIT_MS)

    assert tab.current is not None and tab.current.id == region.york
    assert tab.hours_edit.text() == "Mon-Fri 09:00-17:00"
    assert tab.store_table.currentIndex().row() == [
        store.id for store in tab.store_model.loaded_rows()
    ].index(region.york)
