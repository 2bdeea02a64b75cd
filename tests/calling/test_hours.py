"""The calling-hours rule: campaign hours in the customer's own time, the store's opening
hours, the customer's zone from the number, around midnight and across clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from lastmile_desktop.calling import hours
from lastmile_desktop.calling.hours import (
    CallingHours,
    call_window,
    customer_zones,
    phone_zones,
    start_of_calling_day,
)
from lastmile_desktop.errors import UserFacingError

LONDON = "Europe/London"
UK_MOBILE = "+447911123456"
NEW_YORK_NUMBER = "+12125550123"
AUSTRALIAN_MOBILE = "+61412345678"
DEFAULT = CallingHours(time(8, 0), time(21, 0))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_uk_mobile_may_be_in_several_zones_and_the_stores_own_settles_it() -> None:
    assert set(phone_zones(UK_MOBILE)) >= {LONDON, "Europe/Jersey"}
    assert customer_zones(UK_MOBILE, LONDON) == (LONDON,)
    assert customer_zones(NEW_YORK_NUMBER, LONDON) == ("America/New_York",)


def test_without_a_zone_from_the_number_the_store_then_the_computer_decide(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert customer_zones(None, "Europe/Paris") == ("Europe/Paris",)
    assert customer_zones("not a number", "Europe/Paris") == ("Europe/Paris",)
    monkeypatch.setattr(hours, "computer_zone", lambda: "Asia/Tokyo")
    assert customer_zones(None, None) == ("Asia/Tokyo",)


def test_just_before_and_after_midnight_the_next_call_is_at_eight_that_morning() -> None:
    # 23:59 and 00:01 in London on a winter night (London is on UTC then).
    before = call_window(utc(2025, 1, 14, 23, 59), (LONDON,), DEFAULT)
    after = call_window(utc(2025, 1, 15, 0, 1), (LONDON,), DEFAULT)
    assert not before.callable and before.next_change == utc(2025, 1, 15, 8, 0)
    assert not after.callable and after.next_change == utc(2025, 1, 15, 8, 0)


def test_hours_that_run_to_midnight_include_the_last_minute_only() -> None:
    late = CallingHours(time(20, 0), time(23, 59))
    assert call_window(utc(2025, 1, 14, 23, 58), (LONDON,), late).callable
    window = call_window(utc(2025, 1, 15, 0, 0), (LONDON,), late)
    assert not window.callable and window.next_change == utc(2025, 1, 15, 20, 0)


def test_the_first_call_after_the_clocks_go_forward_is_at_eight_local_summer_time() -> None:
    # London moves to BST (UTC+1) at 01:00 UTC on Sunday 30 March 2025.
    evening = call_window(utc(2025, 3, 29, 21, 30), (LONDON,), DEFAULT)
    assert not evening.callable
    assert evening.next_change == utc(2025, 3, 30, 7, 0)  # 08:00 BST
    assert call_window(utc(2025, 3, 30, 7, 0), (LONDON,), DEFAULT).callable
    assert not call_window(utc(2025, 3, 30, 20, 0), (LONDON,), DEFAULT).callable  # 21:00 BST


def test_the_first_call_after_the_clocks_go_back_is_at_eight_local_winter_time() -> None:
    # London goes back to GMT at 01:00 UTC on Sunday 26 October 2025.
    evening = call_window(utc(2025, 10, 25, 20, 30), (LONDON,), DEFAULT)  # 21:30 BST
    assert not evening.callable
    assert evening.next_change == utc(2025, 10, 26, 8, 0)  # 08:00 GMT


def test_a_customer_in_another_country_is_called_in_their_own_hours() -> None:
    zones = customer_zones(NEW_YORK_NUMBER, LONDON)
    # 12:00 UTC is lunchtime in London but 07:00 in New York (EST, UTC-5).
    early = call_window(utc(2025, 1, 15, 12, 0), zones, DEFAULT, store_zone=LONDON)
    assert not early.callable and early.next_change == utc(2025, 1, 15, 13, 0)
    # 23:00 UTC is 18:00 in New York: still fine, although the London store is asleep.
    assert call_window(utc(2025, 1, 15, 23, 0), zones, DEFAULT, store_zone=LONDON).callable


def test_a_number_in_several_zones_is_called_only_when_every_zone_is_within_hours() -> None:
    zones = customer_zones(AUSTRALIAN_MOBILE, LONDON)
    assert {"Australia/Perth", "Australia/Sydney"} <= set(zones)
    # 22:00 UTC on 14 Jan: 06:00 in Perth (UTC+8), 09:00 in Sydney (UTC+11).
    assert not call_window(utc(2025, 1, 14, 22, 0), zones, DEFAULT).callable
    # The same number with the store in Perth: the store's zone settles it.
    in_perth = customer_zones(AUSTRALIAN_MOBILE, "Australia/Perth")
    assert in_perth == ("Australia/Perth",)
    # 02:00 UTC: 10:00 in Perth.
    assert call_window(utc(2025, 1, 15, 2, 0), in_perth, DEFAULT).callable


def test_the_stores_opening_hours_apply_in_the_stores_own_time() -> None:
    weekdays = {day: (time(9, 0), time(17, 30)) for day in ("mon", "tue", "wed", "thu", "fri")}
    saturday = utc(2025, 1, 18, 11, 0)
    window = call_window(saturday, (LONDON,), DEFAULT, weekdays, LONDON)
    assert not window.callable and window.next_change == utc(2025, 1, 20, 9, 0)
    wednesday = call_window(utc(2025, 1, 15, 17, 0), (LONDON,), DEFAULT, weekdays, LONDON)
    assert wednesday.callable and wednesday.next_change == utc(2025, 1, 15, 17, 30)


def test_hours_that_never_meet_give_no_time_at_all() -> None:
    closed_all_week: dict[str, tuple[time, time]] = {"sun": (time(6, 0), time(7, 0))}
    window = call_window(utc(2025, 1, 15, 12, 0), (LONDON,), DEFAULT, closed_all_week, LONDON)
    assert not window.callable and window.next_change is None


def test_calling_hours_are_read_from_text_and_refused_when_backwards() -> None:
    assert CallingHours.parse("8.30 - 20:00") == CallingHours(time(8, 30), time(20, 0))
    assert str(CallingHours.parse("08:00-21:00")) == "08:00-21:00"
    with pytest.raises(UserFacingError, match="end"):
        CallingHours.parse("21:00-08:00")
    with pytest.raises(UserFacingError, match="08:00-21:00"):
        CallingHours.parse("morning")


def test_the_calling_day_starts_when_every_zone_of_the_customer_is_within_hours() -> None:
    start = start_of_calling_day(date(2025, 1, 15), ("America/New_York", LONDON), DEFAULT)
    assert start == utc(2025, 1, 15, 13, 0)  # 08:00 in New York is the later start
