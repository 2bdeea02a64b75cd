"""Drilling down from a store: its managers' figures and the customers behind each figure."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from lastmile_desktop.leaderboard.facts import Figure
from lastmile_desktop.leaderboard.sentences import GapKind
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.leaderboard import drill_down
from lastmile_desktop.ui.leaderboard.drill_down import NO_MANAGER_NOTE, StoreDetailDialog
from lastmile_desktop.ui.leaderboard.page import LeaderboardPage
from tests.leaderboard.region import Region
from tests.ui.leaderboard_helpers import (
    WAIT_MS,
    Stores,
    build_stores,
    choose_rate,
    open_page,
    show_week,
    stores_in_order,
)


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """Nothing here writes QSettings; the fixture keeps it that way for whatever might."""


@pytest.fixture
def stores(db: Database) -> Stores:
    return build_stores(db)


def week_page(qtbot: QtBot, db: Database) -> LeaderboardPage:
    page = open_page(qtbot, db)
    choose_rate(qtbot, page, "Contact rate")
    show_week(qtbot, page)
    return page


def open_from_column(
    qtbot: QtBot, page: LeaderboardPage, store: str, title: str
) -> StoreDetailDialog:
    """Picks the store's cell in the column with this title, then Ctrl+Enter's action."""
    model = page.model
    column = next(
        index
        for index in range(model.columnCount())
        if model.headerData(index, Qt.Orientation.Horizontal) == title
    )
    page.select_store(store)
    page.table.setCurrentIndex(model.index(stores_in_order(page).index(store), column))
    page.drill_action.trigger()
    dialog = page.detail_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.managers.rowCount() > 0 and not dialog.working.isVisible())
    return dialog


def names(dialog: StoreDetailDialog) -> list[str]:
    return [line.name for line in dialog.lines]


def manager_cells(dialog: StoreDetailDialog, title: str) -> dict[str, str]:
    model = dialog.managers
    column = next(
        index
        for index in range(model.columnCount())
        if model.headerData(index, Qt.Orientation.Horizontal) == title
    )
    return {
        model.row_at(row).name: str(model.index(row, column).data())
        for row in range(model.rowCount())
    }


def test_a_store_opens_on_its_managers_and_the_customers_behind_the_column_picked(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = week_page(qtbot, db)

    dialog = open_from_column(qtbot, page, "Aston", "Reached")

    assert dialog.title.text() == "Aston, 16-22 Nov 2026"
    assert manager_cells(dialog, "Reached") == {"Whole store": "15", "Manager of Aston": "15"}
    assert manager_cells(dialog, "Contact rate") == {
        "Whole store": "75% (53-89)",
        "Manager of Aston": "75% (53-89)",
    }
    assert dialog.figure_combo.currentText() == "Reached"
    assert len(dialog.lines) == 15
    # The 17 November callers who were reached are customers 21-35, listed by last name.
    assert names(dialog)[:2] == ["Customer21 Last0021", "Customer22 Last0022"]
    assert dialog.count_label.text() == "15 customers (reached, the whole store)."


def test_moving_through_the_managers_cells_lists_that_manager_and_figure(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = week_page(qtbot, db)
    dialog = open_from_column(qtbot, page, "Bury", "Reached")

    with qtbot.waitSignal(dialog.customers_loaded, timeout=WAIT_MS):
        dialog.choose(1, Figure.ATTEMPTED)

    assert dialog.figure_combo.currentText() == "Called"
    assert dialog.current_line() is not None
    assert dialog.current_line().name == "Manager of Bury"  # type: ignore[union-attr]
    assert len(dialog.lines) == 30
    assert dialog.count_label.text() == "30 customers (called, Manager of Bury)."

    with qtbot.waitSignal(dialog.customers_loaded, timeout=WAIT_MS):
        dialog.figure_combo.setCurrentIndex(dialog.figure_combo.findText("Not called yet"))
    assert dialog.lines == []
    assert dialog.count_label.text() == "0 customers (not called yet, Manager of Bury)."


def test_a_gap_opens_the_customers_behind_it(qtbot: QtBot, db: Database, stores: Stores) -> None:
    page = week_page(qtbot, db)
    board = page.board
    assert board is not None
    not_called = next(
        gap for gap in board.gaps if gap.store == "Ely" and gap.kind is GapKind.NOT_ATTEMPTED
    )
    declined = next(gap for gap in board.gaps if gap.kind is GapKind.DECLINED)

    dialog = page.open_gap(not_called)
    assert dialog is not None
    qtbot.waitUntil(lambda: len(dialog.lines) == 5, timeout=WAIT_MS)
    assert dialog.figure_combo.currentText() == "Not called yet"
    assert dialog.count_label.text() == "5 customers (not called yet, the whole store)."

    dialog = page.open_gap(declined)
    assert dialog is not None
    qtbot.waitUntil(lambda: len(dialog.lines) == 1, timeout=WAIT_MS)
    assert dialog.figure_combo.currentText() == f"Declined: {declined.reason}"
    assert dialog.lines[0].last_outcome == "Not interested"


def test_a_long_list_says_how_much_it_shows_and_pages_in_as_it_scrolls(
    qtbot: QtBot, db: Database, stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drill_down, "LIST_LIMIT", 30)
    monkeypatch.setattr(drill_down, "CUSTOMER_PAGE", 10)
    page = week_page(qtbot, db)

    dialog = open_from_column(qtbot, page, "Aston", "Assigned")

    assert len(dialog.lines) == 30
    assert dialog.count_label.text() == (
        "The first 30 of 40 customers (assigned, the whole store), by name. Pick a manager "
        "above for a shorter list."
    )
    assert dialog.customers.rowCount() == 10
    assert dialog.customers.canFetchMore()
    dialog.customer_table.scrollToBottom()
    qtbot.waitUntil(lambda: dialog.customers.rowCount() > 10, timeout=WAIT_MS)


def test_customers_no_manager_owns_are_listed_with_the_whole_store(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    with db.session() as session:
        region = Region(session, campaign_id=stores.campaign_id, customers=500)
        for _ in range(2):
            region.member(stores.ids["Derby"])
    page = week_page(qtbot, db)
    dialog = open_from_column(qtbot, page, "Derby", "Assigned")
    assert manager_cells(dialog, "Assigned") == {
        "Whole store": "22",
        "Manager of Derby": "20",
        "No manager": "2",
    }

    with qtbot.waitSignal(dialog.customers_loaded, timeout=WAIT_MS):
        dialog.choose(2, Figure.ASSIGNED)

    assert dialog.lines == []
    assert dialog.count_label.text() == NO_MANAGER_NOTE


def test_the_drill_down_follows_changes_to_the_data_on_the_same_row_and_figure(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = week_page(qtbot, db)
    dialog = open_from_column(qtbot, page, "Bury", "Reached")
    with qtbot.waitSignal(dialog.customers_loaded, timeout=WAIT_MS):
        dialog.choose(1, Figure.ATTEMPTED)

    with qtbot.waitSignal(dialog.customers_loaded, timeout=WAIT_MS):
        page.context.announce(Changed(ChangeKind.EXTERNAL))

    assert dialog.current_line() is not None
    assert dialog.current_line().name == "Manager of Bury"  # type: ignore[union-attr]
    assert dialog.figure_combo.currentText() == "Called"
    assert len(dialog.lines) == 30


def test_a_manager_drills_into_their_own_store(qtbot: QtBot, db: Database, stores: Stores) -> None:
    page = open_page(qtbot, db, stores.manager_profile("Derby"))
    show_week(qtbot, page)

    dialog = open_from_column(qtbot, page, "Derby", "Called")

    assert len(dialog.lines) == 20
    assert {line.manager for line in dialog.lines} == {"Manager of Derby"}


def test_a_drill_down_gone_before_its_figures_arrive_is_left_alone(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = week_page(qtbot, db)
    page.select_store("Aston")
    dialog = page.open_store()
    assert dialog is not None and dialog.working.isVisible()

    shiboken6.delete(dialog)  # as when the window closes under it

    pool = QThreadPool.globalInstance()
    qtbot.waitUntil(lambda: pool.activeThreadCount() == 0, timeout=WAIT_MS)
    QApplication.processEvents()  # the answer arrives: nothing may touch the dialog
    assert page.detail_dialog is dialog  # and the page carries on
