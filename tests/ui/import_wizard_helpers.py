"""Driving the import wizard the way a user does, and the workbooks the tests import."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton
from pytestqt.qtbot import QtBot

from lastmile_desktop.countries import country_name
from lastmile_desktop.data_settings import DEFAULT_REGION_KEY, set_setting
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.import_wizard.backend import ImportBackend
from lastmile_desktop.ui.import_wizard.page import ImportPage, Step
from lastmile_desktop.ui.region_picker import RegionPicker

HEADERS = ["Customer no", "First name", "Surname", "Mobile", "Store", "Tier"]
ROWS: list[list[object]] = [
    ["C001", "Ada", "Lovelace", "07911 123401", "12", "gold"],
    ["C002", "Grace", "Hopper", "+44 7911 123402", 12.0, "silver"],
    ["C003", "Alan", "Turing", "07911123403", "Store 14", "gold"],
    ["C001", "Ada", "Lovelace", "07911 123401", "12", "gold"],  # repeats row 1
    ["C004", "Nobody", "Known", "12", "14", ""],  # no phone that can be dialled
]
WAIT_MS = 10_000


def write_workbook(
    path: Path,
    rows: Sequence[Sequence[object]] = ROWS,
    headers: Sequence[str] = HEADERS,
    title_rows: Sequence[str] = ("Lapsed customers, spring",),
    readme_sheet: bool = False,
) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if readme_sheet:
        sheet.title = "Read me"
        sheet.append(["This workbook lists the customers to call this month."])
        sheet = book.create_sheet("Customers")
    else:
        sheet.title = "Customers"
    for title in title_rows:
        sheet.append([title])
    if title_rows:
        sheet.append([])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def use_region(db: Database, region: str) -> None:
    """The app setting phones are read in; otherwise the machine's locale would decide."""
    with db.session() as session:
        set_setting(session, DEFAULT_REGION_KEY, region)


def make_page(
    qtbot: QtBot, db: Database, backend: ImportBackend | None = None, region: str | None = "GB"
) -> ImportPage:
    """The wizard on ``db``; ``region`` None leaves the database's region unset."""
    if region is not None:
        use_region(db, region)  # the workbooks hold British numbers written the British way
    page = ImportPage(AppContext(db), backend=backend)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()  # shortcuts only reach the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=WAIT_MS)
    return page


def wait_for_step(qtbot: QtBot, page: ImportPage, step: Step) -> None:
    qtbot.waitUntil(lambda: page.current_step() is step and not page.is_busy(), timeout=WAIT_MS)


def press_shortcut(qtbot: QtBot, page: ImportPage, button: QPushButton, key: Qt.Key) -> None:
    """Alt+key, as shown on the button. A button's shortcut clicks it a moment later."""
    with qtbot.waitSignal(button.clicked, timeout=WAIT_MS):
        qtbot.keyClick(page, key, Qt.KeyboardModifier.AltModifier)


def press_next(qtbot: QtBot, page: ImportPage) -> None:
    press_shortcut(qtbot, page, page.next_button, Qt.Key.Key_N)


def press_back(qtbot: QtBot, page: ImportPage) -> None:
    press_shortcut(qtbot, page, page.back_button, Qt.Key.Key_B)


def walk_to_mapping(qtbot: QtBot, page: ImportPage, path: Path) -> None:
    page.context.import_file_requested.emit(str(path))
    wait_for_step(qtbot, page, Step.LAYOUT)
    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.MAPPING)


def walk_to_validation(qtbot: QtBot, page: ImportPage, path: Path) -> None:
    walk_to_mapping(qtbot, page, path)
    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.VALIDATION)


def choose_in_combo(qtbot: QtBot, combo: QComboBox, index: int) -> None:
    """Pick an entry as a user does: with the keyboard, so the combo says it was activated."""
    combo.setFocus()
    steps = index - combo.currentIndex()
    key = Qt.Key.Key_Down if steps > 0 else Qt.Key.Key_Up
    for _ in range(abs(steps)):
        qtbot.keyClick(combo, key)
    assert combo.currentIndex() == index


def database_content(db: Database) -> list[str]:
    """Every row of every table as SQL text: equal lists mean an unchanged database."""
    assert db.path is not None
    connection = sqlite3.connect(db.path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def no_modal_dialog() -> bool:
    return QApplication.activeModalWidget() is None


def choose_region(qtbot: QtBot, picker: RegionPicker, code: str) -> None:
    """Type the country's name and press Enter, as a user picks a country."""
    picker.setFocus()
    picker.line.selectAll()
    qtbot.keyClicks(picker.line, country_name(code))
    qtbot.keyClick(picker.line, Qt.Key.Key_Return)
    assert picker.region() == code
