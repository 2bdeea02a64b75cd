"""How commands fail: one line on standard error, exit status 1, JSON for scripts, and
no traceback when whoever reads the output stops early."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.do_not_call import add_entry
from lastmile_desktop.cli import main
from lastmile_desktop.storage import Database
from tests.importing.service_support import customer, dump, write_list


def test_output_into_a_pipe_closed_early_ends_quietly_without_a_traceback(
    db: Database, db_url: str
) -> None:
    for number in range(300):
        add_entry(db, phone=f"+4474001{number:05d}", reason="asked", profile=Profile.lead())
    db.dispose()
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (`| head`) has already gone
    try:
        result = subprocess.run(
            [sys.executable, "-m", "lastmile_desktop.cli", "--db", db_url, "dnc", "list"],
            check=False,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert result.stderr == ""


def test_rejects_into_a_missing_folder_are_refused_before_anything_is_imported(
    db: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = write_list(tmp_path / "list.xlsx", [customer(1), customer(2, phone="0123")])
    before = dump(db)
    target = tmp_path / "no such folder" / "rejects.xlsx"

    code = main(["--db", db_url, "import", str(workbook), "--rejects-to", str(target)])

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == (
        f"lastmile: The folder {target.parent} does not exist: create it, or choose another "
        "folder for rejects.xlsx.\n"
    )
    assert dump(db) == before


def test_a_failing_import_with_json_prints_one_json_object_with_the_error_and_the_file(
    db: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "not-there.xlsx"

    code = main(["--db", db_url, "import", str(missing), "--json"])

    out, err = capsys.readouterr()
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("lastmile: ")
    payload = json.loads(out)
    assert payload == {"error": err.removeprefix("lastmile: ").strip(), "file": str(missing)}


def test_any_failing_command_with_json_prints_the_error_as_json(
    db: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", db_url, "dnc", "add", "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    assert json.loads(out) == {"error": err.removeprefix("lastmile: ").strip()}
    assert "Give a phone number or a customer id" in err
