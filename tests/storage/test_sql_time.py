"""Day arithmetic in SQL gives, on each database, what Python gives."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import literal, select

from lastmile_desktop.storage import Database
from lastmile_desktop.storage.sql_time import days_after, days_apart, days_between, utc_day
from lastmile_desktop.storage.types import UTCDateTime

ASSIGNED = datetime(2025, 3, 1, 23, 59, 58, tzinfo=UTC)
CALLED = datetime(2025, 3, 4, 8, 0, 1, 250_000, tzinfo=UTC)


def test_days_between_is_a_float_whose_sums_come_out_as_in_python(db: Database) -> None:
    later, earlier = literal(CALLED, UTCDateTime()), literal(ASSIGNED, UTCDateTime())
    day_later = literal(CALLED + timedelta(hours=7), UTCDateTime())
    first, second = days_between(later, earlier), days_between(day_later, earlier)
    with db.read_session() as session:
        one, other, mean = session.execute(select(first, second, (first + second) / 2)).one()
    assert isinstance(one, float) and isinstance(other, float)
    assert one == pytest.approx((CALLED - ASSIGNED) / timedelta(days=1), abs=1e-7)
    # A median of two values is their mean: the same in SQL as from the values read.
    assert mean == (one + other) / 2


def test_calendar_days_are_utc_days(db: Database) -> None:
    later, earlier = literal(CALLED, UTCDateTime()), literal(ASSIGNED, UTCDateTime())
    with db.read_session() as session:
        day, thirty_after, apart = session.execute(
            select(utc_day(earlier), days_after(earlier, 30), days_apart(later, earlier))
        ).one()
    assert date.fromisoformat(str(day)) == date(2025, 3, 1)
    assert date.fromisoformat(str(thirty_after)) == date(2025, 3, 31)
    assert apart == 3
