"""The wizard when things go wrong: bad files, Cancel, a repeated file, a bug in the engine."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.importing.model import ImportOptions, ImportSummary
from lastmile_desktop.importing.service import run_import
from lastmile_desktop.progress import Progress
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.import_wizard.backend import ImportBackend
from lastmile_desktop.ui.import_wizard.page import Step
from tests.spreadsheets.workbook_builders import write_billion_laughs_xlsx
from tests.ui.import_wizard_helpers import (
    WAIT_MS,
    database_content,
    make_page,
    no_modal_dialog,
    press_next,
    wait_for_step,
    walk_to_validation,
    write_workbook,
)


class GatedImport(ImportBackend):
    """The real import, held at its first progress report until the test lets it go on."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()

    def run_import(
        self,
        db: Database,
        path: Path,
        options: ImportOptions,
        progress: Progress,
        profile: Profile,
    ) -> ImportSummary:
        gate = self

        class HeldProgress:
            def report(self, done: int, total: int | None, message: str = "") -> None:
                if not gate.reached.is_set():
                    gate.reached.set()
                    gate.release.wait(WAIT_MS / 1000)
                progress.report(done, total, message)

        return super().run_import(db, path, options, HeldProgress(), profile)


class BrokenImport(ImportBackend):
    def run_import(
        self,
        db: Database,
        path: Path,
        options: ImportOptions,
        progress: Progress,
        profile: Profile,
    ) -> ImportSummary:
        raise RuntimeError("the engine tripped over its own feet")


def test_a_file_that_is_not_a_spreadsheet_gets_a_one_line_error_on_the_page(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    fake = tmp_path / "customers.xlsx"
    fake.write_text("name,phone\nAda,07700900001\n", encoding="utf-8")
    page = make_page(qtbot, db)

    page.open_file(fake)
    qtbot.waitUntil(lambda: page.file_step.message.isVisibleTo(page), timeout=WAIT_MS)

    message = page.file_step.message.text()
    assert message.startswith("customers.xlsx")
    assert "\n" not in message
    assert page.file_step.message.tone == "error"
    assert page.current_step() is Step.FILE
    assert page.path is None
    assert no_modal_dialog()


def test_a_hostile_workbook_is_refused_on_the_page_in_plain_words(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)

    page.open_file(write_billion_laughs_xlsx(tmp_path / "from head office.xlsx"))
    qtbot.waitUntil(lambda: page.file_step.message.isVisibleTo(page), timeout=WAIT_MS)

    assert page.file_step.message.text() == (
        "from head office.xlsx contains instructions that could harm the computer; open it "
        "in Excel and save it again as .xlsx"
    )
    assert page.current_step() is Step.FILE


def test_a_good_file_after_a_bad_one_clears_the_error(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    page = make_page(qtbot, db)
    page.open_file(bad)
    qtbot.waitUntil(lambda: page.file_step.message.isVisibleTo(page), timeout=WAIT_MS)

    page.open_file(write_workbook(tmp_path / "lapsed.xlsx"))
    wait_for_step(qtbot, page, Step.LAYOUT)
    assert not page.file_step.message.isVisibleTo(page)


def test_cancel_during_the_import_leaves_the_database_as_it_was(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    path = write_workbook(tmp_path / "lapsed.xlsx")
    backend = GatedImport()
    page = make_page(qtbot, db, backend)
    walk_to_validation(qtbot, page, path)
    before = database_content(db)

    press_next(qtbot, page)
    assert page.current_step() is Step.IMPORTING
    qtbot.waitUntil(backend.reached.is_set, timeout=WAIT_MS)
    with qtbot.waitSignal(page.progress_step.cancel_button.clicked, timeout=WAIT_MS):
        qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert not page.progress_step.cancel_button.isEnabled()
    backend.release.set()
    wait_for_step(qtbot, page, Step.VALIDATION)

    assert "cancelled" in page.validation_step.status.text().lower()
    assert "Nothing was saved" in page.validation_step.status.text()
    assert database_content(db) == before
    assert page.summary is None


def test_a_file_imported_before_asks_before_importing_again(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_workbook(tmp_path / "lapsed.xlsx")
    page = make_page(qtbot, db)
    walk_to_validation(qtbot, page, path)
    assert not page.validation_step.repeat.isVisibleTo(page)
    with qtbot.waitSignal(page.context.data_changed, timeout=WAIT_MS):
        press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.SUMMARY)

    questions: list[str] = []
    answer = QMessageBox.StandardButton.Cancel

    def ask(*args: object, **_kwargs: object) -> QMessageBox.StandardButton:
        questions.append(str(args[2]))
        return answer

    monkeypatch.setattr(QMessageBox, "question", ask)
    walk_to_validation(qtbot, page, path)
    warning = page.validation_step.repeat.text()
    assert "imported before" in warning
    assert "Nothing will be imported twice" in warning
    before = database_content(db)

    press_next(qtbot, page)  # answered Cancel: nothing happens
    assert len(questions) == 1
    assert page.current_step() is Step.VALIDATION
    assert database_content(db) == before

    answer = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(page.context.data_changed, timeout=WAIT_MS):
        press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.SUMMARY)
    counts = page.summary_step.counts.counts
    assert counts.imported == 0
    assert counts.updated == 3
    assert counts.accounted_for


def test_a_bug_in_the_engine_reaches_the_error_reporter_and_the_page_recovers(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _t, error, _tb: reported.append(error))
    page = make_page(qtbot, db, BrokenImport())
    walk_to_validation(qtbot, page, write_workbook(tmp_path / "lapsed.xlsx"))

    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.VALIDATION)

    assert [str(error) for error in reported] == ["the engine tripped over its own feet"]
    assert "Nothing was saved" in page.validation_step.status.text()
    assert page.next_button.isEnabled()


def test_a_file_imported_elsewhere_meanwhile_is_checked_again_instead_of_imported_twice(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_workbook(tmp_path / "lapsed.xlsx")
    page = make_page(qtbot, db)
    walk_to_validation(qtbot, page, path)
    assert not page.validation_step.repeat.isVisibleTo(page)
    run_import(db, path, ImportOptions())  # the command line, while the wizard waited
    before = database_content(db)

    press_next(qtbot, page)
    qtbot.waitUntil(lambda: page.validation_step.repeat.isVisibleTo(page), timeout=WAIT_MS)
    wait_for_step(qtbot, page, Step.VALIDATION)

    assert "imported before" in page.validation_step.repeat.text()
    assert page.next_button.text().startswith("Import again")
    assert database_content(db) == before
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.No)
    press_next(qtbot, page)
    assert page.current_step() is Step.VALIDATION
