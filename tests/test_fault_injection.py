"""The commands against databases that cannot be used, and against a disk that fills up.

Each case must end in one line on standard error that says what is wrong and what to do,
exit status 1, and every file left exactly as it was (no backup copy, no new file).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, event

from lastmile_desktop.cli import main
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import open_database
from tests.campaigns import member_builders as build
from tests.importing.service_support import customer, write_list

COMMANDS = {
    "dnc list": ["dnc", "list"],
    "dnc add": ["dnc", "add", "--phone", "+447400100123", "--reason", "asked"],
    "assign": ["assign"],
    "import": ["import", "{workbook}", "--region", "GB"],
    "forget": ["forget", "--customer-id", "HO-1", "--yes"],
}


def _last_mile_database(path: Path) -> Path:
    """A real database with a few customers, closed (its log moved into the file)."""
    db, _ = open_database(to_url(path))
    store = build.add_store(db, "1")
    build.add_managers(db, store, "Ann Lee")
    campaign = build.add_campaign(db)
    build.add_members(db, campaign, store, build.random_customers(40))
    db.dispose()
    return path


def _text_file(folder: Path) -> Path:
    path = folder / "lastmile.sqlite3"
    path.write_text("Shopping list\nmilk\neggs\n", encoding="utf-8")
    return path


def _cut_short(folder: Path) -> Path:
    path = _last_mile_database(folder / "lastmile.sqlite3")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _folder(folder: Path) -> Path:
    path = folder / "lastmile.sqlite3"
    path.mkdir()
    (path / "notes.txt").write_text("not a database", encoding="utf-8")
    return path


def _newer_version(folder: Path) -> Path:
    path = _last_mile_database(folder / "lastmile.sqlite3")
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("UPDATE alembic_version SET version_num = 'f00dfeed2031'")
    return path


def _no_version_mark(folder: Path) -> Path:
    path = folder / "lastmile.sqlite3"
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, phone TEXT)")
        raw.execute("INSERT INTO customers VALUES (1, 'Nkechi Achebe', '+447400100777')")
    return path


BAD_DATABASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "text file": (_text_file, "is not a Last Mile database"),
    "cut short": (_cut_short, "is cut short"),
    "folder": (_folder, "is a folder, not a database file"),
    "newer version": (_newer_version, "was saved by a newer version of Last Mile"),
    "no version mark": (_no_version_mark, "holds tables but no Last Mile version mark"),
}


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder``, with its bytes (None for a folder)."""
    return {
        str(item.relative_to(folder)): None if item.is_dir() else item.read_bytes()
        for item in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="module")
def bad_databases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder per bad database, built once; each test works on a copy."""
    root = tmp_path_factory.mktemp("bad")
    for name, (make, _) in BAD_DATABASES.items():
        folder = root / name
        folder.mkdir()
        make(folder)
    return root


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_list(tmp_path / "list.xlsx", [customer(1), customer(2)])


def command_line(name: str, db: Path, workbook: Path) -> list[str]:
    return ["--db", str(db)] + [arg.format(workbook=workbook) for arg in COMMANDS[name]]


def assert_one_line(err: str, expected: str) -> None:
    assert err.startswith("lastmile: ") and err.endswith("\n"), err
    assert err.count("\n") == 1, err
    assert expected in err, err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("bad", BAD_DATABASES)
def test_a_bad_database_gives_one_line_exit_1_and_stays_as_it_was(
    bad: str, command: str, bad_databases: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "db"
    shutil.copytree(bad_databases / bad, folder)
    workbook = write_list(tmp_path / "list.xlsx", [customer(1), customer(2)])
    before = snapshot(folder)

    code = main(command_line(command, folder / "lastmile.sqlite3", workbook))

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert_one_line(err, BAD_DATABASES[bad][1])
    assert snapshot(folder) == before


def _without_root_privilege() -> None:
    """In the child: drop the capabilities that let root write anywhere, as a user has none."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2
    for capability in (cap_dac_override, cap_dac_read_search):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run_as_a_user(*args: str) -> subprocess.CompletedProcess[str]:
    """``lastmile ARGS`` in a new process, without root's power over file permissions."""
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    return subprocess.run(
        [sys.executable, "-m", "lastmile_desktop.cli", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_without_root_privilege if as_root else None,
    )


@pytest.mark.skipif(sys.platform != "linux", reason="permissions set with chmod, dropped via prctl")
@pytest.mark.parametrize(
    ("locked", "expected"),
    [("file", "is read-only"), ("folder", "is read-only, and SQLite writes its working files")],
)
@pytest.mark.parametrize("command", ["dnc list", "dnc add"])
def test_a_read_only_database_or_folder_gives_one_line_exit_1_and_stays_as_it_was(
    locked: str, expected: str, command: str, tmp_path: Path, workbook: Path
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    path = _last_mile_database(folder / "lastmile.sqlite3")
    before = snapshot(folder)
    target = path if locked == "file" else folder
    target.chmod(0o444 if locked == "file" else 0o555)
    try:
        result = run_as_a_user(*command_line(command, path, workbook))
    finally:
        target.chmod(0o644 if locked == "file" else 0o755)
    assert (result.returncode, result.stdout) == (1, ""), result.stderr
    assert_one_line(result.stderr, expected)
    assert snapshot(folder) == before


@contextmanager
def disk_full_after(extra_pages: int) -> Iterator[None]:
    """Every new connection may grow its database by ``extra_pages`` pages, no more: SQLite
    then fails as on a full disk (SQLITE_FULL)."""

    def limit(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        (pages,) = dbapi_connection.execute("PRAGMA page_count").fetchone()
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + extra_pages}")

    event.listen(Engine, "connect", limit)
    try:
        yield
    finally:
        event.remove(Engine, "connect", limit)


def test_an_import_onto_a_full_disk_says_so_and_leaves_the_last_committed_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    path = _last_mile_database(folder / "lastmile.sqlite3")
    workbook = write_list(tmp_path / "big.xlsx", [customer(n) for n in range(1, 400)])
    before = snapshot(folder)

    with disk_full_after(extra_pages=2):
        code = main(["--db", str(path), "import", str(workbook), "--region", "GB", "--json"])

    out, err = capsys.readouterr()
    assert code == 1
    assert_one_line(err, "The disk is full, so nothing was saved. Free some space")
    assert '"error": "The disk is full' in out
    assert snapshot(folder) == before


def test_an_action_on_a_full_disk_says_so_and_leaves_the_last_committed_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "lastmile.sqlite3"
    db, _ = open_database(to_url(path))
    store = build.add_store(db, "1")
    build.add_managers(db, store, "Ann Lee", "Bo Chan")
    build.add_members(db, build.add_campaign(db), store, build.random_customers(300))
    db.dispose()
    before = snapshot(folder)

    with disk_full_after(extra_pages=0):
        code = main(["--db", str(path), "assign"])

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert_one_line(err, "The disk is full")
    assert snapshot(folder) == before


def test_a_new_database_on_a_full_disk_is_not_left_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.sqlite3"
    with disk_full_after(extra_pages=1):
        code = main(["--db", str(path), "dnc", "list"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert_one_line(err, "The disk is full")
    assert list(tmp_path.iterdir()) == []
