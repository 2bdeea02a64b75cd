from __future__ import annotations

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Customer
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.main_window import SETTINGS_LAST_PAGE, MainWindow
from lastmile_desktop.ui.navigation import SHORTCUT_ROLE


def make_window(qtbot: QtBot, db: Database) -> MainWindow:
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    return window


def test_an_empty_database_opens_on_the_first_run_screen(
    qtbot: QtBot, db: Database, qsettings_isolated: None
) -> None:
    window = make_window(qtbot, db)
    assert window.is_showing_first_run()
    assert "Import a customer list" in window.first_run.import_button.text()
    assert "demo" in window.first_run.demo_button.text().lower()


def test_a_database_with_customers_opens_on_the_workspace(
    qtbot: QtBot, db: Database, qsettings_isolated: None
) -> None:
    with db.session() as session:
        session.add(Customer(first_name="Grace", phone="+441632960001"))
    window = make_window(qtbot, db)
    assert not window.is_showing_first_run()


def test_the_demo_button_asks_for_demo_data(
    qtbot: QtBot, db: Database, qsettings_isolated: None
) -> None:
    window = make_window(qtbot, db)
    with qtbot.waitSignal(window.demo_requested, timeout=1000):
        window.first_run.demo_button.click()


def test_the_title_names_the_open_database(
    qtbot: QtBot, db: Database, qsettings_isolated: None
) -> None:
    window = make_window(qtbot, db)
    assert str(db.path) in window.windowTitle()


def test_the_last_page_is_remembered_between_sessions(
    qtbot: QtBot, db: Database, qsettings_isolated: None
) -> None:
    with db.session() as session:
        session.add(Customer(first_name="Grace"))
    window = make_window(qtbot, db)
    window.show_page("leaderboard")
    window.close()
    assert QSettings().value(SETTINGS_LAST_PAGE) == "leaderboard"

    reopened = make_window(qtbot, db)
    assert reopened.current_page_key() == "leaderboard"


def test_every_page_has_a_navigation_entry_with_its_shortcut(
    qtbot: QtBot, db: Database, qsettings_isolated: None
) -> None:
    window = make_window(qtbot, db)
    items = [window.navigation.item(i) for i in range(window.navigation.count())]
    assert [item.text() for item in items] == [s.title for s in window.specs]
    assert [item.data(SHORTCUT_ROLE) for item in items] == [s.shortcut for s in window.specs]
