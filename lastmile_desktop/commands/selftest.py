"""``lastmile selftest``: check that this installation can open its database and window."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from pathlib import Path

from lastmile_desktop.commands.common import Subparsers, add_command
from lastmile_desktop.settings import choose_database, resources_dir, to_url, user_guide_text
from lastmile_desktop.storage import connect, upgrade
from lastmile_desktop.storage.database import backup_sqlite
from lastmile_desktop.storage.migrate import upgradable_state

RESOURCE_FILES = ("style.qss", "icons/lastmile.svg")
SAMPLE_PHONE = "+442079460000"  # an Ofcom drama number in London


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "selftest",
        help="check the database, migrations and main window; exit 0 when all is well",
    )
    parser.set_defaults(run=run)


def _check_database(url: str) -> str:
    """Migrate a temporary copy (never the real file) and report what was checked.

    A database on a server is not copied: the migrations are tried on a new file, and the
    server's version mark is read (nothing written) to check this version can upgrade it.
    """
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
        if db.is_postgres:
            revision = upgradable_state(db).revision
            return (
                f"migrations to {report.to_revision} apply on a new database; "
                f"{db.display_name} is at {revision or 'no version yet'}, which this version opens"
            )
    finally:
        db.dispose()
    return f"migrations to {report.to_revision} apply on a copy of {db.display_name}"


def _check_bundled_data(_url: str) -> str:
    """What a frozen build can forget: resources, time zones and phone metadata."""
    from zoneinfo import ZoneInfo

    import phonenumbers
    from phonenumbers import timezone as phone_timezones

    folder = resources_dir()
    missing = [name for name in RESOURCE_FILES if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"missing from {folder}: {', '.join(missing)}")
    if "\n## " not in user_guide_text():
        raise FileNotFoundError("the user guide (README.md) is missing: Help > User guide is empty")
    ZoneInfo("Europe/London")
    number = phonenumbers.parse(SAMPLE_PHONE)
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"phone metadata rejects {SAMPLE_PHONE}")
    zones = phone_timezones.time_zones_for_number(number)
    if "Europe/London" not in zones:
        raise ValueError(f"no time zone known for {SAMPLE_PHONE} (got {zones})")
    return f"resources, user guide, time zones and phone metadata found ({folder})"


def _check_window(_url: str) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Qt is loaded only here, through ui/: the other checks and commands stay Qt-free.
    from lastmile_desktop.ui.selftest import check_main_window

    return check_main_window()


def run(args: argparse.Namespace) -> int:
    url = choose_database(getattr(args, "db", None)).url
    failures = 0
    checks = (
        ("database", _check_database),
        ("data", _check_bundled_data),
        ("window", _check_window),
    )
    for name, check in checks:
        try:
            print(f"ok   {name}: {check(url)}")
        except Exception:
            failures += 1
            print(f"FAIL {name}:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
    return 1 if failures else 0
