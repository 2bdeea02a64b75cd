"""Renders every page of the main window with demo data into PNG files.

    python -m lastmile_desktop.ui.screenshots OUTDIR      (or: make screenshots)

The pages come from ``ui.pages.page_specs()``, so a page added later is photographed too.
Each is taken at the window's usual size (``assign.png``) and at 1280x720, a common laptop
screen (``assign-1280x720.png``). The call desk is photographed again as a store manager sees
it (queue and card, an inline editor, the call sheet as a picture), at the normal size and at
1280x720, at 10:30 on the demo's day. The leaderboard is photographed again with its best
store picked, with that store's drill-down, and as a store manager sees it. Everything happens
in a temporary folder with the offscreen platform: the user's data and settings are never
touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from lastmile_desktop.settings import DATA_DIR_ENV_VAR, DB_ENV_VAR, to_url

if TYPE_CHECKING:
    from lastmile_desktop.ui.main_window import MainWindow

WINDOW_SIZE = (1280, 800)
# A laptop screen: every page must fit it without cutting text off.
SMALL_WINDOW_SIZE = (1280, 720)
SIZES = ((WINDOW_SIZE, ""), (SMALL_WINDOW_SIZE, "-1280x720"))
SMALL_SCREEN = SMALL_WINDOW_SIZE  # the smallest screen the call desk is made for
FIRST_RUN_NAME = "first-run"
# The desk as a store manager sees it: (file name, window size).
DESK_SHOTS = (
    ("desk", WINDOW_SIZE),
    ("desk-editor", WINDOW_SIZE),
    ("desk-1280x720", SMALL_SCREEN),
    ("desk-editor-1280x720", SMALL_SCREEN),
)
CALL_SHEET_NAME = "desk-call-sheet"
# The leaderboard with a store picked and its drill-down (as the lead sees them, 1280x800),
# and as a store manager sees it (1280x720).
LEADERBOARD_STORE_NAME = "leaderboard-store"
LEADERBOARD_DRILL_DOWN_NAME = "leaderboard-drill-down"
LEADERBOARD_MANAGER_NAME = "leaderboard-manager-1280x720"
DESK_TIME = time(10, 30)  # mid-morning: callbacks and retries are due, the shop is quiet
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

        moment = _desk_moment(today or datetime.now(UTC).date())

        def shoot(url: str, pages: bool) -> None:
            db, _ = open_database(url)
            try:
                for size, suffix in SIZES:
                    window = MainWindow(AppContext(db, profile=Profile.lead()))
                    window.resize(*size)
                    window.show()
                    _settle()
                    if pages:
                        _fix_desk_clock(window, moment)
                        _fix_leaderboard_clock(window, moment)
                    names = [spec.key for spec in window.specs] if pages else [FIRST_RUN_NAME]
                    for name in names:
                        if pages:
                            window.show_page(name)
                            _settle()
                        written.append(_save(window.grab(), out_dir / f"{name}{suffix}.png"))
                    _warn_if_too_wide(window, size)
                    if pages and size == SIZES[0][0]:
                        written.extend(_shoot_leaderboard_store(window, out_dir))
                    if pages and size == SIZES[-1][0]:
                        written.extend(_shoot_desk(window, out_dir))
                        written.extend(_shoot_leaderboard_as_manager(window, out_dir))
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


def _desk_moment(day: date) -> datetime:
    """DESK_TIME on ``day`` in this computer's zone (the one the services count days in)."""
    from lastmile_desktop.ui.desk.wording import local_zone

    return datetime.combine(day, DESK_TIME, local_zone()).astimezone(UTC)


def _fix_desk_clock(window: MainWindow, moment: datetime) -> None:
    from lastmile_desktop.ui.desk.page import DeskPage

    desk = window.pages["calls"]
    assert isinstance(desk, DeskPage)
    desk.clock = lambda: moment
    desk.reload()
    _settle()


def _shoot_desk(window: MainWindow, out_dir: Path) -> list[Path]:
    """The desk as the store manager with the longest queue sees it, then their call sheet."""
    from lastmile_desktop.calling.outcomes import CALLBACK_REQUESTED
    from lastmile_desktop.calling.queue import build_queue
    from lastmile_desktop.campaigns.profiles import available_profiles
    from lastmile_desktop.ui.desk import call_sheet
    from lastmile_desktop.ui.desk.page import DeskPage

    desk = window.pages["calls"]
    assert isinstance(desk, DeskPage)
    db = window.context.db
    managers = [p for p in available_profiles(db) if not p.is_lead]
    if not managers:
        return []
    moment = desk.clock()
    manager = max(managers, key=lambda p: len(build_queue(db, p, at=moment).now))
    window.context.set_profile(manager)
    window.show_page("calls")
    _settle()
    written: list[Path] = []
    for name, size in DESK_SHOTS:
        window.resize(*size)
        _settle()
        if "editor" in name:
            desk.choose_outcome(CALLBACK_REQUESTED)
        else:
            desk.focus_queue()
        _settle()
        written.append(_save(window.grab(), out_dir / f"{name}.png"))
        desk.cancel_editor()
    sheets: list[call_sheet.CallSheet] = []
    desk.prepare_sheet(sheets.append)
    _settle()
    if sheets:
        image = call_sheet.render_image(sheets[0], desk.zone)
        path = out_dir / f"{CALL_SHEET_NAME}.png"
        if image.isNull() or not image.save(str(path)):
            raise OSError(f"could not write {path}")
        written.append(path)
    return written


def _fix_leaderboard_clock(window: MainWindow, moment: datetime) -> None:
    from lastmile_desktop.ui.leaderboard.page import LeaderboardPage

    page = window.pages["leaderboard"]
    assert isinstance(page, LeaderboardPage)
    page.clock = lambda: moment
    page.refresh_page()
    _settle()


def _shoot_leaderboard_store(window: MainWindow, out_dir: Path) -> list[Path]:
    """The lead's leaderboard with the top store picked, then that store's drill-down."""
    from lastmile_desktop.ui.leaderboard.page import LeaderboardPage

    page = window.pages["leaderboard"]
    assert isinstance(page, LeaderboardPage)
    window.show_page("leaderboard")
    _settle()
    if page.board is None or not page.board.stores:
        return []
    page.select_store(page.board.stores[0].store)
    page.table.setFocus()
    _settle()
    written = [_save(window.grab(), out_dir / f"{LEADERBOARD_STORE_NAME}.png")]
    dialog = page.open_store()
    _settle()
    if dialog is not None:
        written.append(_save(dialog.grab(), out_dir / f"{LEADERBOARD_DRILL_DOWN_NAME}.png"))
        dialog.close()
        _settle()
    return written


def _shoot_leaderboard_as_manager(window: MainWindow, out_dir: Path) -> list[Path]:
    """The leaderboard in the profile the desk shots left on: a store manager's."""
    window.show_page("leaderboard")
    _settle()
    return [_save(window.grab(), out_dir / f"{LEADERBOARD_MANAGER_NAME}.png")]


def leaderboard_file_names() -> set[str]:
    """The leaderboard's own pictures, besides its page screenshots."""
    names = (LEADERBOARD_STORE_NAME, LEADERBOARD_DRILL_DOWN_NAME, LEADERBOARD_MANAGER_NAME)
    return {f"{name}.png" for name in names}


def desk_file_names() -> set[str]:
    """The desk's own pictures, besides the page screenshots."""
    return {f"{name}.png" for name, _size in DESK_SHOTS} | {f"{CALL_SHEET_NAME}.png"}


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
