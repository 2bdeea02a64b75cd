"""Importing a till's sales extract: every row in one bucket, each sale stored once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.campaigns.privacy import forget_customer
from lastmile_desktop.cli import main
from lastmile_desktop.data_settings import DEFAULT_REGION_KEY, DateOrder, set_setting
from lastmile_desktop.errors import Cancelled, UserFacingError
from lastmile_desktop.importing.sales import import_sales, inspect_sales_file, sale_key
from lastmile_desktop.importing.sales_model import SalesField, SalesImportOptions
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Purchase, Store
from tests.campaigns.campaign_data import add_customer, add_store
from tests.spreadsheets.workbook_builders import write_csv, write_xlsx

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SALES_HEADER = ["Receipt", "Customer ID", "Phone", "Store", "Date", "Amount"]
JSON_KEYS = [
    "file",
    "sheet",
    "header_row",
    "rows_read",
    "added",
    "already_known",
    "unmatched",
    "rejected",
    "matched_by_id",
    "matched_by_phone",
    "unmatched_rows",
]


@pytest.fixture
def shop(db: Database) -> dict[str, int]:
    """Two stores (one in London time) and four customers; the last two share a phone."""
    with db.session() as session:
        # Numbers written without a country code are read for the database's region.
        set_setting(session, DEFAULT_REGION_KEY, "GB")
        london = add_store(session, "12", "Store 12")
        session.get_one(Store, london).timezone = "Europe/London"
        paris = add_store(session, "PAR01", "Paris Opéra")
        session.get_one(Store, paris).timezone = "Europe/Paris"
        return {
            "london": london,
            "paris": paris,
            "ann": add_customer(session, external_id="Q3-00041", phone="+442079460012"),
            "bob": add_customer(
                session, external_id="Q3-00042", phone="+447400100002", phone_alt="+442079460099"
            ),
            "cy": add_customer(session, external_id=None, phone="+447400100003"),
            "dee": add_customer(session, external_id=None, phone="+447400100003"),
        }


def purchases(db: Database) -> list[dict[str, Any]]:
    with db.read_session() as session:
        rows = session.execute(select(Purchase).order_by(Purchase.id)).scalars().all()
        return [
            {
                "customer_id": row.customer_id,
                "store_id": row.store_id,
                "purchased_at": row.purchased_at,
                "amount_cents": row.amount_cents,
                "uuid": row.uuid,
                "source": row.source,
            }
            for row in rows
        ]


def test_every_row_lands_in_one_bucket_and_unmatched_rows_say_what_was_tried(
    db: Database, shop: dict[str, int], tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "sales.xlsx",
        {
            "Sales": [
                ["Till export, week 46"],  # a title row above the table
                [],
                SALES_HEADER,
                ["R1", "q3-00041", None, 12, date(2026, 11, 2), 25.5],  # id, other case
                ["R2", None, "07400 100002", 12, date(2026, 11, 3), "£12.00"],  # national
                ["R3", None, "+44 20 7946 0099", 12, date(2026, 11, 3), 8],  # other phone
                ["R4", "Q9-99999", None, 12, date(2026, 11, 4), 10],  # unknown id
                ["R5", "Q9-99998", "07400 100009", 12, date(2026, 11, 4), 10],  # neither known
                ["R6", None, None, 12, date(2026, 11, 4), 10],  # nothing to match by
                ["R7", None, "07400 100003", 12, date(2026, 11, 4), 10],  # a shared phone
                ["R8", "Q3-00041", None, 12, None, 10],  # no date
                ["R9", "Q3-00041", None, 12, date(2026, 11, 5), "ten pounds"],
                ["R10", "Q3-00041", None, 12, date(2026, 12, 1), 10],  # after NOW
                ["R11", "Q3-00041", None, 12, date(2026, 11, 5), -4],  # a refund
            ]
        },
    )

    summary = import_sales(db, path, now=NOW)

    assert summary.as_json() == {
        "file": "sales.xlsx",
        "sheet": "Sales",
        "header_row": 3,
        "rows_read": 11,
        "added": 3,
        "already_known": 0,
        "unmatched": 4,
        "rejected": 4,
        "matched_by_id": 1,
        "matched_by_phone": 2,
        "unmatched_rows": [
            {"row": 7, "reason": "no customer with id Q9-99999"},
            {"row": 8, "reason": "no customer with id Q9-99998 or phone +447400100009"},
            {"row": 9, "reason": "no customer id or phone to match"},
            {"row": 10, "reason": "phone +447400100003 belongs to more than one customer"},
        ],
    }
    assert list(summary.as_json()) == JSON_KEYS
    assert [(p.row, p.reason) for p in summary.rejected_rows] == [
        (11, "no date"),
        (12, "amount ten pounds cannot be read as an amount"),
        (13, "the date 2026-12-01 is in the future"),
        (14, "a negative amount is a refund, not a purchase"),
    ]
    assert summary.counts.accounted_for
    stored = purchases(db)
    assert [(p["customer_id"], p["amount_cents"]) for p in stored] == [
        (shop["ann"], 2550),
        (shop["bob"], 1200),
        (shop["bob"], 800),
    ]
    assert all(p["store_id"] == shop["london"] for p in stored)
    assert len({p["uuid"] for p in stored}) == 3
    assert stored[0]["source"] == "Sales import: sales.xlsx"


def test_the_same_extract_imported_twice_adds_nothing_the_second_time(
    db: Database, shop: dict[str, int], tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "sales.xlsx",
        {
            "Sales": [
                SALES_HEADER,
                ["R1", "Q3-00041", None, 12, date(2026, 11, 2), 25.5],
                ["R2", None, "07400 100002", 12, date(2026, 11, 3), 12],
                ["R4", "Q9-99999", None, 12, date(2026, 11, 4), 10],
            ]
        },
    )
    first = import_sales(db, path, now=NOW)
    second = import_sales(db, path, now=NOW)

    assert (first.counts.added, first.counts.already_known) == (2, 0)
    assert second.as_json() | {"unmatched_rows": []} == {
        "file": "sales.xlsx",
        "sheet": "Sales",
        "header_row": 1,
        "rows_read": 3,
        "added": 0,
        "already_known": 2,
        "unmatched": 1,
        "rejected": 0,
        "matched_by_id": 1,
        "matched_by_phone": 1,
        "unmatched_rows": [],
    }
    assert len(purchases(db)) == 2


def test_an_overlapping_extract_without_receipt_ids_adds_only_the_new_sales(
    db: Database, shop: dict[str, int], tmp_path: Path
) -> None:
    header = ["Customer ID", "Phone", "Store", "Date", "Amount"]
    week_one = [
        ["Q3-00041", None, "Store 12", datetime(2026, 11, 2, 10, 15), 25.5],
        ["Q3-00042", None, "Store 12", datetime(2026, 11, 3, 16, 40), 12],
    ]
    # The second extract repeats the last sale (phone instead of id, store written "12") and
    # adds two: one the same customer made later, one of the same amount a day later.
    week_two = [
        [None, "07400 100002", "12", datetime(2026, 11, 3, 16, 40), 12],
        ["Q3-00042", None, "Store 12", datetime(2026, 11, 4, 16, 40), 12],
        ["Q3-00041", None, "Store 12", datetime(2026, 11, 5, 9, 5), 3.2],
    ]
    import_sales(db, write_xlsx(tmp_path / "one.xlsx", {"S": [header, *week_one]}), now=NOW)
    summary = import_sales(
        db, write_xlsx(tmp_path / "two.xlsx", {"S": [header, *week_two]}), now=NOW
    )

    assert (summary.counts.added, summary.counts.already_known) == (2, 1)
    assert (summary.counts.matched_by_id, summary.counts.matched_by_phone) == (2, 1)
    assert sorted(p["amount_cents"] for p in purchases(db)) == [320, 1200, 1200, 2550]


def test_receipt_and_line_ids_tell_sales_apart_and_compare_whatever_the_case(
    db: Database, shop: dict[str, int], tmp_path: Path
) -> None:
    header = ["Ticket", "Line", "Customer ID", "Store", "Date", "Amount"]
    rows = [
        ["ab-7", 1, "Q3-00041", 12, date(2026, 11, 2), 5],
        ["ab-7", 2, "Q3-00041", 12, date(2026, 11, 2), 5],  # same receipt, another line
        ["ab-8", 1, "Q3-00041", 12, date(2026, 11, 2), 5],
    ]
    first = import_sales(db, write_xlsx(tmp_path / "a.xlsx", {"S": [header, *rows]}), now=NOW)
    again = [["AB-7 ", 2, "Q3-00041", 12, date(2026, 11, 2), 5]]
    second = import_sales(db, write_xlsx(tmp_path / "b.xlsx", {"S": [header, *again]}), now=NOW)

    assert first.counts.added == 3
    assert (second.counts.added, second.counts.already_known) == (0, 1)


def test_semicolon_csv_with_decimal_commas_and_phones_written_both_ways(
    db: Database, shop: dict[str, int], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "kasse.csv",
        [
            ["Kassenbericht Filiale 12"],
            ["Bonnummer", "Telefon", "Filiale", "Datum", "Betrag"],
            ["1001", "020 7946 0012", "12", "03/11/2026", "1.234,50"],
            ["1002", "+44 20 7946 0012", "12", "13/11/2026", "12,50"],
            ["1003", "0044 20 7946 0012", "12", "14.11.2026 17:45", "0,99"],
        ],
        delimiter=";",
    )

    summary = import_sales(db, path, now=NOW)

    assert summary.header_row == 2
    assert (summary.counts.added, summary.counts.matched_by_phone) == (3, 3)
    stored = purchases(db)
    assert {p["customer_id"] for p in stored} == {shop["ann"]}
    assert [p["amount_cents"] for p in stored] == [123_450, 1_250, 99]
    # Day first, as 13/11 proves; a date alone is noon in the store's time (London: UTC in
    # November); a time given is the store's local time.
    assert [p["purchased_at"] for p in stored] == [
        datetime(2026, 11, 3, 12, 0, tzinfo=UTC),
        datetime(2026, 11, 13, 12, 0, tzinfo=UTC),
        datetime(2026, 11, 14, 17, 45, tzinfo=UTC),
    ]


def test_a_sale_time_is_the_stores_local_time_kept_as_utc(
    db: Database, shop: dict[str, int], tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "sales.xlsx",
        {
            "S": [
                ["Customer ID", "Store", "Sale date", "Time", "Total"],
                ["Q3-00041", "PAR01", date(2026, 7, 1), time(9, 30), 10],  # Paris, summer
                ["Q3-00041", "Paris Opéra", date(2026, 7, 1), "18:05", 11],  # by its name
            ]
        },
    )

    summary = import_sales(db, path, now=NOW)

    assert summary.counts.added == 2
    stored = purchases(db)
    assert [p["purchased_at"] for p in stored] == [
        datetime(2026, 7, 1, 7, 30, tzinfo=UTC),
        datetime(2026, 7, 1, 16, 5, tzinfo=UTC),
    ]
    assert {p["store_id"] for p in stored} == {shop["paris"]}


def test_a_store_not_known_keeps_the_sale_without_a_store_and_says_so(
    db: Database, shop: dict[str, int], tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "sales.xlsx",
        {
            "S": [
                ["Customer ID", "Store", "Date", "Amount"],
                ["Q3-00041", "Store 99", date(2026, 11, 2), 10],
            ]
        },
    )
    summary = import_sales(db, path, now=NOW)

    assert summary.counts.added == 1
    assert purchases(db)[0]["store_id"] is None
    assert summary.notes == [
        "1 sale(s) name a store that is not known here (99); they were matched to their "
        "customers and kept without a store."
    ]


def test_ambiguous_dates_follow_the_chosen_order(
    db: Database, shop: dict[str, int], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "sales.csv",
        [["Customer ID", "Date", "Amount"], ["Q3-00041", "03/04/2026", "10"]],
    )
    options = SalesImportOptions(region="GB", date_order=DateOrder.MONTH_FIRST)
    import_sales(db, path, options, now=NOW)

    assert purchases(db)[0]["purchased_at"].date() == date(2026, 3, 4)


def test_a_dry_run_counts_the_buckets_and_writes_nothing(
    db: Database, shop: dict[str, int], tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "sales.xlsx",
        {
            "S": [
                ["Client", "Montant", "Date d'achat", "Magasin"],
                ["Q3-00041", "12,00 €", "02/11/2026", "12"],
                ["Q0-00000", "1,00 €", "02/11/2026", "12"],
            ]
        },
    )
    preview = inspect_sales_file(db, path, now=NOW)

    assert [guess.field for guess in preview.guesses] == [
        SalesField.CUSTOMER_ID,
        SalesField.AMOUNT,
        SalesField.DATE,
        SalesField.STORE,
    ]
    assert (preview.counts.rows_read, preview.counts.added, preview.counts.unmatched) == (2, 1, 1)
    assert purchases(db) == []


def test_a_cancelled_import_leaves_nothing_behind(
    db: Database, shop: dict[str, int], tmp_path: Path
) -> None:
    class CancelWhenSaving:
        def report(self, done: int, total: int | None, message: str = "") -> None:
            if message == "Saving":
                raise Cancelled()

    rows = [["Customer ID", "Date", "Amount"], ["Q3-00041", "2026-11-02", "10"]]
    path = write_csv(tmp_path / "sales.csv", rows)
    with pytest.raises(Cancelled):
        import_sales(db, path, progress=CancelWhenSaving(), now=NOW)

    assert purchases(db) == []


def test_an_extract_without_an_amount_column_is_refused(
    db: Database, shop: dict[str, int], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "sales.csv", [["Customer ID", "Date"], ["Q3-00041", "2026-11-02"]])
    with pytest.raises(UserFacingError, match="no column is mapped to Amount"):
        import_sales(db, path, now=NOW)


def test_a_store_manager_cannot_import_sales(
    db: Database, shop: dict[str, int], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "sales.csv", [["Customer ID", "Date", "Amount"], ["Q3", "x", "1"]])
    with pytest.raises(AccessDenied):
        import_sales(db, path, profile=Profile.manager("Mo", 1, shop["london"]), now=NOW)


def test_a_sale_key_is_the_same_for_the_same_sale_however_its_ids_are_written() -> None:
    moment = datetime(2026, 11, 2, 10, 0, 0, 400, tzinfo=UTC)
    by_receipt = {"store_code": "12", "customer_uuid": "u", "purchased_at": moment}
    assert sale_key(receipt_id="ab-7", line_id="1", amount_cents=5, **by_receipt) == sale_key(
        receipt_id=" AB-7", line_id="1", amount_cents=99, **by_receipt
    )
    assert sale_key(receipt_id="ab-7", line_id="1", amount_cents=5, **by_receipt) != sale_key(
        receipt_id="ab-7", line_id="2", amount_cents=5, **by_receipt
    )
    plain = {"receipt_id": None, "line_id": None, "customer_uuid": "u", "amount_cents": 5}
    assert sale_key(store_code="12", purchased_at=moment, **plain) == sale_key(
        store_code="12", purchased_at=moment.replace(microsecond=0), **plain
    )
    assert sale_key(store_code="12", purchased_at=moment, **plain) != sale_key(
        store_code="13", purchased_at=moment, **plain
    )
    assert len(sale_key(store_code=None, purchased_at=moment, **plain)) == 64


def test_command_line_prints_the_summary_as_json(
    db: Database,
    db_url: str,
    shop: dict[str, int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [
        ["Customer ID", "Date", "Amount"],
        ["Q3-00041", "2025-11-02", "10"],
        ["nobody", "2025-11-02", "10"],
    ]
    path = write_csv(tmp_path / "sales.csv", rows)

    assert main(["--db", db_url, "import-sales", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert list(payload) == JSON_KEYS
    assert (payload["rows_read"], payload["added"], payload["unmatched"]) == (2, 1, 1)
    assert payload["unmatched_rows"] == [{"row": 3, "reason": "no customer with id nobody"}]

    assert main(["--db", db_url, "import-sales", str(path)]) == 0
    text = capsys.readouterr().out
    assert "2 rows read = 0 added + 1 already known + 1 unmatched + 0 rejected" in text
    assert "row 3: no customer with id nobody" in text


def test_a_forgotten_customers_sales_are_left_out_by_id_and_by_phone(
    db: Database, shop: dict[str, int], tmp_path: Path
) -> None:
    forget_customer(db, shop["ann"], Profile.lead())
    path = write_xlsx(
        tmp_path / "sales.xlsx",
        {
            "S": [
                ["Customer ID", "Phone", "Date", "Amount"],
                ["Q3-00041", None, date(2026, 11, 2), 10],
                [None, "020 7946 0012", date(2026, 11, 2), 11],
                ["Q3-00042", None, date(2026, 11, 2), 12],
            ]
        },
    )
    summary = import_sales(db, path, now=NOW)

    assert (summary.counts.added, summary.counts.unmatched) == (1, 2)
    forgotten = "a customer who asked to be forgotten: the sale is not kept"
    assert [(p.row, p.reason) for p in summary.unmatched_rows] == [(2, forgotten), (3, forgotten)]
    assert [p["customer_id"] for p in purchases(db)] == [shop["bob"]]
