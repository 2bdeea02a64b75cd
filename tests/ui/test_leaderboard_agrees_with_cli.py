"""On the demo region, the Leaderboard page and ``lastmile leaderboard --json`` show the same
figures: every cell of the store table, the heroes, the gaps and the lift, for the lead and
for a store manager (whose view letters the other stores)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.profiles import available_profiles
from lastmile_desktop.cli import main
from lastmile_desktop.demo import CAMPAIGN_WEEKS, generate_demo
from lastmile_desktop.leaderboard.rates import Rate
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.ui.leaderboard.page import LeaderboardPage
from lastmile_desktop.ui.leaderboard.wording import without_store
from tests.ui.leaderboard_helpers import WAIT_MS, choose_rate, stores_in_order

DEMO_TODAY = date(2026, 11, 30)
FIRST, LAST = DEMO_TODAY - timedelta(days=CAMPAIGN_WEEKS * 7), DEMO_TODAY - timedelta(days=1)
# The command's columns as the page titles them, and how the page writes the JSON's value.
COUNTS = {
    "Assigned": "assigned",
    "Called": "attempted",
    "Calls": "attempts",
    "Reached": "reached",
    "Accepted": "accepted",
    "Won back": "won_back",
    "Stayed back": "stayed_back",
    "Overdue callbacks": "overdue_callbacks",
}


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """Nothing here writes QSettings; the fixture keeps it that way for whatever might."""


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db, _ = open_database(to_url(path))
    generate_demo(db, customers=600, seed=5, today=DEMO_TODAY)
    db.dispose()
    return path


@pytest.fixture
def demo_db(demo_path: Path) -> Any:
    db, _ = open_database(to_url(demo_path))
    yield db
    db.dispose()


def command_json(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> Any:
    period = f"{FIRST}..{LAST}"
    assert main(["--db", str(path), "leaderboard", "--period", period, *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def page_on_demo(qtbot: QtBot, db: Database, profile: Profile, rate: str) -> LeaderboardPage:
    from lastmile_desktop.ui.context import AppContext

    # The computer's clock and zone, as the command line's: the days are explicit anyway.
    page = LeaderboardPage(AppContext(db, profile=profile))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.show()
    choose_rate(qtbot, page, rate)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.set_custom_dates(FIRST, LAST)
    return page


def table(page: LeaderboardPage) -> list[dict[str, str]]:
    model = page.model
    titles = [
        str(model.headerData(column, Qt.Orientation.Horizontal))
        for column in range(model.columnCount())
    ]
    return [
        {
            title.removesuffix(" (ranked)"): str(model.index(row, column).data())
            for column, title in enumerate(titles)
        }
        for row in range(model.rowCount())
    ]


def whole(fraction: float) -> str:
    return str(int(fraction * 100 + 0.5))


def number(cell: str) -> float:
    """A cell's number, whatever the locale's group separator."""
    return float(re.sub(r"[^0-9.\-]", "", cell))


def assert_same_row(row: dict[str, str], store: dict[str, Any], rate: Rate) -> None:
    name = store["store"]
    assert row["Rank"] == ("too few to rank" if store["rank"] is None else str(store["rank"]))
    for title, key in COUNTS.items():
        assert number(row[title]) == store[key], (name, title)
    assert number(row["Revenue won back"]) == pytest.approx(store["revenue_won_back"]), name
    low, high = store["rate_ci95"]
    chosen = f"{whole(store[rate.value])}% ({whole(low)}-{whole(high)})"
    assert row[rate.label] == chosen, name
    for other in Rate:
        value = store[other.value]
        assert row[other.label].startswith("–" if value is None else f"{whole(value)}% "), (
            name,
            other,
        )


def assert_same_figures(page: LeaderboardPage, printed: dict[str, Any], rate: Rate) -> None:
    shown = table(page)
    assert [row["Store"] for row in shown] == [store["store"] for store in printed["stores"]]
    for row, store in zip(shown, printed["stores"], strict=True):
        assert_same_row(row, store, rate)
    heroes = printed["heroes"]
    assert page.heroes.best.text().splitlines() == [f"• {h['text']}" for h in heroes["best_now"]]
    improved = [f"• {h['text']}" for h in heroes["most_improved"]]
    if improved:
        assert page.heroes.improved.text().splitlines() == improved
    picked = page.selected_store
    gaps = [gap for gap in printed["gaps"] if picked is None or gap["store"] == picked]
    assert gaps, "the demo region has gaps"
    gap_lines = [line for line in page.gaps.texts() if line not in stores_in_order(page)]
    assert gap_lines == [without_store(gap["text"], gap["store"]) for gap in gaps]
    lift, sentence = printed["lift"], page.lift_line.text()
    call_returned = round(lift["call_return_rate"] * lift["call_members"])
    holdout_returned = round(lift["holdout_return_rate"] * lift["holdout_members"])
    assert f"({call_returned} of {lift['call_members']})" in sentence.replace(",", "")
    assert f"({holdout_returned} of {lift['holdout_members']})" in sentence.replace(",", "")
    points = re.search(r": ([+-][0-9.]+) points", sentence)
    assert points is not None, sentence
    assert float(points.group(1)) == pytest.approx(lift["points"], abs=0.051)


@pytest.mark.parametrize("rate", [Rate.WIN_BACK_RATE, Rate.CONTACT_RATE])
def test_the_page_and_the_command_show_the_same_figures_on_demo_data(
    qtbot: QtBot,
    demo_path: Path,
    demo_db: Database,
    capsys: pytest.CaptureFixture[str],
    rate: Rate,
) -> None:
    printed = command_json(capsys, demo_path, "--rate", rate.value)
    page = page_on_demo(qtbot, demo_db, Profile.lead(), rate.label)

    assert len(printed["stores"]) == 12
    assert_same_figures(page, printed, rate)


def test_a_managers_page_and_their_command_letter_the_same_stores(
    qtbot: QtBot, demo_path: Path, demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    manager = next(profile for profile in available_profiles(demo_db) if not profile.is_lead)
    printed = command_json(capsys, demo_path, "--as", manager.name)
    page = page_on_demo(qtbot, demo_db, manager, Rate.WIN_BACK_RATE.label)

    lettered = [
        store["store"] for store in printed["stores"] if store["store"].startswith("Store ")
    ]
    assert len(lettered) == 11
    assert_same_figures(page, printed, Rate.WIN_BACK_RATE)
