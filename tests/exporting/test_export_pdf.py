"""``lastmile export --pdf FILE``: the leaderboard on one page, alone or beside the workbook,
with the leaderboard's period, rate and access rules, on the locale's paper."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from lastmile_desktop.cli import main
from lastmile_desktop.commands.common import COMMAND_LINE_PROFILE
from lastmile_desktop.demo import generate_demo
from lastmile_desktop.leaderboard.periods import PeriodChoice
from lastmile_desktop.leaderboard.rates import Rate
from lastmile_desktop.leaderboard.service import leaderboard
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, open_database
from tests.exporting.export_data import ExportRegion, build_region
from tests.ui.pdf_reading import page_count, page_size, text_of, words

DEMO_TODAY = date(2026, 11, 30)
# Explicit days, so the command and the service count the same days whenever the test runs.
FIRST, LAST = DEMO_TODAY - timedelta(days=28), DEMO_TODAY - timedelta(days=1)
PDF_KEYS = {"file", "pages", "paper", "campaign", "period", "rate", "stores", "stores_shown"}


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db, _ = open_database(to_url(path))
    generate_demo(db, customers=600, seed=5, today=DEMO_TODAY)
    db.dispose()
    return path


@pytest.fixture
def region(db: Database, tmp_path: Path) -> ExportRegion:
    return build_region(db, tmp_path)


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_pdf_alone_holds_the_heroes_the_leaderboard_gives_for_that_period_and_rate(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "meeting.pdf"
    printed = run_json(
        capsys,
        "--db", str(demo_path), "export", "--pdf", str(target), "--paper", "letter",
        "--period", f"{FIRST}..{LAST}", "--rate", "win_back_rate",
    )  # fmt: skip

    db, _ = open_database(to_url(demo_path))
    try:
        period = PeriodChoice.custom(FIRST, LAST)
        board = leaderboard(db, COMMAND_LINE_PROFILE, period=period, rate=Rate.WIN_BACK_RATE)
    finally:
        db.dispose()
    assert set(printed) >= PDF_KEYS
    assert printed["file"] == str(target)
    assert (printed["pages"], printed["paper"], printed["rate"]) == (1, "letter", "win_back_rate")
    assert printed["campaign"] == board.campaign
    assert printed["period"] == {"from": FIRST.isoformat(), "to": LAST.isoformat()}
    assert printed["stores"] == printed["stores_shown"] == len(board.stores) == 12
    assert list(tmp_path.iterdir()) == [target]  # no workbook
    assert page_count(target) == 1
    assert page_size(target) == pytest.approx((612, 792), abs=1)
    text = text_of(target)
    heroes = [*board.best_now, *board.most_improved]
    assert len(heroes) >= 4
    assert all(words(hero.text) in text for hero in heroes)


def test_the_workbook_and_the_pdf_together_and_what_the_command_says(
    db_url: str, region: ExportRegion, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook, pdf = tmp_path / "results.xlsx", tmp_path / "results.pdf"
    printed = run_json(
        capsys, "--db", db_url, "export", str(workbook), "--pdf", str(pdf),
        "--paper", "a4",
    )  # fmt: skip
    assert printed["file"] == str(workbook) and workbook.exists()
    assert printed["sheets"]["Stores"] == 2  # the workbook's JSON as it always was
    assert printed["pdf"]["file"] == str(pdf)
    assert (printed["pdf"]["pages"], printed["pdf"]["paper"]) == (1, "a4")
    assert printed["pdf"]["campaign"] == printed["campaign"] == "Winter win-back"
    assert page_size(pdf) == pytest.approx((595, 842), abs=1)

    again = tmp_path / "again.pdf"
    assert main(["--db", db_url, "export", "--pdf", str(again), "--paper", "a4"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        f"Wrote {again}: the leaderboard of “Winter win-back”, "
    ) and out.rstrip().endswith("on one page of A4; every store and gap on it.")


def test_a_manager_s_pdf_letters_the_other_stores(
    db_url: str, region: ExportRegion, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "ann.pdf"
    printed = run_json(capsys, "--db", db_url, "export", "--pdf", str(target), "--as", "Ann Archer")
    assert printed["stores"] == 2
    text = text_of(target)
    assert "Store 1" in text and "Store A" in text
    assert "Store 2" not in text


def test_the_paper_follows_the_computer_s_locale_unless_asked(
    db_url: str,
    region: ExportRegion,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = db_url
    for locale, paper in (("en_US.UTF-8", "letter"), ("en_CA", "letter"), ("de_DE", "a4")):
        monkeypatch.setattr("lastmile_desktop.countries.locale_name", lambda locale=locale: locale)
        target = tmp_path / f"{locale}.pdf"
        assert run_json(capsys, "--db", url, "export", "--pdf", str(target))["paper"] == paper
    assert (
        run_json(capsys, "--db", url, "export", "--pdf", str(target), "--paper", "a4")["paper"]
        == "a4"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Give the file to write: a workbook (FILE, .xlsx or .csv), --pdf FILE"),
        (["x.xlsx", "--rate", "coverage"], "--period, --rate and --paper choose what the PDF"),
        (["x.xlsx", "--paper", "a4"], "--period, --rate and --paper choose what the PDF"),
        (["--pdf", "x.pdf", "--store", "1"], "--store narrows the workbook"),
        (["--pdf", "x.png"], "x.png: the leaderboard can be saved as .pdf"),
        (["--pdf", "x.pdf", "--period", "fortnight"], '"fortnight" is not a period'),
        (["--pdf", "x.pdf", "--campaign", "Summer"], 'No campaign is called "Summer"'),
    ],
)
def test_what_the_pdf_cannot_be_made_from_is_refused_with_nothing_written(
    db_url: str,
    region: ExportRegion,
    *,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    before = set(tmp_path.iterdir())
    monkeypatch.chdir(tmp_path)  # the relative files of the arguments land here, if anywhere
    assert main(["--db", db_url, "export", *args]) == 1
    assert message in capsys.readouterr().err
    assert set(tmp_path.iterdir()) == before


def test_the_command_makes_the_pdf_without_a_screen_and_exits_cleanly(
    db_url: str, region: ExportRegion, tmp_path: Path
) -> None:
    target = tmp_path / "headless.pdf"
    environment = {k: v for k, v in os.environ.items() if k not in {"QT_QPA_PLATFORM", "DISPLAY"}}
    result = subprocess.run(
        [sys.executable, "-m", "lastmile_desktop.cli", "--db", db_url, "export",
         "--pdf", str(target), "--json"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pages"] == 1
    assert page_count(target) == 1
