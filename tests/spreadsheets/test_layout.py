"""detect_layout and iter_records: the list found wherever the head office put it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lastmile_desktop.spreadsheets.errors import ImportFileError
from lastmile_desktop.spreadsheets.layout import (
    SheetLayout,
    column_letter,
    detect_layout,
    iter_records,
)
from lastmile_desktop.spreadsheets.readers import open_source
from tests.spreadsheets.workbook_builders import (
    CUSTOMER_HEADER,
    customer_rows,
    write_csv,
    write_ods,
    write_xls,
    write_xlsx,
)

TITLE_BLOCK: list[list[object]] = [
    ["Lapsed customers - region North"],
    ["Exported 2024-05-01 by head office"],
    [],
]


def layout_and_records(path: Path, **choices: object) -> tuple[SheetLayout, list]:
    with open_source(path) as source:
        layout = detect_layout(source, **choices)  # type: ignore[arg-type]
        return layout, list(iter_records(source, layout))


@pytest.mark.parametrize(
    ("writer", "suffix"), [(write_xlsx, ".xlsx"), (write_xls, ".xls"), (write_ods, ".ods")]
)
def test_title_rows_above_the_header_are_skipped(tmp_path: Path, writer, suffix: str) -> None:
    rows = [*TITLE_BLOCK, CUSTOMER_HEADER, *customer_rows(3)]
    path = writer(tmp_path / f"list{suffix}", {"Customers": rows})

    layout, records = layout_and_records(path)

    assert layout == SheetLayout("Customers", 4, CUSTOMER_HEADER)
    assert [number for number, _ in records] == [5, 6, 7]
    assert records[0][1][:4] == ["C00001", "Bram", "de Vries", "0612345001"]


def test_a_merged_title_across_the_table_does_not_confuse_it(tmp_path: Path) -> None:
    rows = [["Win-back list Q2"], ["Region", "North"], CUSTOMER_HEADER, *customer_rows(4)]
    path = write_xlsx(tmp_path / "merged.xlsx", {"List": rows}, merged={"List": ["A1:I1"]})

    layout, records = layout_and_records(path)

    assert layout.header_row == 3
    assert len(records) == 4


def test_the_list_on_the_second_sheet_after_a_read_me_is_found(tmp_path: Path) -> None:
    read_me = [
        ["Read me"],
        ["This workbook lists customers who have not bought anything in six months."],
        ["Call them from the store, note the outcome, send the file back."],
        ["Columns", "Meaning"],
        ["Phone", "the number to call"],
    ]
    path = write_xlsx(
        tmp_path / "book.xlsx",
        {"Read me": read_me, "Customers": [CUSTOMER_HEADER, *customer_rows(5)]},
    )

    layout, records = layout_and_records(path)

    assert (layout.sheet, layout.header_row) == ("Customers", 1)
    assert len(records) == 5


def test_a_hidden_sheet_is_not_chosen_over_a_visible_list(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx",
        {
            "Old list": [CUSTOMER_HEADER, *customer_rows(50)],
            "Customers": [CUSTOMER_HEADER, *customer_rows(5, start=100)],
        },
        hidden=["Old list"],
    )

    layout, records = layout_and_records(path)

    assert layout.sheet == "Customers"
    assert records[0][1][0] == "C00100"


def test_an_empty_first_sheet_is_passed_over(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx", {"Sheet1": [], "Data": [CUSTOMER_HEADER, *customer_rows(2)]}
    )
    assert layout_and_records(path)[0].sheet == "Data"


def test_blank_rows_inside_the_list_are_skipped_with_true_row_numbers(tmp_path: Path) -> None:
    data = customer_rows(4)
    rows = [CUSTOMER_HEADER, data[0], [], data[1], [None, "  ", None], [], data[2], data[3]]
    path = write_xlsx(tmp_path / "gaps.xlsx", {"List": rows})

    _, records = layout_and_records(path)

    assert [number for number, _ in records] == [2, 4, 7, 8]
    assert [values[0] for _, values in records] == ["C00001", "C00002", "C00003", "C00004"]


def test_a_styled_empty_tail_yields_nothing(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "tail.xlsx",
        {"List": [CUSTOMER_HEADER, *customer_rows(3)]},
        styled_empty_rows=5000,
    )
    with open_source(path) as source:
        layout = detect_layout(source)
        records = list(iter_records(source, layout))
        # The reader stops at the last row with a value, not the last styled row.
        rows_read = sum(1 for _ in source.rows(layout.sheet))

    assert [number for number, _ in records] == [2, 3, 4]
    assert rows_read == 4


def test_records_are_padded_or_cut_to_the_header_width(tmp_path: Path) -> None:
    rows = [["Name", "Phone", "Store"], ["Ann"], ["Bram", "0612", 3]]
    path = write_xlsx(tmp_path / "ragged.xlsx", {"List": rows})

    _, records = layout_and_records(path)

    assert records == [(2, ["Ann", None, None]), (3, ["Bram", "0612", 3])]


def test_a_column_with_data_but_no_header_gets_its_letter(tmp_path: Path) -> None:
    rows = [
        ["Name", None, "Phone"],
        ["Ann", "VIP", "0612", None, "late"],
        ["Bram", None, "0613"],
    ]
    path = write_xlsx(tmp_path / "unnamed.xlsx", {"List": rows})

    layout, records = layout_and_records(path)

    assert layout.headers == ["Name", "Column B", "Phone", "", "Column E"]
    assert records[0] == (2, ["Ann", "VIP", "0612", None, "late"])


def test_header_labels_are_trimmed_and_line_breaks_collapsed(tmp_path: Path) -> None:
    rows = [["  Name ", "Last\npurchase", 2024], ["Ann", date(2024, 1, 2), 5]]
    path = write_xlsx(tmp_path / "labels.xlsx", {"List": rows})

    # A number in the header row is not a label, so the header needs the word-free check
    # to be explicit here.
    layout = layout_and_records(path, header_row=1)[0]

    assert layout.headers == ["Name", "Last purchase", "2024"]


def test_the_row_naming_customer_fields_wins_over_an_earlier_label_row(tmp_path: Path) -> None:
    rows = [
        ["Region", "Period", "Owner", "Status"],
        ["Customer ID", "Name", "Phone", "Store"],
        ["C1", "Ann", "0612345678", 3],
        ["C2", "Bram", "0612345679", 4],
    ]
    path = write_xlsx(tmp_path / "two.xlsx", {"List": rows})

    assert layout_and_records(path)[0].header_row == 2


def test_a_header_in_an_unknown_language_is_still_the_first_label_row(tmp_path: Path) -> None:
    rows = [["Asiakas", "Puhelin", "Myymälä"], ["Aino", "0401234567", 3], ["Eero", "0401234568", 4]]
    path = write_xlsx(tmp_path / "fi.xlsx", {"Lista": rows})

    layout, records = layout_and_records(path)

    assert (layout.header_row, layout.headers) == (1, ["Asiakas", "Puhelin", "Myymälä"])
    assert len(records) == 2


def test_a_one_column_list_is_a_list(tmp_path: Path) -> None:
    path = tmp_path / "phones.csv"
    path.write_text("Phone\n0612345678\n0612345679\n", encoding="utf-8")

    layout, records = layout_and_records(path)

    assert (layout.header_row, layout.headers) == (1, ["Phone"])
    assert records == [(2, ["0612345678"]), (3, ["0612345679"])]


def test_a_csv_with_title_lines_and_semicolons_in_windows_1252(tmp_path: Path) -> None:
    rows = [
        ["Clients à rappeler"],
        [],
        ["N° client", "Prénom", "Nom", "Téléphone", "Dépensé"],
        ["001", "Zoé", "Lefèvre", "06 12 34 56 78", "12,50"],
        ["002", "Raphaël", "Noël", "06 12 34 56 79", "7,00"],
    ]
    path = write_csv(tmp_path / "clients.csv", rows, delimiter=";", encoding="cp1252")

    layout, records = layout_and_records(path)

    assert layout == SheetLayout("clients", 3, rows[2])  # type: ignore[arg-type]
    assert records == [(4, rows[3]), (5, rows[4])]


# --- explicit choices ----------------------------------------------------------------------------


def test_an_explicit_sheet_and_header_row_are_honoured(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx",
        {
            "Customers": [CUSTOMER_HEADER, *customer_rows(5)],
            "Extra": [["Note"], ["Name", "Phone"], ["Ann", "0612"], ["Bram", "0613"]],
        },
    )

    layout, records = layout_and_records(path, sheet="Extra", header_row=2)

    assert layout == SheetLayout("Extra", 2, ["Name", "Phone"])
    assert records == [(3, ["Ann", "0612"]), (4, ["Bram", "0613"])]


def test_an_explicit_header_row_alone_applies_to_the_sheet_that_is_chosen(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx",
        {
            "Read me": [["About this list"]],
            "Customers": [*TITLE_BLOCK, CUSTOMER_HEADER, *customer_rows(2)],
        },
    )

    layout, records = layout_and_records(path, header_row=4)

    assert (layout.sheet, layout.header_row, layout.headers) == ("Customers", 4, CUSTOMER_HEADER)
    assert [number for number, _ in records] == [5, 6]


def test_an_explicit_hidden_sheet_is_read(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx",
        {"Visible": [CUSTOMER_HEADER, *customer_rows(2)], "Hidden": [["Name"], ["Ann"]]},
        hidden=["Hidden"],
    )
    assert layout_and_records(path, sheet="Hidden")[0].headers == ["Name"]


def test_an_explicit_header_row_below_the_title_takes_that_row(tmp_path: Path) -> None:
    rows = [*TITLE_BLOCK, CUSTOMER_HEADER, *customer_rows(2)]
    path = write_xlsx(tmp_path / "list.xlsx", {"List": rows})

    # Choosing the title row as header makes everything below it records.
    layout, records = layout_and_records(path, header_row=1)

    assert layout.headers[0] == "Lapsed customers - region North"
    assert [number for number, _ in records] == [2, 4, 5, 6]


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        (
            {"sheet": "Klanten"},
            "book.xlsx has no sheet named 'Klanten' (its sheets: 'Customers')",
        ),
        (
            {"header_row": 40},
            "book.xlsx: the sheet 'Customers' has only 3 rows, so row 40 cannot be the header",
        ),
        (
            {"header_row": 2},
            "book.xlsx: row 2 of the sheet 'Customers' is empty: "
            "choose the row that holds the column names",
        ),
        ({"header_row": 0}, "book.xlsx: the header row must be 1 or more, not 0"),
    ],
)
def test_impossible_explicit_choices_are_clear_errors(
    tmp_path: Path, choices: dict[str, object], message: str
) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx", {"Customers": [CUSTOMER_HEADER, [], customer_rows(1)[0]]}
    )
    with pytest.raises(ImportFileError) as raised:
        layout_and_records(path, **choices)
    assert str(raised.value) == message


def test_a_sheet_named_with_other_case_or_spaces_is_found(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", {"Customers": [CUSTOMER_HEADER, customer_rows(1)[0]]})
    assert layout_and_records(path, sheet=" customers ")[0].sheet == "Customers"


# --- nothing to import ---------------------------------------------------------------------------


def test_a_header_without_rows_is_a_clear_error(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "customers.xlsx", {"List": [*TITLE_BLOCK, CUSTOMER_HEADER]})

    with pytest.raises(ImportFileError) as raised:
        layout_and_records(path)

    assert str(raised.value) == "customers.xlsx: the sheet 'List' has a header but no rows"


def test_a_header_followed_only_by_styled_empty_rows_has_no_rows(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "customers.xlsx", {"List": [CUSTOMER_HEADER]}, styled_empty_rows=50
    )

    with pytest.raises(ImportFileError, match="has a header but no rows"):
        layout_and_records(path)


def test_a_workbook_of_notes_holds_no_table(tmp_path: Path) -> None:
    notes = [["Read me"], [], ["The list follows next week."], ["Questions: call head office."]]
    path = write_xlsx(tmp_path / "notes.xlsx", {"Read me": notes, "Empty": []})

    with pytest.raises(ImportFileError) as raised:
        layout_and_records(path)

    assert str(raised.value).startswith("notes.xlsx holds no table to import")


def test_a_sheet_of_numbers_only_holds_no_table(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "numbers.xlsx", {"S": [[1, 2, 3], [4, 5, 6]]})
    with pytest.raises(ImportFileError, match="holds no table"):
        layout_and_records(path)


def test_an_empty_csv_holds_no_table(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("\r\n\r\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"^empty\.csv holds no table"):
        layout_and_records(path)


def test_a_header_far_below_a_long_title_block_is_found_when_asked(tmp_path: Path) -> None:
    rows: list[list[object]] = [[f"note {number}"] for number in range(70)]
    rows += [CUSTOMER_HEADER, *customer_rows(2)]
    path = write_xlsx(tmp_path / "deep.xlsx", {"List": rows})

    layout, records = layout_and_records(path, header_row=71)

    assert layout.headers == CUSTOMER_HEADER
    assert [number for number, _ in records] == [72, 73]


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (16383, "XFD")]
)
def test_column_letters_match_the_spreadsheet(index: int, letters: str) -> None:
    assert column_letter(index) == letters
