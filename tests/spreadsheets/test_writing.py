"""Workbooks and CSV files written by spreadsheets.writing, read back with openpyxl."""

from __future__ import annotations

import csv
import stat
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from lastmile_desktop.errors import Cancelled, UserFacingError
from lastmile_desktop.spreadsheets.sheet_xml import excel_serial
from lastmile_desktop.spreadsheets.writing import (
    CellKind,
    Column,
    WorkbookWriter,
    table_titles,
    write_csv,
)

COLUMNS = [
    Column("Text"),
    Column("Count", CellKind.INTEGER),
    Column("Amount", CellKind.MONEY),
    Column("Share", CellKind.PERCENT),
    Column("Day", CellKind.DATE),
    Column("At", CellKind.DATETIME),
    Column("Done", CellKind.BOOLEAN),
    Column("Ratio", CellKind.NUMBER),
]
# OWASP's first characters of a formula, and text XML must escape.
RISKY_TEXTS = [
    "=SUM(A1:A9)",
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "a & <b> 'c' \"d\"",
    "  spaces kept  ",
    "two\r\nlines",
    "Zoë 😀",
]


def write(path: Path, rows: list[list[object]], columns: list[Column] = COLUMNS) -> Path:
    with WorkbookWriter(path) as workbook:
        workbook.add_data_sheet("Data", columns, rows, table="Data")  # type: ignore[arg-type]
    return path


def test_each_kind_is_a_typed_cell_with_its_format(tmp_path: Path) -> None:
    row = ["x", 1234, 1234.5, 0.3142, date(2026, 3, 14), datetime(2026, 3, 14, 17, 30), True, 2.5]
    sheet = openpyxl.load_workbook(write(tmp_path / "k.xlsx", [row]))["Data"]
    cells = sheet[2]
    assert [cell.value for cell in cells] == [
        "x", 1234, 1234.5, 0.3142, datetime(2026, 3, 14), datetime(2026, 3, 14, 17, 30), True, 2.5
    ]  # fmt: skip
    assert [cell.number_format for cell in cells] == [
        "General", "#,##0", "#,##0.00", "0.0%", "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "General",
        "General",
    ]  # fmt: skip
    assert [cell.data_type for cell in cells] == ["s", "n", "n", "n", "d", "d", "b", "n"]


def test_empty_values_leave_empty_cells_and_infinity_is_not_written(tmp_path: Path) -> None:
    rows = [[None, None, None, None, None, None, None, float("inf")], ["y", 2, *[None] * 6]]
    rows.append(["", *[None] * 7])
    path = write(tmp_path / "e.xlsx", rows)
    sheet = openpyxl.load_workbook(path)["Data"]
    assert all(cell.value is None for cell in sheet[2])
    assert all(cell.value is None for cell in sheet[4])
    with zipfile.ZipFile(path) as package:
        assert '<c r="A4"' not in package.read("xl/worksheets/sheet1.xml").decode()
    assert [cell.value for cell in sheet[3]][:2] == ["y", 2]


def test_risky_text_reads_back_as_the_same_characters_in_text_cells(tmp_path: Path) -> None:
    rows = [[text, *[None] * 7] for text in RISKY_TEXTS]
    sheet = openpyxl.load_workbook(write(tmp_path / "r.xlsx", rows))["Data"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2, max_row=len(RISKY_TEXTS) + 1)]
    assert [cell.value for cell in cells] == RISKY_TEXTS
    assert all(cell.data_type == "s" for cell in cells)
    # Formula-like text is marked "quote prefix": Excel keeps it text when it is edited.
    assert [cell.quotePrefix for cell in cells] == [True] * 6 + [False] * 4


def test_titles_an_excel_table_accepts(tmp_path: Path) -> None:
    assert table_titles(["Phone", "phone", "", "Two\nlines", "PHONE"]) == [
        "Phone",
        "phone (2)",
        "Column 3",
        "Two lines",
        "PHONE (3)",
    ]
    columns = [Column("Phone"), Column("phone"), Column("=cmd")]
    sheet = openpyxl.load_workbook(write(tmp_path / "t.xlsx", [["1", "2", "3"]], columns))["Data"]
    assert [cell.value for cell in sheet[1]] == ["Phone", "phone (2)", "=cmd"]
    (table,) = sheet.tables.values()
    assert [column.name for column in table.tableColumns] == ["Phone", "phone (2)", "=cmd"]
    assert sheet["C1"].quotePrefix and sheet["C1"].font.b


def test_a_sheet_without_rows_still_has_its_header_and_table(tmp_path: Path) -> None:
    sheet = openpyxl.load_workbook(write(tmp_path / "n.xlsx", []))["Data"]
    assert [cell.value for cell in sheet[1]] == [column.title for column in COLUMNS]
    assert sheet.tables["Data"].ref == "A1:H2"
    assert sheet.freeze_panes == "A2"


def test_dates_become_the_numbers_excel_keeps() -> None:
    assert excel_serial(date(1900, 3, 1)) == 61
    assert excel_serial(date(2026, 3, 14)) == 46095
    assert excel_serial(datetime(2026, 3, 14, 18, 0)) == 46095.75


def test_an_interrupted_workbook_leaves_no_file_and_keeps_the_older_one(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"older")

    def rows() -> object:
        yield ["a", *[None] * 7]
        raise Cancelled()

    with pytest.raises(Cancelled), WorkbookWriter(target) as workbook:
        workbook.add_data_sheet("Data", COLUMNS, rows(), table="Data")  # type: ignore[arg-type]
    assert target.read_bytes() == b"older"
    assert [path.name for path in tmp_path.iterdir()] == ["out.xlsx"]


def test_a_row_of_the_wrong_width_is_a_bug_not_a_shifted_row(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="row 1 of Data has 2 values"):
        write(tmp_path / "w.xlsx", [["a", 1]])
    assert list(tmp_path.iterdir()) == []


def test_csv_cells_are_guarded_and_typed_as_text(tmp_path: Path) -> None:
    rows = [
        [text, 3, 12.5, 0.25, date(2026, 3, 14), datetime(2026, 3, 14, 9, 5), False, None]
        for text in RISKY_TEXTS[:6]
    ]
    write_csv(tmp_path / "r.csv", COLUMNS, rows)  # type: ignore[arg-type]
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == [column.title for column in COLUMNS]
    assert [line[0] for line in lines[1:]] == ["'" + text for text in RISKY_TEXTS[:6]]
    assert lines[1][1:] == ["3", "12.50", "0.25", "2026-03-14", "2026-03-14 09:05:00", "FALSE", ""]


def test_a_file_that_cannot_be_replaced_says_what_to_do(tmp_path: Path) -> None:
    folder = tmp_path / "out.xlsx"
    folder.mkdir()
    with pytest.raises(UserFacingError, match="is a folder"):
        write(folder, [])


def test_the_file_gets_the_permissions_of_any_new_file(tmp_path: Path) -> None:
    ordinary = tmp_path / "ordinary.txt"
    ordinary.touch()
    written = write(tmp_path / "w.xlsx", [])
    write_csv(tmp_path / "w.csv", COLUMNS, [])
    mode = stat.S_IMODE(ordinary.stat().st_mode)
    assert stat.S_IMODE(written.stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "w.csv").stat().st_mode) == mode
