"""Renders every page of the main window with demo data into PNG files.

    python -m lastmile_desktop.ui.screenshots OUTDIR      (or: make screenshots)

The pages come from ``ui.pages.page_specs()``, so a page added later is photographed too.
Each is taken at the window's usual size (``assign.png``) and at 1280x720, a common laptop
screen (``assign-1280x720.png``). Everything happens in a temporary folder with the
offscreen platform: the user's data and settings are never touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from lastmile_desktop.settings import DATA_DIR_ENV_VAR, DB_ENV_VAR, to_url

if TYPE_CHECKING:
    from lastmile_desktop.ui.main_window import MainWindow

WINDOW_SIZE = (1280, 800)
# A laptop screen: every page must fit it without cutting text off.
SMALL_WINDOW_SIZE = (1280, 720)
SIZES = ((WINDOW_SIZE, ""), (SMALL_WINDOW_SIZE, "-1280x720"))
FIRST_RUN_NAME = "first-run"
SETTLE_ROUNDS = 40  # at most ~4 seconds for a page's background loading to finish


def _settle() -> None:
    """Let pages finish what they load in the background and paint it."""
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    pool = QThreadPool.globalInstance()
    quiet_rounds = 0
    for _ in range(SETTLE_ROUNDS):
        QApplication.processEvents()
        pool.waitForDone(100)
        QApplication.processEvents()
        quiet_rounds = quiet_rounds + 1 if pool.activeThreadCount() == 0 else 0
        if quiet_rounds >= 3:
            return


def _isolate_settings(folder: Path) -> None:
    """Window geometry and last page go to a throwaway file, not the user's settings."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))


def render(out_dir: Path, customers: int, seed: int, today: date | None) -> list[Path]:
    """Writes one PNG per page plus the first-run screen; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from lastmile_desktop.campaigns.access import Profile
    from lastmile_desktop.demo import generate_demo
    from lastmile_desktop.storage import open_database
    from lastmile_desktop.ui.application import create_application
    from lastmile_desktop.ui.context import AppContext
    from lastmile_desktop.ui.main_window import MainWindow

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="lastmile-screenshots-") as scratch:
        folder = Path(scratch)
        os.environ[DATA_DIR_ENV_VAR] = str(folder)
        os.environ.pop(DB_ENV_VAR, None)
        app = create_application()
        _isolate_settings(folder / "settings")

        def shoot(url: str, pages: bool) -> None:
            db, _ = open_database(url)
            try:
                for size, suffix in SIZES:
                    window = MainWindow(AppContext(db, profile=Profile.lead()))
                    window.resize(*size)
                    window.show()
                    _settle()
                    names = [spec.key for spec in window.specs] if pages else [FIRST_RUN_NAME]
                    for name in names:
                        if pages:
                            window.show_page(name)
                            _settle()
                        written.append(_save(window.grab(), out_dir / f"{name}{suffix}.png"))
                    _warn_if_too_wide(window, size)
                    window.close()
                    window.context.close()
                    window.deleteLater()
                    _settle()
            finally:
                db.dispose()

        shoot(to_url(folder / "empty.sqlite3"), pages=False)
        demo_url = to_url(folder / "demo.sqlite3")
        demo_db, _ = open_database(demo_url)
        try:
            generate_demo(demo_db, customers=customers, seed=seed, today=today)
        finally:
            demo_db.dispose()
        shoot(demo_url, pages=True)
        app.processEvents()
    return written


def _warn_if_too_wide(window: MainWindow, size: tuple[int, int]) -> None:
    """Says which page keeps the window from shrinking to the screenshot size, if one does."""
    needed = window.minimumSizeHint()
    if needed.width() <= size[0] and needed.height() <= size[1]:
        return
    widest = max(window.pages, key=lambda key: window.pages[key].minimumSizeHint().width())
    hint = window.pages[widest].minimumSizeHint()
    print(
        f"warning: the window cannot shrink below {needed.width()}x{needed.height()} pixels "
        f"(asked for {size[0]}x{size[1]}); the widest page, {widest!r}, "
        f"needs {hint.width()}x{hint.height()}",
        file=sys.stderr,
    )


def _save(pixmap: object, path: Path) -> Path:
    from PySide6.QtGui import QPixmap

    assert isinstance(pixmap, QPixmap)
    if pixmap.isNull() or not pixmap.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lastmile_desktop.ui.screenshots",
        description="Render each page of the main window with demo data into PNG files.",
    )
    parser.add_argument("out_dir", type=Path, metavar="OUTDIR", help="folder for the PNG files")
    parser.add_argument("--customers", type=int, default=2000, help="demo size (default 2000)")
    parser.add_argument("--seed", type=int, default=7, help="demo seed (default 7)")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="the day the demo is seen on (default: today), for identical reruns",
    )
    args = parser.parse_args(argv)
    for path in render(args.out_dir, args.customers, args.seed, args.today):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
