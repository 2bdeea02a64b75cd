"""The results workbook read back with openpyxl: every sheet, header, cell type and format."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from lastmile_desktop.calling.outcomes import outcome_by_code
from lastmile_desktop.exporting.results import export_results
from lastmile_desktop.exporting.sheets import (
    ATTEMPT_COLUMNS,
    CALL_RESULT_COLUMNS,
    HEROES_AND_GAPS_COLUMNS,
    REJECTED_ROW_COLUMNS,
    Sheet,
)
from lastmile_desktop.leaderboard.periods import PeriodChoice, PeriodKind
from lastmile_desktop.leaderboard.service import leaderboard, leaderboard_json
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    CallAttempt,
    CampaignMember,
    Customer,
    Manager,
    Store,
)
from tests.exporting.export_data import (
    FIRST_DAY,
    FORMULA_CALL_NOTE,
    FORMULA_EXTRA,
    FORMULA_LAST_NAME,
    FORMULA_NAME,
    FORMULA_NOTE,
    FORMULA_REJECTED_PHONE,
    HEADER,
    LEAD,
    ExportRegion,
    build_region,
    when,
)

ORIGINAL_TITLES = [
    "Customer ID",
    "First name",
    "Last name",
    "Phone",
    "Store (imported)",  # the list's own Store column: the fixed Store keeps its name
    "Last purchase",
    "Spend",
    "Favourite colour",
    "Note (imported)",
]


@pytest.fixture
def region(db: Database, tmp_path: Path) -> ExportRegion:
    return build_region(db, tmp_path)


@pytest.fixture
def exported(db: Database, region: ExportRegion, tmp_path: Path) -> Path:
    return export_results(db, LEAD, tmp_path / "results.xlsx", zone=UTC).file


@pytest.fixture
def workbook(exported: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(exported)


def header(sheet: Worksheet) -> list[Any]:
    return [cell.value for cell in sheet[1]]


def records(sheet: Worksheet) -> list[dict[str, Any]]:
    """The sheet's rows below the header, by column title."""
    titles = header(sheet)
    return [
        dict(zip(titles, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if any(value is not None for value in row)
    ]


def cells_of(sheet: Worksheet, title: str) -> Iterator[Any]:
    column = header(sheet).index(title) + 1
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row, column)
        if cell.value is not None:
            yield cell


def test_the_sheets_come_in_order_with_their_fixed_columns(
    workbook: openpyxl.Workbook,
) -> None:
    assert workbook.sheetnames == [sheet.value for sheet in Sheet]
    assert workbook.active is not None and workbook.active.title == "Call results"
    assert header(workbook["Call results"]) == ORIGINAL_TITLES + [
        column.title for column in CALL_RESULT_COLUMNS
    ]
    assert header(workbook["Attempts"]) == [column.title for column in ATTEMPT_COLUMNS]
    assert header(workbook["Heroes and gaps"]) == [
        column.title for column in HEROES_AND_GAPS_COLUMNS
    ]
    assert (
        header(workbook["Rejected rows"])
        == [column.title for column in REJECTED_ROW_COLUMNS] + HEADER
    )


def test_every_data_sheet_has_a_bold_frozen_header_and_a_table_over_its_rows(
    workbook: openpyxl.Workbook,
) -> None:
    for sheet_name in ("Call results", "Attempts", "Stores", "Heroes and gaps", "Rejected rows"):
        sheet = workbook[sheet_name]
        assert sheet.freeze_panes == "A2", sheet_name
        assert all(cell.font.b for cell in sheet[1]), sheet_name
        (table,) = sheet.tables.values()
        assert table.name == Sheet(sheet_name).table
        rows = len(records(sheet))
        last_column = openpyxl.utils.get_column_letter(len(header(sheet)))
        assert table.ref == f"A1:{last_column}{max(rows, 1) + 1}", sheet_name
        # Excel repairs a table whose column names differ from its header cells.
        assert [column.name for column in table.tableColumns] == header(sheet)
        assert table.autoFilter is not None and table.autoFilter.ref == table.ref
        for position, title in enumerate(header(sheet), start=1):
            assert width_of(sheet, position) >= len(title), (sheet_name, title)


def width_of(sheet: Worksheet, position: int) -> float:
    """The width of column ``position`` (1 is A); columns of equal width share one entry."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= position <= dimension.max and dimension.customWidth:
            return float(dimension.width)
    raise AssertionError(f"column {position} of {sheet.title} has no width set")


def test_columns_are_as_wide_as_their_longest_value(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["Call results"]
    assert width_of(sheet, header(sheet).index("First name") + 1) >= len(FORMULA_NAME)
    assert width_of(sheet, header(sheet).index("Phone") + 1) < len(FORMULA_NAME)


def test_dates_times_money_and_rates_are_real_typed_cells(workbook: openpyxl.Workbook) -> None:
    results = workbook["Call results"]
    formats = {
        "Last purchase": "yyyy-mm-dd",
        "Last call at": "yyyy-mm-dd hh:mm",
        "Callback due": "yyyy-mm-dd hh:mm",
        "Came back on": "yyyy-mm-dd",
        "Spend": "#,##0.00",
        "Spent since call": "#,##0.00",
        "Attempts": "#,##0",
    }
    for title, number_format in formats.items():
        cells = list(cells_of(results, title))
        assert cells, title
        for cell in cells:
            assert cell.number_format == number_format, title
            if "yyyy" in number_format:
                assert cell.is_date and isinstance(cell.value, datetime), title
            else:
                assert cell.data_type == "n", title
    assert {cell.data_type for cell in cells_of(results, "Accepted")} == {"b"}
    assert {cell.data_type for cell in cells_of(results, "Customer ID")} == {"s"}

    attempts = workbook["Attempts"]
    assert all(cell.is_date for cell in cells_of(attempts, "Called at"))
    assert {cell.data_type for cell in cells_of(attempts, "Reached")} == {"b"}
    assert {cell.value for cell in cells_of(attempts, "Script version")} == {1}

    stores = workbook["Stores"]
    for rate in ("coverage", "contact_rate", "acceptance_rate", "win_back_rate"):
        cells = list(cells_of(stores, rate))
        assert cells and all(c.number_format == "0.0%" and c.data_type == "n" for c in cells)
    assert all(cell.number_format == "#,##0.00" for cell in cells_of(stores, "revenue_won_back"))
    assert {cell.data_type for cell in cells_of(stores, "assigned")} == {"n"}


def test_one_members_row_is_what_the_database_holds(
    db: Database, region: ExportRegion, workbook: openpyxl.Workbook
) -> None:
    (row,) = [
        r for r in records(workbook["Call results"]) if r["Member UUID"] == str(region.accepted)
    ]
    with db.read_session() as session:
        member, customer, store, manager = session.execute(
            select(CampaignMember, Customer, Store, Manager)
            .join(Customer, Customer.id == CampaignMember.customer_id)
            .join(Store, Store.id == CampaignMember.store_id)
            .join(Manager, Manager.id == CampaignMember.manager_id)
            .where(CampaignMember.uuid == region.accepted)
        ).one()
        calls = session.scalars(
            select(CallAttempt)
            .where(CallAttempt.member_id == member.id)
            .order_by(CallAttempt.called_at)
        ).all()
    number = int(customer.external_id.removeprefix("C"))
    assert row["Customer ID"] == customer.external_id
    assert row["First name"] == customer.first_name
    assert row["Last name"] == customer.last_name
    assert row["Phone"] == customer.phone == f"+447400{100000 + number}"
    assert row["Store (imported)"] == store.name
    assert row["Last purchase"] == datetime.combine(
        customer.last_purchase_date, datetime.min.time()
    )
    assert row["Spend"] == customer.lifetime_spend_cents / 100 == number * 10 + 0.5
    assert row["Favourite colour"] == (customer.extra or {})["Favourite colour"]
    assert row["Note (imported)"] == customer.notes
    assert row["Store"] == store.name == "Store 1"
    assert row["Manager"] == manager.name == "Ann Archer"
    assert row["Group"] == member.group == "call"
    assert row["Attempts"] == member.attempts == 2
    assert row["Last outcome"] == outcome_by_code(member.last_outcome).label == "Accepted offer"
    assert row["Last call at"] == calls[-1].called_at.replace(tzinfo=None)
    assert row["Accepted"] is True
    assert row["Callback due"] is None
    # The first purchase in the attribution window, and what was spent in the window.
    assert row["Came back on"].date() == when(5).date()
    assert row["Spent since call"] == 35.5
    assert row["Note"] == calls[-1].note == FORMULA_CALL_NOTE


def test_the_callback_booked_and_the_holdout_show_as_such(
    db: Database, region: ExportRegion, workbook: openpyxl.Workbook
) -> None:
    rows = records(workbook["Call results"])
    (callback,) = [r for r in rows if r["Member UUID"] == str(region.callback)]
    with db.read_session() as session:
        due = session.scalar(
            select(CampaignMember.next_due_at).where(CampaignMember.uuid == region.callback)
        )
    assert due is not None
    assert callback["Callback due"] == due.replace(tzinfo=None)
    assert callback["Last outcome"] == "Callback requested"
    assert callback["Accepted"] is False
    assert callback["Spent since call"] == 0
    holdout = [r for r in rows if r["Group"] == "holdout"]
    assert holdout
    for row in holdout:
        assert row["Manager"] is None and row["Attempts"] == 0
        assert row["Accepted"] is None and row["Spent since call"] is None


def test_formula_like_text_comes_back_as_the_same_text_in_text_cells(
    workbook: openpyxl.Workbook,
) -> None:
    expected = {
        ("Call results", "First name"): FORMULA_NAME,
        ("Call results", "Last name"): FORMULA_LAST_NAME,
        ("Call results", "Favourite colour"): FORMULA_EXTRA,
        ("Call results", "Note (imported)"): FORMULA_NOTE,
        ("Call results", "Note"): FORMULA_CALL_NOTE,
        ("Attempts", "Note"): FORMULA_CALL_NOTE,
        ("Rejected rows", "Phone"): FORMULA_REJECTED_PHONE,
    }
    for (sheet_name, title), text in expected.items():
        matching = [c for c in cells_of(workbook[sheet_name], title) if c.value == text]
        assert matching, (sheet_name, title)
        for cell in matching:
            assert cell.data_type == "s"  # text, never a formula ("f")
            assert cell.quotePrefix  # and stays text when edited in Excel
    for sheet in workbook:
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_stores_sheet_is_the_leaderboards_json_with_a_chart_of_the_rates(
    db: Database, region: ExportRegion, workbook: openpyxl.Workbook, exported: Path
) -> None:
    board = leaderboard(
        db, LEAD, campaign=region.campaign_id, period=PeriodChoice(PeriodKind.CAMPAIGN), zone=UTC
    )
    shown = leaderboard_json(board)["stores"]
    assert isinstance(shown, list)
    rows = records(workbook["Stores"])
    assert header(workbook["Stores"]) == list(shown[0])
    assert len(rows) == len(shown) == 2
    for row, expected in zip(rows, shown, strict=True):
        for key, value in expected.items():
            if key == "rate_ci95":
                low, high = value
                assert row[key] == f"{low:.1%} to {high:.1%}"
            else:
                assert row[key] == value, key
    with zipfile.ZipFile(exported) as package:
        chart = package.read("xl/charts/chart1.xml").decode()
        drawing = package.read("xl/worksheets/_rels/sheet3.xml.rels").decode()
    assert "drawing" in drawing  # the chart sits on the third sheet, Stores
    for rate in ("contact_rate", "acceptance_rate", "win_back_rate"):
        assert f"Stores!${openpyxl.utils.get_column_letter(list(shown[0]).index(rate) + 1)}$2" in (
            chart
        )


def test_heroes_and_gaps_are_the_leaderboards_sentences(
    db: Database, region: ExportRegion, workbook: openpyxl.Workbook
) -> None:
    board = leaderboard(db, LEAD, campaign=region.campaign_id, zone=UTC)
    expected = [("Best now", h.store, h.text, None) for h in board.best_now]
    expected += [("Most improved", h.store, h.text, None) for h in board.most_improved]
    expected += [("Gap", g.store, g.text, g.count) for g in board.gaps]
    assert expected
    rows = [tuple(row.values()) for row in records(workbook["Heroes and gaps"])]
    assert rows == expected


def test_rejected_rows_carry_file_row_reason_and_values(
    region: ExportRegion, workbook: openpyxl.Workbook
) -> None:
    (row,) = records(workbook["Rejected rows"])
    assert row["File"] == region.list_file
    assert row["Sheet row"] == 14  # the header is row 1, then 12 customers
    assert row["Reason"].startswith("phone ")
    assert row["Customer ID"] == "C0099" and row["Favourite colour"] == "blue"


def test_the_read_me_says_what_was_exported_and_what_each_sheet_holds(
    workbook: openpyxl.Workbook,
) -> None:
    lines = {row[0]: row[1] for row in workbook["Read me"].iter_rows(values_only=True) if row[0]}
    assert lines["Campaign"] == "Winter win-back"
    assert lines["Store"] == "Every store"
    assert lines["Exported"].endswith("by Regional lead")
    today = datetime.now(UTC).date()
    assert lines["Period"] == f"{FIRST_DAY:%Y-%m-%d} to {today:%Y-%m-%d} (the campaign to date)"
    assert lines["Times"] == "Dates and times are this computer's local time (UTC)."
    assert "(12 rows)" in lines["Call results"]
    assert "(4 rows)" in lines["Attempts"]
    assert "(1 row)" in lines["Rejected rows"]
