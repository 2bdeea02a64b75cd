"""A long queue on the desk: listed a page at a time, the rest read as the list's end comes
near, and the keys and the call sheet reach every customer."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import MemberStatus
from lastmile_desktop.ui.desk import page as desk_module
from lastmile_desktop.ui.desk.page import DeskPage
from lastmile_desktop.ui.desk.queue_model import Section
from lastmile_desktop.ui.desk.sheet_entry import SheetEntryDialog
from tests.ui.desk_helpers import (
    WAIT_MS,
    FixedClock,
    build_region,
    log_key,
    member_row,
    open_desk,
    press,
)

# Forty customers of the Leeds store, in the queue's order (spend falls by £10 each).
MANY = tuple(
    (f"Customer{number:02}", "Test", f"+4474001002{number:02}", 900 - 10 * number, 100)
    for number in range(40)
)
NAMES = [f"Customer{number:02} Test" for number in range(40)]
PAGE = 6


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(desk_module, "QUEUE_PAGE", PAGE)
    monkeypatch.setattr(desk_module, "NEAR_THE_END", 2)


def headings(page: DeskPage) -> list[str]:
    model = page.model
    return [
        str(model.index(row).data())
        for row in range(model.rowCount())
        if model.entry_at(row) is None
    ]


def listed(page: DeskPage) -> list[str]:
    return [entry.name for entry in page.model.entries(Section.NOW)]


def test_the_list_holds_a_page_and_counts_everyone(qtbot: QtBot, db: Database) -> None:
    region = build_region(db, leeds_customers=MANY, los_angeles=True)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    assert listed(page) == NAMES[:PAGE]
    assert headings(page) == ["Now (40)", "Later (1)"]
    assert page.queue is not None and not page.queue.is_complete


def test_moving_down_near_the_last_customer_held_reads_the_next_page(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db, leeds_customers=MANY)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    for _ in range(PAGE - 3):
        press(qtbot, Qt.Key.Key_Down)
    assert listed(page) == NAMES[:PAGE]
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Down)  # onto the last but one held
    assert listed(page) == NAMES[: 2 * PAGE]
    assert page.current_entry() is not None
    assert page.current_entry().name == NAMES[PAGE - 2]  # the cursor stayed where it was
    assert headings(page) == ["Now (40)", "Later (0)"]


def test_reaching_the_end_of_the_list_reads_the_rest(qtbot: QtBot, db: Database) -> None:
    region = build_region(db, leeds_customers=MANY)
    page = open_desk(qtbot, db, region.sam, FixedClock())

    reached = None
    while len(listed(page)) < len(NAMES):
        held = len(listed(page))
        press(qtbot, Qt.Key.Key_End)
        reached = page.current_entry()
        assert reached is not None and reached.name == NAMES[held - 1]
        qtbot.waitUntil(lambda held=held: len(listed(page)) > held, timeout=WAIT_MS)

    assert listed(page) == NAMES
    assert page.queue is not None and page.queue.is_complete
    assert headings(page) == ["Now (40)", "Later (0)"]
    assert page.current_entry() == reached  # where End put the cursor, not moved by the read


def test_the_keys_go_on_past_the_customers_of_the_first_pages(qtbot: QtBot, db: Database) -> None:
    region = build_region(db, leeds_customers=MANY)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    calls = 2 * PAGE + 3
    for _ in range(calls):
        qtbot.waitUntil(lambda: page.card is not None, timeout=WAIT_MS)
        log_key(qtbot, page, Qt.Key.Key_N)

    called = [
        name
        for name, member in region.members.items()
        if member_row(db, member).status == MemberStatus.IN_PROGRESS
    ]
    assert sorted(called) == [f"Customer{number:02}" for number in range(calls)]


def test_the_call_sheet_has_everyone_while_the_list_holds_a_page(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db, leeds_customers=MANY, los_angeles=True)
    page = open_desk(qtbot, db, region.sam, FixedClock())

    assert page.type_in_sheet() is None  # the whole list is read first
    qtbot.waitUntil(lambda: page.findChild(SheetEntryDialog) is not None, timeout=WAIT_MS)
    dialog = page.findChild(SheetEntryDialog)
    assert isinstance(dialog, SheetEntryDialog)
    # Everyone to call now, then Dorothy, who is callable later today (08:00 in Los Angeles).
    assert [entry.name for _number, entry in dialog.lines] == [*NAMES, "Dorothy Vaughan"]
    dialog.reject()
    QApplication.processEvents()


def test_a_first_page_that_ends_near_the_cursor_is_followed_by_the_next_ones(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every page ends within reach of the first customer: each read asks for the next.
    monkeypatch.setattr(desk_module, "NEAR_THE_END", 2 * len(NAMES))
    region = build_region(db, leeds_customers=MANY)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    qtbot.waitUntil(lambda: page.queue is not None and page.queue.is_complete, timeout=WAIT_MS)
    assert listed(page) == NAMES
    assert page.current_entry() is not None
    assert page.current_entry().name == NAMES[0]
