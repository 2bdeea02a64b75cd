"""Every key does one thing wherever it is pressed, and the keys the pages show work."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.assignment import assign_campaign, ownership_history
from lastmile_desktop.campaigns.campaigns import get_campaign
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CampaignState
from lastmile_desktop.ui.assign.member_model import COLUMN_NAME
from lastmile_desktop.ui.assign.page import AssignPage
from lastmile_desktop.ui.assign.widgets import ReasonDialog
from lastmile_desktop.ui.campaigns.manager_dialog import ManagerDialog
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.import_wizard.page import ImportPage
from lastmile_desktop.ui.main_window import MainWindow
from tests.ui.shortcut_audit import ambiguities, duplicated_mnemonics
from tests.ui.test_assign_page import Region, build_region

LEAD = Profile.lead()
WAIT_MS = 5000


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """The window remembers its page and campaign in QSettings: never the user's own."""


def open_window(qtbot: QtBot, db: Database, profile: Profile = LEAD) -> MainWindow:
    window = MainWindow(AppContext(db, profile=profile))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # shortcuts only reach the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    window.outside_changes_timer.stop()
    return window


def every_screen(window: MainWindow) -> Iterator[str]:
    """Shows each page, each tab of a page with tabs and each step of the import wizard."""
    for spec in window.specs:
        window.show_page(spec.key)
        page = window.pages[spec.key]
        tabs = getattr(page, "tabs", None)
        if isinstance(tabs, QTabWidget):
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                yield f"{spec.key}, tab {tabs.tabText(index)!r}"
        elif isinstance(page, ImportPage):
            for step in range(page.stack.count()):
                page.stack.setCurrentIndex(step)
                yield f"{spec.key}, step {step + 1}"
        else:
            yield spec.key


def assign_page(window: MainWindow) -> AssignPage:
    window.show_page("assign")
    page = window.pages["assign"]
    assert isinstance(page, AssignPage)
    return page


@pytest.mark.parametrize("who", ["lead", "store manager"])
def test_no_key_is_claimed_twice_on_any_screen(qtbot: QtBot, db: Database, who: str) -> None:
    region = build_region(db)
    profile = LEAD if who == "lead" else Profile.manager("Sam Taylor", region.sam, region.leeds)
    window = open_window(qtbot, db, profile)
    problems = [
        f"{screen}: {line}" for screen in every_screen(window) for line in ambiguities(window)
    ]
    assert problems == []
    assert duplicated_mnemonics(window) == []


def test_no_key_is_claimed_twice_on_the_first_run_screen(qtbot: QtBot, db: Database) -> None:
    window = open_window(qtbot, db)
    assert window.is_showing_first_run()
    assert ambiguities(window) == []
    assert duplicated_mnemonics(window) == []


def test_ctrl_o_on_the_first_run_screen_asks_for_a_file(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def choose_nothing(_parent: QWidget, title: str, *_args: object) -> tuple[str, str]:
        asked.append(title)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", choose_nothing)
    window = open_window(qtbot, db)
    assert window.is_showing_first_run()
    qtbot.keyClick(
        window.first_run.import_button, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier
    )
    assert asked == ["Import a customer list"]


def test_ctrl_d_on_the_first_run_screen_asks_for_the_demo(qtbot: QtBot, db: Database) -> None:
    window = open_window(qtbot, db)
    with qtbot.waitSignal(window.demo_requested, timeout=WAIT_MS):
        qtbot.keyClick(window.first_run, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)


def assigned_region(db: Database) -> Region:
    region = build_region(db)
    assign_campaign(db, region.campaign_id, LEAD)
    return region


@pytest.mark.parametrize("where", ["overview", "customer table", "navigation"])
def test_ctrl_tab_switches_the_assign_tabs_wherever_the_focus_is(
    qtbot: QtBot, db: Database, where: str
) -> None:
    assigned_region(db)
    window = open_window(qtbot, db)
    page = assign_page(window)
    focus: QWidget = {
        "overview": page.customers.overview,
        "customer table": page.customers.table,
        "navigation": window.navigation,
    }[where]
    focus.setFocus()
    qtbot.waitUntil(focus.hasFocus, timeout=WAIT_MS)

    qtbot.keyClick(focus, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert page.tabs.currentWidget() is page.campaigns_tab
    backwards = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab, backwards)
    assert page.tabs.currentWidget() is page.customers


def test_ctrl_m_adds_a_manager_right_after_switching_to_the_stores_tab(
    qtbot: QtBot, db: Database
) -> None:
    assigned_region(db)
    window = open_window(qtbot, db)
    page = assign_page(window)
    page.customers.table.setFocus()
    for _ in range(2):  # Customers -> Campaigns -> Stores and managers, no click anywhere
        qtbot.keyClick(
            QApplication.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier
        )
    assert page.tabs.currentWidget() is page.stores_tab

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)

    dialog = page.stores_tab.open_dialog
    assert isinstance(dialog, ManagerDialog)
    assert dialog.isVisible()
    dialog.reject()


def test_ctrl_enter_hands_back_the_selected_customers(qtbot: QtBot, db: Database) -> None:
    region = assigned_region(db)
    priya = Profile.manager("Priya Shah", region.priya, region.york)
    window = open_window(qtbot, db, priya)
    page = assign_page(window)
    table = page.customers.table
    table.setFocus()
    table.selectionModel().select(
        page.customers.model.index(0, COLUMN_NAME),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    handed = page.customers.selected_rows()[0].member_id

    qtbot.keyClick(table, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    dialog = page.controller.dialog
    assert isinstance(dialog, ReasonDialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    assert "(Ctrl+Enter)" in dialog.ok_button.text()
    qtbot.keyClicks(dialog.reason_edit, "moved near Leeds")
    with qtbot.waitSignal(page.members_changed, timeout=WAIT_MS):
        qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert not dialog.isVisible()
    last = ownership_history(db, LEAD, handed)[-1]
    assert (last.to_store, last.reason) == (None, "moved near Leeds")


def test_enter_in_the_reason_starts_a_new_line_instead_of_submitting(
    qtbot: QtBot, db: Database
) -> None:
    dialog = ReasonDialog("Hand back to the lead", "Why?", ok_text="Hand back")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.reason_edit, "moved")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.reason_edit.toPlainText() == "moved\n"


def test_ctrl_z_undoes_closing_a_campaign(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    window = open_window(qtbot, db)
    page = assign_page(window)
    page.tabs.setCurrentWidget(page.campaigns_tab)
    page.campaigns_tab.select_campaign(region.campaign_id)
    page.campaigns_tab.close_button.click()
    assert get_campaign(db, region.campaign_id).state is CampaignState.CLOSED
    assert window.undo_action.text() == "&Undo close Spring win-back"

    qtbot.keyClick(page.campaigns_tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    assert get_campaign(db, region.campaign_id).state is CampaignState.OPEN
    assert page.campaign_combo.currentText() == "Spring win-back"  # no "(closed)" any more


def test_f1_opens_the_user_guide(qtbot: QtBot, db: Database) -> None:
    build_region(db)
    window = open_window(qtbot, db)
    qtbot.keyClick(window.navigation, Qt.Key.Key_F1)
    guide = window.user_guide
    assert guide is not None
    qtbot.waitUntil(guide.isVisible, timeout=WAIT_MS)
    assert "Assigning" in guide.section_titles()
    guide.close()
