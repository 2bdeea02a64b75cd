"""The call desk when the network to the database server drops: the customer on the card gets
their outcome kept and the caller is told plainly; nothing is lost or logged twice, and the
queue is read again once the server is back and the outcome sent.

The desk reaches the test server through a proxy the test cuts and restores.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lastmile_desktop.calling.outbox import Outbox, QueuedCall, server_key
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import CallAttempt, CampaignMember
from lastmile_desktop.storage.outbox_store import OUTBOX_FILE_NAME, OutboxStore
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.desk.page import DeskPage
from lastmile_desktop.ui.desk.queue_model import Section
from lastmile_desktop.ui.desk.sheet_entry import COLUMN_KEY, COLUMN_RESULT, SheetEntryDialog
from lastmile_desktop.ui.main_window import MainWindow
from tests.postgres_server import PostgresServer
from tests.server.tcp_proxy import TcpProxy
from tests.ui.desk_helpers import WAIT_MS, FixedClock, build_region, card_name, log_key, press

pytestmark = pytest.mark.postgres

AN_HOUR_S = 3600.0


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """The window remembers its page in QSettings: never the user's own."""


@pytest.fixture
def proxy(postgres_server: PostgresServer) -> Iterator[TcpProxy]:
    with TcpProxy(postgres_server.host, postgres_server.port) as running:
        yield running


def attempts_of(db: Database) -> list[tuple[str, str, str]]:
    with db.read_session() as session:
        rows = session.execute(
            select(CallAttempt.uuid, CampaignMember.uuid, CallAttempt.outcome)
            .join(CampaignMember, CampaignMember.id == CallAttempt.member_id)
            .order_by(CallAttempt.id)
        ).all()
    return [(str(a), str(m), outcome) for a, m, outcome in rows]


def open_store_pc(
    qtbot: QtBot, db: Database, proxy: TcpProxy, tmp_path: Path, profile: Profile
) -> tuple[MainWindow, Database, Outbox]:
    """The store PC's window on the Calls page, reaching the server through ``proxy``; its
    outbox tries again only an hour after the server was found away (the test presses F9)."""
    store_pc, _ = open_database(db.url.set(port=proxy.port).render_as_string(hide_password=False))
    outbox = Outbox(
        OutboxStore(tmp_path / OUTBOX_FILE_NAME), server_key(store_pc.url), delays=(AN_HOUR_S,)
    )
    window = MainWindow(AppContext(store_pc, profile=profile, outbox=outbox))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show_page("calls")
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    desk = window.pages["calls"]
    assert isinstance(desk, DeskPage)
    desk.clock = FixedClock()
    with qtbot.waitSignal(desk.queue_loaded, timeout=WAIT_MS):
        desk.refresh_page()
    desk.focus_queue()
    return window, store_pc, outbox


def test_the_card_shown_when_the_network_drops_keeps_its_outcome_and_sends_it_once(
    qtbot: QtBot, db: Database, proxy: TcpProxy, tmp_path: Path
) -> None:
    region = build_region(db)
    window, store_pc, outbox = open_store_pc(qtbot, db, proxy, tmp_path, region.sam)
    desk = window.pages["calls"]
    assert isinstance(desk, DeskPage) and window.outbox_status is not None
    status = window.outbox_status
    try:
        assert card_name(desk) == "Ada Lovelace"
        log_key(qtbot, desk, Qt.Key.Key_N)  # on the server at once
        assert card_name(desk) == "Grace Hopper"

        proxy.cut()  # the network goes while Grace is on the card
        with qtbot.waitSignal(desk.outcome_queued, timeout=WAIT_MS) as kept:
            press(qtbot, Qt.Key.Key_B)
        queued = kept.args[0]
        assert isinstance(queued, QueuedCall)
        assert desk.status.text() == (
            "Offline: 1 outcome waiting. The database server cannot be reached: Busy for Grace "
            "Hopper is kept on this computer and sent once it answers. Ctrl+Z undoes it."
        )
        assert status.label.text() == "Offline: 1 outcome waiting"
        assert status.label.isVisible()
        # The next card cannot be read from the server: the desk says so, and Grace is gone.
        assert desk.card is None
        assert "The database server cannot be reached" in desk.empty_state.text()
        names = [e.name for e in desk.model.entries(Section.NOW)]
        assert "Grace Hopper" not in names

        # F5 while still cut: the queue stays as it was shown, with a plain word.
        with qtbot.waitSignal(desk.queue_loaded, timeout=WAIT_MS):
            press(qtbot, Qt.Key.Key_F5)
        assert [e.name for e in desk.model.entries(Section.NOW)] == names
        assert "cannot be reached" in desk.status.text()

        proxy.restore()
        with (
            qtbot.waitSignal(status.sent, timeout=WAIT_MS) as sent,
            qtbot.waitSignal(desk.queue_loaded, timeout=WAIT_MS),  # read again once sent
        ):
            press(qtbot, Qt.Key.Key_F9)
        assert [c.attempt for c in sent.args[0].recorded] == [queued.attempt]
        assert not status.label.isVisible()
        assert card_name(desk) == "Alan Turing"
        assert "Grace Hopper" in [e.name for e in desk.model.entries(Section.LATER)]
    finally:
        window.close()
        store_pc.dispose()

    logged = attempts_of(db)
    assert [(m, o) for _a, m, o in logged] == [
        (str(region.members["Ada"]), "no_answer"),
        (str(region.members["Grace"]), "busy"),
    ]
    assert logged[1][0] == str(queued.attempt)
    assert outbox.waiting() == 0 and outbox.refused() == []


def test_a_call_sheet_typed_in_while_the_server_is_away_is_kept_and_sent_once(
    qtbot: QtBot, db: Database, proxy: TcpProxy, tmp_path: Path
) -> None:
    region = build_region(db)
    window, store_pc, outbox = open_store_pc(qtbot, db, proxy, tmp_path, region.sam)
    desk = window.pages["calls"]
    assert isinstance(desk, DeskPage) and window.outbox_status is not None
    try:
        dialog = desk.type_in_sheet()
        assert isinstance(dialog, SheetEntryDialog)
        proxy.cut()
        for row, (key, when) in enumerate([("N", "09:30"), ("B", "10:15")]):
            dialog.set_cell(row, COLUMN_KEY, key)
            dialog.set_cell(row, COLUMN_KEY + 1, when)
        with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
            dialog.save()
        assert dialog.summary.text() == (
            "2 calls kept on this computer until the database server answers."
        )
        assert dialog.cell(0, COLUMN_RESULT) == (
            "Kept on this computer: No answer at 09:30, sent once the database server answers"
        )
        assert outbox.waiting() == 2
        with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
            dialog.save()  # saved again: the kept lines are not typed in twice
        assert outbox.waiting() == 2
        dialog.reject()

        proxy.restore()
        with (
            qtbot.waitSignal(window.outbox_status.sent, timeout=WAIT_MS),
            qtbot.waitSignal(desk.queue_loaded, timeout=WAIT_MS),
        ):
            window.outbox_status.send_action.trigger()  # F9
        status = window.outbox_status

        def all_sent() -> bool:
            # On a busy machine the first try may still find the restored link not answering.
            if outbox.waiting() and not status.sending:
                status.send_now()
            return outbox.waiting() == 0

        qtbot.waitUntil(all_sent, timeout=WAIT_MS)
    finally:
        window.close()
        store_pc.dispose()

    assert [(m, o) for _a, m, o in attempts_of(db)] == [
        (str(region.members["Ada"]), "no_answer"),
        (str(region.members["Grace"]), "busy"),
    ]
    assert outbox.waiting() == 0
