from __future__ import annotations

from pathlib import Path

import pytest

from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, connect
from lastmile_desktop.storage.change_watch import (
    NoChangeWatch,
    SqliteDataVersionWatch,
    watch_changes,
)
from lastmile_desktop.storage.models import Store


def add_store(db: Database, code: str) -> None:
    with db.session() as session:
        session.add(Store(code=code, name=f"Store {code}"))


@pytest.mark.sqlite_only
def test_a_commit_by_another_connection_is_noticed_once(db: Database, db_path: Path) -> None:
    watch = watch_changes(db)
    assert isinstance(watch, SqliteDataVersionWatch)
    watch.mark_seen()
    assert watch.poll() is False

    other = connect(to_url(db_path))  # another process or window, as far as SQLite knows
    try:
        add_store(other, "12")
    finally:
        other.dispose()

    assert watch.poll() is True
    assert watch.poll() is False  # reported once, not at every poll
    watch.close()


@pytest.mark.sqlite_only
def test_after_mark_seen_only_newer_commits_count(db: Database) -> None:
    watch = watch_changes(db)
    watch.mark_seen()
    add_store(db, "12")  # this process's own change, announced by the action that made it
    watch.mark_seen()
    assert watch.poll() is False
    add_store(db, "14")
    assert watch.poll() is True
    watch.close()


@pytest.mark.sqlite_only
def test_an_uncommitted_write_elsewhere_is_not_news_yet(db: Database, db_path: Path) -> None:
    watch = watch_changes(db)
    watch.mark_seen()
    other = connect(to_url(db_path))
    try:
        with other.sessions() as session:
            session.begin()
            session.add(Store(code="7", name="York"))
            session.flush()
            assert watch.poll() is False
            session.commit()
        assert watch.poll() is True
    finally:
        other.dispose()
        watch.close()


def test_a_database_without_a_file_has_a_watch_that_never_reports() -> None:
    db = connect("sqlite://")
    try:
        watch = watch_changes(db)
        assert isinstance(watch, NoChangeWatch)
        watch.mark_seen()
        assert watch.poll() is False
    finally:
        db.dispose()
