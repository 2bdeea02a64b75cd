"""open_source: every format a head office sends, read into rows with the same conventions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from lastmile_desktop.spreadsheets.errors import ImportFileError
from lastmile_desktop.spreadsheets.readers import file_sha256, open_source
from lastmile_desktop.spreadsheets.readers_csv import CsvSource
from lastmile_desktop.spreadsheets.readers_workbook import clean_cell
from tests.spreadsheets.workbook_builders import (
    CUSTOMER_HEADER,
    Formula,
    customer_rows,
    sheet_xml,
    write_csv,
    write_ods,
    write_raw_xlsx,
    write_xls,
    write_xlsx,
)

MIXED_ROWS: list[list[object]] = [
    ["Name", "Phone", "Since", "Spend", "Visits", "Member"],
    ["Ann", "0612345678", date(2023, 4, 5), 12.5, 3, True],
    ["Bram", 612345679, datetime(2024, 1, 2, 9, 30), 100.0, 0, False],
]


def read_all(path: Path, sheet: str | None = None) -> list[list[object]]:
    with open_source(path) as source:
        name = sheet or source.sheets()[0].name
        return list(source.rows(name))


@pytest.mark.parametrize(
    ("writer", "suffix"),
    [(write_xlsx, ".xlsx"), (write_xlsx, ".xlsm"), (write_xls, ".xls"), (write_ods, ".ods")],
)
def test_each_spreadsheet_format_reads_typed_values(tmp_path: Path, writer, suffix: str) -> None:
    path = writer(tmp_path / f"list{suffix}", {"Customers": MIXED_ROWS})

    rows = read_all(path)

    assert rows[0] == ["Name", "Phone", "Since", "Spend", "Visits", "Member"]
    assert rows[1] == ["Ann", "0612345678", date(2023, 4, 5), 12.5, 3, True]
    # Integral numbers come back as int, whatever the format stored (xlsx stores floats).
    assert rows[2][1] == 612345679 and type(rows[2][1]) is int
    assert rows[2][2] == datetime(2024, 1, 2, 9, 30)
    assert rows[2][3] == 100 and type(rows[2][3]) is int
    assert rows[2][4:] == [0, False]


def test_formula_cells_read_as_the_result_excel_saved(tmp_path: Path) -> None:
    # openpyxl saves formulas without results, so this workbook's XML is written by hand,
    # with each formula's cached <v> value as Excel stores it.
    rows = [
        ["Name", "Total", "Label", "Ok"],
        [
            "Ann",
            Formula("=SUM(2,3)", 5),
            Formula('="Store "&12', "Store 12"),
            Formula("=1=1", True),
        ],
        ["Bram", Formula("=10/4", 2.5), Formula("=A3", "Bram"), Formula("=1=2", False)],
    ]
    path = write_raw_xlsx(tmp_path / "formulas.xlsx", {"List": rows})

    assert read_all(path) == [
        ["Name", "Total", "Label", "Ok"],
        ["Ann", 5, "Store 12", True],
        ["Bram", 2.5, "Bram", False],
    ]


def test_dates_of_a_1904_workbook_read_as_the_same_calendar_dates(tmp_path: Path) -> None:
    rows = [["Name", "Last purchase"], ["Ann", date(2024, 2, 29)], ["Bram", date(1999, 12, 31)]]
    path = write_raw_xlsx(tmp_path / "mac.xlsx", {"List": rows}, date1904=True)

    assert read_all(path)[1:] == [["Ann", date(2024, 2, 29)], ["Bram", date(1999, 12, 31)]]


def test_rows_start_at_row_one_and_keep_columns_in_place(tmp_path: Path) -> None:
    # The table starts at C3: rows 1-2 are empty and columns A-B are padded with None.
    path = write_raw_xlsx(
        tmp_path / "offset.xlsx", {"List": [[], [], [None, None, "Name", "Phone"]]}
    )
    with open_source(path) as source:
        rows = list(source.rows("List"))

    assert rows == [[], [], [None, None, "Name", "Phone"]]


def test_trailing_empty_cells_are_trimmed_and_empty_text_is_none(tmp_path: Path) -> None:
    path = write_raw_xlsx(
        tmp_path / "trim.xlsx",
        {"List": [["Name", "Phone", "", None], ["Ann", "", "x\x00y"]]},
    )

    assert read_all(path) == [["Name", "Phone"], ["Ann", None, "xy"]]


def test_a_time_of_day_cell_reads_as_a_time(tmp_path: Path) -> None:
    path = write_raw_xlsx(tmp_path / "times.xlsx", {"S": [["Called at"], [time(10, 15)]]})

    assert read_all(path) == [["Called at"], [time(10, 15)]]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (timedelta(hours=10, minutes=15), time(10, 15)),  # a duration under a day: a time
        (timedelta(days=10, seconds=54610), "10 days, 15:10:10"),  # longer: kept as text
        (4.0, 4),
        (-3.0, -3),
        (2.5, 2.5),
        (1e20, 1e20),  # beyond exact integers a float stays a float
        ("", None),
        ("a\x00b", "ab"),
    ],
)
def test_calamine_values_are_cleaned_to_the_row_conventions(raw: object, expected: object) -> None:
    cleaned = clean_cell(raw)
    assert cleaned == expected
    assert type(cleaned) is type(expected)


def test_sheets_lists_worksheets_in_order_with_visibility(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx",
        {"Read me": [["About"]], "Customers": MIXED_ROWS, "Old": [["x"]]},
        hidden=["Old"],
    )
    with open_source(path) as source:
        sheets = source.sheets()

    assert [(sheet.name, sheet.index, sheet.visible) for sheet in sheets] == [
        ("Read me", 0, True),
        ("Customers", 1, True),
        ("Old", 2, False),
    ]


def test_chart_sheets_are_not_listed(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Customers"
    workbook.active.append(["Name", "Phone"])
    workbook.create_chartsheet("Chart")
    path = tmp_path / "chart.xlsx"
    workbook.save(path)

    with open_source(path) as source:
        assert [sheet.name for sheet in source.sheets()] == ["Customers"]


def test_each_rows_call_starts_again_at_row_one(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "again.xlsx", {"S": [["a"], ["b"], ["c"]]})
    with open_source(path) as source:
        first = source.rows("S")
        next(first)
        assert list(source.rows("S")) == [["a"], ["b"], ["c"]]


def test_an_unknown_sheet_is_a_clear_error(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", {"Customers": MIXED_ROWS})
    with open_source(path) as source, pytest.raises(ImportFileError) as raised:
        list(source.rows("Klanten"))

    assert str(raised.value) == "book.xlsx has no sheet named 'Klanten' (its sheets: 'Customers')"


@pytest.mark.parametrize(
    ("writer", "real", "named"),
    [
        (write_xlsx, ".xlsx", ".xls"),
        (write_xlsx, ".xlsx", ".ods"),
        (write_xls, ".xls", ".xlsx"),
        (write_ods, ".ods", ".xlsx"),
    ],
)
def test_a_workbook_is_read_by_its_content_whatever_its_suffix(
    tmp_path: Path, writer, real: str, named: str
) -> None:
    written = writer(tmp_path / f"list{real}", {"Customers": MIXED_ROWS})
    renamed = written.rename(tmp_path / f"renamed{named}")

    assert read_all(renamed)[1][0:2] == ["Ann", "0612345678"]


def test_an_upper_case_suffix_is_fine(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "LIST.XLSX", {"Customers": MIXED_ROWS})
    assert read_all(path)[0][0] == "Name"


def test_open_source_closes_and_can_close_twice(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", {"Customers": MIXED_ROWS})
    source = open_source(path)
    source.close()
    source.close()


def test_a_missing_file_and_a_folder_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"^gone\.xlsx was not found"):
        open_source(tmp_path / "gone.xlsx")
    with pytest.raises(ImportFileError, match=r"is a folder, not a file"):
        open_source(tmp_path)


# --- CSV -----------------------------------------------------------------------------------------

CSV_ROWS: list[list[object]] = [
    ["Klant", "Naam", "Telefoon", "Besteed"],
    ["007", "Zoë Müller", "0612345678", "12,50"],
    ["008", "Françoise; née Dupré", "+32 470 12 34 56", "€ 3,00"],
]


@pytest.mark.parametrize(
    ("delimiter", "encoding", "bom"),
    [
        (",", "utf-8", False),
        (",", "utf-8", True),
        (";", "cp1252", False),
        ("\t", "utf-8", False),
        ("\t", "utf-16", False),  # Excel's "Unicode text": UTF-16 with BOM, tab separated
        (";", "utf-16-le", False),  # no BOM: found from the NUL pattern
        ("|", "utf-8", False),
    ],
)
def test_csv_encoding_and_separator_are_found_from_the_content(
    tmp_path: Path, delimiter: str, encoding: str, bom: bool
) -> None:
    path = write_csv(
        tmp_path / "list.csv", CSV_ROWS, delimiter=delimiter, encoding=encoding, bom=bom
    )

    with open_source(path) as source:
        assert isinstance(source, CsvSource)
        assert source.separator == delimiter
        rows = list(source.rows("list"))

    # Text stays as typed: leading zeros, Unicode, decimal commas, quoted separators.
    assert rows == CSV_ROWS


def test_a_csv_sheet_is_named_after_the_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export 2024.csv", CSV_ROWS)
    with open_source(path) as source:
        assert [sheet.name for sheet in source.sheets()] == ["export 2024"]
        with pytest.raises(ImportFileError, match="single sheet 'export 2024'"):
            list(source.rows("Sheet1"))


def test_csv_empty_fields_are_none_and_trailing_ones_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("Name,Phone,Notes\r\nAnn,,\r\n,,\r\nBram,0612,x\r\n", encoding="utf-8")

    assert read_all(path) == [["Name", "Phone", "Notes"], ["Ann"], [], ["Bram", "0612", "x"]]


def test_csv_quoted_fields_may_span_lines_and_count_as_one_row(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text('Name,Notes\nAnn,"calls after\n6 pm"\nBram,ok\n', encoding="utf-8")

    assert read_all(path) == [["Name", "Notes"], ["Ann", "calls after\n6 pm"], ["Bram", "ok"]]


def test_excel_sep_hint_names_the_separator_and_is_not_a_row(tmp_path: Path) -> None:
    path = tmp_path / "hint.csv"
    path.write_text("sep=;\r\nName;Spend\r\nAnn;1,5\r\n", encoding="utf-8")

    with open_source(path) as source:
        assert source.separator == ";"
        assert list(source.rows("hint")) == [["Name", "Spend"], ["Ann", "1,5"]]


def test_a_single_column_csv_is_one_column(tmp_path: Path) -> None:
    path = tmp_path / "phones.csv"
    path.write_text("Phone\n0612345678\n0612345679\n", encoding="utf-8")

    assert read_all(path) == [["Phone"], ["0612345678"], ["0612345679"]]


def test_an_unclosed_quote_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text('Name,Notes\nAnn,"never closed\n' + "Bram,x\n" * 20_000, encoding="utf-8")

    with open_source(path) as source, pytest.raises(ImportFileError) as raised:
        list(source.rows("broken"))

    assert str(raised.value).startswith("broken.csv has a quotation mark that is never closed")


def test_a_line_longer_than_any_record_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("Name,Phone\n" + "x" * 1_100_000 + "\n", encoding="utf-8")

    # The separator sniffing already meets the line, so opening is what fails.
    with pytest.raises(ImportFileError, match=r"^long\.csv has a line longer than"):
        open_source(path)


def test_a_csv_larger_than_any_customer_list_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lastmile_desktop.spreadsheets import readers_csv

    monkeypatch.setattr(readers_csv, "MAX_CSV_BYTES", 1000)
    path = write_csv(tmp_path / "big.csv", [CUSTOMER_HEADER, *customer_rows(50)])

    with pytest.raises(ImportFileError, match=r"^big\.csv is too large to be a customer list"):
        open_source(path)


# --- file_sha256 ---------------------------------------------------------------------------------


def test_file_sha256_is_the_hash_of_the_bytes(tmp_path: Path) -> None:
    import hashlib

    first = write_csv(tmp_path / "a.csv", CSV_ROWS)
    copy = tmp_path / "b.csv"
    copy.write_bytes(first.read_bytes())
    other = write_csv(tmp_path / "c.csv", CSV_ROWS[:2])

    assert file_sha256(first) == hashlib.sha256(first.read_bytes()).hexdigest()
    assert file_sha256(first) == file_sha256(copy)
    assert file_sha256(first) != file_sha256(other)


def test_file_sha256_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"^gone\.csv could not be read"):
        file_sha256(tmp_path / "gone.csv")


def test_sheet_xml_builder_writes_what_the_reader_reads(tmp_path: Path) -> None:
    # The hand-written XML helpers are used by the hostile-file tests: keep them honest.
    content = sheet_xml([["Name"], ["Ann"]], dimension="A1:A2")
    path = write_raw_xlsx(tmp_path / "raw.xlsx", {"S": content})
    assert read_all(path) == [["Name"], ["Ann"]]
