from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lastmile_desktop.cli import build_parser, main
from lastmile_desktop.storage.migrate import head_revision


def subcommand_names() -> list[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if a.dest == "command"]
    return sorted(actions[0].choices)  # type: ignore[arg-type]


def test_help_is_offered_at_the_top_level(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--db" in out
    for name in subcommand_names():
        assert name in out


@pytest.mark.parametrize("name", subcommand_names())
def test_every_subcommand_has_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    assert f"lastmile {name}" in capsys.readouterr().out


def test_selftest_passes_on_a_fresh_install(db_url: str, backend: str, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LASTMILE_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lastmile_desktop.cli",
            "--db",
            db_url,
            "selftest",
        ],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "ok   database" in result.stdout
    assert "ok   window" in result.stdout
    if backend == "postgres":  # the server's database is read, not copied
        assert f"is at {head_revision()}, which this version opens" in result.stdout


@pytest.mark.sqlite_only
def test_selftest_reports_a_broken_database_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LASTMILE_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "lastmile_desktop.cli", "--db", str(broken), "selftest"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    assert "FAIL database" in result.stderr
