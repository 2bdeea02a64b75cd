"""``lastmile import``: exit codes, the JSON shape, the readable summary, the options."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from lastmile_desktop.cli import main
from lastmile_desktop.storage import Database, open_database
from tests.importing.service_support import customer, customers_by_id, dump, mobile, write_list
from tests.spreadsheets.workbook_builders import write_xlsx


@pytest.fixture
def database(db: Database, db_url: str) -> Database:
    """The migrated test database; commands open it again through ``--db``."""
    return db


def lastmile(db_url: str, *args: str | Path) -> int:
    return main(["--db", db_url, *[str(arg) for arg in args]])


def test_json_output_has_the_documented_shape(
    database: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [customer(1), customer(2, store="Store 7"), customer(2), customer(3, phone="0123")]
    path = write_list(tmp_path / "list.xlsx", rows)
    assert lastmile(db_url, "import", path, "--region", "GB", "--json") == 0

    payload = json.loads(capsys.readouterr().out)
    assert payload == {
        "file": "list.xlsx",
        "sheet": "Customers",
        "header_row": 1,
        "rows_read": 4,
        "imported": 2,
        "updated": 0,
        "duplicates": 1,
        "rejected": 1,
        "suppressed": 0,
        "stores": ["2", "7"],
        "rejects": [{"row": 5, "reason": 'phone "0123" is not a valid GB number'}],
        "campaign": "list",
        "region": "GB",
        "notes": payload["notes"],
    }
    assert all(isinstance(note, str) for note in payload["notes"])


def test_the_readable_summary_accounts_for_every_row_and_shows_the_rejects(
    database: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [customer(n) for n in range(1, 4)] + [customer(n, phone="1") for n in range(4, 16)]
    path = write_list(tmp_path / "list.xlsx", rows)
    assert lastmile(db_url, "import", path, "--region", "GB") == 0

    out = capsys.readouterr().out
    assert (
        "15 rows read = 3 imported + 0 updated + 0 duplicates + 12 rejected + 0 suppressed" in out
    )
    assert "Stores (3): 1, 2, 3" in out
    assert "First 10 of 12 rejected rows:" in out
    assert '  row 5: phone "1" is not a valid GB number' in out
    assert "row 15:" not in out
    assert "--rejects-to" in out


def test_rejects_can_be_saved_to_a_file(
    database: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_list(tmp_path / "list.xlsx", [customer(1), customer(2, phone="1")])
    target = tmp_path / "rejects.csv"
    assert lastmile(db_url, "import", path, "--region", "GB", "--rejects-to", target) == 0
    assert f"are in {target}" in capsys.readouterr().out
    assert 'phone ""1"" is not a valid GB number' in target.read_text(encoding="utf-8-sig")


def test_a_file_that_cannot_be_read_fails_with_one_line_and_changes_nothing(
    database: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(database)
    fake = tmp_path / "list.xlsx"
    fake.write_text("name,phone\nAnn,07400 100001\n")
    assert lastmile(db_url, "import", fake) == 1
    missing = tmp_path / "nowhere.xlsx"
    assert lastmile(db_url, "import", missing) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith("lastmile: ") for line in lines)
    assert "list.xlsx" in lines[0] and "nowhere.xlsx" in lines[1]
    assert dump(database) == before


def test_a_repeat_is_refused_unless_again_is_given(
    database: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_list(tmp_path / "list.xlsx", [customer(1)])
    assert lastmile(db_url, "import", path, "--region", "GB") == 0
    before = dump(database)
    capsys.readouterr()

    assert lastmile(db_url, "import", path, "--region", "GB") == 1
    err = capsys.readouterr().err
    assert "already imported" in err and "--again" in err
    assert dump(database) == before

    assert lastmile(db_url, "import", path, "--region", "GB", "--again", "--json") == 0
    assert json.loads(capsys.readouterr().out)["updated"] == 1


@pytest.mark.parametrize(
    "flag_and_date", [("--dayfirst", date(2024, 4, 3)), ("--monthfirst", date(2024, 3, 4))]
)
def test_dayfirst_and_monthfirst_decide_an_ambiguous_date_column(
    database: Database,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flag_and_date: tuple[str, date],
) -> None:
    flag, expected = flag_and_date
    path = write_list(tmp_path / "d.xlsx", [customer(1, last_purchase="03/04/2024")])
    assert lastmile(db_url, "import", path, "--region", "GB", flag) == 0
    assert "either way" not in capsys.readouterr().out
    assert customers_by_id(database)["C0001"].last_purchase_date == expected


def test_without_a_date_flag_the_summary_says_how_dates_were_read(
    database: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = customer(1, last_purchase="03/04/2024", phone="+44 7400 100001")
    path = write_list(tmp_path / "d.xlsx", [row])
    assert lastmile(db_url, "import", path, "--region", "US", "--json") == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert any("read month first, as dates are written in US" in note for note in notes)


def test_dayfirst_and_monthfirst_together_are_a_usage_error(
    database: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_list(tmp_path / "d.xlsx", [customer(1)])
    with pytest.raises(SystemExit) as exit_info:
        lastmile(db_url, "import", path, "--dayfirst", "--monthfirst")
    assert exit_info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_campaign_sheet_and_header_row_are_passed_on(
    database: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheets = {
        "Other": [["Phone"], [mobile(9)]],
        "Mine": [["Title"], ["Customer ID", "Phone"], ["C1", mobile(1)]],
    }
    path = write_xlsx(tmp_path / "s.xlsx", sheets)
    args = ["--sheet", "Mine", "--header-row", "2", "--campaign", "VIP", "--json"]
    assert lastmile(db_url, "import", path, "--region", "GB", *args) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["sheet"], payload["header_row"], payload["campaign"]) == ("Mine", 2, "VIP")
    assert set(customers_by_id(database)) == {"C1"}


def test_a_bad_header_row_number_is_a_usage_error(
    database: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        lastmile(db_url, "import", tmp_path / "x.xlsx", "--header-row", "0")
    assert exit_info.value.code == 2
    assert "is not a row number" in capsys.readouterr().err


def test_an_unknown_region_fails_with_a_clear_message(
    database: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_list(tmp_path / "r.xlsx", [customer(1)])
    assert lastmile(db_url, "import", path, "--region", "ZZ") == 1
    assert "two-letter ISO code" in capsys.readouterr().err


def test_the_region_comes_from_the_database_setting_when_not_given(
    database: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lastmile_desktop.data_settings import DEFAULT_REGION_KEY, set_setting

    with database.session() as session:
        set_setting(session, DEFAULT_REGION_KEY, "FR")
    path = write_list(tmp_path / "fr.xlsx", [customer(1, phone="06 12 34 56 78")])
    assert lastmile(db_url, "import", path, "--json") == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 1
    assert customers_by_id(database)["C0001"].phone == "+33612345678"


def test_the_database_file_is_usable_by_other_commands_after_an_import(
    database: Database, db_url: str, tmp_path: Path
) -> None:
    path = write_list(tmp_path / "list.xlsx", [customer(1)])
    assert lastmile(db_url, "import", path, "--region", "GB", "--json") == 0
    reopened, _ = open_database(db_url)
    try:
        assert "C0001" in customers_by_id(reopened)
    finally:
        reopened.dispose()
