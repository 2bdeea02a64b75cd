"""Day arithmetic in SQL that SQLite and PostgreSQL both run, each in its own words.

The database keeps times as UTC (text in SQLite, ``timestamp`` in PostgreSQL). The figures
compare purchases with calls in whole UTC days ("within 30 days of the first call"), so a
sale known only by its date (kept at local noon) falls on its own day.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Date, Float, Integer, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from lastmile_desktop.storage.types import UTCDateTime


class utc_day(FunctionElement[Any]):
    """The UTC calendar day of a timestamp."""

    type = Date()
    inherit_cache = True
    name = "utc_day"


class days_after(FunctionElement[Any]):
    """The UTC calendar day ``days`` after that of a timestamp: days_after(t, 30); ``days``
    may be a column or a subquery giving the number."""

    type = Date()
    inherit_cache = True
    name = "days_after"

    def __init__(self, moment: ColumnElement[Any], days: int | ColumnElement[Any]) -> None:
        super().__init__(moment, days if isinstance(days, ColumnElement) else literal(int(days)))


class days_between(FunctionElement[Any]):
    """``later - earlier`` in days, with the fraction: days_between(first call, assignment)."""

    type = Float()
    inherit_cache = True
    name = "days_between"


def _arguments(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(argument, **kw) for argument in element.clauses]


@compiles(utc_day)
def _utc_day_default(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = _arguments(element, compiler, **kw)
    return f"CAST({moment} AS DATE)"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = _arguments(element, compiler, **kw)
    return f"date({moment})"


@compiles(days_after)
def _days_after_default(element: days_after, compiler: SQLCompiler, **kw: Any) -> str:
    moment, days = _arguments(element, compiler, **kw)
    return f"(CAST({moment} AS DATE) + {days})"


@compiles(days_after, "sqlite")
def _days_after_sqlite(element: days_after, compiler: SQLCompiler, **kw: Any) -> str:
    moment, days = _arguments(element, compiler, **kw)
    return f"date({moment}, '+' || {days} || ' days')"


@compiles(days_between)
def _days_between_default(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = _arguments(element, compiler, **kw)
    # EXTRACT gives numeric; as a double, like SQLite's julianday() difference, the figures
    # built on it (a median: the mean of two values) come out to the last bit as in Python.
    return f"(CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = _arguments(element, compiler, **kw)
    return f"(julianday({later}) - julianday({earlier}))"


class days_apart(FunctionElement[Any]):
    """Whole UTC calendar days from the day of ``earlier`` to the day of ``later``:
    days_apart(purchase, first call) is 0 on the call's own day."""

    type = Integer()
    inherit_cache = True
    name = "days_apart"


@compiles(days_apart)
def _days_apart_default(element: days_apart, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = _arguments(element, compiler, **kw)
    return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"


@compiles(days_apart, "sqlite")
def _days_apart_sqlite(element: days_apart, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = _arguments(element, compiler, **kw)
    return f"CAST(julianday(date({later})) - julianday(date({earlier})) AS INTEGER)"


class database_now(FunctionElement[datetime]):
    """The database's own clock, in UTC. On a server it is one clock for every PC (whose own
    clocks may be minutes apart), so a lease taken on one PC runs out at the same moment for
    all of them; on SQLite it is this computer's clock."""

    type = UTCDateTime()
    inherit_cache = True
    name = "database_now"


@compiles(database_now)
def _database_now_default(element: database_now, compiler: SQLCompiler, **kw: Any) -> str:
    return "timezone('UTC', now())"


@compiles(database_now, "sqlite")
def _database_now_sqlite(element: database_now, compiler: SQLCompiler, **kw: Any) -> str:
    # Microseconds, as SQLAlchemy writes the times it stores, so the texts compare in order.
    return "(strftime('%Y-%m-%d %H:%M:%f', 'now') || '000')"


class seconds_after(FunctionElement[datetime]):
    """The moment ``seconds`` after a timestamp: seconds_after(database_now(), 600)."""

    type = UTCDateTime()
    inherit_cache = True
    name = "seconds_after"

    def __init__(self, moment: ColumnElement[Any], seconds: int) -> None:
        super().__init__(moment, literal(int(seconds)))


@compiles(seconds_after)
def _seconds_after_default(element: seconds_after, compiler: SQLCompiler, **kw: Any) -> str:
    moment, seconds = _arguments(element, compiler, **kw)
    return f"({moment} + {seconds} * INTERVAL '1 second')"


@compiles(seconds_after, "sqlite")
def _seconds_after_sqlite(element: seconds_after, compiler: SQLCompiler, **kw: Any) -> str:
    moment, seconds = _arguments(element, compiler, **kw)
    return f"(strftime('%Y-%m-%d %H:%M:%f', {moment}, '+' || {seconds} || ' seconds') || '000')"
