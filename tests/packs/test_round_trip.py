"""The offline round trip: the region's pack, a store's own database, calls logged there at
the desk, the store's results back into the region, twice, then a conflicting edit; the
members and the leaderboard's figures agree on both sides."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.do_not_call import list_entries
from lastmile_desktop.leaderboard.service import leaderboard, leaderboard_json
from lastmile_desktop.packs.pack_in import import_pack
from lastmile_desktop.packs.pack_out import export_pack
from lastmile_desktop.packs.results_in import ResultsImportSummary, import_store_results
from lastmile_desktop.packs.results_out import CALLS_SHEET, export_store_results
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import CallAttempt, Manager
from lastmile_desktop.storage.types import utcnow
from tests.calling.desk_data import LEAD, Person, Region, build_region, uk_mobile
from tests.importing.service_support import dump
from tests.packs.results_support import FORMULA_NOTES, MONDAY, edit_cells, member_state

# London (LON, Alice): Ann, Ben, Cat, Dan, and Dee in the holdout; Leeds (LEE, Bob): Zed.
PEOPLE = [
    Person("Ann", uk_mobile(1)),
    Person("Ben", uk_mobile(2)),
    Person("Cat", uk_mobile(3)),
    Person("Dan", uk_mobile(5)),
    Person("Dee", uk_mobile(4)),
    Person("Zed", uk_mobile(9), store="LEE"),
]
CALLED = ("Ann", "Ben", "Cat", "Dan")


@dataclass
class RoundTrip:
    folder: Path
    region: Region
    store: Region  # the store's PC: its own database, filled by the pack
    results: Path
    store_calls: list[uuid.UUID]  # logged on the store's PC, in order
    region_calls: list[uuid.UUID]  # logged in the region before the pack was made

    def import_results(self) -> ResultsImportSummary:
        return import_store_results(self.region.db, LEAD, self.results)


def _profile_here(db: Database, region: Region, first_name: str) -> Profile:
    """The same manager in another database: found by UUID, with that database's ids."""
    with region.db.read_session() as session:
        manager_uuid = session.get_one(Manager, region.managers[first_name].manager_id).uuid
    with db.read_session() as session:
        manager = session.scalars(select(Manager).where(Manager.uuid == manager_uuid)).one()
        return Profile.manager(manager.name, manager.id, manager.store_id)


@pytest.fixture
def trip(tmp_path: Path) -> Iterator[RoundTrip]:
    region_db, _ = open_database(to_url(tmp_path / "region.sqlite3"))
    store_db, _ = open_database(to_url(tmp_path / "store.sqlite3"))
    try:
        region = build_region(region_db, PEOPLE)
        region.hold_out("Dee")
        alice = region.managers["Alice"]
        region_calls = [
            log_outcome(region_db, alice, region.members["Ben"], "no_answer", at=MONDAY).attempt,
        ]
        export_pack(region_db, LEAD, tmp_path / "pack.xlsx", store="LON")
        import_pack(store_db, LEAD, tmp_path / "pack.xlsx")
        store = Region(
            store_db,
            region.campaign_id,
            region.stores,
            {"Alice": _profile_here(store_db, region, "Alice")},
            {name: region.members[name] for name in CALLED},
        )
        store_calls = _work_the_desk(store)
        results = export_store_results(
            store_db, store.managers["Alice"], tmp_path / "results.xlsx"
        ).file
        yield RoundTrip(tmp_path, region, store, results, store_calls, region_calls)
    finally:
        region_db.dispose()
        store_db.dispose()


def _work_the_desk(store: Region) -> list[uuid.UUID]:
    """A week of calls at the store, through the desk's own service."""
    alice = store.managers["Alice"]

    def log(name: str, outcome: str, days: float, **details: Any) -> uuid.UUID:
        at = MONDAY + timedelta(days=days)
        member = store.members[name]
        return log_outcome(store.db, alice, member, outcome, at=at, **details).attempt

    return [
        log("Ann", "no_answer", 1, note=FORMULA_NOTES[0]),
        log("Ben", "callback_requested", 1.1, callback_at=MONDAY + timedelta(days=2, hours=8)),
        log("Cat", "do_not_call", 1.2, note=FORMULA_NOTES[1]),
        log("Ann", "accepted_offer", 2, visit_on=date(2025, 1, 20)),
        log("Ben", "not_interested", 2.4, reason="price", note=FORMULA_NOTES[2]),
        log("Dan", "left_voicemail", 3),
    ]


def _store_row(db: Database, moment: datetime) -> dict[str, object]:
    """London's figures on the leaderboard of the campaign to date."""
    board = leaderboard_json(leaderboard(db, LEAD, today=moment.date(), now=moment))
    stores = board["stores"]
    assert isinstance(stores, list)
    (london,) = [row for row in stores if str(row["store"]).startswith("London Camden")]
    return {key: value for key, value in london.items() if key != "rank"}


def test_the_stores_calls_come_back_and_every_member_agrees_on_both_sides(
    trip: RoundTrip,
) -> None:
    summary = trip.import_results()

    assert (summary.rows_read, summary.added, summary.already_known) == (7, 6, 1)
    assert (summary.conflicts, summary.rejected) == (0, 0)
    with trip.region.db.read_session() as session:
        here = set(session.scalars(select(CallAttempt.uuid)))
    assert here == {*trip.store_calls, *trip.region_calls}
    for name in CALLED:
        assert member_state(trip.region, name) == member_state(trip.store, name), name
    # Cat asked not to be called at the store: the region's list has her too.
    assert [entry.phone for entry in list_entries(trip.region.db, LEAD)] == [uk_mobile(3)]


def test_the_leaderboard_figures_agree_on_both_sides(trip: RoundTrip) -> None:
    trip.import_results()
    moment = utcnow()

    region_row, store_row = _store_row(trip.region.db, moment), _store_row(trip.store.db, moment)

    assert region_row == store_row
    assert (region_row["attempted"], region_row["accepted"]) == (4, 1)


def test_importing_the_results_again_adds_nothing(trip: RoundTrip) -> None:
    trip.import_results()
    before = dump(trip.region.db)

    again = trip.import_results()

    assert (again.rows_read, again.added, again.already_known) == (7, 0, 7)
    assert dump(trip.region.db) == before


def test_a_conflicting_edit_is_reported_with_its_row_and_not_written(trip: RoundTrip) -> None:
    trip.import_results()
    # Row 3 is the store's first call (row 2 is the region's call the pack carried).
    edit_cells(
        trip.results,
        CALLS_SHEET.name,
        {(3, "Outcome"): "busy", (3, "Note"): "rang twice"},
    )
    before = dump(trip.region.db)

    summary = trip.import_results()

    assert (summary.conflicts, summary.already_known, summary.added) == (1, 6, 0)
    (conflict,) = summary.conflict_rows
    assert (conflict.row, conflict.attempt) == (3, str(trip.store_calls[0]))
    assert conflict.reason.startswith("this call is recorded here with a different outcome")
    assert summary.as_json()["conflict_rows"] == [
        {"row": 3, "attempt": str(trip.store_calls[0]), "reason": conflict.reason}
    ]
    assert dump(trip.region.db) == before
    with trip.region.db.read_session() as session:
        kept = session.scalars(
            select(CallAttempt).where(CallAttempt.uuid == trip.store_calls[0])
        ).one()
    assert (kept.outcome, kept.note) == ("no_answer", FORMULA_NOTES[0])
