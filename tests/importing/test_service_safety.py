"""An import is all or nothing: cancelled, failed or killed, the database is as before."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.errors import Cancelled, UserFacingError
from lastmile_desktop.importing.model import ImportOptions
from lastmile_desktop.importing.service import export_rejected_rows, inspect_file, run_import
from lastmile_desktop.storage import Database, bulk_write
from tests.importing.service_support import HEADER, customer, dump, import_list, write_list
from tests.spreadsheets.workbook_builders import write_csv

LEAD = Profile.lead()


class StopAt:
    """A progress sink that raises ``error`` at the first report whose message has ``words``."""

    def __init__(self, words: str, error: BaseException) -> None:
        self.words = words
        self.error = error
        self.messages: list[str] = []

    def report(self, done: int, total: int | None, message: str = "") -> None:
        self.messages.append(message)
        if self.words in message:
            raise self.error


@pytest.fixture
def known_list(db: Database, tmp_path: Path) -> Path:
    """A database that already holds one import; returns a newer list with changes."""
    import_list(db, write_list(tmp_path / "v1.xlsx", [customer(n) for n in range(1, 6)]))
    newer = [customer(n, first_name=f"New{n}") for n in range(1, 9)]
    newer.append(customer(20, phone="0123"))
    return write_list(tmp_path / "v2.xlsx", newer)


@pytest.mark.parametrize(
    "stage",
    ["Reading", "Adding new customers", "Adding them to the campaign", "Updating", "Saving"],
)
def test_a_cancelled_import_leaves_the_database_unchanged(
    db: Database, known_list: Path, stage: str
) -> None:
    before = dump(db)
    progress = StopAt(stage, Cancelled())
    with pytest.raises(Cancelled):
        run_import(db, known_list, ImportOptions(region="GB"), progress)
    assert any(stage in message for message in progress.messages)
    assert dump(db) == before


@pytest.mark.parametrize("stage", ["Adding them to the campaign", "Updating", "Saving"])
def test_a_failure_midway_leaves_the_database_unchanged(
    db: Database, known_list: Path, stage: str
) -> None:
    before = dump(db)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run_import(
            db, known_list, ImportOptions(region="GB"), StopAt(stage, RuntimeError("disk on fire"))
        )
    assert dump(db) == before
    # And the same file imports cleanly afterwards: nothing half-done stands in the way.
    summary = import_list(db, known_list)
    assert (summary.counts.updated, summary.counts.imported, summary.counts.rejected) == (5, 3, 1)


_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from lastmile_desktop.importing.model import ImportOptions
    from lastmile_desktop.importing.service import run_import
    from lastmile_desktop.settings import to_url
    from lastmile_desktop.storage import open_database

    class Hold:
        def report(self, done, total, message=""):
            if message.startswith("Updating"):
                print("WRITING", flush=True)
                sys.stdin.read()  # wait here, mid-transaction, until killed

    db, _ = open_database(to_url(sys.argv[1]))
    run_import(db, Path(sys.argv[2]), ImportOptions(region="GB"), Hold())
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is a POSIX signal")
def test_an_import_killed_midway_leaves_the_database_unchanged(
    db: Database, db_url: str, known_list: Path
) -> None:
    before = dump(db)
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, db_url, str(known_list)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "WRITING"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
    assert dump(db) == before


def test_rejected_rows_export_to_xlsx_with_their_values_and_no_live_formulas(
    db: Database, tmp_path: Path
) -> None:
    # A CSV carries text starting with "=" as text (a workbook would hold a formula).
    rows = [customer(1), customer(2, phone='=HYPERLINK("http://x")', first_name="@SUM(1)")]
    rows.append(customer(3, phone=None, last_name="-2+3"))
    summary = import_list(db, write_csv(tmp_path / "r.csv", [HEADER, *rows]))
    target = export_rejected_rows(db, summary.batch_id, tmp_path / "rejects.xlsx", LEAD)

    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:4] == ["Sheet row", "Reason", "Customer ID", "First name"]
    assert values[1][:4] == [
        3, 'phone "=HYPERLINK("http://x")" is not a number', "C0002", "@SUM(1)"
    ]  # fmt: skip
    assert values[1][5] == '=HYPERLINK("http://x")'
    assert values[2][:2] == [4, "no phone number that can be dialled"]
    assert values[2][4] == "-2+3"
    # The same characters, in text cells marked so that editing them keeps them text.
    for cell in (sheet["D2"], sheet["F2"], sheet["E3"]):
        assert cell.data_type == "s" and cell.quotePrefix
    assert not sheet["C2"].quotePrefix
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_rejected_rows_export_to_csv(db: Database, tmp_path: Path) -> None:
    summary = import_list(db, write_list(tmp_path / "r.xlsx", [customer(1, phone="+1")]))
    target = export_rejected_rows(db, summary.batch_id, tmp_path / "rejects.csv", LEAD)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0][:3] == ["Sheet row", "Reason", "Customer ID"]
    assert lines[1][:3] == ["2", 'phone "+1" is not a valid GB number', "C0001"]


def test_exporting_to_another_format_or_an_unknown_import_says_what_to_do(
    db: Database, tmp_path: Path
) -> None:
    summary = import_list(db, write_list(tmp_path / "r.xlsx", [customer(1, phone="1")]))
    with pytest.raises(UserFacingError, match=r"as \.xlsx or \.csv"):
        export_rejected_rows(db, summary.batch_id, tmp_path / "rejects.pdf", LEAD)
    with pytest.raises(UserFacingError, match="no import number 999"):
        export_rejected_rows(db, 999, tmp_path / "rejects.csv", LEAD)
    with pytest.raises(UserFacingError, match=r"The folder .*missing does not exist: create it"):
        export_rejected_rows(db, summary.batch_id, tmp_path / "missing" / "rejects.csv", LEAD)


def _schema(db: Database) -> list[tuple[str, str]]:
    with db.read_session() as session:
        rows = session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        ).all()
    return [(name, sql) for name, sql in rows]


@pytest.mark.sqlite_only
def test_a_big_first_import_leaves_every_index_as_the_migration_made_it(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Take the bulk path with a small list.
    monkeypatch.setattr(bulk_write, "INDEX_REBUILD_MIN_ROWS", 3)
    before = _schema(db)
    summary = import_list(db, write_list(tmp_path / "big.xlsx", [customer(n) for n in range(1, 8)]))
    assert summary.counts.imported == 7
    assert _schema(db) == before
    with db.read_session() as session:
        plan = session.execute(
            text("EXPLAIN QUERY PLAN SELECT id FROM customers WHERE phone = '+447400100001'")
        ).all()
    assert "ix_customers_phone" in " ".join(str(step) for step in plan)


@pytest.mark.sqlite_only
def test_a_big_import_cancelled_while_its_indexes_are_down_restores_them(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_write, "INDEX_REBUILD_MIN_ROWS", 3)
    before, schema = dump(db), _schema(db)
    path = write_list(tmp_path / "big.xlsx", [customer(n) for n in range(1, 8)])
    with pytest.raises(Cancelled):
        run_import(
            db, path, ImportOptions(region="GB"), StopAt("Adding new customers", Cancelled())
        )
    assert _schema(db) == schema
    assert dump(db) == before


def test_a_store_manager_can_neither_inspect_nor_import_a_list(
    db: Database, tmp_path: Path
) -> None:
    manager = Profile.manager("Sam Shop", manager_id=1, store_id=1)
    path = write_list(tmp_path / "list.xlsx", [customer(1), customer(2)])
    before = dump(db)
    with pytest.raises(AccessDenied, match="Only the regional lead can import customer lists"):
        inspect_file(db, path, ImportOptions(region="GB"), profile=manager)
    with pytest.raises(AccessDenied, match="Only the regional lead can import customer lists"):
        run_import(db, path, ImportOptions(region="GB"), profile=manager)
    assert dump(db) == before


def test_the_lead_imports_whether_named_or_left_to_the_command_line_default(
    db: Database, tmp_path: Path
) -> None:
    options = ImportOptions(region="GB")
    named = run_import(db, write_list(tmp_path / "a.xlsx", [customer(1)]), options, profile=LEAD)
    default = run_import(db, write_list(tmp_path / "b.xlsx", [customer(2)]), options)
    assert (named.counts.imported, default.counts.imported) == (1, 1)
