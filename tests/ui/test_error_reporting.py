from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.logging_setup import PHONE_PLACEHOLDER, configure_logging, scrub_personal_data
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Customer
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


PERSONAL = ("Philippa", "Quarrington", "7700900461", "7700 900461", "pq@example.org")


def test_a_database_error_on_a_customer_leaves_no_personal_data_in_the_log_or_the_dialog(
    qtbot: QtBot, reporter: ExceptionReporter, db: Database
) -> None:
    with db.session() as session:
        session.add(Customer(first_name="Ann", phone="+447700900001"))
    with db.read_session() as session:
        taken = session.scalars(select(Customer.uuid)).one()
    # A bug's database error: a second customer with the first one's uuid.
    with pytest.raises(IntegrityError) as caught, db.session() as session:
        session.add(
            Customer(
                uuid=taken,
                first_name="Philippa",
                last_name="Quarrington",
                phone="+447700900461",
                email="pq@example.org",
                notes="call 07700 900461 after six",
            )
        )

    sys.excepthook(caught.type, caught.value, caught.tb)

    assert reporter.log_path is not None
    logged = reporter.log_path.read_text(encoding="utf-8")
    assert "IntegrityError" in logged and "customers.uuid" in logged  # still useful to support
    dialog = reporter.last_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    for text in PERSONAL:
        assert text not in logged, text
        assert text not in dialog.detailedText(), text
        assert text not in dialog.text(), text


def test_phone_numbers_emails_and_sql_parameters_are_scrubbed_from_any_logged_text() -> None:
    text = (
        "could not parse +44 (0)7700 900461 or 07700-900-461 for philippa.q@example.org\n"
        "[parameters: ('Philippa', '+447700900461')]\n"
        'File "/app/lastmile_desktop/importing/rows.py", line 1234, in read\n'
        "imported 2025-03-02 10:15:00.123456+00:00 into campaign 7, 125000 rows, uuid 9f1c2d3e-4b5a"
    )
    scrubbed = scrub_personal_data(text)
    for secret in ("7700", "900461", "philippa.q", "Philippa"):
        assert secret not in scrubbed, secret
    assert scrubbed.count(PHONE_PLACEHOLDER) == 2
    assert "[email]" in scrubbed
    # What support needs stays: code locations, dates, times, counts, ids.
    assert 'rows.py", line 1234, in read' in scrubbed
    assert "imported 2025-03-02 10:15:00.123456+00:00 into campaign 7, 125000 rows" in scrubbed
    assert "uuid 9f1c2d3e-4b5a" in scrubbed
