"""make example-results: the demo region's results workbook in docs/, with its picture."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
from PySide6.QtGui import QImage

from lastmile_desktop.exporting.sheets import Sheet
from lastmile_desktop.ui.example_results import (
    PICTURE_COLUMNS,
    PICTURE_ROWS,
    cell_text,
)


def test_the_demo_regions_workbook_and_its_picture_are_written(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LASTMILE_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "lastmile_desktop.ui.example_results", str(docs)]
    result = subprocess.run(
        [*command, "--customers", "120"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    workbook = openpyxl.load_workbook(docs / "example-results.xlsx")
    assert workbook.sheetnames == [sheet.value for sheet in Sheet]
    results = workbook["Call results"]
    assert results.max_row == 121
    header = [cell.value for cell in results[1]]
    assert set(PICTURE_COLUMNS) <= set(header)
    picture = QImage(str(docs / "screenshots" / "example-results.png"))
    assert not picture.isNull()
    # The header and the first rows, 22 pixels each, above the sheet tabs.
    assert picture.height() > 22 * PICTURE_ROWS and picture.width() > picture.height()
    # Nothing of the user's was touched: no database left in the data folder.
    assert not list(tmp_path.glob("*.sqlite3"))


def test_values_are_shown_in_the_exports_number_formats() -> None:
    assert cell_text(datetime(2026, 3, 14, 17, 30), "yyyy-mm-dd hh:mm") == "2026-03-14 17:30"
    assert cell_text(datetime(2026, 3, 14), "yyyy-mm-dd") == "2026-03-14"
    assert cell_text(date(2026, 3, 14), "yyyy-mm-dd") == "2026-03-14"
    assert cell_text(1234.5, "#,##0.00") == "1,234.50"
    assert cell_text(0.3142, "0.0%") == "31.4%"
    assert cell_text(1234, "#,##0") == "1,234"
    assert cell_text(True, "General") == "TRUE"
    assert cell_text(None, "General") == ""
    assert cell_text("=1+1", "General") == "=1+1"
