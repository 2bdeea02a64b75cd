"""The Leaderboard page once read, at 1280x720: no text cut off, every key claimed once, in
each state the page has (a store picked, custom dates, the drill-down open), for the lead
and for a store manager."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.profiles import available_profiles
from lastmile_desktop.demo import generate_demo
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.application import apply_style
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.leaderboard.page import LeaderboardPage
from lastmile_desktop.ui.main_window import MainWindow
from tests.ui.layout_audit import clipped_text
from tests.ui.leaderboard_helpers import WAIT_MS
from tests.ui.shortcut_audit import ambiguities

SIZE = (1280, 720)
DEMO_TODAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """The window remembers its size and page in QSettings: never the user's own."""


@pytest.fixture(autouse=True)
def _the_apps_style(qapp: QApplication) -> Iterator[None]:
    before = qapp.styleSheet()
    apply_style(qapp)
    yield
    qapp.setStyleSheet(before)


@pytest.mark.parametrize("who", ["lead", "store manager"])
def test_the_read_page_fits_1280_by_720_and_claims_each_key_once(
    qtbot: QtBot, db: Database, who: str
) -> None:
    generate_demo(db, customers=300, seed=7, today=DEMO_TODAY)
    profile = Profile.lead()
    if who == "store manager":
        profile = next(p for p in available_profiles(db) if not p.is_lead)
    window = MainWindow(AppContext(db, profile=profile))
    qtbot.addWidget(window)
    window.resize(*SIZE)
    window.outside_changes_timer.stop()
    window.show()
    qtbot.waitExposed(window)
    page = window.pages["leaderboard"]
    assert isinstance(page, LeaderboardPage)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        window.show_page("leaderboard")
    assert page.board is not None and len(page.board.stores) == 12

    problems: list[str] = []

    def audit(state: str) -> None:
        QApplication.processEvents()
        assert (window.width(), window.height()) == SIZE, state
        problems.extend(f"{state}: {line}" for line in clipped_text(window))
        problems.extend(f"{state}: {line}" for line in ambiguities(window))

    audit("read")
    # Shorter than this, Qt Charts cuts the axis's percent labels short ("...").
    assert page.chart.view.height() >= 180
    page.select_store(next(row.store for row in page.board.stores if row.store_id is not None))
    audit("a store picked")
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.set_custom_dates(date(2026, 11, 2), date(2026, 11, 22))
    audit("custom dates")
    dialog = page.open_store()
    assert dialog is not None
    qtbot.waitUntil(
        lambda: dialog.managers.rowCount() > 0 and not dialog.working.isVisible(), timeout=WAIT_MS
    )
    problems.extend(f"drill-down: {line}" for line in clipped_text(dialog))
    assert dialog.height() <= SIZE[1]
    audit("drill-down open")
    dialog.close()

    assert problems == [], "\n".join(problems)
