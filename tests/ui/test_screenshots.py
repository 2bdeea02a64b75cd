from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from lastmile_desktop.ui.pages import page_specs
from lastmile_desktop.ui.screenshots import desk_file_names, leaderboard_file_names


def test_every_page_and_the_first_run_screen_are_rendered_to_png(tmp_path: Path) -> None:
    out = tmp_path / "shots"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LASTMILE_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "lastmile_desktop.ui.screenshots", str(out), "--customers", "150"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    names = [spec.key for spec in page_specs()] + ["first-run"]
    expected = {f"{name}.png" for name in names} | {f"{name}-1280x720.png" for name in names}
    extra = desk_file_names() | leaderboard_file_names()
    assert {path.name for path in out.iterdir()} == expected | extra
    for name in names:
        image = QImage(str(out / f"{name}.png"))
        assert not image.isNull(), name
        assert (image.width(), image.height()) == (1280, 800), name
        small = QImage(str(out / f"{name}-1280x720.png"))
        assert (small.width(), small.height()) == (1280, 720), name
    assert "warning" not in result.stderr
    # The call desk also as a store manager sees it, and its call sheet on A4.
    small = QImage(str(out / "desk-1280x720.png"))
    assert (small.width(), small.height()) == (1280, 720)
    sheet = QImage(str(out / "desk-call-sheet.png"))
    assert sheet.height() > sheet.width() > 0
    # Nothing of the user's was touched: no database in the data folder.
    assert not list(tmp_path.glob("*.sqlite3"))
