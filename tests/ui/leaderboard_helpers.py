"""A small region for the Leaderboard page's tests, and how to open the page on it.

Five stores, contact rate, the week of 16-22 November 2026 against 9-15 November (times UTC,
the page reads days in UTC):

    Aston  40 assigned; 10 Nov 5 of 20 reached, 17 Nov 15 of 20 reached; 6 bought on 18 Nov;
           20 more in the holdout, 2 of whom bought
    Bury   40 assigned; 10 Nov 10 of 10, 17 Nov 20 of 30
    Crewe  40 assigned; 10 Nov 10 of 20, 17 Nov 12 of 20
    Derby  20 assigned; 17 Nov 12 of 20
    Ely    5 never called, then one customer for each kind of gap (called 16 Nov)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.leaderboard.page import LeaderboardPage
from tests.leaderboard.region import NOW, Region, at

WAIT_MS = 10_000
WEEK = (date(2026, 11, 16), date(2026, 11, 22))
STORE_NAMES = ("Aston", "Bury", "Crewe", "Derby", "Ely")


@dataclass(frozen=True)
class Stores:
    ids: dict[str, int]
    managers: dict[str, int]
    campaign_id: int

    def manager_profile(self, store: str) -> Profile:
        return Profile.manager(f"Manager of {store}", self.managers[store], self.ids[store])


def build_stores(db: Database) -> Stores:
    with db.session() as session:
        region = Region(session)
        ids = {name: region.store(name[:3].upper(), name) for name in STORE_NAMES}
        managers = {
            name: region.manager(store, f"Manager of {name}") for name, store in ids.items()
        }
        campaign_id = region.campaign()

        def calls(store: str, day: int, reached: int, total: int) -> list[int]:
            members = []
            for number in range(total):
                member = region.member(ids[store], managers[store])
                region.call(member, at(day), "interested" if number < reached else "no_answer")
                members.append(member)
            return members

        calls("Aston", 10, 5, 20)
        for member in calls("Aston", 17, 15, 20)[:6]:
            region.buy(member, at(18))
        for number in range(20):
            held_out = region.member(ids["Aston"], holdout=True)
            if number < 2:
                region.buy(held_out, at(18))
        calls("Bury", 10, 10, 10)
        calls("Bury", 17, 20, 30)
        calls("Crewe", 10, 10, 20)
        calls("Crewe", 17, 12, 20)
        calls("Derby", 17, 12, 20)
        for _ in range(5):
            region.member(ids["Ely"], managers["Ely"])
        every_gap: list[tuple[str, dict[str, object]]] = [
            ("no_answer", {}),
            ("callback_requested", {"callback_at": at(18)}),
            ("not_interested", {"note": "Too far away"}),
            ("wrong_number", {}),
            ("moved_or_deceased", {}),
            ("accepted_offer", {"visit": at(19).date()}),
        ]
        for outcome, details in every_gap:
            member = region.member(ids["Ely"], managers["Ely"])
            region.call(member, at(16), outcome, **details)  # type: ignore[arg-type]
        came_back = region.member(ids["Ely"], managers["Ely"])
        region.call(came_back, at(16), "accepted_offer")
        region.buy(came_back, at(17))
    return Stores(ids, managers, campaign_id)


def open_page(
    qtbot: QtBot,
    db: Database,
    profile: Profile | None = None,
    *,
    now: datetime = NOW,
) -> LeaderboardPage:
    """The page on its own, at ``now`` in UTC, shown and read once."""
    context = AppContext(db, profile=profile or Profile.lead())
    page = LeaderboardPage(context, clock=lambda: now, zone=UTC)
    qtbot.addWidget(page)
    page.resize(1080, 680)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.show()
    return page


def show_week(qtbot: QtBot, page: LeaderboardPage) -> None:
    """Custom dates: the week of 16-22 November."""
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.set_custom_dates(*WEEK)


def choose_rate(qtbot: QtBot, page: LeaderboardPage, label: str) -> None:
    index = page.rate_combo.findText(label)
    assert index >= 0, label
    if index == page.rate_combo.currentIndex():
        return  # already the rate shown
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.rate_combo.setCurrentIndex(index)


def cells(page: LeaderboardPage, title: str) -> dict[str, str]:
    """Each store's text in the column with this title (the chosen rate's too)."""
    model = page.model
    column = next(
        index
        for index in range(model.columnCount())
        if str(model.headerData(index, Qt.Orientation.Horizontal)).startswith(title)
    )
    return {
        model.row_at(row).store: str(model.index(row, column).data())
        for row in range(model.rowCount())
    }


def stores_in_order(page: LeaderboardPage) -> list[str]:
    return [page.model.row_at(row).store for row in range(page.model.rowCount())]
