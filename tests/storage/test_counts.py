"""Adding to kept counts: existing rows grow, missing ones are created, emptied ones go;
SQLite and PostgreSQL each get their own upsert, and any other database a plain update."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select
from sqlalchemy.dialects import mysql, postgresql

from lastmile_desktop.storage.counts import add_one_by_one, add_to_counts, adding_statement

METADATA = MetaData()
COUNTS = Table(
    "counts",
    METADATA,
    Column("store", Integer, primary_key=True),
    Column("kind", String(8), primary_key=True),
    Column("members", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
)
KEY = ("store", "kind")
TOTALS = ("members", "attempts")


def rows_after(
    tmp_path: Path, *batches: list[dict[str, Any]], add: Callable[..., None]
) -> list[tuple[Any, ...]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'counts.sqlite3'}")
    METADATA.create_all(engine)
    with engine.begin() as connection:
        for batch in batches:
            add(connection, COUNTS, KEY, TOTALS, batch)
        found = [tuple(row) for row in connection.execute(select(COUNTS).order_by(*COUNTS.c))]
    engine.dispose()
    return found


def plain_then_emptied(connection: Any, *args: Any) -> None:
    """``add_one_by_one`` followed by what ``add_to_counts`` drops afterwards."""
    add_one_by_one(connection, *args)
    connection.execute(COUNTS.delete().where(COUNTS.c.members == 0))


@pytest.mark.parametrize("add", [add_to_counts, plain_then_emptied], ids=["upsert", "plain"])
def test_counts_are_added_to_created_and_dropped_when_emptied(
    tmp_path: Path, add: Callable[..., None]
) -> None:
    first = [
        {"store": 1, "kind": "attempt", "members": 3, "attempts": 7},
        {"store": 2, "kind": "attempt", "members": 1, "attempts": 1},
    ]
    second = [
        {"store": 1, "kind": "attempt", "members": 2, "attempts": 4},  # grows
        {"store": 2, "kind": "attempt", "members": -1, "attempts": -1},  # empties: goes
        {"store": 2, "kind": "reached", "members": 5, "attempts": 0},  # new
    ]

    assert rows_after(tmp_path, first, second, add=add) == [
        (1, "attempt", 5, 11),
        (2, "reached", 5, 0),
    ]


def test_each_database_gets_its_own_upsert_or_none() -> None:
    statement = adding_statement(postgresql.dialect(), COUNTS, KEY, TOTALS)
    assert statement is not None
    text = str(statement.compile(dialect=postgresql.dialect()))

    assert (
        "ON CONFLICT (store, kind) DO UPDATE SET members = (counts.members + excluded.members)"
        in text
    )
    assert adding_statement(mysql.dialect(), COUNTS, KEY, TOTALS) is None
