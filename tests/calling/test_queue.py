"""The call queue: the order of Now, the reasons and times of Later, who sees what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.queue import CallQueue, LaterReason, NowReason, build_queue
from lastmile_desktop.campaigns.access import AccessDenied
from lastmile_desktop.campaigns.campaigns import close_campaign
from lastmile_desktop.campaigns.do_not_call import add_entry
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from tests.calling.desk_data import LEAD, Person, Region, build_region, uk_mobile, utc

AT = utc(2025, 1, 15, 12, 0)  # a Wednesday, lunchtime in London
NEW_YORK_NUMBER = "+12125550123"


def people() -> list[Person]:
    names = [
        "Ann",
        "Ben",
        "Cat",
        "Dan",
        "Eve",
        "Fay",
        "Gus",
        "Hal",
        "Ida",
        "Jon",
        "Kim",
        "Lea",
        "Max",
        "Ned",
        "Pat",
    ]
    spends = {"Fay": 90_000, "Gus": 90_000, "Hal": 1_000}
    recent = {"Gus": date(2024, 12, 1)}
    crowd = [
        Person(
            name,
            uk_mobile(index),
            spends.get(name, 5_000),
            recent.get(name, date(2024, 9, 1)),
        )
        for index, name in enumerate(names)
    ]
    return [
        *crowd,
        Person("Olu", NEW_YORK_NUMBER, 500),  # lives in New York, shops in London
        Person("Zed", uk_mobile(99), 5_000, store="LEE"),
    ]


@pytest.fixture
def region(db: Database) -> Region:
    region = build_region(db, people())
    m = region.members
    log = log_outcome
    log(
        db,
        LEAD,
        m["Ann"],
        "callback_requested",
        at=utc(2025, 1, 14, 10),
        callback_at=AT - timedelta(hours=1),
    )
    log(db, LEAD, m["Ben"], "C", at=utc(2025, 1, 14, 10), callback_at=AT - timedelta(hours=2))
    log(db, LEAD, m["Cat"], "accepted_offer", at=utc(2025, 1, 10, 11), visit_on=date(2025, 1, 16))
    log(db, LEAD, m["Dan"], "accepted_offer", at=utc(2025, 1, 6, 11), visit_on=date(2025, 1, 8))
    log(db, LEAD, m["Eve"], "accepted_offer", at=utc(2025, 1, 6, 11), visit_on=date(2025, 1, 8))
    region.bought("Eve", utc(2025, 1, 9, 15))
    log(db, LEAD, m["Ida"], "no_answer", at=utc(2025, 1, 13, 10))
    log(db, LEAD, m["Jon"], "busy", at=utc(2025, 1, 12, 9))
    log(db, LEAD, m["Kim"], "no_answer", at=utc(2025, 1, 15, 9))
    log(db, LEAD, m["Lea"], "C", at=utc(2025, 1, 15, 9), callback_at=utc(2025, 1, 15, 18))
    log(db, LEAD, m["Max"], "not_interested", at=utc(2025, 1, 14, 9), reason="price")
    region.hold_out("Ned")
    add_entry(db, phone=uk_mobile(14), reason="asked by letter", profile=LEAD)  # Pat
    return region


def names(region: Region, entries: list[object]) -> list[str]:
    by_uuid = {value: key for key, value in region.members.items()}
    return [by_uuid[entry.member] for entry in entries]  # type: ignore[attr-defined]


def test_now_comes_in_the_desks_order(region: Region) -> None:
    queue = build_queue(region.db, region.managers["Alice"], at=AT)
    assert names(region, queue.now) == [
        "Ben", "Ann",  # callbacks due, earliest first
        "Cat",  # visit reminder (visit tomorrow)
        "Dan",  # promised a visit that passed, no purchase since
        "Gus", "Fay", "Hal",  # never tried: spend, then recency
        "Jon", "Ida",  # retries whose cool-down passed, earliest first
    ]  # fmt: skip
    whys = [entry.why for entry in queue.now]
    assert whys == [
        NowReason.CALLBACK_DUE, NowReason.CALLBACK_DUE, NowReason.VISIT_REMINDER,
        NowReason.PROMISED_NOT_SEEN, NowReason.NEW, NowReason.NEW, NowReason.NEW,
        NowReason.RETRY, NowReason.RETRY,
    ]  # fmt: skip
    assert all(entry.until is None for entry in queue.now)


def test_later_says_why_and_from_when(region: Region) -> None:
    queue = build_queue(region.db, region.managers["Alice"], at=AT)
    later = dict(zip(names(region, queue.later), queue.later, strict=True))
    assert set(later) == {"Olu", "Lea", "Kim"}
    assert (later["Olu"].why, later["Olu"].until) == (
        LaterReason.OUTSIDE_CALLING_HOURS,
        utc(2025, 1, 15, 13, 0),  # 08:00 in New York
    )
    assert later["Olu"].timezones == ("America/New_York",)
    assert (later["Lea"].why, later["Lea"].until) == (
        LaterReason.CALLBACK_LATER,
        utc(2025, 1, 15, 18, 0),
    )
    # The cool-down ends at 05:00, before calling hours: callable from 08:00.
    assert (later["Kim"].why, later["Kim"].until) == (
        LaterReason.COOL_DOWN,
        utc(2025, 1, 16, 8, 0),
    )
    assert names(region, queue.later) == ["Olu", "Lea", "Kim"]  # soonest first


def test_a_queue_read_a_page_at_a_time_keeps_the_first_entries_and_counts_them_all(
    region: Region,
) -> None:
    whole = build_queue(region.db, region.managers["Alice"], at=AT)
    page = build_queue(region.db, region.managers["Alice"], at=AT, limit=2)
    assert page.now == whole.now[:2]  # Ben and Ann, every field as in the whole queue
    assert page.later == whole.later[:2]  # Olu and Lea
    assert (page.now_total, page.later_total) == (9, 3)
    assert (whole.now_total, whole.later_total) == (9, 3)
    assert whole.is_complete
    assert not page.is_complete


def test_finished_held_out_and_do_not_call_members_are_not_in_the_queue(
    region: Region,
) -> None:
    queue = build_queue(region.db, LEAD, at=AT)
    listed = set(names(region, [*queue.now, *queue.later]))
    assert {"Max", "Ned", "Pat", "Eve"}.isdisjoint(listed)
    assert "Zed" in listed  # the lead sees every store


def test_outside_calling_hours_everyone_waits_until_the_morning(region: Region) -> None:
    night = build_queue(region.db, region.managers["Alice"], at=utc(2025, 1, 15, 22, 0))
    assert names(region, night.now) == ["Olu"]  # 17:00 in New York
    outside = [e for e in night.later if e.why == LaterReason.OUTSIDE_CALLING_HOURS]
    london = [e for e in outside if e.timezones == ("Europe/London",)]
    assert london and {e.until for e in london} == {utc(2025, 1, 16, 8, 0)}


def test_an_entry_carries_what_the_desk_shows(region: Region) -> None:
    queue = build_queue(region.db, region.managers["Alice"], at=AT)
    (gus,) = [e for e in queue.now if e.member == region.members["Gus"]]
    assert (gus.name, gus.customer_id, gus.store, gus.manager) == (
        "Gus Example",
        "HO-Gus",
        "LON",
        "Alice Smith",
    )
    assert (gus.lifetime_spend_cents, gus.last_purchase, gus.attempts) == (
        90_000,
        date(2024, 12, 1),
        0,
    )
    assert gus.script == "Hello Gus, it's London Camden: 20% off with BACK20."
    assert gus.version == 2  # created, then assigned


def test_a_manager_sees_their_own_queue_and_the_lead_any(region: Region) -> None:
    alice, bob = region.managers["Alice"], region.managers["Bob"]
    assert "Zed" not in names(region, build_queue(region.db, alice, at=AT).now)
    assert names(region, build_queue(region.db, bob, at=AT).now) == ["Zed"]
    assert names(region, build_queue(region.db, LEAD, store="lee", at=AT).now) == ["Zed"]
    by_manager = build_queue(region.db, LEAD, manager="bob jones", at=AT)
    assert names(region, by_manager.now) == ["Zed"]
    with pytest.raises(AccessDenied):
        build_queue(region.db, alice, store="LEE", at=AT)
    with pytest.raises(AccessDenied):
        build_queue(region.db, alice, manager="Bob Jones", at=AT)


def test_the_queue_can_be_searched(region: Region) -> None:
    found = build_queue(region.db, LEAD, search="gus", at=AT)
    assert names(region, [*found.now, *found.later]) == ["Gus"]


def test_a_closed_or_unknown_campaign_is_refused(region: Region) -> None:
    with pytest.raises(UserFacingError, match="No campaign"):
        build_queue(region.db, LEAD, campaign="Autumn", at=AT)
    close_campaign(region.db, region.campaign_id, LEAD)
    with pytest.raises(UserFacingError, match="closed"):
        build_queue(region.db, LEAD, campaign="Spring win-back", at=AT)
    with pytest.raises(UserFacingError, match="no open campaign"):
        build_queue(region.db, LEAD, at=AT)


def test_the_queue_is_named_after_its_campaign_and_time(region: Region) -> None:
    queue = build_queue(region.db, LEAD, campaign="spring WIN-BACK", at=AT)
    assert isinstance(queue, CallQueue)
    assert (queue.campaign, queue.at) == ("Spring win-back", AT)
