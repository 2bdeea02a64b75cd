"""Periods: what the words mean in days, and the UTC bounds of local days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.leaderboard.periods import (
    Period,
    PeriodChoice,
    PeriodKind,
    campaign_weeks,
    parse_period,
)

WEDNESDAY = date(2026, 11, 25)
CAMPAIGN_START = date(2026, 11, 2)


def test_the_named_periods_end_today() -> None:
    def resolved(text: str) -> tuple[date, date]:
        period = parse_period(text).resolve(WEDNESDAY, CAMPAIGN_START)
        return period.first_day, period.last_day

    assert resolved("this-week") == (date(2026, 11, 23), WEDNESDAY)  # from Monday
    assert resolved("last-4-weeks") == (date(2026, 10, 29), WEDNESDAY)  # 28 days
    assert resolved("campaign") == (CAMPAIGN_START, WEDNESDAY)
    assert resolved(" 2026-11-02..2026-11-08 ") == (date(2026, 11, 2), date(2026, 11, 8))


def test_the_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    period = Period(date(2026, 11, 23), date(2026, 11, 25))

    assert period.previous() == Period(date(2026, 11, 20), date(2026, 11, 22))
    assert period.previous().days == period.days == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yesterday", "is not a period"),
        ("2026-11-08..2026-11-02", "ends (2026-11-02) before it starts"),
        ("2026-02-30..2026-03-02", "not in the calendar"),
    ],
)
def test_a_period_that_cannot_be_read_says_how_to_write_it(text: str, message: str) -> None:
    with pytest.raises(UserFacingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_period(text)


def test_local_days_become_utc_bounds_across_a_change_of_the_clocks() -> None:
    london = ZoneInfo("Europe/London")
    # The clocks went back at 02:00 on Sunday 25 October 2026.
    period = Period(date(2026, 10, 24), date(2026, 10, 25))

    assert period.utc_bounds(london) == (
        datetime(2026, 10, 23, 23, 0, tzinfo=UTC),  # midnight BST
        datetime(2026, 10, 26, 0, 0, tzinfo=UTC),  # midnight GMT
    )


def test_campaign_weeks_run_seven_days_from_the_first_and_the_last_ends_today() -> None:
    weeks = campaign_weeks(CAMPAIGN_START, WEDNESDAY)

    assert [(week.first_day.day, week.last_day.day) for week in weeks] == [
        (2, 8),
        (9, 15),
        (16, 22),
        (23, 25),
    ]
    assert PeriodChoice(PeriodKind.CAMPAIGN).resolve(date(2026, 11, 1), CAMPAIGN_START) == Period(
        date(2026, 11, 1), date(2026, 11, 1), PeriodKind.CAMPAIGN
    )


def test_periods_describe_themselves_briefly() -> None:
    assert Period(date(2026, 11, 3), date(2026, 11, 9)).describe() == "3-9 Nov 2026"
    assert Period(date(2026, 10, 28), date(2026, 12, 2)).describe() == "28 Oct - 2 Dec 2026"
    assert Period(date(2025, 12, 30), date(2026, 1, 5)).describe() == "30 Dec 2025 - 5 Jan 2026"
    assert Period(date(2026, 11, 3), date(2026, 11, 3)).describe() == "3 Nov 2026"
