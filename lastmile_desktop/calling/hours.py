"""Calling hours: may a customer be called at a given instant, and if not, from when.

The one rule, in ``call_window``: an instant is fine when it falls inside the campaign's
calling hours in the customer's local time, and inside the store's opening hours (in the
store's own time) when the store has them. The customer's time zone comes from the phone
number; a number that may be in several zones is callable only when every one of them is
within hours, unless the store's own zone is one of them, which then settles it. With no
zone from the number, the store's zone is used, then the computer's.

Stores keep their opening hours in the database as ``{"mon": ["09:00", "18:00"], ...}``;
the conversion to and from that form lives here too, beside the rule that reads it.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezones
from phonenumbers.tzdata import TIMEZONE_LONGEST_PREFIX

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage.defaults import (
    DEFAULT_CALLING_HOURS_END,
    DEFAULT_CALLING_HOURS_START,
    minutes_of_day,
    time_of_day,
)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Opening hours per day: (opens, closes). A day that is missing is a closed day.
OpeningHours = dict[str, tuple[time, time]]
# How far ahead "when can this customer be called next" looks (a store open one day a week
# is found; a store whose hours never meet the calling hours gives no time at all).
LOOK_AHEAD_DAYS = 8
# The name shown when the computer's own zone has no IANA name (the system's local time).
COMPUTER_LOCAL_TIME = "localtime"
_UNKNOWN_ZONE = "Etc/Unknown"  # what phonenumbers says when it cannot tell
_HOURS_TEXT = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")


@dataclass(frozen=True)
class CallingHours:
    """A campaign's calling hours, the same every day, in the customer's local time."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise UserFacingError(
                f"Calling hours end ({self.end:%H:%M}) before they start "
                f"({self.start:%H:%M}): write them like 08:00-21:00."
            )

    @classmethod
    def parse(cls, text: str) -> CallingHours:
        """Read "08:00-21:00" (also "8.00 - 21.00")."""
        match = _HOURS_TEXT.match(text)
        if match is None:
            raise UserFacingError(f'Could not read "{text}": write calling hours like 08:00-21:00.')
        start_hour, start_minute, end_hour, end_minute = (int(part) for part in match.groups())
        try:
            return cls(time(start_hour, start_minute), time(end_hour, end_minute))
        except ValueError as error:
            raise UserFacingError(
                f'"{text}" holds a time that does not exist: write hours like 08:00-21:00.'
            ) from error

    @classmethod
    def from_minutes(cls, start: int, end: int) -> CallingHours:
        """As the database keeps them: minutes after midnight."""
        return cls(time_of_day(start), time_of_day(end))

    @property
    def minutes(self) -> tuple[int, int]:
        return minutes_of_day(self.start), minutes_of_day(self.end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


DEFAULT_CALLING_HOURS = CallingHours(DEFAULT_CALLING_HOURS_START, DEFAULT_CALLING_HOURS_END)


@dataclass(frozen=True)
class CallWindow:
    """The answer for one customer at one instant."""

    callable: bool
    # Aware UTC. When callable: the end of the current window. When not: the next time the
    # customer may be called, or None when no time in the coming week works.
    next_change: datetime | None
    zones: tuple[str, ...]  # the zones the rule used (the customer's)


# --- opening hours as stored ------------------------------------------------------------------


def opening_hours_to_json(hours: OpeningHours | None) -> dict[str, Any] | None:
    if hours is None:
        return None
    return {day: [f"{o:%H:%M}", f"{c:%H:%M}"] for day, (o, c) in hours.items()}


def opening_hours_from_json(stored: Mapping[str, Any] | None) -> OpeningHours | None:
    if stored is None:
        return None
    return {
        day: (time.fromisoformat(span[0]), time.fromisoformat(span[1]))
        for day, span in stored.items()
        if day in DAYS and isinstance(span, list) and len(span) == 2
    }


# --- time zones ---------------------------------------------------------------------------


@functools.cache
def computer_zone() -> str:
    """The computer's IANA time zone, or ``COMPUTER_LOCAL_TIME`` when it has no such name."""
    candidates: list[str] = []
    if os.environ.get("TZ"):
        candidates.append(os.environ["TZ"].lstrip(":"))
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    timezone_file = Path("/etc/timezone")
    if timezone_file.is_file():
        candidates.append(timezone_file.read_text(errors="replace").strip())
    for name in candidates:
        if _valid_zone(name):
            return name
    return COMPUTER_LOCAL_TIME


@functools.cache
def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@functools.cache
def _zone(name: str) -> tzinfo | None:
    """The tzinfo for a zone name; None stands for the computer's local time."""
    if name == COMPUTER_LOCAL_TIME or not _valid_zone(name):
        return None
    return ZoneInfo(name)


def to_local(moment: datetime, zone: str) -> datetime:
    """An aware instant as wall-clock time in ``zone`` (naive)."""
    info = _zone(zone)
    local = moment.astimezone(info) if info is not None else moment.astimezone()
    return local.replace(tzinfo=None)


def from_local(wall_clock: datetime, zone: str) -> datetime:
    """Wall-clock time in ``zone`` as aware UTC (a time skipped by a clock change moves on)."""
    info = _zone(zone)
    local = wall_clock.replace(tzinfo=info) if info is not None else wall_clock.astimezone()
    return local.astimezone(UTC)


def _phone_key(phone: str) -> tuple[str, int]:
    # phonenumbers' zone data is keyed by at most nine digits after the "+", and a number's
    # type (mobile, fixed line) by its leading digits and length: numbers agreeing on both
    # share their zones, so the (slow) lookup runs once per prefix, not once per customer.
    return phone[: 1 + TIMEZONE_LONGEST_PREFIX], len(phone)


_ZONES_BY_PREFIX: dict[tuple[str, int], tuple[str, ...]] = {}
_ZONE_CACHE_LIMIT = 100_000


def phone_zones(phone: str | None) -> tuple[str, ...]:
    """Every zone an E.164 number may be in, by phonenumbers' data; () when unknown."""
    if not phone or not phone.startswith("+"):
        return ()
    key = _phone_key(phone)
    zones = _ZONES_BY_PREFIX.get(key)
    if zones is None:
        try:
            parsed = phonenumbers.parse(phone, None)
        except phonenumbers.NumberParseException:
            return ()
        found = phone_timezones.time_zones_for_number(parsed)
        zones = tuple(sorted(z for z in found if z != _UNKNOWN_ZONE and _valid_zone(z)))
        if len(_ZONES_BY_PREFIX) >= _ZONE_CACHE_LIMIT:
            _ZONES_BY_PREFIX.clear()
        _ZONES_BY_PREFIX[key] = zones
    return zones


def customer_zones(phone: str | None, store_zone: str | None) -> tuple[str, ...]:
    """The zones the calling-hours rule uses for a customer (never empty).

    Several zones from the number stay several, unless the store's own zone is among them:
    then it settles it. No zone from the number: the store's, else the computer's.
    """
    zones = phone_zones(phone)
    if store_zone and store_zone in zones:
        return (store_zone,)
    if zones:
        return zones
    return (store_zone,) if store_zone else (computer_zone(),)


# --- the rule ---------------------------------------------------------------------------------

_Interval = tuple[datetime, datetime]


def _daily_intervals(
    zone: str, around: datetime, spans: Mapping[int, tuple[time, time]]
) -> list[_Interval]:
    """Open intervals (UTC) in ``zone`` from the day before ``around`` to a week after it.

    ``spans`` maps a weekday (0 = Monday) to (from, to) in the zone's wall-clock time.
    """
    first_day = to_local(around, zone).date() - timedelta(days=1)
    intervals: list[_Interval] = []
    for offset in range(LOOK_AHEAD_DAYS + 2):
        day = first_day + timedelta(days=offset)
        span = spans.get(day.weekday())
        if span is None:
            continue
        start = from_local(datetime.combine(day, span[0]), zone)
        end = from_local(datetime.combine(day, span[1]), zone)
        if end > start:
            intervals.append((start, end))
    return intervals


def _intersect(first: list[_Interval], second: list[_Interval]) -> list[_Interval]:
    result: list[_Interval] = []
    i = j = 0
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        if start < end:
            result.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return result


def _every_day(hours: CallingHours) -> dict[int, tuple[time, time]]:
    return dict.fromkeys(range(7), (hours.start, hours.end))


def _by_weekday(opening_hours: OpeningHours) -> dict[int, tuple[time, time]]:
    return {DAYS.index(day): span for day, span in opening_hours.items() if day in DAYS}


@dataclass(frozen=True)
class CallableTimes:
    """When a customer may be called over the days around one instant (about a week ahead).

    Built once per kind of customer (same zones, same store) and asked for many instants: the
    queue asks it for each customer's due time without building the intervals again.
    """

    zones: tuple[str, ...]
    intervals: tuple[_Interval, ...]  # merged, sorted, aware UTC
    covers_until: datetime  # answers for instants up to here are complete

    def window_at(self, moment: datetime) -> CallWindow | None:
        """The window at ``moment``; None when ``moment`` is past what these times cover."""
        if moment > self.covers_until:
            return None
        for start, end in self.intervals:
            if end <= moment:
                continue
            if start <= moment:
                return CallWindow(True, end, self.zones)
            return CallWindow(False, start, self.zones)
        return CallWindow(False, None, self.zones)


def callable_times(
    around: datetime,
    zones: Sequence[str],
    hours: CallingHours = DEFAULT_CALLING_HOURS,
    opening_hours: OpeningHours | None = None,
    store_zone: str | None = None,
) -> CallableTimes:
    """The calling-hours rule (see ``call_window``) laid out over the days around ``around``."""
    if around.tzinfo is None:
        raise ValueError("callable_times needs an aware datetime")
    around = around.astimezone(UTC)
    used = tuple(zones) or (store_zone or computer_zone(),)
    windows: list[_Interval] | None = None
    for zone in used:
        allowed = _daily_intervals(zone, around, _every_day(hours))
        windows = allowed if windows is None else _intersect(windows, allowed)
    assert windows is not None
    if opening_hours is not None:
        store_open = _daily_intervals(
            store_zone or computer_zone(), around, _by_weekday(opening_hours)
        )
        windows = _intersect(windows, store_open)
    # The intervals reach LOOK_AHEAD_DAYS past ``around``: an instant up to a day later
    # still sees a full week ahead of it.
    return CallableTimes(used, tuple(_merge(windows)), around + timedelta(days=1))


def call_window(
    at: datetime,
    zones: Sequence[str],
    hours: CallingHours = DEFAULT_CALLING_HOURS,
    opening_hours: OpeningHours | None = None,
    store_zone: str | None = None,
) -> CallWindow:
    """Whether a customer in ``zones`` may be called at ``at``, and when that changes.

    ``zones`` comes from ``customer_zones``. ``opening_hours`` are the store's, in the
    store's zone (``store_zone``, else the computer's); None: the store gave none.
    """
    window = callable_times(at, zones, hours, opening_hours, store_zone).window_at(at)
    assert window is not None  # ``at`` is the instant the times were laid out around
    return window


def _merge(intervals: Iterable[_Interval]) -> list[_Interval]:
    """Touching intervals as one (hours to midnight, then from midnight)."""
    merged: list[_Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def start_of_calling_day(
    day: date, zones: Sequence[str], hours: CallingHours = DEFAULT_CALLING_HOURS
) -> datetime:
    """When calling hours begin on ``day`` for a customer in ``zones``: the latest start
    among them, so the customer is within hours in every one (aware UTC)."""
    used = tuple(zones) or (computer_zone(),)
    return max(from_local(datetime.combine(day, hours.start), zone) for zone in used)
