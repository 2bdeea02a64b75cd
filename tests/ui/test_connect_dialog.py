"""File > Connect to a server...: the connection is tried off the screen's thread with its result
in plain words, kept when it works (the password in the keyring, never in a file or the log),
and asked for at start when no keyring keeps it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from lastmile_desktop.connection import (
    KEYRING_SERVICE,
    NO_KEYRING,
    ConnectionCheck,
    PasswordKept,
    SavedServer,
    ServerConnection,
    remember_connection,
    saved_server,
    settings_path,
)
from lastmile_desktop.logging_setup import configure_logging
from lastmile_desktop.settings import data_dir
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.connect_dialog import KEYRING_NOTE, ConnectDialog, PasswordDialog
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.main_window import MainWindow
from tests.memory_keyring import MemoryKeyring, keyring_in_use, no_keyring

WAIT_MS = 10_000
PASSWORD = "tulip-Harbour-93!"
SHOP = ServerConnection("db.example.com", 6543, "lastmile", "store_12")


class FakeTester:
    """Answers as a server would, from whichever thread asks; remembers what it was asked."""

    def __init__(self, check: ConnectionCheck) -> None:
        self.check = check
        self.asked: list[tuple[ServerConnection, str | None]] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, connection: ServerConnection, password: str | None) -> ConnectionCheck:
        self.asked.append((connection, password))
        self.threads.append(threading.current_thread())
        return self.check


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with keyring_in_use(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """The window remembers its page in QSettings: never the user's own."""


def open_dialog(
    qtbot: QtBot, tester: FakeTester, saved: SavedServer | None = None
) -> ConnectDialog:
    dialog = ConnectDialog(saved=saved, tester=tester)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()  # mnemonics only reach the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    return dialog


def fill_in(qtbot: QtBot, dialog: ConnectDialog, password: str = PASSWORD) -> None:
    qtbot.keyClicks(dialog.host, SHOP.host)
    dialog.port.setValue(SHOP.port)
    qtbot.keyClicks(dialog.database, SHOP.database)
    qtbot.keyClicks(dialog.login, SHOP.login)
    qtbot.keyClicks(dialog.password, password)


def files_holding(folder: Path, text: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]


def test_testing_the_connection_runs_off_the_screen_and_keeps_nothing(
    qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    tester = FakeTester(ConnectionCheck(False, "No database server answered at db:6543."))
    dialog = open_dialog(qtbot, tester)
    fill_in(qtbot, dialog)

    with qtbot.waitSignal(dialog.checked, timeout=WAIT_MS):
        qtbot.keyClick(dialog, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)

    assert tester.asked == [(SHOP, PASSWORD)]
    assert tester.threads[0] is not threading.main_thread()
    assert dialog.answer.text() == "No database server answered at db:6543."
    assert dialog.isVisible()
    assert saved_server() is None
    assert memory_keyring.passwords == {}


def test_connect_keeps_a_working_connection_and_hands_it_to_the_window_to_open(
    qtbot: QtBot, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    log_file = configure_logging(tmp_path)
    tester = FakeTester(ConnectionCheck(True, "Connected to the database lastmile."))
    dialog = open_dialog(qtbot, tester)
    fill_in(qtbot, dialog)

    with qtbot.waitSignal(dialog.connected, timeout=WAIT_MS) as opened:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)

    url = make_url(opened.args[0])
    assert (url.host, url.port, url.database, url.username, url.password) == (
        SHOP.host,
        SHOP.port,
        SHOP.database,
        SHOP.login,
        PASSWORD,
    )
    assert not dialog.isVisible()
    assert saved_server() == SavedServer(SHOP, PasswordKept.KEYRING)
    assert memory_keyring.passwords == {(KEYRING_SERVICE, SHOP.keyring_user): PASSWORD}
    assert "connected to the database lastmile on db.example.com:6543 as store_12" in (
        log_file.read_text(encoding="utf-8")
    )
    assert files_holding(tmp_path, PASSWORD) == []
    assert files_holding(data_dir(), PASSWORD) == []
    assert PASSWORD not in settings_path().read_text(encoding="utf-8")


def test_a_connection_that_fails_is_not_kept_and_the_dialog_says_why(
    qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    tester = FakeTester(ConnectionCheck(False, "The server refused the login store_12."))
    dialog = open_dialog(qtbot, tester)
    fill_in(qtbot, dialog, password="wrong")

    with qtbot.waitSignal(dialog.checked, timeout=WAIT_MS):
        dialog.connect_button.click()

    assert dialog.isVisible()
    assert dialog.answer.text() == "The server refused the login store_12."
    assert saved_server() is None
    assert memory_keyring.passwords == {}


def test_a_missing_field_is_named_before_anything_is_tried(
    qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    tester = FakeTester(ConnectionCheck(True, "Connected."))
    dialog = open_dialog(qtbot, tester)
    qtbot.keyClicks(dialog.host, "db.example.com")

    dialog.test_button.click()

    assert dialog.answer.text() == "Fill in the database and the login to connect."
    assert tester.asked == []


def test_without_a_keyring_the_dialog_says_so_and_keeps_the_password_nowhere(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with keyring_in_use(no_keyring()):
        tester = FakeTester(ConnectionCheck(True, "Connected."))
        dialog = open_dialog(qtbot, tester)
        assert dialog.keyring_note.text() == NO_KEYRING
        fill_in(qtbot, dialog)
        with qtbot.waitSignal(dialog.connected, timeout=WAIT_MS):
            dialog.connect_button.click()

    assert saved_server() == SavedServer(SHOP, PasswordKept.ASK)
    assert files_holding(data_dir(), PASSWORD) == []


def test_the_dialog_opens_on_the_saved_connection_from_the_file_menu(
    qtbot: QtBot, memory_keyring: MemoryKeyring, db: Database
) -> None:
    remember_connection(SHOP, PASSWORD)
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)

    qtbot.keyClick(
        window,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )

    dialog = window.connect_dialog
    assert dialog is not None and dialog.isVisible()
    assert (dialog.host.text(), dialog.port.value(), dialog.database.text()) == (
        SHOP.host,
        SHOP.port,
        SHOP.database,
    )
    assert (dialog.login.text(), dialog.password.text()) == (SHOP.login, "")
    assert dialog.keyring_note.text() == KEYRING_NOTE
    assert window.connect_action.text() == "Connect to a ser&ver..."
    dialog.reject()


def test_the_password_asked_for_at_start_names_the_login_and_why(qtbot: QtBot) -> None:
    dialog = PasswordDialog(SHOP, NO_KEYRING)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.password, PASSWORD)

    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)

    assert dialog.password.text() == PASSWORD
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert NO_KEYRING in texts
    assert "Pass&word for store_12@db.example.com:6543/lastmile (Alt+W):" in texts
