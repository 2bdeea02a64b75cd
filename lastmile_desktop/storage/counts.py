"""Adding to kept counts: "add these to the row with this key, or create it".

Each database says it in its own words (``INSERT ... ON CONFLICT ... DO UPDATE`` in SQLite and
PostgreSQL alike, through each dialect's insert), so it lives here. Two writers adding to the
same new key at once both land: the second waits for the first and adds to its row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Insert, Select, Table, and_, bindparam, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

__all__ = ["add_one_by_one", "add_to_counts", "adding_statement"]


def adding_statement(
    dialect: Dialect | str,
    table: Table,
    key: Sequence[str],
    totals: Sequence[str],
    rows: Select[Any] | None = None,
) -> Insert | None:
    """The upsert that adds a row's ``totals`` to the row with its ``key`` (None when this
    database's upsert is not known here; ``dialect``: its dialect or the dialect's name).
    ``rows``: a query giving the rows to add (its ``key`` then ``totals`` columns), else each
    execution's parameters give them."""
    name = dialect if isinstance(dialect, str) else dialect.name
    if name not in ("sqlite", "postgresql"):
        return None
    insert = sqlite.insert(table) if name == "sqlite" else postgresql.insert(table)
    if rows is not None:
        insert = insert.from_select([*key, *totals], rows)
    return insert.on_conflict_do_update(
        index_elements=[table.c[column] for column in key],
        set_={column: table.c[column] + insert.excluded[column] for column in totals},
    )


def add_to_counts(
    executor: Session | Connection,
    table: Table,
    key: Sequence[str],
    totals: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Add each row's ``totals`` to the row of ``table`` with the same ``key`` columns
    (creating it when there is none), then drop the rows whose first total came to zero.

    ``key`` must be the table's primary key or a unique constraint of non-null columns."""
    if not rows:
        return
    dialect = executor.get_bind().dialect if isinstance(executor, Session) else executor.dialect
    statement = adding_statement(dialect, table, key, totals)
    if statement is None:
        add_one_by_one(executor, table, key, totals, rows)
    else:
        executor.execute(statement, list(rows))
    emptied = and_(
        *(table.c[column] == bindparam(f"key_{column}") for column in key),
        table.c[totals[0]] == 0,
    )
    executor.execute(
        delete(table).where(emptied),
        [{f"key_{column}": row[column] for column in key} for row in rows],
    )


def add_one_by_one(
    executor: Session | Connection,
    table: Table,
    key: Sequence[str],
    totals: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """The same in plain SQL, for a database whose upsert is not known here: add where the
    row exists, create it where not (two writers creating the same key at once: one fails
    and its transaction rolls back)."""
    same_key = and_(*(table.c[column] == bindparam(f"key_{column}") for column in key))
    for row in rows:
        added = executor.execute(
            update(table)
            .where(same_key)
            .values({column: table.c[column] + row[column] for column in totals}),
            {f"key_{column}": row[column] for column in key},
        )
        if not added.rowcount:  # type: ignore[attr-defined]
            executor.execute(table.insert().values(dict(row)))
