"""The leaderboard on paper: one page of A4 or US Letter, the service's own sentences in it as
text, forty stores still on one page, the Leaderboard page's Save as PDF (Ctrl+P)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from lastmile_desktop.calling.life import Call, CampaignRules, MemberLife, after_call
from lastmile_desktop.calling.member_facts import refresh_customers, refresh_members
from lastmile_desktop.calling.outcomes import outcome_by_code
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.profiles import available_profiles
from lastmile_desktop.demo import generate_demo
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.leaderboard.model import Leaderboard, Trend
from lastmile_desktop.leaderboard.periods import PeriodChoice, PeriodKind
from lastmile_desktop.leaderboard.service import leaderboard, weekly_trend
from lastmile_desktop.paper import Paper
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import CallAttempt, Campaign, CampaignMember, Purchase
from lastmile_desktop.ui.paper.leaderboard_pdf import (
    MORE_STORES,
    suggested_file_name,
    write_leaderboard_pdf,
)
from tests.leaderboard.region import NOW, Region, at
from tests.ui.leaderboard_helpers import WAIT_MS, build_stores, open_page
from tests.ui.pdf_reading import fonts_not_embedded, page_count, page_size, text_of, words

DEMO_TODAY = date(2026, 11, 30)
POINTS = {Paper.A4: (595, 842), Paper.LETTER: (612, 792)}
LEAD = Profile.lead()


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


def read(db: Database, kind: PeriodKind, profile: Profile = LEAD) -> tuple[Leaderboard, Trend]:
    board = leaderboard(db, profile, period=PeriodChoice(kind), today=DEMO_TODAY, zone=UTC)
    trend = weekly_trend(db, profile, today=DEMO_TODAY, zone=UTC)
    return board, trend


def assert_one_page_of(path: Path, paper: Paper) -> None:
    assert page_count(path) == 1
    width, height = page_size(path)
    assert (width, height) == pytest.approx(POINTS[paper], abs=1)
    assert fonts_not_embedded(path) == []


@pytest.mark.parametrize("paper", list(Paper))
def test_the_pdf_is_one_page_holding_the_heroes_sentences_as_text(
    qapp: QApplication, demo_db: Database, tmp_path: Path, paper: Paper
) -> None:
    board, trend = read(demo_db, PeriodKind.LAST_4_WEEKS)
    assert board.best_now and board.most_improved, "the demo has both kinds of hero then"
    target = tmp_path / "board.pdf"

    written = write_leaderboard_pdf(board, trend, target, paper, zone=UTC)

    assert_one_page_of(target, paper)
    text = text_of(target)
    for hero in [*board.best_now, *board.most_improved]:
        assert words(hero.text) in text
    assert f"Leaderboard: {board.campaign}" in text
    assert f"{board.period.describe()} · ranked by win-back rate · as of " in text
    assert f"Most improved since {board.previous.describe()}" in text
    assert words(f"Lift over the holdout: {board.lift.call_return_rate:.0%}") in text
    for row in board.stores:  # twelve stores: every row, the ranked rate with its interval
        assert row.store in text
    top = board.stores[0].rate
    assert top.value is not None and top.ci95 is not None
    low, high = round(top.ci95.low * 100), round(top.ci95.high * 100)
    assert f"{round(top.value * 100)}% ({low}-{high})" in text
    shown = [gap for gap in board.gaps if words(gap.text.split(": ", 1)[1]) in text]
    assert len(shown) >= written.gaps_shown > 0
    assert (written.pages, written.paper, written.stores_shown) == (1, paper, 12)
    more = len(board.gaps) - written.gaps_shown
    assert (f"and {more} more gaps: see the workbook" in text) == (more > 0)


def test_twelve_stores_tied_for_best_are_each_shown_or_counted_beside_the_chart_and_table(
    qapp: QApplication, demo_db: Database, tmp_path: Path
) -> None:
    board, trend = read(demo_db, PeriodKind.THIS_WEEK)
    assert len(board.best_now) == 12
    target = tmp_path / "week.pdf"
    written = write_leaderboard_pdf(board, trend, target, Paper.LETTER, zone=UTC)
    assert_one_page_of(target, Paper.LETTER)
    text = text_of(target)
    shown = [hero for hero in board.best_now if words(hero.text) in text]
    # The heroes take at most their share of the page; those past it are counted in a line.
    assert shown == board.best_now[: len(shown)] and len(shown) >= 10
    counted = len(board.best_now) - len(shown)
    if counted:
        plural = "store" if counted == 1 else "stores"
        assert f"and {counted} more {plural}: see the workbook" in text
    assert "Win-back rate per week" in text  # the chart still has its place
    assert written.stores_shown == len(board.stores)  # and the table has every store


def build_forty_stores(db: Database, *, alike: bool) -> None:
    """Forty stores of twenty called customers; ``alike``: every store's figures the same (all
    forty tied for best), else seven levels of win-back."""
    members: list[int] = []
    buyers: list[int] = []
    with db.session() as session:
        region = Region(session)
        campaign = session.get_one(Campaign, region.campaign())
        for index in range(40):
            level = 0 if alike else index % 7
            store = region.store(f"S{index:02d}", f"Quay {index:02d}")
            manager = region.manager(store, f"Manager {index:02d}")
            for number in range(20):
                member_id = region.member(store, manager)
                member = session.get_one(CampaignMember, member_id)
                outcome = "accepted_offer" if number < 3 + level else "no_answer"
                called = at(3 + (number % 4) * 7)
                session.add(
                    CallAttempt(
                        member_id=member_id,
                        store_id=store,
                        manager_id=manager,
                        called_at=called,
                        outcome=outcome,
                    )
                )
                call = Call(outcome_by_code(outcome), called, None, None, ("UTC",), None)
                after_call(MemberLife.of(member), call, CampaignRules.of(campaign)).apply_to(member)
                members.append(member_id)
                if number < 1 + level:
                    session.add(
                        Purchase(
                            customer_id=member.customer_id,
                            store_id=store,
                            purchased_at=at(5 + (number % 4) * 7),
                            amount_cents=2_000,
                        )
                    )
                    buyers.append(member.customer_id)
        session.flush()
        refresh_members(session, members)
        refresh_customers(session, buyers)


@pytest.mark.parametrize("alike", [False, True], ids=["seven levels", "all tied"])
@pytest.mark.parametrize("paper", list(Paper))
def test_forty_stores_stay_on_one_page_with_a_line_for_the_rows_left_out(
    qapp: QApplication, db: Database, tmp_path: Path, paper: Paper, alike: bool
) -> None:
    build_forty_stores(db, alike=alike)
    board = leaderboard(db, LEAD, now=NOW, zone=UTC)
    trend = weekly_trend(db, LEAD, now=NOW, zone=UTC)
    assert len(board.stores) == 40
    target = tmp_path / "forty.pdf"

    written = write_leaderboard_pdf(board, trend, target, paper, zone=UTC)

    assert_one_page_of(target, paper)
    text = text_of(target)
    table = text.split("too few to rank.", 1)[1]  # after the table's note
    shown = [row.store for row in board.stores if row.store in table]
    assert shown == [row.store for row in board.stores[: written.stores_shown]]
    assert 12 <= written.stores_shown <= 40
    left_out = 40 - written.stores_shown
    assert (MORE_STORES.format(count=left_out, stores="stores") in table) == (left_out > 1)
    assert words(board.best_now[0].text) in text
    if alike:  # forty tied for best: the first few sentences, then a count of the others
        assert len(board.best_now) == 40
        heroes = text.split("Best right now", 1)[1].split("Most improved", 1)[0]
        listed = sum(words(hero.text) in heroes for hero in board.best_now)
        assert 3 <= listed < 40
        assert MORE_STORES.format(count=40 - listed, stores="stores") in heroes


def test_a_manager_sees_the_other_stores_lettered_on_paper_too(
    qapp: QApplication, demo_db: Database, tmp_path: Path
) -> None:
    lead_board, _ = read(demo_db, PeriodKind.CAMPAIGN)
    manager = next(p for p in available_profiles(demo_db) if not p.is_lead)
    board, trend = read(demo_db, PeriodKind.CAMPAIGN, manager)
    own = next(row.store for row in board.stores if row.own)
    target = tmp_path / "manager.pdf"
    write_leaderboard_pdf(board, trend, target, Paper.A4, zone=UTC)
    text = text_of(target)
    assert own in text and "Store A" in text
    others = [row.store for row in lead_board.stores if row.store != own]
    assert [store for store in others if store in text] == []


def test_files_the_pdf_cannot_be_saved_to_are_refused_and_an_older_one_kept(
    qapp: QApplication, demo_db: Database, tmp_path: Path
) -> None:
    board, trend = read(demo_db, PeriodKind.CAMPAIGN)
    with pytest.raises(UserFacingError, match=r"the leaderboard can be saved as \.pdf"):
        write_leaderboard_pdf(board, trend, tmp_path / "board.png", Paper.A4)
    with pytest.raises(UserFacingError, match="does not exist"):
        write_leaderboard_pdf(board, trend, tmp_path / "nowhere" / "b.pdf", Paper.A4)
    older = tmp_path / "older.pdf"
    older.write_bytes(b"%PDF-1.4 an older leaderboard")
    empty = dataclasses.replace(board, stores=[])
    with pytest.raises(UserFacingError, match=r"Nobody in .* is assigned to a store yet"):
        write_leaderboard_pdf(empty, trend, older, Paper.A4)
    assert older.read_bytes() == b"%PDF-1.4 an older leaderboard"
    assert [path.name for path in tmp_path.iterdir()] == ["older.pdf"]


def test_the_suggested_name_holds_the_campaign_and_the_day(demo_db: Database) -> None:
    board, _ = read(demo_db, PeriodKind.CAMPAIGN)
    day = board.computed_at.astimezone(UTC).date().isoformat()
    assert suggested_file_name(board, UTC) == f"Leaderboard {board.campaign} {day}.pdf"
    odd = dataclasses.replace(board, campaign='Spring: "A/B" test?')
    assert suggested_file_name(odd, UTC) == f"Leaderboard Spring A B test {day}.pdf"


# -- the page's button --------------------------------------------------------------------------
def test_ctrl_p_saves_the_page_as_pdf_where_the_user_chooses_on_the_paper_chosen(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_stores(db)
    asked: list[tuple[str, str, str]] = []
    target = tmp_path / "meeting"  # no extension typed: .pdf is added

    def choose(*args: Any) -> tuple[str, str]:
        _parent, _title, suggested, file_types, preselected = args
        asked.append((suggested, file_types, preselected))
        letter = next(kind for kind in file_types.split(";;") if "US Letter" in kind)
        return str(target), letter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    monkeypatch.setattr("lastmile_desktop.countries.locale_name", lambda: "en_GB.UTF-8")
    page = open_page(qtbot, db)
    board = page.board
    assert board is not None
    assert page.pdf_button.text() == "Save as PDF...  (Ctrl+P)"
    assert page.pdf_button.isEnabled()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=WAIT_MS)
    page.table.setFocus()

    with qtbot.waitSignal(page.pdf_saved, timeout=WAIT_MS) as saved:
        qtbot.keyClick(page.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)

    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    suggested, file_types, preselected = asked[0]
    assert Path(suggested) == Path(documents) / "Leaderboard Autumn win-back 2026-11-29.pdf"
    assert file_types.split(";;")[0] == preselected == "PDF on A4 paper (*.pdf)"
    written = tmp_path / "meeting.pdf"
    assert saved.args == [str(written)]
    assert_one_page_of(written, Paper.LETTER)
    text = text_of(written)
    assert all(words(hero.text) in text for hero in board.best_now)
    assert page.pdf_status.text() == (
        f"Saved the leaderboard (one page, US Letter) to {written}: every store and gap."
    )
    assert page.pdf_button.isEnabled()


def test_the_button_waits_for_a_board_and_a_cancelled_dialog_writes_nothing(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, db)  # no campaign yet
    assert not page.pdf_button.isEnabled() and not page.pdf_action.isEnabled()
    assert page.pdf_button.toolTip().startswith("Nothing to print yet")

    build_stores(db)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.load()
    assert page.pdf_button.isEnabled()
    asked: list[str] = []

    def cancel(*args: Any) -> tuple[str, str]:
        asked.append(args[2])
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(cancel))
    page.save_pdf()
    assert len(asked) == 1
    assert not page.saving_pdf and not page.pdf_status.isVisible()
    assert list(tmp_path.glob("**/*.pdf")) == []


def test_a_file_that_cannot_be_written_is_said_under_the_pickers(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_stores(db)
    target = tmp_path / "gone" / "board.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a: (str(target), "")))
    page = open_page(qtbot, db)
    page.save_pdf()
    qtbot.waitUntil(lambda: not page.saving_pdf, timeout=WAIT_MS)
    assert page.pdf_status.text() == (
        f"The folder {target.parent} does not exist: create it, or choose another folder for "
        "board.pdf."
    )
    assert page.pdf_button.isEnabled()
