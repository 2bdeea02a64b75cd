"""The import wizard end to end, with the real engine, a real database and real workbooks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lastmile_desktop.importing.model import Field
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Customer
from lastmile_desktop.ui.import_wizard.mapping_editor import EXTRA_LABEL
from lastmile_desktop.ui.import_wizard.page import ImportPage, Step
from tests.ui.import_wizard_helpers import (
    WAIT_MS,
    make_page,
    no_modal_dialog,
    press_back,
    press_next,
    wait_for_step,
    walk_to_validation,
    write_workbook,
)


def stored_customers(db: Database) -> dict[str, Customer]:
    with db.read_session() as session:
        customers = session.scalars(select(Customer)).all()
        session.expunge_all()
    return {customer.external_id or "": customer for customer in customers}


def import_from_validation(qtbot: QtBot, page: ImportPage) -> None:
    with qtbot.waitSignal(page.context.data_changed, timeout=WAIT_MS):
        press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.SUMMARY)


def test_a_workbook_goes_from_file_to_summary_with_every_row_accounted_for(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    path = write_workbook(tmp_path / "lapsed.xlsx")
    page = make_page(qtbot, db)
    assert page.current_step() is Step.FILE
    assert "CSV" in page.file_step.drop_zone.formats.text()

    page.context.import_file_requested.emit(str(path))
    wait_for_step(qtbot, page, Step.LAYOUT)
    # The title row and the blank row above the header are found and skipped.
    assert page.layout_step.current_sheet() == "Customers"
    assert page.layout_step.header_spin.value() == 3
    assert page.layout_step.grid_model.header_row == 3
    assert page.layout_step.grid_model.index(2, 3).data() == "Mobile"

    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.MAPPING)
    editor = page.mapping_step.editor
    assert editor.row_for_header("Mobile").field() is Field.PHONE
    assert editor.row_for_header("Customer no").field() is Field.CUSTOMER_ID
    assert editor.row_for_header("Tier").field() is None
    assert editor.row_for_header("Tier").combo.currentText() == EXTRA_LABEL

    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.VALIDATION)
    counts = page.validation_step.counts.counts
    assert (counts.rows_read, counts.imported, counts.duplicates, counts.rejected) == (5, 3, 1, 1)
    problems = page.validation_step.problems_model.problems()
    assert [problem.row for problem in problems] == [8]
    assert "phone" in problems[0].reason.lower()
    assert page.next_button.text().startswith("Import")

    import_from_validation(qtbot, page)
    summary = page.summary_step.counts.counts
    assert (summary.rows_read, summary.imported, summary.updated) == (5, 3, 0)
    assert (summary.duplicates, summary.rejected, summary.suppressed) == (1, 1, 0)
    assert page.summary_step.counts.identity.text() == (
        "5 rows read = 3 imported + 0 updated + 1 duplicates + 1 rejected + 0 suppressed"
    )
    assert "12" in page.summary_step.details.text()
    assert "14" in page.summary_step.details.text()
    assert sorted(stored_customers(db)) == ["C001", "C002", "C003"]
    assert stored_customers(db)["C002"].phone == "+447911123402"
    assert no_modal_dialog()


def test_a_column_guessed_as_extra_can_be_mapped_to_notes_instead(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    path = write_workbook(tmp_path / "lapsed.xlsx")
    page = make_page(qtbot, db)
    page.context.import_file_requested.emit(str(path))
    wait_for_step(qtbot, page, Step.LAYOUT)
    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.MAPPING)

    tier = page.mapping_step.editor.row_for_header("Tier")
    assert tier.field() is None
    tier.combo.setCurrentIndex(tier.combo.findData(Field.NOTES.value))
    assert tier.confidence.text.text() == "your choice"

    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.VALIDATION)
    import_from_validation(qtbot, page)

    customers = stored_customers(db)
    assert customers["C001"].notes == "gold"
    assert customers["C002"].notes == "silver"
    assert "Tier" not in (customers["C001"].extra or {})


def test_an_unmapped_column_is_kept_with_the_customer_as_an_extra(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    path = write_workbook(tmp_path / "lapsed.xlsx")
    page = make_page(qtbot, db)
    walk_to_validation(qtbot, page, path)
    import_from_validation(qtbot, page)

    customers = stored_customers(db)
    assert customers["C001"].notes is None
    assert (customers["C001"].extra or {}).get("Tier") == "gold"


def test_a_second_file_with_the_same_headers_gets_the_confirmed_mapping_back(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    first = write_workbook(tmp_path / "march.xlsx")
    page = make_page(qtbot, db)
    page.context.import_file_requested.emit(str(first))
    wait_for_step(qtbot, page, Step.LAYOUT)
    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.MAPPING)
    assert not page.mapping_step.remembered.isVisibleTo(page)
    page.mapping_step.editor.set_field(5, Field.NOTES)  # "Tier"
    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.VALIDATION)
    import_from_validation(qtbot, page)

    second = write_workbook(
        tmp_path / "april.xlsx",
        rows=[["C010", "Edsger", "Dijkstra", "07911 123410", "12", "bronze"]],
    )
    press_next(qtbot, page)  # "Import another file"
    assert page.current_step() is Step.FILE
    page.context.import_file_requested.emit(str(second))
    wait_for_step(qtbot, page, Step.LAYOUT)
    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.MAPPING)

    assert page.mapping_step.remembered.isVisibleTo(page)
    assert "Remembered from a previous file" in page.mapping_step.remembered.text()
    assert page.mapping_step.editor.row_for_header("Tier").field() is Field.NOTES


def test_changing_the_sheet_and_the_header_row_reads_the_file_again(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    path = write_workbook(tmp_path / "two sheets.xlsx", readme_sheet=True)
    page = make_page(qtbot, db)
    page.context.import_file_requested.emit(str(path))
    wait_for_step(qtbot, page, Step.LAYOUT)
    assert page.layout_step.current_sheet() == "Customers"
    assert [page.layout_step.sheet_combo.itemData(i) for i in range(2)] == [
        "Read me",
        "Customers",
    ]

    page.layout_step.header_spin.setValue(4)  # the first data row, as if typed
    qtbot.waitUntil(
        lambda: page.preview is not None and page.preview.layout.header_row == 4,
        timeout=WAIT_MS,
    )
    wait_for_step(qtbot, page, Step.LAYOUT)
    assert page.layout_step.grid_model.header_row == 4
    assert page.preview is not None
    assert page.preview.layout.headers[0] == "C001"
    assert page.mapping_step.editor.rows[0].guess.header == "C001"

    page.layout_step.header_spin.setValue(3)
    press_next(qtbot, page)  # Next waits for the preview of row 3, then moves on
    wait_for_step(qtbot, page, Step.MAPPING)
    assert page.mapping_step.editor.rows[0].guess.header == "Customer no"


def test_back_returns_through_the_steps_with_alt_b_and_enter_moves_on(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    path = write_workbook(tmp_path / "lapsed.xlsx")
    page = make_page(qtbot, db)
    walk_to_validation(qtbot, page, path)
    press_back(qtbot, page)
    assert page.current_step() is Step.MAPPING
    press_back(qtbot, page)
    assert page.current_step() is Step.LAYOUT
    assert "Alt+B" in page.back_button.text()
    assert "Alt+N" in page.next_button.text()

    qtbot.keyClick(page.layout_step.grid, Qt.Key.Key_Return)
    assert page.current_step() is Step.MAPPING
