"""The wizard's table models and small helpers, on their own."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from lastmile_desktop.importing.model import (
    BucketCounts,
    ColumnGuess,
    Field,
    RejectedRowsTable,
    RejectedRowValues,
    RowProblem,
)
from lastmile_desktop.ui.import_wizard.columns import column_letter
from lastmile_desktop.ui.import_wizard.counts_view import identity_line
from lastmile_desktop.ui.import_wizard.grid_model import (
    ABOVE_HEADER_TEXT,
    HEADER_BACKGROUND,
    PreviewGridModel,
)
from lastmile_desktop.ui.import_wizard.mapping_editor import EXTRA_LABEL, MappingEditor
from lastmile_desktop.ui.import_wizard.problems_model import (
    REASON_COLUMN,
    ROW_COLUMN,
    SORT_ROLE,
    RowProblemsModel,
)


@pytest.mark.parametrize(
    ("position", "letters"), [(0, "A"), (2, "C"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")]
)
def test_columns_are_named_as_excel_names_them(position: int, letters: str) -> None:
    assert column_letter(position) == letters


def test_the_preview_grid_marks_the_header_row_and_dims_the_rows_above(
    qtmodeltester: ModelTester,
) -> None:
    model = PreviewGridModel()
    model.set_grid([["Spring list"], [], ["Id", "Phone", "Store"], ["C1", "0770", "12"]], 3)
    qtmodeltester.check(model)

    assert (model.rowCount(), model.columnCount()) == (4, 3)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "B"
    assert model.headerData(2, Qt.Orientation.Vertical) == "3"
    assert model.index(1, 2).data() == ""  # a short row reads as empty cells
    assert model.index(2, 0).data(Qt.ItemDataRole.BackgroundRole).color() == HEADER_BACKGROUND
    assert model.index(2, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole).color() == ABOVE_HEADER_TEXT
    assert model.index(3, 0).data(Qt.ItemDataRole.ForegroundRole) is None

    model.set_header_row(1)
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole).color() == HEADER_BACKGROUND
    assert model.index(2, 0).data(Qt.ItemDataRole.BackgroundRole) is None


def test_the_problems_table_sorts_rows_as_numbers(qtmodeltester: ModelTester) -> None:
    model = RowProblemsModel()
    model.set_problems([RowProblem(9, "no phone"), RowProblem(10, "duplicate of row 4")])
    qtmodeltester.check(model)

    assert model.index(1, ROW_COLUMN).data() == "10"
    assert model.index(1, ROW_COLUMN).data(SORT_ROLE) == 10
    assert model.index(0, REASON_COLUMN).data() == "no phone"
    assert model.headerData(REASON_COLUMN, Qt.Orientation.Horizontal) == "Reason"


def test_rejected_rows_show_their_values_under_the_files_columns(
    qtmodeltester: ModelTester,
) -> None:
    model = RowProblemsModel()
    model.set_rejected_rows(
        RejectedRowsTable(
            ("Name", "Mobile"),
            (
                RejectedRowValues(
                    9, 'phone "call his wife" is not a number', ("Al", "call his wife")
                ),
                RejectedRowValues(12, "no phone number that can be dialled", ("Bo", "")),
            ),
        )
    )
    qtmodeltester.check(model)

    assert model.columnCount() == 4
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Mobile"
    assert [model.index(0, column).data() for column in range(4)] == [
        "9",
        'phone "call his wife" is not a number',
        "Al",
        "call his wife",
    ]
    assert model.index(1, 3).data() == ""
    model.set_problems([RowProblem(3, "no phone")])
    assert model.columnCount() == 2


def test_the_identity_line_adds_up_every_bucket() -> None:
    counts = BucketCounts(
        rows_read=10, imported=4, updated=2, duplicates=1, rejected=2, suppressed=1
    )
    assert identity_line(counts) == (
        "10 rows read = 4 imported + 2 updated + 1 duplicates + 2 rejected + 1 suppressed"
    )
    assert "≠" in identity_line(BucketCounts(rows_read=3, imported=1))


def test_the_mapping_editor_flags_guesses_made_from_the_values_alone(qtbot: QtBot) -> None:
    editor = MappingEditor()
    qtbot.addWidget(editor)
    editor.set_guesses(
        [
            ColumnGuess(0, "Mobile", Field.PHONE, 1.0, ["07911 123401"]),
            ColumnGuess(1, "Contact", Field.PHONE_ALT, 0.75, ["07911 123402"]),
            ColumnGuess(2, "Tier", None, 1.0, ["gold"]),
        ]
    )
    mobile, contact, tier = editor.rows

    assert (mobile.confidence.level, mobile.confidence.text.text()) == ("high", "100%")
    assert contact.confidence.level == "low"
    assert "check this" in contact.confidence.text.text()
    assert tier.confidence.level == "none"
    assert tier.combo.currentText() == EXTRA_LABEL
    assert editor.mapping() == {0: Field.PHONE, 1: Field.PHONE_ALT, 2: None}

    with qtbot.waitSignal(editor.mapping_changed):
        editor.set_field(2, Field.NOTES)
    assert tier.confidence.level == "user"
    assert editor.is_overridden()
