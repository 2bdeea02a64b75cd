"""Lists as head offices send them: other formats, title rows, odd columns, dates as text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.importing.model import ImportOptions, ImportSummary
from lastmile_desktop.importing.service import inspect_file
from lastmile_desktop.storage import Database
from tests.importing.service_support import (
    HEADER,
    customer,
    customers_by_id,
    import_list,
    mobile,
    mobile_e164,
    store_codes,
)
from tests.spreadsheets.workbook_builders import (
    Formula,
    write_csv,
    write_ods,
    write_raw_xlsx,
    write_xls,
    write_xlsx,
)

ROWS = [customer(1), customer(2), customer(3)]


def assert_three_customers(db: Database, summary: ImportSummary) -> None:
    assert summary.counts.rows_read == 3
    assert summary.counts.imported == 3
    found = customers_by_id(db)
    assert found["C0001"].phone == mobile_e164(1)
    assert found["C0002"].last_name == "Last2"
    assert found["C0003"].last_purchase_date == date(2024, 1, 15)


def test_an_old_excel_xls_file_imports(db: Database, tmp_path: Path) -> None:
    path = write_xls(tmp_path / "list.xls", {"Customers": [HEADER, *ROWS]})
    assert_three_customers(db, import_list(db, path))


def test_an_opendocument_ods_file_imports(db: Database, tmp_path: Path) -> None:
    path = write_ods(tmp_path / "list.ods", {"Customers": [HEADER, *ROWS]})
    assert_three_customers(db, import_list(db, path))


def test_a_windows_1252_csv_with_semicolons_imports_with_its_accents(
    db: Database, tmp_path: Path
) -> None:
    rows = [
        ["C1", "Zoë", "Müller", "07400 100001", "Store 1", "15/01/2024", "1.234,50 €"],
        ["C2", "Chloé", "Ørsted", "+44 7400 100002", "1", "28/02/2024", "12,5"],
    ]
    header = [*HEADER, "Lifetime spend"]
    path = write_csv(tmp_path / "list.csv", [header, *rows], delimiter=";", encoding="cp1252")
    summary = import_list(db, path)
    assert summary.counts.imported == 2
    found = customers_by_id(db)
    assert (found["C1"].first_name, found["C1"].last_name) == ("Zoë", "Müller")
    assert found["C1"].lifetime_spend_cents == 123450
    assert found["C2"].lifetime_spend_cents == 1250
    assert found["C2"].last_purchase_date == date(2024, 2, 28)
    assert summary.stores == ["1"]


def test_title_rows_above_the_header_are_skipped(db: Database, tmp_path: Path) -> None:
    sheet = [["Lapsed customers - North region"], ["Exported 2024-05-01"], [], HEADER, *ROWS]
    path = write_xlsx(tmp_path / "titled.xlsx", {"Export": sheet}, merged={"Export": ["A1:F1"]})
    summary = import_list(db, path)
    assert summary.header_row == 4
    assert_three_customers(db, summary)
    assert summary.rejects == []


def test_the_list_on_the_second_sheet_is_found(db: Database, tmp_path: Path) -> None:
    readme = [["Read me"], ["This workbook lists customers who have not bought for a year."]]
    path = write_xlsx(tmp_path / "two.xlsx", {"Read me": readme, "Customers": [HEADER, *ROWS]})
    summary = import_list(db, path)
    assert summary.sheet == "Customers"
    assert_three_customers(db, summary)


def test_a_sheet_and_header_row_chosen_by_the_user_are_honoured(
    db: Database, tmp_path: Path
) -> None:
    other = [["Phone", "Name"], [mobile(9), "Not this one"]]
    path = write_xlsx(tmp_path / "pick.xlsx", {"Other": other, "Mine": [[], HEADER, *ROWS]})
    summary = import_list(db, path, sheet="Mine", header_row=2)
    assert (summary.sheet, summary.header_row) == ("Mine", 2)
    assert_three_customers(db, summary)


def test_renamed_headers_map_to_the_same_fields(db: Database, tmp_path: Path) -> None:
    header = [
        "Cust. No.",
        "Forename",
        "Surname",
        "Mobile Number",
        "Branch",
        "Date of last purchase",
    ]
    path = write_xlsx(tmp_path / "renamed.xlsx", {"Sheet1": [header, *ROWS]})
    assert_three_customers(db, import_list(db, path))


@pytest.mark.parametrize("style", ["First Last", "Last, First"])
def test_a_full_name_column_is_split_in_either_style(
    db: Database, tmp_path: Path, style: str
) -> None:
    name = "Anne-Marie Dubois" if style == "First Last" else "Dubois, Anne-Marie"
    path = write_xlsx(tmp_path / "names.xlsx", {"S": [["Name", "Phone"], [name, mobile(1)]]})
    import_list(db, path)
    found = customers_by_id(db)[None]
    assert (found.first_name, found.last_name) == ("Anne-Marie", "Dubois")


def test_every_phone_style_of_one_row_set_is_read(db: Database, tmp_path: Path) -> None:
    phones = [
        "07400 100001",
        "+44 7400 100002",
        "0044 7400 100003",
        7400100004,  # number cell, leading zero lost
        447400100005.0,  # with the country code, as a float
        "(07400) 100-006",
        "07400 100007 ext. 12",
        "07400 100008 / 07400 100108",
    ]
    rows = [[f"C{i}", f"Name{i}", phone] for i, phone in enumerate(phones, start=1)]
    path = write_xlsx(tmp_path / "phones.xlsx", {"S": [["Customer ID", "Name", "Phone"], *rows]})
    summary = import_list(db, path)
    assert summary.counts.imported == len(phones)
    found = customers_by_id(db)
    assert [found[f"C{i}"].phone for i in range(1, 9)] == [mobile_e164(i) for i in range(1, 9)]
    assert found["C8"].phone_alt == mobile_e164(108)


def test_blank_rows_inside_the_list_are_skipped_and_not_counted(
    db: Database, tmp_path: Path
) -> None:
    sheet = [HEADER, customer(1), [], [None] * 6, customer(2), [], customer(3)]
    summary = import_list(db, write_xlsx(tmp_path / "gaps.xlsx", {"S": sheet}))
    assert_three_customers(db, summary)


def test_a_styled_but_empty_tail_is_not_read_as_rows(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "tail.xlsx", {"S": [HEADER, *ROWS]}, styled_empty_rows=5000)
    summary = import_list(db, path)
    assert_three_customers(db, summary)
    assert summary.rejects == []


def test_formula_cells_are_read_as_their_values(db: Database, tmp_path: Path) -> None:
    header = ["Customer ID", "Name", "Phone", "Store", "Lifetime spend"]
    rows = [
        [Formula('="C"&"1"', "C1"), "Ann Lee", Formula('="07400 "&"100001"', "07400 100001"),
         Formula("=6*2", 12), Formula("=SUM(10,2.5)", 12.5)],
    ]  # fmt: skip
    path = write_raw_xlsx(tmp_path / "formulas.xlsx", {"S": [header, *rows]})
    summary = import_list(db, path)
    assert summary.counts.imported == 1
    found = customers_by_id(db)["C1"]
    assert found.phone == mobile_e164(1)
    assert found.lifetime_spend_cents == 1250
    assert store_codes(db)[found.home_store_id] == "12"  # type: ignore[index]


def test_text_dates_are_read_day_first_or_month_first_as_the_column_shows(
    db: Database, tmp_path: Path
) -> None:
    header = ["Customer ID", "Phone", "Last purchase"]
    day_first = [["C1", "+44 7400 100001", "03/04/2024"], ["C2", "+44 7400 100002", "25/12/2023"]]
    month_first = [["C3", mobile(3), "03/04/2024"], ["C4", mobile(4), "12/25/2023"]]
    import_list(db, write_xlsx(tmp_path / "d.xlsx", {"S": [header, *day_first]}), region="US")
    summary = import_list(db, write_xlsx(tmp_path / "m.xlsx", {"S": [header, *month_first]}))
    found = customers_by_id(db)
    assert found["C1"].last_purchase_date == date(2024, 4, 3)
    assert found["C2"].last_purchase_date == date(2023, 12, 25)
    assert found["C3"].last_purchase_date == date(2024, 3, 4)
    assert found["C4"].last_purchase_date == date(2023, 12, 25)
    assert not any("could be read either way" in note for note in summary.notes)


def test_an_ambiguous_date_column_is_asked_about_and_follows_the_answer(
    db: Database, tmp_path: Path
) -> None:
    header = ["Customer ID", "Phone", "Last visit"]
    rows = [["C1", mobile(1), "03/04/2024"], ["C2", mobile(2), "05/06/2024"]]
    path = write_xlsx(tmp_path / "ambiguous.xlsx", {"S": [header, *rows]})

    preview = inspect_file(db, path, ImportOptions(region="GB"))
    assert preview.ambiguous_date_columns == ["Last visit"]
    assert any("read day first, as dates are written in GB" in note for note in preview.notes)

    summary = import_list(db, path, date_order=DateOrder.MONTH_FIRST)
    assert not any("either way" in note for note in summary.notes)
    assert customers_by_id(db)["C1"].last_purchase_date == date(2024, 3, 4)


@pytest.mark.parametrize(
    ("region", "expected", "note_part"),
    [("GB", date(2024, 4, 3), "day first"), ("US", date(2024, 3, 4), "month first")],
)
def test_without_an_answer_an_ambiguous_column_is_read_the_regions_way_and_said(
    db: Database, tmp_path: Path, region: str, expected: date, note_part: str
) -> None:
    phone = mobile(1) if region == "GB" else "+44 7400 100001"
    sheet = [["Customer ID", "Phone", "Last visit"], ["C1", phone, "03/04/2024"]]
    summary = import_list(db, write_xlsx(tmp_path / "a.xlsx", {"S": sheet}), region=region)
    assert customers_by_id(db)["C1"].last_purchase_date == expected
    notes = [note for note in summary.notes if "either way" in note]
    assert len(notes) == 1
    assert note_part in notes[0] and region in notes[0]


def test_values_that_cannot_be_read_are_left_empty_and_named_in_a_note(
    db: Database, tmp_path: Path
) -> None:
    header = ["Customer ID", "Phone", "Lifetime spend", "Visits", "Last purchase"]
    rows = [
        ["C1", mobile(1), "lots", "7", "2024-01-01"],
        ["C2", mobile(2), "12.50", "often", "31/02/2024"],
    ]
    summary = import_list(db, write_xlsx(tmp_path / "odd.xlsx", {"S": [header, *rows]}))
    assert summary.counts.imported == 2
    found = customers_by_id(db)
    assert found["C1"].lifetime_spend_cents is None
    assert found["C2"].visits is None
    assert found["C2"].last_purchase_date is None
    notes = " ".join(summary.notes)
    assert '"Lifetime spend" could not be read as amounts' in notes and "row 2" in notes
    assert '"Visits" could not be read as counts' in notes and "row 3" in notes
    assert '"Last purchase" could not be read as dates' in notes


def test_a_list_from_another_country_says_which_region_would_read_it(
    db: Database, tmp_path: Path
) -> None:
    rows = [[f"C{i}", f"06 12 34 56 {i:02d}"] for i in range(1, 6)]  # French mobiles
    path = write_xlsx(tmp_path / "fr.xlsx", {"S": [["Customer ID", "Phone"], *rows]})
    summary = import_list(db, path, region="GB")
    assert summary.counts.rejected == 5
    hints = [note for note in summary.notes if "not valid UK numbers (GB)" in note]
    assert len(hints) == 1
    assert "valid in FR, DE, NL" in hints[0]
    assert "choose that country as the phone region" in hints[0]
    assert summary.phone_region.fits_better[:3] == ("FR", "DE", "NL")
    again = import_list(db, path, region="FR", allow_repeat=True)
    assert again.counts.imported == 5
    assert again.phone_region.fits_better == ()
    assert not any("phone region" in note for note in again.notes)
