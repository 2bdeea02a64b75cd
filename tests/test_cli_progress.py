"""Progress on the terminal, shared by every long command (import, demo, assign, dnc import)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from lastmile_desktop.cli import main
from lastmile_desktop.commands.common import TerminalProgress, progress_on_terminal
from lastmile_desktop.progress import NoProgress
from lastmile_desktop.storage import Database
from tests.campaigns.member_builders import (
    add_campaign,
    add_managers,
    add_members,
    add_store,
    random_customers,
)
from tests.importing.service_support import customer, write_list


class TerminalStream(io.StringIO):
    """Standard error as a person at a terminal has it."""

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_rewrites_one_line_at_most_ten_times_a_second_and_clears_it() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = TerminalProgress(stream, clock)
    progress.report(10, 100, "Adding new customers")
    clock.now += 0.05
    progress.report(20, 100, "Adding new customers")  # too soon: not drawn
    clock.now += 0.1
    progress.report(30, 100, "Adding new customers")
    progress.finish()
    assert stream.getvalue() == (
        "\rAdding new customers 10%"
        "\rAdding new customers 30%"
        "\r" + " " * len("Adding new customers 30%") + "\r"
    )


def test_work_of_unknown_length_shows_its_message_and_a_shorter_line_covers_a_longer_one() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = TerminalProgress(stream, clock)
    progress.report(1000, None, "1,000 rows read from dnc.csv")
    clock.now += 1
    progress.report(1, 1, "Saved")
    assert stream.getvalue() == "\r1,000 rows read from dnc.csv\r" + "Saved 100%".ljust(28)


def test_nothing_is_drawn_when_no_one_watches_the_stream() -> None:
    stream = io.StringIO()  # not a terminal: a pipe, a file, a test's capture
    with progress_on_terminal(stream) as progress:
        progress.report(5, 10, "Working")
    assert isinstance(progress, NoProgress)
    assert stream.getvalue() == ""


def test_the_line_is_cleared_when_the_work_fails() -> None:
    stream = TerminalStream()
    with pytest.raises(RuntimeError), progress_on_terminal(stream) as progress:
        progress.report(5, 10, "Working")
        raise RuntimeError("the work failed")
    assert stream.getvalue() == "\rWorking 50%\r" + " " * len("Working 50%") + "\r"


def test_an_import_at_a_terminal_shows_progress_on_stderr_and_keeps_stdout_for_the_result(
    db: Database,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = TerminalStream()
    monkeypatch.setattr(sys, "stderr", terminal)
    path = write_list(tmp_path / "list.xlsx", [customer(1), customer(2)])
    assert main(["--db", db_url, "import", str(path), "--region", "GB", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 2
    drawn = terminal.getvalue()
    assert drawn.startswith("\rReading list.xlsx")
    assert drawn.endswith(" \r")  # cleared before the summary


def test_assign_at_a_terminal_shows_its_progress_too(
    db: Database,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    leeds = add_store(db, "12", "Leeds")
    add_managers(db, leeds, "Alice")
    add_members(db, add_campaign(db, "Spring win-back"), leeds, random_customers(5, seed=1))
    terminal = TerminalStream()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["--db", db_url, "assign", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["newly_drawn"] == 5
    drawn = terminal.getvalue()
    assert drawn.startswith("\rDrawing the holdout and sharing out each store's list 0%")
    assert drawn.endswith(" \r")
