"""A database server out of reach is not a bug: the window says so once, in plain words."""

from __future__ import annotations

import sys
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.exc import OperationalError

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.logging_setup import configure_logging
from lastmile_desktop.ui.errors import UNREACHABLE, ExceptionReporter, install_excepthook


@pytest.fixture
def reporter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ExceptionReporter:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    return install_excepthook(configure_logging(tmp_path))


def report_lost_connection() -> None:
    lost = OperationalError(
        "SELECT 1",
        {},
        psycopg.OperationalError(
            'connection failed: connection to server at "10.1.2.3", port 5432 failed: '
            "Connection refused"
        ),
    )
    sys.excepthook(type(lost), lost, None)


def test_a_lost_server_is_said_plainly_once_and_logged_as_a_warning(
    qtbot: QtBot, reporter: ExceptionReporter
) -> None:
    report_lost_connection()
    box = reporter.last_dialog
    assert box is not None
    qtbot.addWidget(box)
    report_lost_connection()  # a second read failing meanwhile: no second box

    assert reporter.last_dialog is box
    assert box.text() == UNREACHABLE
    assert box.detailedText() == ""  # not a bug: no details to send anyone
    assert reporter.log_path is not None
    logged = reporter.log_path.read_text(encoding="utf-8")
    assert "WARNING lastmile: database server out of reach: OperationalError:" in logged
    assert "unhandled exception" not in logged


def test_a_plain_message_about_a_lost_server_keeps_its_own_words(
    qtbot: QtBot, reporter: ExceptionReporter
) -> None:
    lost = OperationalError(
        "SELECT 1", {}, psycopg.OperationalError("server closed the connection unexpectedly")
    )
    said = UserFacingError("Cannot reach the database server at db.example.com:5432.")
    said.__cause__ = lost

    sys.excepthook(type(said), said, None)

    box = reporter.last_dialog
    assert box is not None
    qtbot.addWidget(box)
    assert box.text() == "Cannot reach the database server at db.example.com:5432."
    assert box.windowModality() != Qt.WindowModality.ApplicationModal  # the calls go on
