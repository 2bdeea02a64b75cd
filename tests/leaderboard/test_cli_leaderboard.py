"""``lastmile leaderboard``: the issue's JSON, the same figures as the service, a manager's view."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.cli import main
from lastmile_desktop.demo import CAMPAIGN_WEEKS, generate_demo
from lastmile_desktop.leaderboard.periods import parse_period
from lastmile_desktop.leaderboard.rates import Rate
from lastmile_desktop.leaderboard.service import leaderboard, leaderboard_json
from lastmile_desktop.storage import Database
from tests.conftest import fresh_database_url

DEMO_TODAY = date(2026, 11, 30)
DEMO_START = DEMO_TODAY - timedelta(days=CAMPAIGN_WEEKS * 7)
# Explicit days (not "campaign"), so the command and the service count the same days
# whenever the test runs.
DEMO_PERIOD = f"{DEMO_START}..{DEMO_TODAY - timedelta(days=1)}"
TOP_KEYS = ["campaign", "period", "rate", "stores", "heroes", "gaps", "lift"]
STORE_KEYS = [
    "store", "assigned", "attempted", "attempts", "reached", "accepted", "won_back",
    "revenue_won_back", "stayed_back", "coverage", "contact_rate", "acceptance_rate",
    "win_back_rate", "stay_rate", "overdue_callbacks", "speed_to_first_call_days", "rate_ci95",
    "rank",
]  # fmt: skip
LIFT_KEYS = [
    "call_return_rate", "holdout_return_rate", "call_members", "holdout_members", "points",
    "ci95",
]  # fmt: skip


@pytest.fixture(scope="module")
def demo_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a demo region, built once for the module (the commands' ``--db``)."""
    from lastmile_desktop.storage import open_database

    url = fresh_database_url(request, tmp_path_factory.mktemp("demo"), "demo")
    db, _ = open_database(url)
    generate_demo(db, customers=1_500, seed=11, today=DEMO_TODAY)
    db.dispose()
    return url


@pytest.fixture
def demo_db(demo_url: str) -> Any:
    from lastmile_desktop.storage import open_database

    db, _ = open_database(demo_url)
    yield db
    db.dispose()


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("rate", list(Rate))
def test_the_command_and_the_service_give_the_same_figures_on_demo_data(
    demo_url: str, demo_db: Database, rate: Rate, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = run_json(
        capsys, "--db", demo_url, "leaderboard", "--period", DEMO_PERIOD, "--rate", rate.value
    )
    board = leaderboard(demo_db, Profile.lead(), period=parse_period(DEMO_PERIOD), rate=rate)

    assert printed == json.loads(json.dumps(leaderboard_json(board)))
    assert len(printed["stores"]) == 12
    assert printed["period"] == {"from": str(DEMO_START), "to": str(DEMO_TODAY - timedelta(days=1))}


def test_the_json_has_the_documented_keys_and_plain_values(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = run_json(capsys, "--db", demo_url, "leaderboard", "--period", DEMO_PERIOD)

    assert list(printed) == TOP_KEYS
    assert printed["rate"] == "win_back_rate"
    assert printed["campaign"].startswith("Win-back")
    for store in printed["stores"]:
        assert list(store) == STORE_KEYS
        assert 0 <= store["win_back_rate"] <= 1
        low, high = store["rate_ci95"]
        assert 0 <= low <= store["win_back_rate"] <= high <= 1
        assert store["rank"] is None or isinstance(store["rank"], int)
    ranks = [store["rank"] for store in printed["stores"] if store["rank"] is not None]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert list(printed["heroes"]) == ["best_now", "most_improved"]
    assert all(list(hero) == ["store", "text"] for hero in printed["heroes"]["best_now"])
    assert printed["heroes"]["best_now"], "the demo has stores to rank"
    assert all(list(gap) == ["store", "kind", "count", "text"] for gap in printed["gaps"])
    assert list(printed["lift"]) == LIFT_KEYS
    lift = printed["lift"]
    assert lift["points"] == pytest.approx(
        (lift["call_return_rate"] - lift["holdout_return_rate"]) * 100, abs=0.02
    )
    assert lift["ci95"][0] < lift["points"] < lift["ci95"][1]


def test_a_managers_view_from_the_command_line_letters_the_other_stores(
    demo_url: str, demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from lastmile_desktop.campaigns.profiles import available_profiles

    manager = next(profile for profile in available_profiles(demo_db) if not profile.is_lead)
    printed = run_json(
        capsys, "--db", demo_url, "leaderboard", "--period", DEMO_PERIOD, "--as", manager.name
    )
    names = [store["store"] for store in printed["stores"]]

    assert sum(not name.startswith("Store ") for name in names) == 1
    assert sorted(name for name in names if name.startswith("Store ")) == [
        f"Store {letter}" for letter in "ABCDEFGHIJK"
    ]


def test_without_json_it_prints_the_table_and_the_sentences(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", demo_url, "leaderboard", "--period", DEMO_PERIOD]) == 0
    out = capsys.readouterr().out

    assert out.startswith('Campaign "Win-back')
    assert "Rank  Store" in out
    assert "Best right now:" in out and "of assigned customers came back (n=" in out
    assert "Gaps:" in out and "not called yet" in out
    assert "Lift over the holdout" in out


def test_an_unknown_manager_or_period_is_refused_in_one_line(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", demo_url, "leaderboard", "--as", "Nobody Here"]) == 1
    assert 'No active manager is called "Nobody Here"' in capsys.readouterr().err
    assert main(["--db", demo_url, "leaderboard", "--period", "fortnight"]) == 1
    assert '"fortnight" is not a period' in capsys.readouterr().err
