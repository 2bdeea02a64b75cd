"""The periods figures are counted over: whole local days, from the first to the last.

A period is read as local calendar days (the computer's time zone unless one is given) and
turned into a half-open UTC range for the database: from midnight starting the first day to
midnight ending the last. The previous period is the one of the same length just before it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from lastmile_desktop.errors import UserFacingError

TREND_WEEK_DAYS = 7


class PeriodKind(enum.StrEnum):
    """The periods a user picks; the values are the command line's words."""

    THIS_WEEK = "this-week"  # Monday to today
    LAST_4_WEEKS = "last-4-weeks"  # the 28 days up to today
    CAMPAIGN = "campaign"  # the campaign's first day to today
    CUSTOM = "custom"  # FROM..TO, both days included


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date  # included
    kind: PeriodKind = PeriodKind.CUSTOM

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise UserFacingError(
                f"The period ends ({self.last_day:%Y-%m-%d}) before it starts "
                f"({self.first_day:%Y-%m-%d}): give the earlier day first."
            )

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        last = self.first_day - timedelta(days=1)
        return Period(last - timedelta(days=self.days - 1), last, PeriodKind.CUSTOM)

    def utc_bounds(self, zone: tzinfo | None = None) -> tuple[datetime, datetime]:
        """[start, end) in UTC: local midnight before the first day, after the last."""
        return local_midnight(self.first_day, zone), local_midnight(
            self.last_day + timedelta(days=1), zone
        )

    def describe(self) -> str:
        """ "3-9 Nov 2026", "28 Oct - 2 Dec 2026", "30 Dec 2025 - 5 Jan 2026"."""
        first, last = self.first_day, self.last_day
        if first == last:
            return f"{last.day} {last:%b %Y}"
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}-{last.day} {last:%b %Y}"
        if first.year == last.year:
            return f"{first.day} {first:%b} - {last.day} {last:%b %Y}"
        return f"{first.day} {first:%b %Y} - {last.day} {last:%b %Y}"


def local_midnight(day: date, zone: tzinfo | None = None) -> datetime:
    """The start of ``day`` in ``zone`` (None: the computer's local time), as UTC."""
    midnight = datetime.combine(day, time(0, 0))
    aware = midnight.replace(tzinfo=zone) if zone is not None else midnight.astimezone()
    return aware.astimezone(UTC)


def local_day(moment: datetime, zone: tzinfo | None = None) -> date:
    """The local calendar day of an aware ``moment``."""
    return (moment.astimezone(zone) if zone is not None else moment.astimezone()).date()


@dataclass(frozen=True)
class PeriodChoice:
    """A period as a user names it, settled into days by ``resolve`` once "today" is known."""

    kind: PeriodKind
    first_day: date | None = None  # for CUSTOM
    last_day: date | None = None

    def resolve(self, today: date, campaign_first_day: date) -> Period:
        if self.kind is PeriodKind.THIS_WEEK:
            return Period(today - timedelta(days=today.weekday()), today, self.kind)
        if self.kind is PeriodKind.LAST_4_WEEKS:
            return Period(today - timedelta(days=27), today, self.kind)
        if self.kind is PeriodKind.CAMPAIGN:
            return Period(min(campaign_first_day, today), today, self.kind)
        assert self.first_day is not None and self.last_day is not None
        return Period(self.first_day, self.last_day, self.kind)

    @classmethod
    def custom(cls, first_day: date, last_day: date) -> PeriodChoice:
        Period(first_day, last_day)  # refuses an end before the start now, not later
        return cls(PeriodKind.CUSTOM, first_day, last_day)


_RANGE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})\s*$")


def parse_period(text: str) -> PeriodChoice:
    """ "this-week", "last-4-weeks", "campaign" or "FROM..TO" (ISO dates, both included)."""
    word = text.strip().lower()
    for kind in (PeriodKind.THIS_WEEK, PeriodKind.LAST_4_WEEKS, PeriodKind.CAMPAIGN):
        if word == kind.value:
            return PeriodChoice(kind)
    match = _RANGE.match(text)
    if match is None:
        raise UserFacingError(
            f'"{text}" is not a period: use this-week, last-4-weeks, campaign, or two dates '
            "such as 2026-11-02..2026-11-29."
        )
    try:
        first, last = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
    except ValueError:
        raise UserFacingError(
            f'"{text}" holds a day that is not in the calendar: write dates as YYYY-MM-DD.'
        ) from None
    return PeriodChoice.custom(first, last)


def campaign_weeks(first_day: date, last_day: date) -> list[Period]:
    """Weeks of seven days from the campaign's first day; the last one may be shorter."""
    weeks = []
    start = first_day
    while start <= last_day:
        end = min(start + timedelta(days=TREND_WEEK_DAYS - 1), last_day)
        weeks.append(Period(start, end, PeriodKind.CUSTOM))
        start += timedelta(days=TREND_WEEK_DAYS)
    return weeks
