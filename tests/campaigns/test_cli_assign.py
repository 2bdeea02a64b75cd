from __future__ import annotations

import json

import pytest

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.assignment import campaign_to_assign
from lastmile_desktop.campaigns.members import assignment_overview
from lastmile_desktop.cli import main
from lastmile_desktop.storage import Database
from tests.campaigns.member_builders import (
    add_campaign,
    add_managers,
    add_members,
    add_store,
    random_customers,
)

LEAD = Profile.lead()


@pytest.fixture
def listed(db: Database) -> Database:
    """Leeds (Alice, Bob) with 50 customers, Hull with no manager (10), 3 with no store."""
    leeds, hull = add_store(db, "12", "Leeds"), add_store(db, "9", "Hull")
    add_managers(db, leeds, "Alice", "Bob")
    campaign = add_campaign(db, "Spring win-back", share=0.10)
    add_members(db, campaign, leeds, random_customers(50, seed=1))
    add_members(db, campaign, hull, random_customers(10, seed=2, start=100))
    add_members(db, campaign, None, random_customers(3, seed=3, start=200))
    return db


def run(db_url: str, *args: str) -> int:
    return main(["--db", db_url, "assign", *args])


def test_assign_prints_members_holdout_and_call_group_per_store_and_manager_as_json(
    listed: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db_url, "--seed", "77", "--json") == 0

    result = json.loads(capsys.readouterr().out)
    assert (result["campaign"], result["seed"], result["members"]) == ("Spring win-back", 77, 63)
    assert (result["newly_drawn"], result["newly_held_out"]) == (60, 6)
    assert result["newly_assigned"] == 45
    assert result["unassigned"] == 3
    hull, leeds = result["stores"]
    assert (leeds["store"], leeds["members"], leeds["holdout"], leeds["call_group"]) == (
        "Leeds",
        50,
        5,
        45,
    )
    assert sorted(m["members"] for m in leeds["managers"]) == [22, 23]
    assert (hull["store"], hull["call_group"], hull["without_manager"]) == ("Hull", 9, 9)


def test_assign_prints_a_readable_table_and_what_still_waits(
    listed: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db_url, "--seed", "77") == 0

    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "Campaign “Spring win-back”: 63 members" in lines[0]
    assert any(line.split() == ["Leeds", "50", "5", "45"] for line in lines)
    assert any(line.split() in (["Alice", "22"], ["Alice", "23"]) for line in lines)
    assert lines[1] == (
        "This run: 60 customers drawn: 6 set aside as holdout, 54 into the call group; 45 "
        "customers given to managers. 9 customers in the call group wait for a manager in "
        "Hull: add managers there, then assign again."
    )
    assert "3 customers have no known store" in out


def test_a_second_run_assigns_only_what_is_new(
    listed: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(db_url, "--seed", "5", "--json")
    capsys.readouterr()

    assert run(db_url, "--json") == 0

    result = json.loads(capsys.readouterr().out)
    assert (result["seed"], result["newly_drawn"], result["newly_assigned"]) == (5, 0, 0)


def test_assign_picks_a_campaign_by_name_in_any_case(
    listed: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    add_campaign(listed, "Autumn")

    assert run(db_url, "--campaign", "SPRING WIN-BACK", "--json") == 0
    assert json.loads(capsys.readouterr().out)["campaign"] == "Spring win-back"


def test_an_unknown_campaign_name_lists_the_known_ones(
    listed: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db_url, "--campaign", "Winter") == 1
    assert "no campaign called “Winter”. Campaigns: Spring win-back." in capsys.readouterr().err


def test_without_any_campaign_assign_says_to_import_first(
    db: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db_url) == 1
    assert "no open campaign: import a list first" in capsys.readouterr().err


def test_another_seed_after_the_draw_is_refused(
    listed: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(db_url, "--seed", "5")
    capsys.readouterr()

    assert run(db_url, "--seed", "6") == 1
    assert "drawn with seed 5" in capsys.readouterr().err


def test_assign_warns_first_about_stores_with_customers_and_no_manager(
    listed: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db_url, "--seed", "77", "--json") == 0

    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "Warning: 1 store has customers waiting but no active manager (Hull; 10 customers): "
        "they are drawn but given to nobody. Add managers, then run lastmile assign again."
    ]
    result = json.loads(captured.out)
    hull = next(store for store in result["stores"] if store["store"] == "Hull")
    assert result["stores_without_manager"] == [
        {"store_id": hull["store_id"], "store": "Hull", "waiting": 10}
    ]


def test_after_a_manager_joins_the_second_run_reports_the_customers_it_gave_out(
    listed: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(db_url, "--seed", "77")
    overview = assignment_overview(listed, LEAD, campaign_to_assign(listed))
    hull = next(store.store_id for store in overview if store.store_name == "Hull")
    assert hull is not None
    add_managers(listed, hull, "Hana")
    capsys.readouterr()

    assert run(db_url, "--json") == 0

    captured = capsys.readouterr()
    assert captured.err == ""
    result = json.loads(captured.out)
    assert result["changes"] == {
        "drawn_to_holdout": 0,
        "drawn_to_call": 0,
        "moved_to_holdout": 0,
        "back_from_holdout": 0,
        "given_manager": 9,
    }
    assert result["summary"] == "9 customers given to managers."
    assert result["stores_without_manager"] == []
