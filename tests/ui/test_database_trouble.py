"""The window when the database is in trouble: a file it cannot open, a lock held elsewhere,
an erasure another reader holds up. A sentence in the window, never a crash dialog."""

from __future__ import annotations

import logging
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.privacy import forget_customer
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.database import BUSY_MESSAGE
from lastmile_desktop.ui.application import Controller
from lastmile_desktop.ui.assign.actions import ERASURE_WAITS_FOR_READER
from lastmile_desktop.ui.assign.dialogs import ReassignDialog
from lastmile_desktop.ui.assign.overview import OverviewSelection
from lastmile_desktop.ui.campaigns.dnc_dialogs import ForgetCustomerDialog
from lastmile_desktop.ui.main_window import MainWindow
from tests.campaigns import campaign_data
from tests.ui.test_assign_page import LEAD, assign, build_region, make_page, select_rows


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """The windows remember geometry and pages in QSettings: never the user's own."""


@pytest.fixture
def controller(qtbot: QtBot) -> Iterator[Controller]:
    made = Controller()
    yield made
    for window in (made.window, made.problem_window):
        if window is not None:
            window.close()
    if made.db is not None:
        made.db.close()


def test_a_database_that_cannot_be_opened_shows_why_on_the_start_screen_with_a_way_on(
    qtbot: QtBot, controller: Controller, tmp_path: Path
) -> None:
    bad = tmp_path / "shopping.sqlite3"
    bad.write_text("milk\neggs\n", encoding="utf-8")
    with pytest.raises(UserFacingError) as refused:
        open_database(to_url(bad))  # the sentence the command line prints

    assert not controller.open(to_url(bad))

    screen = controller.problem_window
    assert screen is not None and screen.isVisible()
    assert controller.window is None
    assert screen.problem_label.text() == str(refused.value)
    assert "is not a Last Mile database" in screen.problem_label.text()
    assert screen.open_button.text() == "Open another database...  (Ctrl+Shift+O)"
    assert screen.open_button.shortcut().toString() == "Ctrl+Shift+O"

    good = tmp_path / "good.sqlite3"
    screen.open_database_requested.emit(str(good))

    assert isinstance(controller.window, MainWindow)
    assert controller.problem_window is None
    assert controller.db is not None and controller.db.path == good


def test_a_server_that_cannot_be_reached_is_named_on_the_start_screen_without_the_password(
    qtbot: QtBot, controller: Controller, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "Pa55-w0rd-Nobody-Sees"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    assert not controller.open(f"postgresql://lead:{password}@127.0.0.1:{port}/lastmile")

    screen = controller.problem_window
    assert screen is not None and screen.isVisible()
    shown = screen.problem_label.text()
    assert shown.startswith(f"Cannot reach the database server at 127.0.0.1:{port}: ")
    assert shown in caplog.text  # the log says why too
    assert password not in shown and password not in caplog.text


def test_an_action_while_another_program_holds_the_lock_says_busy_in_the_page(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    region = build_region(db)
    impatient, _ = open_database(to_url(db_path), timeout_ms=100)
    page = make_page(qtbot, impatient)
    assign(qtbot, page)
    page.customers.overview.select(OverviewSelection(region.leeds, region.sam))
    select_rows(page, [0])
    page.customers.reassign_action.trigger()
    dialog = page.controller.dialog
    assert isinstance(dialog, ReassignDialog)
    dialog.choose(region.alex)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with qtbot.waitSignal(page.controller.action_failed, timeout=5000) as failed:
            dialog.accept()
    finally:
        holder.close()
        impatient.dispose()
    assert failed.args == [BUSY_MESSAGE]
    assert page.message.text() == BUSY_MESSAGE


def test_forgetting_while_another_program_reads_says_the_erasure_finishes_later(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    build_region(db)
    page = make_page(qtbot, db)
    with qtbot.waitSignal(page.customers.filter_applied, timeout=1000):
        qtbot.keyClicks(page.customers.filters.search, "Smith04")
    page.customers.table.selectRow(0)
    page.customers.forget_action.trigger()
    dialog = page.controller.dialog
    assert isinstance(dialog, ForgetCustomerDialog)
    qtbot.keyClicks(dialog.confirm_edit, "FORGET")
    reader = sqlite3.connect(db_path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM customers").fetchone()
    try:
        with qtbot.waitSignal(page.members_changed, timeout=1000):
            dialog.forget_button.click()
    finally:
        reader.close()
    assert page.message.text().endswith(ERASURE_WAITS_FOR_READER)
    assert db.erasure_pending


def test_the_window_finishes_a_held_up_erasure_once_the_reader_lets_go(
    qtbot: QtBot, controller: Controller, tmp_path: Path
) -> None:
    path = tmp_path / "lastmile.sqlite3"
    assert controller.open(to_url(path))
    db = controller.db
    assert db is not None
    with db.session() as session:
        customer_id = campaign_data.add_customer(session, first_name="Zebedee")
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM customers").fetchone()
    assert not forget_customer(db, customer_id, LEAD).erasure_complete
    assert db.erasure_pending

    reader.close()

    qtbot.waitUntil(lambda: not db.erasure_pending, timeout=10_000)
    assert b"Zebedee" not in path.read_bytes()
