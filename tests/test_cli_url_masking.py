"""A password in a ``--db`` URL is never shown: not in errors, output, JSON or the log."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest
from sqlalchemy import make_url

from lastmile_desktop.cli import main
from tests.importing.service_support import customer, write_list

PASSWORD = "Pa55-w0rd-Nobody-Sees"


def _with_password(url: str) -> str:
    return make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)


def _run_all(
    url: str, folder: Path, capsys: pytest.CaptureFixture[str]
) -> list[tuple[int, str, str]]:
    """The commands that open the database and print something about it, each with --json."""
    workbook = write_list(folder / "list.xlsx", [customer(1), customer(2)])
    commands = [
        ["demo", "--customers", "30", "--json"],
        ["settings", "--json"],
        ["import", str(workbook), "--region", "GB", "--json"],
        ["assign", "--json"],
        ["queue", "--json"],
        ["dnc", "list", "--json"],
        ["leaderboard", "--json"],
        ["export", str(folder / "results.xlsx"), "--json"],
        ["campaign", "list", "--json"],
    ]
    results = []
    for command in commands:
        code = main(["--db", url, *command])
        captured = capsys.readouterr()
        results.append((code, captured.out, captured.err))
    return results


def test_a_server_that_cannot_be_reached_is_named_without_the_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://lead:{PASSWORD}@127.0.0.1:{port}/lastmile"

    results = _run_all(url, tmp_path, capsys)

    for code, out, err in results:
        assert code == 1
        assert err.startswith(f"lastmile: Cannot reach the database server at 127.0.0.1:{port}: ")
        assert PASSWORD not in out + err
    assert PASSWORD not in caplog.text


@pytest.mark.postgres
def test_a_password_url_that_works_is_shown_masked_everywhere(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # The test server trusts every local login, so any password is accepted.
    url = _with_password(db_url)

    results = _run_all(url, tmp_path, capsys)

    assert [code for code, _, _ in results] == [0] * len(results)
    shown = make_url(url)
    # The demo names the database it filled, as it may be shown: the password masked.
    assert f"{shown.username}:***@{shown.host}:{shown.port}/{shown.database}" in results[0][1]
    for _, out, err in results:
        assert PASSWORD not in out + err
    assert PASSWORD not in caplog.text
