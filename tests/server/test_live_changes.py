"""Live figures on a server: a call logged on another PC is heard at once (LISTEN/NOTIFY),
by a plain ``--db postgresql://`` database too, and turns into the window's change event."""

from __future__ import annotations

import queue
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.change_watch import ChangeNote, PostgresNotifyWatch, watch_changes
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from tests.calling.desk_data import LEAD, Person, Region, build_region, uk_mobile, utc
from tests.server.chain import Chain

pytestmark = pytest.mark.postgres

MONDAY = utc(2025, 1, 13, 10, 0)
HEARD_WITHIN_S = 1.0


@pytest.fixture
def other_pc(db_url: str) -> Iterator[Database]:
    """The same database opened by another PC: a connection pool of its own."""
    other, _ = open_database(db_url)
    yield other
    other.dispose()


@pytest.fixture
def region(db: Database) -> Region:
    return build_region(db, [Person("Ann", uk_mobile(1)), Person("Zed", uk_mobile(9), store="LEE")])


def listen(watch: PostgresNotifyWatch) -> queue.Queue[ChangeNote]:
    heard: queue.Queue[ChangeNote] = queue.Queue()
    watch.subscribe(heard.put)
    return heard


def test_a_call_logged_on_another_pc_is_heard_within_a_second(
    db: Database, other_pc: Database, region: Region
) -> None:
    watch = watch_changes(db)  # a database never set up for a chain: migrations did it
    assert isinstance(watch, PostgresNotifyWatch)
    try:
        watch.mark_seen()
        assert watch.poll() is False

        log_outcome(other_pc, LEAD, region.members["Ann"], "N", at=MONDAY)

        assert watch.wait_for_change(HEARD_WITHIN_S)
        assert watch.poll() is True
        assert watch.poll() is False  # reported once
    finally:
        watch.close()


def test_this_apps_own_writes_are_not_news(
    db: Database, other_pc: Database, region: Region
) -> None:
    watch = watch_changes(db)
    assert isinstance(watch, PostgresNotifyWatch)
    heard = listen(watch)
    try:
        log_outcome(db, LEAD, region.members["Ann"], "N", at=MONDAY)  # ours, committed first
        region.db = other_pc
        region.bought("Zed", utc(2025, 1, 14, 12, 0))  # theirs: a purchase, then its facts

        first = heard.get(timeout=HEARD_WITHIN_S)
        assert first == ChangeNote("purchases", None)
    finally:
        watch.close()


def test_a_stores_watch_hears_only_its_own_store(chain: Chain) -> None:
    region = chain.region
    watch = watch_changes(chain.open_as("LON"))
    assert isinstance(watch, PostgresNotifyWatch)
    heard = listen(watch)
    try:
        log_outcome(region.db, region.managers["Bob"], region.members["Zed"], "N", at=MONDAY)
        log_outcome(region.db, region.managers["Alice"], region.members["Ann"], "N", at=MONDAY)

        first = heard.get(timeout=HEARD_WITHIN_S)
        assert first.store_id == region.stores["LON"]
        assert first.table in {"call_attempts", "campaign_members"}
    finally:
        watch.close()


def test_the_window_refreshes_when_another_pc_logs_a_call(
    qtbot: QtBot, db: Database, other_pc: Database, region: Region
) -> None:
    context = AppContext(db)
    try:
        with qtbot.waitSignal(
            context.changed,
            timeout=3000,
            check_params_cb=lambda change: change == Changed(ChangeKind.EXTERNAL),
        ):
            log_outcome(other_pc, LEAD, region.members["Ann"], "N", at=MONDAY)
    finally:
        context.close()
