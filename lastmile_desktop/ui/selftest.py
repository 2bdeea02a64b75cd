"""The window half of ``lastmile selftest``: build the main window once, offscreen."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QImageReader

from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import open_database
from lastmile_desktop.ui.application import create_application
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.main_window import MainWindow


def check_main_window() -> str:
    """What was checked; raises when the window cannot be built or SVG icons cannot be read."""
    with tempfile.TemporaryDirectory(prefix="lastmile-selftest-") as folder:
        # The window is built on a scratch database so the check never writes to the user's,
        # and keeps its settings (size, last page) in the scratch folder, not the user's.
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)
        db, _ = open_database(to_url(Path(folder) / "window.sqlite3"))
        try:
            app = create_application()
            window = MainWindow(AppContext(db))
            window.show()
            app.processEvents()
            pages = len(window.pages)
            formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
            window.close()
            window.deleteLater()
            app.processEvents()
        finally:
            db.dispose()
    if "svg" not in formats:
        raise RuntimeError("Qt cannot read SVG images: the imageformats plugin is missing")
    return f"main window builds with {pages} pages on the {app.platformName()} platform"
