"""The results workbook opened by another program: LibreOffice converts every sheet to CSV.

LibreOffice Calc reads the file as a person's spreadsheet program would; converting it
shows the values, dates and formats survive. Skipped where LibreOffice is not installed
(``.ci/run`` installs ``libreoffice-calc-nogui``, so CI runs it).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import UTC
from pathlib import Path

import pytest

from lastmile_desktop.exporting.results import export_results
from lastmile_desktop.exporting.sheets import Sheet
from lastmile_desktop.storage import Database
from tests.exporting.export_data import (
    FORMULA_CALL_NOTE,
    FORMULA_EXTRA,
    FORMULA_LAST_NAME,
    FORMULA_NAME,
    FORMULA_NOTE,
    FORMULA_REJECTED_PHONE,
    LEAD,
    build_region,
    when,
)

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui",
    ),
]
# CSV, UTF-8, cells as shown (formatted), every sheet to its own file (LibreOffice 7.2+).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def convert(workbook: Path, folder: Path) -> dict[str, list[dict[str, str]]]:
    """Every sheet of ``workbook`` as LibreOffice shows it, by sheet name."""
    assert SOFFICE is not None
    completed = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(folder),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    sheets = {}
    for sheet in Sheet:
        path = folder / f"{workbook.stem}-{sheet.value}.csv"
        assert path.exists(), (sheet, completed.stdout, completed.stderr)
        with path.open(encoding="utf-8", newline="") as handle:
            sheets[sheet.value] = list(csv.DictReader(handle))
    return sheets


def test_libreoffice_reads_every_sheet_with_its_values_dates_and_text(
    db: Database, tmp_path: Path
) -> None:
    region = build_region(db, tmp_path)
    workbook = export_results(db, LEAD, tmp_path / "results.xlsx", zone=UTC).file
    sheets = convert(workbook, tmp_path / "converted")

    results = sheets["Call results"]
    assert len(results) == 12
    (first,) = [row for row in results if row["Customer ID"] == "C0001"]
    assert first["First name"] == FORMULA_NAME
    assert first["Last name"] == FORMULA_LAST_NAME
    assert first["Favourite colour"] == FORMULA_EXTRA
    assert first["Note (imported)"] == FORMULA_NOTE
    assert first["Last purchase"] == "2024-01-15"
    assert first["Spend"] == "10.50"
    (accepted,) = [row for row in results if row["Member UUID"] == str(region.accepted)]
    assert accepted["Last call at"] == when(3, 11, 15).strftime("%Y-%m-%d %H:%M")
    assert accepted["Came back on"] == when(5).strftime("%Y-%m-%d")
    assert accepted["Spent since call"] == "35.50"
    assert accepted["Accepted"] == "TRUE"
    assert accepted["Note"] == FORMULA_CALL_NOTE

    attempts = sheets["Attempts"]
    assert [row["Outcome"] for row in attempts] == [
        "No answer",
        "Accepted offer",
        "Callback requested",
        "Not interested",
    ]
    assert attempts[1]["Note"] == FORMULA_CALL_NOTE

    stores = {row["store"]: row for row in sheets["Stores"]}
    assert set(stores) == {"Store 1", "Store 2"}
    assert stores["Store 1"]["win_back_rate"] == "25.0%"
    assert stores["Store 1"]["revenue_won_back"] == "35.50"

    (rejected,) = sheets["Rejected rows"]
    assert rejected["Phone"] == FORMULA_REJECTED_PHONE
    assert [row["Section"] for row in sheets["Heroes and gaps"]][:1] == ["Gap"]
    # The Read me has no header row: its first line is read as one.
    read_me = sheets["Read me"]
    assert list(read_me[0]) == ["Campaign", "Winter win-back"]
    assert read_me[0]["Campaign"] == "Period"


def test_libreoffice_reads_text_xml_cannot_hold_as_it_was(tmp_path: Path) -> None:
    from lastmile_desktop.spreadsheets.writing import Column, WorkbookWriter

    texts = ["\r=1+1", "bell\x07", "_x0041_ stays", "a & <b>", "\t@SUM(1)"]
    target = tmp_path / "t.xlsx"
    with WorkbookWriter(target) as workbook:
        workbook.add_data_sheet("Text", [Column("Text")], [[text] for text in texts], table="T")
    assert SOFFICE is not None
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,true",
            "--outdir",
            str(tmp_path),
            str(target),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    with (tmp_path / "t.csv").open(encoding="utf-8", newline="") as handle:
        cells = [row[0] for row in csv.reader(handle)][1:]
    assert cells == texts
