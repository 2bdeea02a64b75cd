"""Starting on a database server that cannot be reached: the start screen says so plainly,
without the password, and offers to connect to a server (or to open another database)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from lastmile_desktop.connection import ServerConnection, remember_connection
from lastmile_desktop.ui.application import Controller
from tests.memory_keyring import MemoryKeyring, keyring_in_use

PASSWORD = "tulip-Harbour-93!"


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


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_server_out_of_reach_at_start_is_said_plainly_with_a_way_to_another(
    qtbot: QtBot, controller: Controller
) -> None:
    port = closed_port()
    shop = ServerConnection("127.0.0.1", port, "lastmile", "store_12")
    with keyring_in_use(MemoryKeyring()):
        remember_connection(shop, PASSWORD)

        assert not controller.open(shop.url(PASSWORD).render_as_string(hide_password=False))

        screen = controller.problem_window
        assert screen is not None and screen.isVisible()
        shown = screen.problem_label.text()
        assert shown.startswith(f"Cannot reach the database server at 127.0.0.1:{port}: ")
        assert shown.endswith("Or connect to another server, or open another database.")
        assert PASSWORD not in shown
        assert screen.connect_button.text() == "Connect to a server...  (Ctrl+Shift+N)"
        dialog = screen.open_connect_dialog()
        qtbot.addWidget(dialog)
        assert (dialog.host.text(), dialog.port.value(), dialog.login.text()) == (
            "127.0.0.1",
            port,
            "store_12",
        )
        dialog.reject()
