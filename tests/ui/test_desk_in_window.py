"""The call desk inside the main window: one Undo for the whole window, the other pages told
what a call changed (when they are next shown), and the desk told what others changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, connect
from lastmile_desktop.storage.models import MemberStatus
from lastmile_desktop.ui.assign.overview import OverviewSelection
from lastmile_desktop.ui.assign.page import AssignPage
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.desk import page as desk_module
from lastmile_desktop.ui.desk.page import DeskPage
from lastmile_desktop.ui.desk.queue_model import Section
from lastmile_desktop.ui.desk.sheet_entry import COLUMN_KEY, SheetEntryDialog
from lastmile_desktop.ui.main_window import MainWindow
from tests.ui.desk_helpers import (
    START,
    WAIT_MS,
    FixedClock,
    Region,
    build_region,
    card_name,
    log_key,
    member_row,
    press,
)
from tests.ui.shortcut_audit import ambiguities
from tests.ui.test_assign_page import overview_figures

KEY = Qt.KeyboardModifier


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """The window remembers its page in QSettings: never the user's own."""


def open_window(qtbot: QtBot, db: Database, profile: Profile) -> tuple[MainWindow, DeskPage]:
    """The main window on the Calls page at mid-day, the keyboard on the queue."""
    window = MainWindow(AppContext(db, profile=profile))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show_page("calls")
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # shortcuts only reach the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    desk = window.pages["calls"]
    assert isinstance(desk, DeskPage)
    desk.clock = FixedClock()  # within calling hours, whenever the test runs
    with qtbot.waitSignal(desk.queue_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_F5)
    desk.focus_queue()
    return window, desk


def assign_page(window: MainWindow) -> AssignPage:
    page = window.pages["assign"]
    assert isinstance(page, AssignPage)
    return page


def leeds_figures(page: AssignPage, region: Region) -> list[str]:
    """Members, holdout, done and left to call at the Leeds store, as the overview shows."""
    return overview_figures(page, OverviewSelection(store_id=region.leeds_id))


def now_names(desk: DeskPage) -> list[str]:
    return [entry.name for entry in desk.model.entries(Section.NOW)]


def test_ctrl_z_in_the_window_undoes_the_last_outcome(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    window, desk = open_window(qtbot, db, region.sam)
    log_key(qtbot, desk, Qt.Key.Key_N)
    assert card_name(desk) == "Grace Hopper"
    assert window.undo_action.text() == "&Undo No answer for Ada Lovelace"
    assert desk.undo_button.toolTip() == "Undo No answer for Ada Lovelace"
    assert ambiguities(window) == []  # the desk's Undo button and Edit > Undo: one key

    with qtbot.waitSignals([desk.outcome_undone, desk.queue_loaded], timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Z, KEY.ControlModifier)

    assert card_name(desk) == "Ada Lovelace"
    ada = member_row(db, region.members["Ada"])
    assert (ada.attempts, ada.status) == (0, MemberStatus.TO_CALL)
    assert desk.status.text() == "Undone: No answer. The customer is back in the queue."
    assert not window.undo_action.isEnabled()  # no redo of a call, and nothing else to undo
    assert not window.redo_action.isEnabled()
    assert not desk.undo_button.isEnabled()


def test_edit_undo_on_another_page_takes_the_call_back_and_that_page_shows_it(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    window, desk = open_window(qtbot, db, Profile.lead())
    log_key(qtbot, desk, Qt.Key.Key_W)  # Wrong number: Ada is done
    window.show_page("assign")
    page = assign_page(window)
    assert leeds_figures(page, region) == ["4", "0", "1", "3"]

    with qtbot.waitSignal(desk.outcome_undone, timeout=WAIT_MS):
        window.undo_action.trigger()

    assert leeds_figures(page, region) == ["4", "0", "0", "4"]
    assert member_row(db, region.members["Ada"]).status == MemberStatus.TO_CALL


def test_calls_logged_behind_the_desk_reach_the_assign_page_when_it_is_shown(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    region = build_region(db)
    window, desk = open_window(qtbot, db, Profile.lead())
    window.show_page("assign")
    page = assign_page(window)
    assert leeds_figures(page, region) == ["4", "0", "0", "4"]
    window.show_page("calls")
    desk.focus_queue()
    refreshes: list[int] = []
    refresh = page.customers.refresh
    monkeypatch.setattr(page.customers, "refresh", lambda: (refreshes.append(1), refresh()))

    log_key(qtbot, desk, Qt.Key.Key_W)  # done: no more calls
    log_key(qtbot, desk, Qt.Key.Key_N)  # tried once: still to call

    # Not read while nobody looks at it: the desk never waits for it.
    assert refreshes == []
    assert leeds_figures(page, region) == ["4", "0", "0", "4"]
    window.show_page("assign")
    assert refreshes == [1]  # once, for both calls, before it is painted
    assert leeds_figures(page, region) == ["4", "0", "1", "3"]


def test_do_not_call_on_the_desk_lists_the_number_on_the_do_not_call_tab(
    qtbot: QtBot, db: Database
) -> None:
    build_region(db)
    window, desk = open_window(qtbot, db, Profile.lead())
    window.show_page("assign")
    page = assign_page(window)
    page.tabs.setCurrentWidget(page.dnc_tab)
    assert page.dnc_tab.model.rowCount() == 0
    window.show_page("calls")
    desk.focus_queue()

    log_key(qtbot, desk, Qt.Key.Key_D)
    window.show_page("assign")

    assert [entry.phone for entry in page.dnc_tab.model.loaded_rows()] == ["+447400100101"]


def test_the_desk_does_not_read_its_queue_again_for_its_own_call(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The desk's own catch-up read (once the keys pause) is put far away for this test.
    monkeypatch.setattr(desk_module, "REFRESH_AFTER_LOG_MS", 60_000)
    region = build_region(db)
    _window, desk = open_window(qtbot, db, region.sam)
    announced: list[Changed] = []
    desk.context.changed.connect(announced.append)

    with qtbot.assertNotEmitted(desk.queue_loaded, wait=300):
        log_key(qtbot, desk, Qt.Key.Key_N)

    assert [(change.kind, change.member_ids) for change in announced] == [
        (ChangeKind.MEMBERS_CHANGED, (member_row(db, region.members["Ada"]).id,))
    ]
    assert announced[0].campaign_id == region.campaign_id
    assert card_name(desk) == "Grace Hopper"
    # The same kind of change from another page: the queue is read again.
    with qtbot.waitSignal(desk.queue_loaded, timeout=WAIT_MS):
        desk.context.announce(Changed(ChangeKind.MEMBERS_CHANGED, region.campaign_id))


def test_a_call_logged_by_another_program_leaves_the_queue(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    region = build_region(db)
    _window, desk = open_window(qtbot, db, region.sam)
    assert now_names(desk)[:2] == ["Ada Lovelace", "Grace Hopper"]

    other = connect(to_url(db_path))  # another window or PC on the same file
    try:
        log_outcome(other, region.sam, region.members["Grace"], "wrong_number", at=START)
    finally:
        other.dispose()

    # Noticed by the window's own look at the database, with nothing pressed.
    qtbot.waitUntil(lambda: "Grace Hopper" not in now_names(desk), timeout=WAIT_MS)
    assert card_name(desk) == "Ada Lovelace"  # the customer on the card stays


def test_calls_typed_in_from_a_sheet_leave_the_queue(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    _window, desk = open_window(qtbot, db, region.sam)
    dialog = desk.type_in_sheet()
    assert isinstance(dialog, SheetEntryDialog)
    dialog.set_cell(1, COLUMN_KEY, "W")  # Grace: wrong number
    dialog.set_cell(1, COLUMN_KEY + 1, "11:30")

    with qtbot.waitSignal(desk.queue_loaded, timeout=WAIT_MS):
        dialog.save()

    assert "Grace Hopper" not in now_names(desk)
    assert member_row(db, region.members["Grace"]).status == MemberStatus.DONE
