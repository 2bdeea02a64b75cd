from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.logging_setup import configure_logging
from lastmile_desktop.ui.errors import ExceptionReporter, install_excepthook


@pytest.fixture
def reporter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ExceptionReporter:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    return install_excepthook(configure_logging(tmp_path))


def raise_and_report(error: BaseException) -> None:
    try:
        raise error
    except BaseException as caught:
        sys.excepthook(type(caught), caught, caught.__traceback__)


def test_an_unhandled_exception_is_logged_and_shown_with_details_behind_a_button(
    qtbot: QtBot, reporter: ExceptionReporter
) -> None:
    raise_and_report(ZeroDivisionError("division by zero in the leaderboard"))

    dialog = reporter.last_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert "division by zero in the leaderboard" in dialog.text()
    assert "Traceback" in dialog.detailedText()
    assert "raise_and_report" in dialog.detailedText()
    details_buttons = [
        b for b in dialog.findChildren(QPushButton) if "Details" in b.text().replace("&", "")
    ]
    assert details_buttons, "the details sit behind a button"
    assert reporter.log_path is not None
    logged = reporter.log_path.read_text(encoding="utf-8")
    assert "ZeroDivisionError: division by zero in the leaderboard" in logged


def test_a_slot_that_raises_reaches_the_reporter_instead_of_vanishing(
    qtbot: QtBot, reporter: ExceptionReporter
) -> None:
    button = QPushButton("Do it")
    qtbot.addWidget(button)

    def broken_slot() -> None:
        raise KeyError("missing store")

    button.clicked.connect(broken_slot)
    with qtbot.capture_exceptions():
        button.click()
    # pytest-qt captures what reaches sys.excepthook; our reporter is what the app installs.
    raise_and_report(KeyError("missing store"))
    assert reporter.last_dialog is not None
    qtbot.addWidget(reporter.last_dialog)
    assert "missing store" in reporter.last_dialog.text()


def test_a_problem_the_user_can_fix_shows_only_the_plain_message(
    qtbot: QtBot, reporter: ExceptionReporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: shown.append(text))
    raise_and_report(UserFacingError("The file is open in Excel: close it and try again."))
    assert shown == ["The file is open in Excel: close it and try again."]
    assert reporter.last_dialog is None
