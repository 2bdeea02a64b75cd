"""At 1280x720 logical pixels (a common laptop) no text that matters is cut off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QTabWidget
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.demo import generate_demo
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.application import apply_style
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.main_window import MainWindow
from tests.ui.layout_audit import clipped_text

SIZE = (1280, 720)


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """The window remembers its size and page in QSettings: never the user's own."""


@pytest.fixture(autouse=True)
def _the_apps_style(qapp: QApplication) -> Iterator[None]:
    """The style sheet the app runs with (bold titles, padded buttons) decides the sizes."""
    before = qapp.styleSheet()
    apply_style(qapp)
    yield
    qapp.setStyleSheet(before)


@pytest.fixture(scope="module")
def demo_day() -> date:
    return date(2025, 5, 1)


def open_window(qtbot: QtBot, db: Database, profile: Profile) -> MainWindow:
    window = MainWindow(AppContext(db, profile=profile))
    qtbot.addWidget(window)
    window.resize(*SIZE)
    window.show()
    qtbot.waitExposed(window)
    return window


def every_screen(window: MainWindow) -> Iterator[str]:
    for spec in window.specs:
        window.show_page(spec.key)
        tabs = getattr(window.pages[spec.key], "tabs", None)
        if isinstance(tabs, QTabWidget):
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                QApplication.processEvents()
                yield f"{spec.key}, tab {tabs.tabText(index)!r}"
        else:
            QApplication.processEvents()
            yield spec.key


@pytest.mark.parametrize("who", ["lead", "store manager"])
def test_no_text_is_cut_off_at_1280_by_720(
    qtbot: QtBot, db: Database, demo_day: date, who: str
) -> None:
    generate_demo(db, customers=300, seed=7, today=demo_day)
    profile = Profile.lead()
    if who == "store manager":
        from lastmile_desktop.campaigns.profiles import available_profiles

        profile = next(p for p in available_profiles(db) if not p.is_lead)
    window = open_window(qtbot, db, profile)
    problems = []
    for screen in every_screen(window):
        assert (window.width(), window.height()) == SIZE, f"{screen} keeps the window wider"
        problems += [f"{screen}: {line}" for line in clipped_text(window)]
    assert problems == []


def test_the_first_run_screen_fits_at_1280_by_720(qtbot: QtBot, db: Database) -> None:
    window = open_window(qtbot, db, Profile.lead())
    assert window.is_showing_first_run()
    assert (window.width(), window.height()) == SIZE
    assert clipped_text(window) == []


WINDOW_ON_A_SMALL_SCREEN = """
import sys
from PySide6.QtCore import QByteArray, QRect, QSettings
from PySide6.QtWidgets import QApplication
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import open_database
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.main_window import SETTINGS_GEOMETRY, MainWindow

app = QApplication([])
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
db, _ = open_database(to_url(sys.argv[2]))
if sys.argv[3] == "remembered":  # saved on a big monitor, far to the right
    big = MainWindow(AppContext(db))
    big.setGeometry(QRect(2400, 900, 2400, 1300))
    QSettings().setValue(SETTINGS_GEOMETRY, big.saveGeometry())
window = MainWindow(AppContext(db))
window.show()
app.processEvents()
frame, screen = window.frameGeometry(), window.screen().availableGeometry()
print(frame.x(), frame.y(), frame.width(), frame.height(), screen.width(), screen.height())
"""


@pytest.mark.parametrize("geometry", ["default", "remembered"])
def test_the_window_opens_inside_a_small_screen(tmp_path: Path, geometry: str) -> None:
    screens = tmp_path / "screens.json"
    laptop = {"name": "laptop", "x": 0, "y": 0, "width": 1280, "height": 600}
    screens.write_text(json.dumps({"screens": [{**laptop, "logicalDpi": 96, "dpr": 1}]}))
    script = tmp_path / "window.py"
    script.write_text(WINDOW_ON_A_SMALL_SCREEN)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={screens}",
        "LASTMILE_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            str(tmp_path / "settings"),
            str(tmp_path / "x.sqlite3"),
            geometry,
        ],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    x, y, width, height, screen_width, screen_height = map(int, result.stdout.split())
    assert (screen_width, screen_height) == (1280, 600)
    assert x >= 0 and y >= 0
    assert x + width <= 1280 and y + height <= 600
