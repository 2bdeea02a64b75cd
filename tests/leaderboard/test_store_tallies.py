"""The leaderboard counts from each store's tallies: they follow a customer to another store,
out of every store when handed back and into one again when a new list gives the store, and
a period cut at local midnights counts a call by the day it was made there."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.store_tallies import counting
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.assignment import hand_back, reassign_members
from lastmile_desktop.importing.model import ImportOptions
from lastmile_desktop.importing.service import run_import
from lastmile_desktop.leaderboard.model import Figures
from lastmile_desktop.leaderboard.periods import PeriodChoice
from lastmile_desktop.leaderboard.service import leaderboard
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Manager, StoreTally
from tests.calling.desk_data import LEAD, Person, Region, build_region, uk_mobile, utc
from tests.leaderboard.region import Region as HandRegion
from tests.leaderboard.region import at
from tests.spreadsheets.workbook_builders import write_xlsx

TODAY = date(2025, 1, 31)
NOW = utc(2025, 1, 31, 18, 0)
CAMPAIGN_TO_DATE = PeriodChoice.custom(date(2025, 1, 1), TODAY)


def figures_by_store(db: Database) -> dict[str, Figures]:
    board = leaderboard(db, LEAD, period=CAMPAIGN_TO_DATE, today=TODAY, zone=UTC, now=NOW)
    return {row.store: row.figures for row in board.stores}


def called(db: Database) -> dict[str, tuple[int, int, int]]:
    """Per store: assigned, attempted, reached."""
    return {
        store: (figures.assigned, figures.attempted, figures.reached)
        for store, figures in figures_by_store(db).items()
    }


def tallied_members(db: Database) -> int:
    with db.read_session() as session:
        return sum(row.members for row in session.scalars(select(StoreTally)))


def manager_id(db: Database, name: str) -> int:
    with db.read_session() as session:
        return session.scalars(select(Manager.id).where(Manager.name == name)).one()


def region_with_calls(db: Database) -> Region:
    region = build_region(
        db,
        [
            Person("Ann", uk_mobile(1)),
            Person("Ben", uk_mobile(2)),
            Person("Zed", uk_mobile(3), store="LEE"),
        ],
    )
    log_outcome(db, LEAD, region.members["Ann"], "interested", at=utc(2025, 1, 6, 10, 0))
    log_outcome(db, LEAD, region.members["Zed"], "no_answer", at=utc(2025, 1, 6, 11, 0))
    return region


def test_a_called_customer_moved_to_another_store_takes_their_calls_there(db: Database) -> None:
    region = region_with_calls(db)
    assert called(db) == {"London Camden": (2, 1, 1), "Leeds Briggate": (1, 1, 0)}

    reassign_members(db, LEAD, [region.member_id("Ann")], manager_id(db, "Bob Jones"), "moved")

    assert called(db) == {"London Camden": (1, 0, 0), "Leeds Briggate": (2, 2, 1)}


def test_a_customer_handed_back_counts_nowhere_until_a_new_list_gives_their_store(
    db: Database, tmp_path: Path
) -> None:
    region = region_with_calls(db)
    alice = Profile.manager("Alice Smith", manager_id(db, "Alice Smith"), region.stores["LON"])
    hand_back(db, alice, region.member_id("Ann"), "moved near Leeds")

    assert called(db) == {"London Camden": (1, 0, 0), "Leeds Briggate": (1, 1, 0)}
    assert tallied_members(db) == 1  # Zed's day only

    new_list = write_xlsx(
        tmp_path / "january.xlsx",
        {
            "Customers": [
                ["Customer ID", "First name", "Phone", "Store"],
                ["HO-Ann", "Ann", uk_mobile(1), "LEE"],
            ]
        },
    )
    run_import(db, new_list, ImportOptions(region="GB", campaign_id=region.campaign_id))

    # Ann waits in the Unassigned bucket with her store known again: her call counts there,
    # though she is nobody's to call until the lead assigns her.
    assert tallied_members(db) == 3  # Zed's day, Ann's day and her reached day
    with db.read_session() as session:
        stores = set(session.scalars(select(StoreTally.store_id).where(counting())))
    assert stores == {region.stores["LEE"]}


def test_a_period_cut_at_local_midnights_counts_a_call_on_its_local_day(db: Database) -> None:
    """A call at 23:30 UTC on 9 November is made on the 10th in Paris."""
    with db.session() as session:
        hand = HandRegion(session)
        store = hand.store("N1", "North")
        ann = hand.manager(store, "Ann")
        hand.campaign()
        late, early = hand.member(store, ann), hand.member(store, ann)
        hand.call(late, at(9, 23, minute=30), "interested")
        hand.call(early, at(10, 9), "no_answer")

    def attempted(day: int, zone: ZoneInfo | None) -> tuple[int, int]:
        period = PeriodChoice.custom(date(2026, 11, day), date(2026, 11, day))
        board = leaderboard(
            db,
            LEAD,
            period=period,
            today=date(2026, 11, 29),
            zone=zone or UTC,
            now=datetime(2026, 11, 29, 18, 0, tzinfo=UTC),
        )
        (row,) = board.stores
        return row.figures.attempted, row.figures.reached

    paris = ZoneInfo("Europe/Paris")
    assert attempted(9, None) == (1, 1)
    assert attempted(10, None) == (1, 0)
    assert attempted(9, paris) == (0, 0)
    assert attempted(10, paris) == (2, 1)


def test_a_purchase_just_before_the_first_day_in_utc_is_a_return_where_that_day_had_begun(
    db: Database,
) -> None:
    """The campaign starts on 2 November: at 23:30 UTC on the 1st it is already the 2nd in
    Paris, so that purchase is a return there and not in London."""
    with db.session() as session:
        hand = HandRegion(session)
        store = hand.store("N1", "North")
        hand.campaign()
        called, held_out = hand.member(store), hand.member(store, holdout=True)
        hand.buy(called, at(1, 23, minute=30))
        hand.buy(held_out, at(1, 23, minute=30))

    def returns(zone: ZoneInfo) -> tuple[int, int]:
        board = leaderboard(
            db,
            LEAD,
            today=date(2026, 11, 29),
            zone=zone,
            now=datetime(2026, 11, 29, 18, 0, tzinfo=UTC),
        )
        (row,) = board.stores
        return row.lift.call_returned, row.lift.holdout_returned

    assert returns(ZoneInfo("Europe/London")) == (0, 0)
    assert returns(ZoneInfo("Europe/Paris")) == (1, 1)
