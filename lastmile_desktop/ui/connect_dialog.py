"""File > Connect to a server...: a store PC (or the lead's) chooses the chain's database server.

The connection is tried off the screen's thread, with the result in plain words under the
form; Connect tries it too and, when it works, remembers it (the address in the data folder,
the password in the system keyring: connection.py) and opens it. Without a usable keyring
the dialog says so before anything is typed: the app then asks for the password each time
it starts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.connection import (
    DEFAULT_PORT,
    ConnectionCheck,
    Remembered,
    SavedServer,
    ServerConnection,
    check_connection,
    keyring_problem,
    remember_connection,
    saved_server,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.ui.worker import Task, run_task

log = logging.getLogger("lastmile.connection")

CONNECT_SHORTCUT = "Ctrl+Shift+N"
KEYRING_NOTE = "The password is kept in this computer's system keyring, never in a file."
OK_STYLE = "color: #1b6e2a;"
PROBLEM_STYLE = "color: #a31515;"

ConnectionTester = Callable[[ServerConnection, str | None], ConnectionCheck]
ConnectionKeeper = Callable[[ServerConnection, str | None], Remembered]


@dataclass(frozen=True)
class _Attempt:
    check: ConnectionCheck
    remembered: Remembered | None  # set when Connect found it working and kept it


class ConnectDialog(QDialog):
    # The server to open now, as a URL with its password (kept in memory only).
    connected = Signal(str)
    # A try finished, from either button: the ConnectionCheck.
    checked = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        saved: SavedServer | None = None,
        tester: ConnectionTester = check_connection,
        keeper: ConnectionKeeper = remember_connection,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to a server")
        self.setObjectName("connectDialog")
        self.tester = tester
        self.keeper = keeper
        self._task: Task[_Attempt] | None = None

        intro = QLabel(
            "A chain works on one database server: every store PC connects to it with its "
            "store's login, the regional lead with the lead's."
        )
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        self.host = QLineEdit()
        self.host.setPlaceholderText("db.example.com")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.database = QLineEdit()
        self.database.setPlaceholderText("lastmile")
        self.login = QLineEdit()
        self.login.setPlaceholderText("your store's login, or the lead's")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        if saved is not None:
            connection = saved.connection
            self.host.setText(connection.host)
            self.port.setValue(connection.port)
            self.database.setText(connection.database)
            self.login.setText(connection.login)

        form = QFormLayout()
        form.addRow("&Server (Alt+S):", self.host)
        form.addRow("P&ort (Alt+O):", self.port)
        form.addRow("&Database (Alt+D):", self.database)
        form.addRow("&Login (Alt+L):", self.login)
        form.addRow("Pass&word (Alt+W):", self.password)

        self.keyring_note = QLabel(keyring_problem() or KEYRING_NOTE)
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setObjectName("hint")
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        self.answer.hide()

        self.test_button = QPushButton("&Test the connection  (Alt+T)")
        self.test_button.clicked.connect(self.test)
        self.connect_button = QPushButton("&Connect  (Enter)")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.connect_to_server)
        self.cancel_button = QPushButton("Cancel  (Esc)")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.connect_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.answer)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)

    # -- the form -------------------------------------------------------------------------------
    def chosen(self) -> ServerConnection:
        """The connection typed in; UserFacingError when a field is missing."""
        return ServerConnection.checked(
            self.host.text(), self.port.value(), self.database.text(), self.login.text()
        )

    def show_result(self, text: str, ok: bool) -> None:
        self.answer.setText(text)
        self.answer.setStyleSheet(OK_STYLE if ok else PROBLEM_STYLE)
        self.answer.show()

    def _set_busy(self, busy: bool) -> None:
        for button in (self.test_button, self.connect_button):
            button.setEnabled(not busy)

    # -- trying ---------------------------------------------------------------------------------
    def test(self) -> None:
        """Alt+T: try the connection and say how it went; nothing is kept."""
        self._try(keep=False)

    def connect_to_server(self) -> None:
        """Enter: try the connection; when it works, keep it and open it."""
        self._try(keep=True)

    def _try(self, *, keep: bool) -> None:
        if self._task is not None and not self._task.done:
            return
        try:
            connection = self.chosen()
        except UserFacingError as error:
            self.show_result(str(error), ok=False)
            return
        password = self.password.text() or None
        tester, keeper = self.tester, self.keeper

        def attempt(_progress: object) -> _Attempt:
            check = tester(connection, password)
            if not keep or not check.connected:
                return _Attempt(check, None)
            return _Attempt(check, keeper(connection, password))

        self._set_busy(True)
        self.show_result(f"Trying {connection.host}:{connection.port}...", ok=True)
        self._task = run_task(
            attempt,
            on_success=lambda result: self._tried(connection, password, result),
            on_error=self._failed,
        )

    def _tried(self, connection: ServerConnection, password: str | None, result: _Attempt) -> None:
        self._set_busy(False)
        check, remembered = result.check, result.remembered
        text = check.message if remembered is None else f"{check.message} {remembered.message}"
        self.show_result(text, ok=check.connected)
        self.checked.emit(check)
        if remembered is None:
            return
        log.info("connected to %s; %s", connection.describe(), remembered.message)
        self.connected.emit(connection.url(password).render_as_string(hide_password=False))
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(error, UserFacingError):
            raise error  # a bug: the app's error reporter shows it
        self.show_result(str(error), ok=False)


def open_connect_dialog(parent: QWidget, on_connected: Callable[[str], object]) -> ConnectDialog:
    """The dialog, filled in with the saved connection, open over ``parent``; once it has
    connected, ``on_connected`` gets the server's URL to open."""
    saved: SavedServer | None
    try:
        saved = saved_server()
    except UserFacingError:
        saved = None  # unreadable: typed in again, and saved over
    dialog = ConnectDialog(parent, saved=saved)
    dialog.connected.connect(on_connected)
    dialog.open()
    return dialog


class PasswordDialog(QDialog):
    """At start: the saved server's password, when the keyring does not keep it (and why)."""

    def __init__(
        self, connection: ServerConnection, why: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Password for the database server")
        self.setObjectName("passwordDialog")
        reason = QLabel(why)
        reason.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(f"Pass&word for {connection.keyring_user} (Alt+W):", self.password)
        connect_button = QPushButton("Connect  (Enter)")
        connect_button.setDefault(True)
        connect_button.clicked.connect(self.accept)
        cancel_button = QPushButton("Cancel  (Esc)")
        cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(connect_button)
        buttons.addWidget(cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(reason)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)


def ask_password_at_start(connection: ServerConnection, why: str) -> str | None:
    """The password typed at start; None when the person cancelled."""
    dialog = PasswordDialog(connection, why)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.password.text()
