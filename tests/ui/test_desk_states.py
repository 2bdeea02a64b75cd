"""The desk's empty states, the lead's pickers, My day, and the desk on a 1280x720 screen."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.desk.page import DeskPage
from lastmile_desktop.ui.desk.queue_model import Section
from lastmile_desktop.ui.main_window import MainWindow
from tests.ui.desk_helpers import (
    LONDON,
    WAIT_MS,
    FixedClock,
    build_region,
    card_name,
    focused,
    log_key,
    open_desk,
    press,
    wait_for_queue,
)

KEY = Qt.KeyboardModifier


def test_without_a_campaign_the_desk_says_where_to_start(qtbot: QtBot, db: Database) -> None:
    page = open_desk(qtbot, db, Profile.lead(), FixedClock())
    assert page.centre.currentWidget() is page.empty_state
    assert page.empty_state.text().startswith("No campaign is open yet.")
    assert "Import, Ctrl+1" in page.empty_state.text()
    assert not page.outcome_bar.buttons["no_answer"].isEnabled()
    assert not page.outcome_actions["no_answer"].isEnabled()


def test_a_manager_with_nobody_assigned_is_told_to_ask_the_lead(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.priya, FixedClock())
    assert page.empty_state.text().startswith("Nobody is assigned to you in this campaign yet.")
    assert not page.queue_panel.store_combo.isVisibleTo(page)  # a manager sees their own queue
    press(qtbot, Qt.Key.Key_N)
    assert page.status.property("kind") != "problem"  # nothing to log, nothing breaks


def test_when_everyone_is_called_the_desk_says_when_the_next_one_is_due(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    for _customer in range(4):
        log_key(qtbot, page, Qt.Key.Key_N)
    assert page.card is None
    wait_for_queue(qtbot, page)
    text = page.empty_state.text()
    assert text.startswith("Everyone who can be called now has been called.")
    assert "The next one can be called from tomorrow 08:00." in text
    assert len(page.model.entries(Section.LATER)) == 4


def test_when_every_customer_is_finished_the_desk_says_so(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    for _customer in range(4):
        log_key(qtbot, page, Qt.Key.Key_K)  # already came back
    wait_for_queue(qtbot, page)
    assert page.empty_state.text().startswith("Everyone is called: nobody is left in this queue")


def test_my_day_counts_todays_calls(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    strip = page.my_day_strip
    assert [strip.value(f) for f in ("calls_made", "reached", "accepted", "left_to_call")] == [
        "0",
        "0",
        "0",
        "4",
    ]
    log_key(qtbot, page, Qt.Key.Key_N)
    press(qtbot, Qt.Key.Key_A)
    with qtbot.waitSignal(page.outcome_logged, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_C)
    press(qtbot, Qt.Key.Key_1)  # in an hour: due today
    with qtbot.waitSignal(page.outcome_logged, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    wait_for_queue(qtbot, page)
    assert strip.value("calls_made") == "3"
    assert strip.value("reached") == "2"
    assert strip.value("accepted") == "1"
    assert strip.value("callbacks_due") == "1"
    # Ada waits for her retry and Alan for his callback: both are still to call.
    assert strip.value("left_to_call") == "3"


def test_the_lead_picks_a_store_and_a_manager_by_keyboard(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, Profile.lead(), FixedClock())
    panel = page.queue_panel
    assert panel.store_combo.isVisibleTo(page)
    assert [panel.store_combo.itemText(i) for i in range(panel.store_combo.count())] == [
        "Every store",
        "Leeds Briggate (12)",  # stores in the one order of every list: by name
        "York (7)",
    ]
    assert len(page.model.entries(Section.NOW)) == 4
    press(qtbot, Qt.Key.Key_T, KEY.AltModifier)
    assert focused() is panel.store_combo
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_End)  # York
    assert page.model.entries(Section.NOW) == []
    assert page.empty_state.text().startswith("Nobody in this queue is waiting for a call.")
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Up)  # Leeds
    assert [panel.manager_combo.itemText(i) for i in range(panel.manager_combo.count())] == [
        "Every manager",
        "Sam Taylor",
    ]
    press(qtbot, Qt.Key.Key_M, KEY.AltModifier)
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Down)  # Sam Taylor
    assert panel.manager_name() == "Sam Taylor"
    assert card_name(page) == "Ada Lovelace"
    del region


def test_the_lead_logs_from_any_queue(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, Profile.lead(), FixedClock())
    log_key(qtbot, page, Qt.Key.Key_V)
    assert card_name(page) == "Grace Hopper"
    assert page.status.text().startswith("Saved 12:00: Left voicemail for Ada Lovelace")
    del region


def test_before_calling_hours_the_desk_says_from_when(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    early = FixedClock(datetime(2026, 3, 10, 6, 30, tzinfo=UTC))
    page = open_desk(qtbot, db, region.sam, early)
    assert page.empty_state.text().startswith(
        "Nobody in the queue can be called right now. The next one can be called from 08:00."
    )


def test_the_main_window_starts_no_larger_than_the_screen(
    qtbot: QtBot, db: Database, qsettings_isolated: None
) -> None:
    region = build_region(db)
    window = MainWindow(AppContext(db, profile=region.sam))
    qtbot.addWidget(window)
    available = window.screen().availableGeometry()
    assert window.width() <= available.width()
    assert window.height() <= available.height() - 40  # and room for the title bar


def test_the_desk_fits_a_1280_by_720_window(
    qtbot: QtBot, db: Database, qsettings_isolated: None
) -> None:
    region = build_region(db)
    window = MainWindow(AppContext(db, profile=region.sam))
    qtbot.addWidget(window)
    window.show_page("calls")
    window.show()
    qtbot.waitExposed(window)
    # Once the layout has caught up with the page change, the window may shrink that far.
    qtbot.waitUntil(lambda: window.minimumSize().width() <= 1280, timeout=WAIT_MS)
    assert window.minimumSize().height() <= 720
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1280, 720), timeout=WAIT_MS)


def test_the_keyboard_is_on_the_queue_as_soon_as_the_desk_is_shown(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    page = DeskPage(AppContext(db, profile=region.sam), clock=FixedClock(), zone=LONDON)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        page.show()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=WAIT_MS)
    assert focused() is page.queue_panel.view
    log_key(qtbot, page, Qt.Key.Key_N)
    assert card_name(page) == "Grace Hopper"


def test_the_desk_mnemonics_clash_with_nothing_in_the_main_window(
    qtbot: QtBot, db: Database, qsettings_isolated: None
) -> None:
    build_region(db)
    window = MainWindow(AppContext(db, profile=Profile.lead()))
    qtbot.addWidget(window)
    window.show_page("calls")
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    desk = window.pages["calls"]
    assert isinstance(desk, DeskPage)
    desk.clock = FixedClock()  # mid-day: a customer on the card, so the note field is there
    with qtbot.waitSignal(desk.queue_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_F5)
    panel = desk.queue_panel
    for letter, widget in (
        (Qt.Key.Key_I, panel.campaign_combo),
        (Qt.Key.Key_T, panel.store_combo),
        (Qt.Key.Key_M, panel.manager_combo),
        (Qt.Key.Key_Q, panel.view),
        (Qt.Key.Key_N, desk.card_view.note_edit),
    ):
        press(qtbot, letter, KEY.AltModifier)
        assert focused() is widget, letter
