"""The Leaderboard page: pickers, the store table, heroes and gaps, the trend, the lift, and
how it keeps up with the data. The region is ``leaderboard_helpers``'s, read in UTC."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.leaderboard.rates import Rate
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CampaignMember
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.leaderboard.page import LeaderboardPage
from lastmile_desktop.ui.leaderboard.store_table import COLUMN_STORE, RATE_COLUMNS
from tests.leaderboard.region import Region, at
from tests.leaderboard.test_ranking_and_names import BLAMING_WORDS
from tests.ui.leaderboard_helpers import (
    WAIT_MS,
    Stores,
    build_stores,
    cells,
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


def contact_week(qtbot: QtBot, db: Database, profile: Profile | None = None) -> LeaderboardPage:
    page = open_page(qtbot, db, profile)
    choose_rate(qtbot, page, "Contact rate")
    show_week(qtbot, page)
    return page


def test_the_table_ranks_stores_with_each_rate_and_its_interval(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = contact_week(qtbot, db)

    assert stores_in_order(page) == ["Aston", "Bury", "Crewe", "Derby", "Ely"]
    assert cells(page, "Rank") == {
        "Aston": "1",
        "Bury": "2",
        "Crewe": "3",
        "Derby": "3",
        "Ely": "too few to rank",
    }
    assert cells(page, "Contact rate (ranked)") == {
        "Aston": "75% (53-89)",
        "Bury": "67% (49-81)",
        "Crewe": "60% (39-78)",
        "Derby": "60% (39-78)",
        "Ely": "57% (25-84)",
    }
    assert cells(page, "Called")["Bury"] == "30"
    assert cells(page, "Reached")["Bury"] == "20"
    assert page.period_line.text().startswith("16-22 Nov 2026: ranked by contact rate")


def test_changing_the_rate_ranks_by_it_and_puts_its_column_beside_the_store(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = contact_week(qtbot, db)

    choose_rate(qtbot, page, "Coverage")

    header = page.table.horizontalHeader()
    assert header.logicalIndex(COLUMN_STORE + 1) == RATE_COLUMNS[Rate.COVERAGE]
    # Called in the week over assigned: Derby 20 of 20, Bury 30 of 40, Aston and Crewe 20 of
    # 40; Ely's 12 are too few.
    assert stores_in_order(page) == ["Derby", "Bury", "Aston", "Crewe", "Ely"]
    assert cells(page, "Coverage (ranked)")["Derby"] == "100% (84-100)"
    assert cells(page, "Rank") == {
        "Derby": "1",
        "Bury": "2",
        "Aston": "3",
        "Crewe": "3",
        "Ely": "too few to rank",
    }
    assert cells(page, "Contact rate")["Aston"] == "75% (53-89)"  # every rate stays shown


def test_changing_the_period_counts_that_period_and_says_when_it_has_no_calls(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = contact_week(qtbot, db)
    assert not page.notice.isVisible()

    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.period_combo.setCurrentIndex(page.period_combo.findText("This week"))

    assert page.board is not None
    assert page.board.period.describe() == "23-29 Nov 2026"
    assert set(cells(page, "Called").values()) == {"0"}
    assert page.notice.isVisible()
    assert page.notice.text() == (
        "No calls logged in 23-29 Nov 2026. Pick a longer period (Alt+D), such as Campaign to date."
    )
    assert not page.from_edit.isVisible()

    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.period_combo.setCurrentIndex(page.period_combo.findText("Campaign to date"))
    assert cells(page, "Called")["Aston"] == "40"
    assert page.rate() is Rate.CONTACT_RATE  # the rate stays as picked


def test_custom_dates_the_wrong_way_round_are_refused_and_the_board_stays(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = contact_week(qtbot, db)
    shown = page.board

    page.to_edit.setDate(page.from_edit.date().addDays(-3))
    page.load()

    assert page.notice.isVisible()
    assert page.notice.text().startswith("The period ends (2026-11-13) before it starts")
    assert page.board is shown
    assert not page.working_now


def test_reading_shows_working_until_the_board_arrives(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = open_page(qtbot, db)
    assert not page.working.isVisible()

    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.load()
        assert page.working.isVisible()
        assert page.working.text() == "Working..."

    assert not page.working.isVisible()


def test_heroes_and_gaps_show_the_services_sentences_in_neutral_words(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = contact_week(qtbot, db)
    board = page.board
    assert board is not None

    assert page.heroes.best.text().splitlines() == [
        "• Aston: 75% of called customers reached (n=20, 95% 53-89%), up from 25%",
        "• Bury: 67% of called customers reached (n=30, 95% 49-81%), down from 100%",
        "• Crewe: 60% of called customers reached (n=20, 95% 39-78%), up from 50%",
        "• Derby: 60% of called customers reached (n=20, 95% 39-78%)",
    ]
    assert page.heroes.improved_title.text() == "Most improved since 9-15 Nov 2026"
    assert page.heroes.improved.text().splitlines() == [
        "• Aston: 75% of called customers reached (n=20, 95% 53-89%), up from 25%",
        "• Crewe: 60% of called customers reached (n=20, 95% 39-78%), up from 50%",
    ]
    # No store picked: every store's gaps under its name, as the service words them.
    gaps = page.gaps.texts()
    assert "Ely" in gaps
    assert "5 of 12 assigned customers (42%) not called yet" in gaps
    assert "1 number wrong or not in service" in gaps
    assert len([text for text in gaps if text not in {row.store for row in board.stores}]) == len(
        board.gaps
    )
    for text in [*page.heroes.texts(), *gaps]:
        own_words = re.sub(r'"[^"]*"', "", text)  # a customer's quoted reason is theirs
        assert not set(re.findall(r"[a-z]+", own_words.lower())) & BLAMING_WORDS, text


def test_the_lift_over_the_holdout_is_one_sentence_or_says_it_is_too_small(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = open_page(qtbot, db)

    assert page.lift_line.text().startswith(
        "Lift over the holdout: 5% of the call group came back (7 of 152) against 10% of "
        "the holdout (2 of 20): -5.4 points (95% interval"
    )
    assert cells(page, "Lift vs holdout")["Aston"].startswith("+")
    assert cells(page, "Lift vs holdout")["Bury"] == "too few to compare"
    bury = page.model.index(stores_in_order(page).index("Bury"), page.model.columnCount() - 1)
    assert bury.data(Qt.ItemDataRole.ToolTipRole) == (
        "Too few to compare: 40 in the call group and 0 in the holdout (20 in each are needed)."
    )


def test_picking_a_store_shows_its_gaps_and_brings_its_line_forward(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = contact_week(qtbot, db)
    assert page.chart.emphasised() is None

    page.select_store("Crewe")

    assert page.gaps.title.text() == "G&aps: Crewe"
    assert page.gaps.texts() == ["18 customers called and not reached yet"]
    assert page.chart.emphasised() == "Crewe"
    assert page.chart.caption.text() == (
        "Contact rate per week, Crewe: 2 Nov –, 9 Nov 50%, 16 Nov 60%, 23 Nov –"
    )
    assert page.chart.line_points("Crewe") == [(1.0, 50.0), (2.0, 60.0)]
    assert page.chart.line_points("Ely") == [(2.0, pytest.approx(57.142857))]
    assert page.drill_button.isEnabled()


def test_hovering_a_line_brings_that_store_forward(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = contact_week(qtbot, db)
    page.select_store("Crewe")
    view, chart = page.chart.view, page.chart.chart
    aston = page.chart.series_of["Aston"][0]
    middle = chart.mapToPosition(QPointF(1.5, 50.0), aston)  # halfway along 25% -> 75%
    where = view.mapFromScene(chart.mapToScene(middle))

    with qtbot.waitSignal(page.chart.store_hovered, timeout=WAIT_MS) as hovered:
        qtbot.mouseMove(view.viewport(), where)
    assert hovered.args == ["Aston"]
    assert page.chart.emphasised() == "Aston"
    assert page.chart.caption.text().startswith("Contact rate per week, Aston:")

    with qtbot.waitSignal(page.chart.store_hovered, timeout=WAIT_MS) as left:
        qtbot.mouseMove(view.viewport(), QPoint(3, 3))
    assert left.args == [""]
    assert page.chart.emphasised() == "Crewe"  # back to the store picked in the table


def test_an_outcome_logged_elsewhere_refreshes_the_board_and_keeps_the_picks(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = contact_week(qtbot, db)
    page.select_store("Ely")
    page.table.setCurrentIndex(page.model.index(stores_in_order(page).index("Ely"), 3))
    assert cells(page, "Called")["Ely"] == "7"
    with db.read_session() as session:
        waiting = session.scalars(
            select(CampaignMember.uuid)
            .where(CampaignMember.store_id == stores.ids["Ely"], CampaignMember.attempts == 0)
            .order_by(CampaignMember.id)
        ).first()
    assert waiting is not None
    log_outcome(db, Profile.lead(), waiting, "interested", at=at(20))

    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        assert page.context.check_for_outside_changes()  # as the window's timer does

    assert cells(page, "Called")["Ely"] == "8"
    assert page.rate() is Rate.CONTACT_RATE
    assert page.board is not None and page.board.period.describe() == "16-22 Nov 2026"
    assert page.selected_row() is not None and page.selected_row().store == "Ely"  # type: ignore[union-attr]
    assert page.table.currentIndex().column() == 3
    assert page.gaps.title.text() == "G&aps: Ely"


def test_a_hidden_page_reads_again_only_when_shown(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = contact_week(qtbot, db)
    page.hide()
    loads: list[bool] = []
    page.working_changed.connect(loads.append)

    page.context.announce(Changed(ChangeKind.SALES_IMPORTED))
    assert loads == []

    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.show()
    assert loads == [True, False]


def test_without_a_campaign_the_page_says_what_to_do(qtbot: QtBot, db: Database) -> None:
    page = open_page(qtbot, db)

    assert page.stack.currentWidget() is page.empty_state
    assert page.empty_state.text().startswith("No campaign yet.")
    assert "Ctrl+O" in page.empty_state.text()
    assert not page.campaign_combo.isEnabled()


def test_a_campaign_without_calls_says_where_calls_come_from(qtbot: QtBot, db: Database) -> None:
    with db.session() as session:
        region = Region(session)
        leeds = region.store("LDS", "Leeds")
        region.campaign()
        for _ in range(3):
            region.member(leeds, region.manager(leeds, "Sam Taylor"))
    page = open_page(qtbot, db)

    assert page.stack.currentWidget() is page.content
    assert cells(page, "Assigned") == {"Leeds": "3"}
    assert page.notice.text() == (
        "No calls logged in this campaign yet. Calls logged on the Calls page (Ctrl+3) count "
        "here at once."
    )
    assert page.heroes.best.text() == (
        "No store has enough customers behind this rate to be ranked yet."
    )


def test_a_manager_sees_their_own_store_by_name_and_no_drill_down_elsewhere(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    crewe = stores.manager_profile("Crewe")
    page = contact_week(qtbot, db, crewe)

    assert stores_in_order(page) == ["Store A", "Store B", "Crewe", "Store C", "Store D"]
    assert cells(page, "Contact rate (ranked)")["Store A"] == "75% (53-89)"  # Aston's figures
    assert page.selected_row() is not None and page.selected_row().own  # type: ignore[union-attr]
    assert page.drill_button.isEnabled()
    assert not page.names_box.isVisible()
    assert page.gaps.title.text() == "G&aps: Crewe"

    page.select_store("Store A")

    assert not page.drill_button.isEnabled()
    assert not page.drill_action.isEnabled()
    assert "own manager" in page.drill_button.toolTip()
    assert page.open_store() is None
    assert page.gaps.title.text() == "G&aps: Store A"
    assert page.heroes.best.text().startswith("• Store A: 75% of called customers reached")


def test_the_lead_can_show_every_store_name_to_managers(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    lead_page = open_page(qtbot, db)
    assert lead_page.names_box.isVisible() and not lead_page.names_box.isChecked()

    with qtbot.waitSignal(lead_page.loaded, timeout=WAIT_MS):
        lead_page.names_box.click()

    manager_page = open_page(qtbot, db, stores.manager_profile("Crewe"))
    assert sorted(stores_in_order(manager_page)) == ["Aston", "Bury", "Crewe", "Derby", "Ely"]
    assert lead_page.names_box.isChecked()


def test_keys_pick_the_period_and_rate_and_open_the_store(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = contact_week(qtbot, db)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=WAIT_MS)

    qtbot.keyClick(page, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    assert page.rate_combo.hasFocus()
    qtbot.keyClick(page, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert page.period_combo.hasFocus()
    qtbot.keyClick(page, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    assert page.table.hasFocus()
    page.select_store("Aston")

    qtbot.keyClick(page.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    dialog = page.detail_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: bool(dialog.lines), timeout=WAIT_MS)
    assert dialog.title.text() == "Aston, 16-22 Nov 2026"
    dialog.close()
    assert page.detail_dialog is None
    page.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.detail_dialog is not None


def test_the_line_into_the_week_under_way_is_dashed(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = open_page(qtbot, db, now=at(27, 18))  # a Friday: the fourth week has five days

    chart = page.chart
    labels = chart.chart.axes(Qt.Orientation.Horizontal)[0].categoriesLabels()
    assert labels == ["2 Nov", "9 Nov", "16 Nov", "23 Nov (5 days)"]
    aston = chart.series_of["Aston"]
    tails = [part for part in aston if part in chart.dashed]
    assert [(p.x(), p.y()) for p in tails[0].points()] == [(2.0, 15.0), (3.0, 0.0)]
    assert tails[0].pen().style() == Qt.PenStyle.DashLine
    assert chart.line_points("Aston") == [
        (0.0, 0.0),
        (1.0, 0.0),
        (2.0, 15.0),
        (2.0, 15.0),
        (3.0, 0.0),
    ]


def test_picks_made_while_a_read_runs_are_read_once_it_ends(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = open_page(qtbot, db)
    reads: list[bool] = []
    page.working_changed.connect(reads.append)

    page.load()
    page.rate_combo.setCurrentIndex(page.rate_combo.findText("Contact rate"))
    page.period_combo.setCurrentIndex(page.period_combo.findText("This week"))
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        pass  # the first read's answer is for picks no longer made: not shown

    assert reads == [True, False, True, False]  # two reads, not three
    assert page.board is not None
    assert page.board.rate is Rate.CONTACT_RATE
    assert page.board.period.describe() == "23-29 Nov 2026"


def test_sorting_by_a_column_keeps_the_store_picked(
    qtbot: QtBot, db: Database, stores: Stores
) -> None:
    page = contact_week(qtbot, db)
    page.select_store("Crewe")
    called = next(
        column
        for column in range(page.model.columnCount())
        if page.model.headerData(column, Qt.Orientation.Horizontal) == "Called"
    )
    page.table.setCurrentIndex(page.model.index(stores_in_order(page).index("Crewe"), called))
    page.table.setFocus()

    page.sort_action.trigger()  # Ctrl+Shift+S in the table

    assert stores_in_order(page) == ["Bury", "Aston", "Crewe", "Derby", "Ely"]  # 30, 20, 20...
    assert page.selected_row() is not None and page.selected_row().store == "Crewe"  # type: ignore[union-attr]
    page.sort_action.trigger()
    assert stores_in_order(page)[0] == "Ely"  # 7 called: the other way round
    assert page.chart.emphasised() == "Crewe"
