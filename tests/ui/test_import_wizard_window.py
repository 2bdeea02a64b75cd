"""The wizard in the main window: a chosen or dropped file starts it; an import ends first run."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from lastmile_desktop.storage import Database
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.import_wizard.page import ImportPage, Step
from lastmile_desktop.ui.main_window import MainWindow
from tests.ui.import_wizard_helpers import (
    WAIT_MS,
    make_page,
    use_region,
    wait_for_step,
    write_workbook,
)


def test_a_file_chosen_on_the_first_run_screen_is_imported_and_the_workspace_opens(
    qtbot: QtBot, db: Database, tmp_path: Path, qsettings_isolated: None
) -> None:
    use_region(db, "GB")
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    assert window.is_showing_first_run()
    page = window.pages["import"]
    assert isinstance(page, ImportPage)

    window.request_import(str(write_workbook(tmp_path / "lapsed.xlsx")))
    wait_for_step(qtbot, page, Step.LAYOUT)
    assert window.current_page_key() == "import"
    page.go_forward()
    page.go_forward()
    wait_for_step(qtbot, page, Step.VALIDATION)
    with qtbot.waitSignal(window.context.data_changed, timeout=WAIT_MS):
        page.go_forward()
    wait_for_step(qtbot, page, Step.SUMMARY)

    assert not window.is_showing_first_run()
    assert page.summary is not None
    assert page.summary.counts.imported == 3


def test_a_file_dropped_on_the_page_starts_the_wizard_with_it(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)
    path = write_workbook(tmp_path / "dropped.xlsx")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )

    page.dropEvent(drop)

    wait_for_step(qtbot, page, Step.LAYOUT)
    assert page.path == path
    assert page.file_step.last_file.text().startswith("Open now: dropped.xlsx")
