"""File > Settings and the first-run screen's question: the database's region and habits."""

from __future__ import annotations

import calendar
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from lastmile_desktop import countries
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.database_settings import (
    DatabaseSettings,
    load_database_settings,
    save_database_settings,
)
from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.main_window import MainWindow
from lastmile_desktop.ui.settings_dialog import LEAD_ONLY, SettingsDialog
from tests.ui.import_wizard_helpers import WAIT_MS, choose_in_combo, choose_region


def on_a_machine_with_locale(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(countries, "locale_name", lambda: name)


def shown_window(qtbot: QtBot, db: Database) -> MainWindow:
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    return window


def when_dialog_opens(qtbot: QtBot, act: Callable[[SettingsDialog], None]) -> list[str]:
    """Run ``act`` on the Settings dialog once it is open; what went wrong, if anything."""
    problems: list[str] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SettingsDialog):
            QTimer.singleShot(20, look)
            return
        try:
            act(dialog)
        except AssertionError as error:
            problems.append(str(error) or "assertion failed")
            dialog.reject()

    QTimer.singleShot(0, look)
    return problems


def test_ctrl_comma_opens_the_settings_and_saving_stores_them_in_the_database(
    qtbot: QtBot, db: Database, qsettings_isolated: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_machine_with_locale(monkeypatch, "en_GB.UTF-8")
    window = shown_window(qtbot, db)
    assert window.settings_action.shortcut() == QKeySequence("Ctrl+,")
    assert window.settings_action.text() == "&Settings..."

    def change(dialog: SettingsDialog) -> None:
        assert dialog.region.region() is None  # nothing set yet: worked out per list
        assert dialog.first_day.currentText() == "Monday"
        choose_region(qtbot, dialog.region, "IE")
        choose_in_combo(qtbot, dialog.first_day, calendar.SUNDAY)
        choose_in_combo(qtbot, dialog.date_order, 2)
        dialog.save_button.click()

    problems = when_dialog_opens(qtbot, change)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=WAIT_MS)

    assert problems == []
    assert load_database_settings(db) == DatabaseSettings(
        "IE", calendar.SUNDAY, DateOrder.MONTH_FIRST
    )


def test_the_dialog_shows_what_the_database_holds_and_cancel_changes_nothing(
    qtbot: QtBot, db: Database
) -> None:
    stored = save_database_settings(db, DatabaseSettings("FR", calendar.MONDAY, None))
    dialog = SettingsDialog(AppContext(db))
    qtbot.addWidget(dialog)
    assert dialog.region.currentText() == "France (FR)"
    assert dialog.date_order.currentText().startswith("Automatic")
    dialog.region.set_region("US")
    dialog.cancel_button.click()
    assert load_database_settings(db) == stored


def test_a_store_manager_sees_the_settings_but_cannot_change_them(
    qtbot: QtBot, db: Database
) -> None:
    save_database_settings(db, DatabaseSettings("GB", calendar.MONDAY, None))
    manager = Profile.manager("Priya Shah", manager_id=1, store_id=1)
    dialog = SettingsDialog(AppContext(db, profile=manager))
    qtbot.addWidget(dialog)
    assert dialog.region.currentText() == "United Kingdom (GB)"
    for widget in (dialog.region, dialog.first_day, dialog.date_order, dialog.save_button):
        assert not widget.isEnabled()
        assert widget.toolTip() == LEAD_ONLY


def test_the_first_run_screen_asks_the_region_preselected_from_the_locale(
    qtbot: QtBot, db: Database, qsettings_isolated: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_machine_with_locale(monkeypatch, "en_US.UTF-8")
    window = shown_window(qtbot, db)
    assert window.is_showing_first_run()
    picker = window.first_run.region
    assert picker.region() == "US"
    assert "File > Settings (Ctrl+,)" in window.first_run.region_hint.text()

    choose_region(qtbot, picker, "GB")

    assert load_database_settings(db).default_region == "GB"


def test_importing_from_the_first_run_screen_keeps_the_region_it_showed(
    qtbot: QtBot, db: Database, qsettings_isolated: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_machine_with_locale(monkeypatch, "de_DE.UTF-8")
    # The file dialog is closed without choosing: the region is kept all the same.
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: ("", ""))
    window = shown_window(qtbot, db)
    assert load_database_settings(db).default_region is None

    with qtbot.waitSignal(window.first_run.import_requested, timeout=WAIT_MS):
        window.first_run.import_button.click()

    assert load_database_settings(db).default_region == "DE"


def test_on_a_machine_without_a_country_the_first_run_screen_offers_to_work_it_out(
    qtbot: QtBot, db: Database, qsettings_isolated: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_machine_with_locale(monkeypatch, "C")
    window = shown_window(qtbot, db)
    assert window.first_run.region.region() is None
    assert window.first_run.region.currentText().startswith("Not sure: work it out")
