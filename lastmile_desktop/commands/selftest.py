"""``lastmile selftest``: check that this installation can open its database and window."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from pathlib import Path

from lastmile_desktop.commands.common import Subparsers, add_command
from lastmile_desktop.settings import choose_database, to_url
from lastmile_desktop.storage import connect, upgrade
from lastmile_desktop.storage.database import backup_sqlite


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "selftest",
        help="check the database, migrations and main window; exit 0 when all is well",
    )
    parser.set_defaults(run=run)


def _check_database(url: str) -> str:
    """Migrate a temporary copy (never the real file) and report what was checked."""
    db = connect(url)
    try:
        with tempfile.TemporaryDirectory(prefix="lastmile-selftest-") as folder:
            copy_path = Path(folder) / "copy.sqlite3"
            source = db.path
            if source is not None and source.exists():
                backup_sqlite(source, copy_path)
            copy = connect(to_url(copy_path))
            try:
                report = upgrade(copy)
                upgrade(copy)  # a second run must find nothing to do
            finally:
                copy.dispose()
    finally:
        db.dispose()
    return f"migrations to {report.to_revision} apply on a copy of {db.display_name}"


def _check_window(url: str) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from lastmile_desktop.storage import open_database
    from lastmile_desktop.ui.application import create_application
    from lastmile_desktop.ui.context import AppContext
    from lastmile_desktop.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory(prefix="lastmile-selftest-") as folder:
        # The window is built on a scratch database so the check never writes to the user's.
        db, _ = open_database(to_url(Path(folder) / "window.sqlite3"))
        try:
            app = create_application()
            window = MainWindow(AppContext(db))
            window.show()
            app.processEvents()
            pages = len(window.pages)
            window.close()
            window.deleteLater()
            app.processEvents()
        finally:
            db.dispose()
    return f"main window builds with {pages} pages"


def run(args: argparse.Namespace) -> int:
    url = choose_database(getattr(args, "db", None)).url
    failures = 0
    for name, check in (("database", _check_database), ("window", _check_window)):
        try:
            print(f"ok   {name}: {check(url)}")
        except Exception:
            failures += 1
            print(f"FAIL {name}:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
    return 1 if failures else 0
