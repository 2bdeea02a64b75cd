"""Bulk statements store exactly what SQLAlchemy's own executemany would store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    insert,
    select,
    update,
)
from sqlalchemy.engine.interfaces import ExecutionContext

from lastmile_desktop.importing.bulk import BulkStatement, bulk_insert
from lastmile_desktop.storage.types import UTCDateTime


def _initials(context: ExecutionContext) -> str:
    row = context.get_current_parameters()  # type: ignore[attr-defined]
    return f"{(row.get('first') or '?')[0]}{(row.get('last') or '?')[0]}"


metadata = MetaData()
people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("first", String(50)),
    Column("last", String(50)),
    Column("born", Date),
    Column("seen", UTCDateTime),
    Column("extra", JSON),
    Column("kind", String(10), default="person"),
    Column("initials", String(2), default=_initials),
)


@pytest.fixture
def connection() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        yield connection
    engine.dispose()


def _rows(connection: Connection) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(select(people).order_by(people.c.id))]


ROWS = [
    ("Ann", "Lee", date(1990, 5, 1), {"tier": "gold"}),
    ("Bo", None, None, None),
]
SEEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_bulk_insert_matches_sqlalchemys_own_executemany(connection: Connection) -> None:
    expected_rows = [
        {"first": f, "last": la, "born": b, "extra": e, "seen": SEEN} for f, la, b, e in ROWS
    ]
    connection.execute(insert(people), expected_rows)
    expected = _rows(connection)
    connection.execute(people.delete())

    inserter = bulk_insert(
        connection, people, ["first", "last", "born", "extra"], constants={"seen": SEEN}
    )
    assert inserter.execute(ROWS) == 2
    actual = _rows(connection)
    assert [row[1:] for row in actual] == [row[1:] for row in expected]
    assert actual[0][1:] == (
        "Ann", "Lee", date(1990, 5, 1), SEEN, {"tier": "gold"}, "person", "AL",
    )  # fmt: skip


def test_an_empty_json_value_is_stored_as_sql_null(connection: Connection) -> None:
    bulk_insert(connection, people, ["first", "extra"]).execute([("Cy", None)])
    stored = connection.exec_driver_sql("SELECT extra IS NULL FROM people").scalar()
    assert stored == 1


def test_a_bulk_update_runs_per_row(connection: Connection) -> None:
    bulk_insert(connection, people, ["first"]).execute([("Ann",), ("Bo",)])
    statement = (
        update(people)
        .where(people.c.first == bindparam("who"))
        .values(born=bindparam("new_born", type_=Date))
    )
    changed = BulkStatement(connection, statement, ["who", "new_born"])
    changed.execute([("Bo", date(2000, 1, 1)), ("Ann", None)])
    assert [(row[1], row[3]) for row in _rows(connection)] == [
        ("Ann", None),
        ("Bo", date(2000, 1, 1)),
    ]


def test_rows_of_the_wrong_width_are_refused(connection: Connection) -> None:
    with pytest.raises(ValueError, match="expected 2"):
        bulk_insert(connection, people, ["first", "last"]).execute([("Ann",)])


def test_a_statement_parameter_without_a_value_is_refused_up_front(
    connection: Connection,
) -> None:
    statement = update(people).where(people.c.first == bindparam("who")).values(last="x")
    with pytest.raises(ValueError, match="no value given"):
        BulkStatement(connection, statement, [])


def test_customer_rows_follow_the_order_the_writer_inserts_columns_in() -> None:
    from lastmile_desktop.importing.rows import CustomerRow
    from lastmile_desktop.importing.writer import _CUSTOMER_COLUMNS

    renamed = {"store": "home_store_id", "last_purchase": "last_purchase_date"}
    renamed["spend_cents"] = "lifetime_spend_cents"
    fields = [renamed.get(name, name) for name in CustomerRow._fields[1:]]
    assert fields == list(_CUSTOMER_COLUMNS)
