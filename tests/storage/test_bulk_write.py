"""Large writes: SQLite's tuning (the page cache comes back, indexes come back identical),
PostgreSQL's COPY (stores what an INSERT stores, inside the caller's transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_mock_engine,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from lastmile_desktop.storage import Database, bulk_write
from lastmile_desktop.storage.bulk_write import (
    can_copy,
    copy_rows,
    indexes_built_afterwards,
    roomy_page_cache,
)

# A table of the test's own, with one plain and one unique index.
entries = Table(
    "bulk_entries",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("code", String(20), nullable=False),
    Column("amount", Integer),
    Index("ix_bulk_entries_amount", "amount"),
    Index("ux_bulk_entries_code", "code", unique=True),
)


@pytest.fixture
def entries_db(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The test table in a fresh database, with the rebuild threshold low enough for a few rows."""
    entries.create(db.engine)
    monkeypatch.setattr(bulk_write, "INDEX_REBUILD_MIN_ROWS", 3)
    yield db


def _index_names(session: Session) -> list[str]:
    return list(
        session.execute(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = 'bulk_entries' ORDER BY name"
            )
        ).scalars()
    )


def _index_sql(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
            " AND tbl_name = 'bulk_entries' ORDER BY name"
        )
    ).all()
    return [(name, sql) for name, sql in rows]


def _add_entries(session: Session, first: int, count: int) -> None:
    session.execute(
        insert(entries),
        [{"code": f"E{n}", "amount": n * 7 % 5} for n in range(first, first + count)],
    )


@pytest.mark.sqlite_only
def test_the_page_cache_is_larger_during_the_block_and_restored_after(db: Database) -> None:
    with db.session() as session:
        before = session.execute(text("PRAGMA cache_size")).scalar_one()
        with roomy_page_cache(session):
            during = session.execute(text("PRAGMA cache_size")).scalar_one()
        after = session.execute(text("PRAGMA cache_size")).scalar_one()
    assert during == -bulk_write.BULK_PAGE_CACHE_KIB
    assert after == before != during


@pytest.mark.sqlite_only
def test_an_insert_that_doubles_a_table_writes_without_its_plain_indexes_then_rebuilds_them(
    entries_db: Database,
) -> None:
    with entries_db.session() as session:
        _add_entries(session, 1, 2)
        schema = _index_sql(session)
        with indexes_built_afterwards(session, entries, expected_new_rows=5):
            during = _index_names(session)
            _add_entries(session, 10, 5)
        assert _index_sql(session) == schema
    assert [name for name, _ in schema] == ["ix_bulk_entries_amount", "ux_bulk_entries_code"]
    assert during == ["ux_bulk_entries_code"]  # the unique index checks rows as they go in


@pytest.mark.sqlite_only
def test_an_insert_smaller_than_the_table_keeps_the_indexes_in_place(
    entries_db: Database,
) -> None:
    with entries_db.session() as session:
        _add_entries(session, 1, 6)
        with indexes_built_afterwards(session, entries, expected_new_rows=5):
            during = _index_names(session)
    assert during == ["ix_bulk_entries_amount", "ux_bulk_entries_code"]


@pytest.mark.sqlite_only
def test_a_small_insert_into_an_empty_table_keeps_the_indexes_in_place(
    entries_db: Database,
) -> None:
    with (
        entries_db.session() as session,
        indexes_built_afterwards(session, entries, expected_new_rows=2),
    ):
        during = _index_names(session)
    assert during == ["ix_bulk_entries_amount", "ux_bulk_entries_code"]


@pytest.mark.sqlite_only
def test_a_failed_write_gets_its_indexes_back_with_the_rollback(entries_db: Database) -> None:
    with entries_db.read_session() as session:
        schema = _index_sql(session)
    with (
        pytest.raises(RuntimeError),
        entries_db.session() as session,
        indexes_built_afterwards(session, entries, expected_new_rows=5),
    ):
        _add_entries(session, 1, 5)
        raise RuntimeError("stopped midway")
    with entries_db.read_session() as session:
        assert _index_sql(session) == schema
        assert session.execute(select(func.count()).select_from(entries)).scalar_one() == 0


def test_other_databases_are_sent_no_statement() -> None:
    sent: list[Any] = []
    engine = create_mock_engine("postgresql://", lambda statement, *_: sent.append(statement))
    # A mock engine stands in for a server database; it records what it would be sent.
    session = Session(bind=engine)  # type: ignore[arg-type]
    with roomy_page_cache(session), indexes_built_afterwards(session, entries, 1_000_000):
        pass
    assert sent == []


@pytest.mark.postgres
def test_copy_stores_what_an_insert_stores_and_rolls_back_with_the_transaction(
    entries_db: Database,
) -> None:
    rows = [(1, "E1", 7), (2, "Ö'\\tab\there", None), (3, "E3", 0)]
    with entries_db.session() as session:
        connection = session.connection()
        assert can_copy(connection)
        assert copy_rows(connection, entries, ["id", "code", "amount"], rows) == 3
        copied = [tuple(row) for row in connection.execute(select(entries).order_by(entries.c.id))]
        connection.execute(entries.delete())
        connection.execute(
            insert(entries), [dict(zip(("id", "code", "amount"), row, strict=True)) for row in rows]
        )
        inserted = [
            tuple(row) for row in connection.execute(select(entries).order_by(entries.c.id))
        ]
    assert copied == inserted == rows

    with pytest.raises(RuntimeError), entries_db.session() as session:
        copy_rows(session.connection(), entries, ["id", "code", "amount"], [(9, "E9", 1)])
        raise RuntimeError("stopped midway")
    with entries_db.read_session() as session:
        assert session.execute(select(func.count()).select_from(entries)).scalar_one() == 3


@pytest.mark.sqlite_only
def test_sqlite_has_no_copy(db: Database) -> None:
    with db.session() as session:
        assert not can_copy(session.connection())
