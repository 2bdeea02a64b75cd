"""The export as files: one sheet as CSV, no file left by a cancel or a failure, the command."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from lastmile_desktop.cli import main
from lastmile_desktop.errors import Cancelled, UserFacingError
from lastmile_desktop.exporting.results import export_results
from lastmile_desktop.exporting.sheets import Sheet
from lastmile_desktop.storage import Database
from tests.exporting.export_data import (
    FORMULA_CALL_NOTE,
    FORMULA_NAME,
    LEAD,
    ExportRegion,
    build_region,
)


@pytest.fixture
def region(db: Database, tmp_path: Path) -> ExportRegion:
    return build_region(db, tmp_path)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_csv_holds_one_sheet_with_formula_like_text_guarded(
    db: Database, region: ExportRegion, tmp_path: Path
) -> None:
    summary = export_results(db, LEAD, tmp_path / "results.csv")
    assert summary.rows == {Sheet.CALL_RESULTS: 12}
    rows = read_csv(summary.file)
    (first,) = [row for row in rows if row["Customer ID"] == "C0001"]
    # OWASP: a leading apostrophe, so a spreadsheet shows the text instead of running it.
    assert first["First name"] == "'" + FORMULA_NAME
    assert first["Last name"] == "'-2+3"
    assert first["Favourite colour"] == "'+SUM(1,2)"
    (accepted,) = [row for row in rows if row["Member UUID"] == str(region.accepted)]
    assert accepted["Note"] == "'" + FORMULA_CALL_NOTE
    assert accepted["Accepted"] == "TRUE"
    assert accepted["Spent since call"] == "35.50"
    assert accepted["Last purchase"] == "2024-01-15"


def test_a_csv_of_the_attempts_sheet(db: Database, region: ExportRegion, tmp_path: Path) -> None:
    summary = export_results(db, LEAD, tmp_path / "calls.csv", sheet=Sheet.ATTEMPTS)
    rows = read_csv(summary.file)
    assert len(rows) == summary.rows[Sheet.ATTEMPTS] == 4
    assert [row["Outcome"] for row in rows][:2] == ["No answer", "Accepted offer"]
    assert rows[1]["Reached"] == "TRUE" and rows[0]["Reached"] == "FALSE"


class CancelAt:
    """Progress that cancels once a sheet's writing has begun."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.seen: list[str] = []

    def report(self, done: int, total: int | None, message: str = "") -> None:
        self.seen.append(message)
        if message == self.message:
            raise Cancelled()


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_cancelled_export_leaves_no_file_and_an_older_one_untouched(
    db: Database, region: ExportRegion, tmp_path: Path, suffix: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / f"results{suffix}"
    target.write_bytes(b"last week's export")
    sheet = Sheet.ATTEMPTS if suffix == ".csv" else Sheet.CALL_RESULTS
    progress = CancelAt("Writing attempts...")
    with pytest.raises(Cancelled):
        export_results(db, LEAD, target, progress=progress, sheet=sheet)
    assert "Writing attempts..." in progress.seen
    assert target.read_bytes() == b"last week's export"
    assert [path.name for path in folder.iterdir()] == [target.name]


def test_files_that_cannot_be_written_say_what_to_do(
    db: Database, region: ExportRegion, tmp_path: Path
) -> None:
    with pytest.raises(UserFacingError, match=r"can be saved as \.xlsx or \.csv"):
        export_results(db, LEAD, tmp_path / "results.pdf")
    with pytest.raises(UserFacingError, match=r"The folder .*missing does not exist: create it"):
        export_results(db, LEAD, tmp_path / "missing" / "results.xlsx")
    with pytest.raises(UserFacingError, match="is a folder"):
        (tmp_path / "taken.xlsx").mkdir()
        export_results(db, LEAD, tmp_path / "taken.xlsx")
    with pytest.raises(UserFacingError, match='No campaign is called "Summer"'):
        export_results(db, LEAD, tmp_path / "results.xlsx", campaign="Summer")
    assert not (tmp_path / "results.xlsx").exists()


def test_the_command_writes_the_workbook_and_says_what_it_holds(
    db: Database,
    db_url: str,
    region: ExportRegion,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "results.xlsx"
    status = main(["--db", db_url, "export", str(target), "--json"])
    assert status == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["file"] == str(target) and target.exists()
    assert printed["campaign"] == "Winter win-back"
    assert printed["store"] is None
    assert printed["sheets"] == {
        "Call results": 12,
        "Attempts": 4,
        "Stores": 2,
        "Heroes and gaps": printed["sheets"]["Heroes and gaps"],
        "Rejected rows": 1,
    }

    status = main(["--db", db_url, "export", str(tmp_path / "b.csv"), "--store", "2"])
    assert status == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Wrote {tmp_path / 'b.csv'}: campaign “Winter win-back”, store Store 2;")
    assert {row["Store"] for row in read_csv(tmp_path / "b.csv")} == {"Store 2"}


def test_the_command_as_a_manager_and_its_refusals(
    db: Database,
    db_url: str,
    region: ExportRegion,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "ann.xlsx"
    assert main(["--db", db_url, "export", str(target), "--as", "ann archer", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["store"] == "Store 1"

    status = main(
        [
            "--db",
            db_url,
            "export",
            str(tmp_path / "x.xlsx"),
            "--as",
            "Ann Archer",
            "--store",
            "2",
            "--json",
        ]
    )
    assert status == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {
        "error": "You can only export results for your own store's customers.",
        "file": str(tmp_path / "x.xlsx"),
    }
    assert main(["--db", db_url, "export", str(tmp_path / "x.txt")]) == 1
    assert "can be saved as .xlsx or .csv" in capsys.readouterr().err
