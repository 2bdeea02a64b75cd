"""The window's status bar and the outbox: "Offline: 2 outcomes waiting", sent when due or on F9,
the desk reading its queue again once they are sent, and a refusal told in plain words.

The outbox here belongs to the test's database (a server's, in real use); the outcomes are put
in it as the desk puts them when the server cannot be reached. tests/ui/test_desk_offline.py
cuts a real server's connection under the desk.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.outbox import Outbox, queue_outcome, server_key
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CallAttempt
from lastmile_desktop.storage.outbox_store import OUTBOX_FILE_NAME, OutboxStore
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.desk.page import DeskPage
from lastmile_desktop.ui.desk.queue_model import Section
from lastmile_desktop.ui.main_window import MainWindow
from lastmile_desktop.ui.outbox_status import OutboxStatus
from tests.ui.desk_helpers import START, WAIT_MS, FixedClock, Region, build_region, member_row

AN_HOUR_S = 3600.0


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """The window remembers its page in QSettings: never the user's own."""


@pytest.fixture
def region(db: Database) -> Region:
    return build_region(db)


@pytest.fixture
def outbox(db: Database, tmp_path: Path) -> Outbox:
    """Tries again an hour after the server was last found away: the test presses F9."""
    return Outbox(OutboxStore(tmp_path / OUTBOX_FILE_NAME), server_key(db.url), delays=(AN_HOUR_S,))


def open_window(qtbot: QtBot, db: Database, region: Region, outbox: Outbox) -> MainWindow:
    window = MainWindow(AppContext(db, profile=region.sam, outbox=outbox))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show_page("calls")
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    desk = desk_of(window)
    desk.clock = FixedClock()
    with qtbot.waitSignal(desk.queue_loaded, timeout=WAIT_MS):
        desk.refresh_page()
    return window


def desk_of(window: MainWindow) -> DeskPage:
    desk = window.pages["calls"]
    assert isinstance(desk, DeskPage)
    return desk


def status_of(window: MainWindow) -> OutboxStatus:
    assert window.outbox_status is not None
    return window.outbox_status


def attempts(db: Database) -> int:
    with db.read_session() as session:
        return session.scalar(select(func.count()).select_from(CallAttempt)) or 0


def kept_while_offline(outbox: Outbox, region: Region, db: Database, *names: str) -> None:
    """Outcomes the desk kept while the server was away (it was found away just now)."""
    for minutes, name in enumerate(names):
        member = region.members[name]
        queue_outcome(
            outbox,
            region.sam,
            member,
            "no_answer",
            at=START.replace(minute=minutes),
            expected_version=member_row(db, member).version,
        )
    outbox.note_unreachable()


def test_what_waits_is_counted_in_the_status_bar_and_sent_on_f9(
    qtbot: QtBot, db: Database, region: Region, outbox: Outbox
) -> None:
    kept_while_offline(outbox, region, db, "Ada", "Grace")
    window = open_window(qtbot, db, region, outbox)
    status, desk = status_of(window), desk_of(window)

    assert status.label.isVisible() and status.label.text() == "Offline: 2 outcomes waiting"
    assert status.button.text() == "Send now  (F9)"
    # The customers whose outcomes wait are not offered again meanwhile.
    assert [e.name for e in desk.model.entries(Section.NOW)] == ["Alan Turing", "Mary Somerville"]
    assert status.timer.remainingTime() > 60_000  # the next automatic try is an hour away

    with (
        qtbot.waitSignal(status.sent, timeout=WAIT_MS) as sent,
        qtbot.waitSignal(desk.queue_loaded, timeout=WAIT_MS),  # read again: they are sent
    ):
        qtbot.keyClick(window, Qt.Key.Key_F9)

    assert len(sent.args[0].recorded) == 2
    assert attempts(db) == 2
    assert not status.label.isVisible() and not status.button.isVisible()
    assert window.statusBar().currentMessage() == (
        "2 outcomes logged while the server could not be reached are now saved on the server."
    )
    assert outbox.waiting() == 0
    assert [e.name for e in desk.model.entries(Section.NOW)] == ["Alan Turing", "Mary Somerville"]
    assert {e.name for e in desk.model.entries(Section.LATER)} >= {"Ada Lovelace", "Grace Hopper"}


def test_an_outcome_kept_when_the_server_is_due_again_is_sent_without_a_key(
    qtbot: QtBot, db: Database, region: Region, outbox: Outbox
) -> None:
    window = open_window(qtbot, db, region, outbox)
    status = status_of(window)
    queue_outcome(outbox, region.sam, region.members["Alan"], "busy", at=START)

    with (
        qtbot.waitSignal(status.sent, timeout=WAIT_MS),
        qtbot.waitSignal(desk_of(window).queue_loaded, timeout=WAIT_MS),
    ):
        window.context.outbox_changed.emit()  # as the desk announces a kept outcome

    assert attempts(db) == 1
    assert outbox.waiting() == 0


def test_an_outcome_the_server_refuses_is_told_plainly_and_kept(
    qtbot: QtBot, db: Database, region: Region, outbox: Outbox
) -> None:
    kept_while_offline(outbox, region, db, "Ada")
    # Another PC reached the server meanwhile and logged a call for Ada.
    log_outcome(db, region.sam, region.members["Ada"], "not_interested", reason="price", at=START)
    window = open_window(qtbot, db, region, outbox)
    status = status_of(window)

    with qtbot.waitSignal(status.sent, timeout=WAIT_MS):
        status.send_action.trigger()

    box = status.message_box
    assert box is not None and box.isVisible()
    assert not box.isModal()  # the calls go on while it is read
    assert box.text() == (
        "1 outcome logged while the server could not be reached could not be saved."
    )
    assert box.informativeText() == (
        f"No answer at {START.astimezone().strftime('%d %b %H:%M')} was not saved: someone "
        "else logged a call for this customer while this computer was offline, and the server "
        "keeps theirs. The server's records stand; call the customers again if needed."
    )
    assert attempts(db) == 1  # theirs
    assert [o.outcome for o in outbox.refused()] == ["no_answer"]
    assert not status.label.isVisible()


@pytest.mark.sqlite_only
def test_a_database_file_has_no_outbox_in_its_window(qtbot: QtBot, db: Database) -> None:
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)

    assert window.context.outbox is None
    assert window.outbox_status is None
    assert "Send &waiting outcomes now" not in [a.text() for a in window.file_menu.actions()]
