"""Single steps of the wizard: dates read two ways, two columns on one field, rejected rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.importing.model import Field
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Customer
from lastmile_desktop.ui.import_wizard.page import Step
from tests.ui.import_wizard_helpers import (
    HEADERS,
    ROWS,
    WAIT_MS,
    make_page,
    press_next,
    press_shortcut,
    wait_for_step,
    walk_to_validation,
    write_workbook,
)


def test_dates_that_read_both_ways_are_asked_about_and_the_answer_is_used(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    rows = [
        ["C001", "Ada", "Lovelace", "07911 123401", "03/04/2024"],
        ["C002", "Grace", "Hopper", "07911 123402", "05/06/2024"],
    ]
    path = write_workbook(
        tmp_path / "dates.xlsx",
        rows=rows,
        headers=["Customer no", "First name", "Surname", "Mobile", "Last visit"],
    )
    page = make_page(qtbot, db)
    page.open_file(path)
    wait_for_step(qtbot, page, Step.LAYOUT)
    press_next(qtbot, page)

    question = page.mapping_step.date_question
    assert question.isVisibleTo(page)
    assert "“Last visit”" in question.sentence.text()
    assert question.order() is DateOrder.DAY_FIRST  # how dates are written in GB
    assert "(GB)" in question.default_note.text()

    question.month_first.click()
    assert page.mapping_step.date_order() is DateOrder.MONTH_FIRST
    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.VALIDATION)
    with qtbot.waitSignal(page.context.data_changed, timeout=WAIT_MS):
        press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.SUMMARY)

    with db.read_session() as session:
        found = session.execute(select(Customer.external_id, Customer.last_purchase_date))
        dates = {row.external_id: row.last_purchase_date for row in found}
    assert dates == {"C001": date(2024, 3, 4), "C002": date(2024, 5, 6)}


def test_no_question_about_dates_when_the_file_leaves_no_doubt(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)
    page.open_file(write_workbook(tmp_path / "lapsed.xlsx"))
    wait_for_step(qtbot, page, Step.LAYOUT)
    press_next(qtbot, page)
    assert not page.mapping_step.date_question.isVisibleTo(page)
    assert page.mapping_step.date_order() is None


def test_two_columns_on_one_field_stop_the_wizard_until_one_is_changed(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)
    page.open_file(write_workbook(tmp_path / "lapsed.xlsx"))
    wait_for_step(qtbot, page, Step.LAYOUT)
    press_next(qtbot, page)
    editor = page.mapping_step.editor

    editor.set_field(HEADERS.index("Tier"), Field.PHONE)
    assert not page.next_button.isEnabled()
    assert page.mapping_step.problem.tone == "error"
    assert "Phone is chosen twice" in page.mapping_step.problem.text()

    editor.set_field(HEADERS.index("Tier"), None)
    assert page.next_button.isEnabled()
    assert not page.mapping_step.problem.isVisibleTo(page)


def test_with_no_column_on_phone_every_row_is_rejected_and_import_is_not_offered(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)
    page.open_file(write_workbook(tmp_path / "lapsed.xlsx"))
    wait_for_step(qtbot, page, Step.LAYOUT)
    press_next(qtbot, page)

    page.mapping_step.editor.set_field(HEADERS.index("Mobile"), None)

    assert page.mapping_step.problem.tone == "warning"
    assert "every row would be rejected" in page.mapping_step.problem.text()
    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.VALIDATION)
    assert page.validation_step.counts.counts.rejected == len(ROWS)
    assert "Nothing would be imported" in page.validation_step.status.text()
    assert not page.next_button.isEnabled()


def test_rejected_rows_can_be_viewed_and_exported_after_the_import(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)
    walk_to_validation(qtbot, page, write_workbook(tmp_path / "lapsed.xlsx"))
    with qtbot.waitSignal(page.context.data_changed, timeout=WAIT_MS):
        press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.SUMMARY)
    summary = page.summary_step
    assert not summary.rejected_table.isVisibleTo(page)

    summary.view_button.click()
    qtbot.waitUntil(lambda: summary.rejected_table.isVisibleTo(page), timeout=WAIT_MS)
    problems = summary.rejected_model.problems()
    assert [problem.row for problem in problems] == [8]

    target = tmp_path / "rejects"  # no suffix: saved as a workbook
    summary.export_rejected_rows(target)
    qtbot.waitUntil(lambda: summary.message.tone == "success", timeout=WAIT_MS)
    written = tmp_path / "rejects.xlsx"
    assert str(written) in summary.message.text()
    sheet = load_workbook(written, read_only=True).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == 8
    assert "phone" in str(values[1][1]).lower()


def test_viewing_rejected_rows_shows_what_the_row_held_under_the_files_own_columns(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)
    walk_to_validation(qtbot, page, write_workbook(tmp_path / "lapsed.xlsx"))
    with qtbot.waitSignal(page.context.data_changed, timeout=WAIT_MS):
        press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.SUMMARY)
    summary = page.summary_step

    press_shortcut(qtbot, page, summary.view_button, Qt.Key.Key_V)
    qtbot.waitUntil(lambda: summary.rejected_table.isVisibleTo(page), timeout=WAIT_MS)

    model = summary.rejected_model
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles == ["Row", "Reason", *HEADERS]
    shown = [model.index(0, column).data() for column in range(model.columnCount())]
    reason = 'phone "12" is not a valid GB number'
    assert shown == ["8", reason, "C004", "Nobody", "Known", "12", "14", ""]


def test_a_summary_without_rejected_rows_offers_nothing_to_view(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)
    walk_to_validation(qtbot, page, write_workbook(tmp_path / "clean.xlsx", rows=ROWS[:3]))
    assert page.validation_step.no_problems.isVisibleTo(page)
    with qtbot.waitSignal(page.context.data_changed, timeout=WAIT_MS):
        press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.SUMMARY)

    assert not page.summary_step.view_button.isEnabled()
    assert not page.summary_step.export_button.isEnabled()
