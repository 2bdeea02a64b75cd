"""The outbox file: outcomes kept in order, per server, settled one turn at a time, and never
lost (a refused one stays with its reason until let go of)."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from lastmile_desktop.errors import DatabaseFileError
from lastmile_desktop.storage.outbox_store import (
    OUTBOX_FILE_NAME,
    OutboxProfile,
    OutboxStore,
    PendingOutcome,
)

SERVER = "store_12@db.example.com:5432/lastmile"
OTHER_SERVER = "lead@db.example.com:5432/lastmile"
ALICE = OutboxProfile("manager", "Alice Smith", 3, 7)
CALLED = datetime(2025, 1, 13, 10, 0, 0, 123456, tzinfo=UTC)


def pending(minutes: int = 0, server: str = SERVER, **changes: object) -> PendingOutcome:
    fields: dict[str, object] = {
        "attempt": uuid.uuid4(),
        "server": server,
        "member": uuid.uuid4(),
        "member_version": 4,
        "outcome": "callback_requested",
        "called_at": CALLED + timedelta(minutes=minutes),
        "note": "after school run",
        "callback_at": CALLED + timedelta(days=1),
        "visit_on": None,
        "reason": None,
        "as_manager": None,
        "profile": ALICE,
        "queued_at": CALLED + timedelta(minutes=minutes, seconds=1),
    }
    fields.update(changes)
    return PendingOutcome(**fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> OutboxStore:
    return OutboxStore(tmp_path / OUTBOX_FILE_NAME)


def test_an_outcome_comes_back_from_the_file_exactly_as_it_was_kept(
    store: OutboxStore, tmp_path: Path
) -> None:
    kept = pending(visit_on=date(2025, 1, 20), reason="price", as_manager="Alice Smith")
    store.add(kept)

    reopened = OutboxStore(tmp_path / OUTBOX_FILE_NAME)  # another window, or after a restart

    assert reopened.waiting(SERVER) == [kept]
    assert reopened.count_waiting(SERVER) == 1


def test_outcomes_wait_in_the_order_they_were_logged_and_only_for_their_server(
    store: OutboxStore,
) -> None:
    first, second, third = pending(0), pending(1), pending(2)
    elsewhere = pending(3, server=OTHER_SERVER)
    for outcome in (second, first, elsewhere, third):  # logged in this order
        store.add(outcome)

    assert [o.attempt for o in store.waiting(SERVER)] == [
        second.attempt,
        first.attempt,
        third.attempt,
    ]
    assert store.count_waiting(SERVER) == 3
    assert [o.attempt for o in store.waiting(OTHER_SERVER)] == [elsewhere.attempt]


def test_a_turn_hands_out_the_oldest_and_a_sent_one_leaves(store: OutboxStore) -> None:
    first, second = pending(0), pending(1)
    store.add(first)
    store.add(second)

    with store.turn(SERVER) as turn:
        assert turn is not None and turn.outcome == first
        turn.sent()

    assert store.waiting(SERVER) == [second]


def test_a_turn_left_unsettled_keeps_the_outcome_waiting(store: OutboxStore) -> None:
    kept = pending()
    store.add(kept)

    with store.turn(SERVER) as turn:
        assert turn is not None  # the server could not be reached: nothing settled
    with pytest.raises(RuntimeError), store.turn(SERVER) as turn:
        assert turn is not None
        turn.sent()
        raise RuntimeError("a bug while sending")  # the turn's change is rolled back

    assert store.waiting(SERVER) == [kept]


def test_a_refused_outcome_stays_with_its_reason_until_let_go_of(store: OutboxStore) -> None:
    refused, later = pending(0), pending(1)
    store.add(refused)
    store.add(later)

    with store.turn(SERVER) as turn:
        assert turn is not None
        turn.refused("someone else logged a call for this customer first")

    assert store.waiting(SERVER) == [later]
    assert [(o.attempt, o.state, o.why_refused) for o in store.refused(SERVER)] == [
        (refused.attempt, "refused", "someone else logged a call for this customer first")
    ]
    assert store.let_go_of_refused(OTHER_SERVER) == 0
    assert store.let_go_of_refused(SERVER) == 1
    assert store.refused(SERVER) == []
    assert store.waiting(SERVER) == [later]


def test_no_turn_when_nothing_waits_for_the_server(store: OutboxStore) -> None:
    store.add(pending(server=OTHER_SERVER))

    with store.turn(SERVER) as turn:
        assert turn is None


def test_only_a_waiting_outcome_can_be_withdrawn(store: OutboxStore) -> None:
    waiting, sent = pending(0), pending(1)
    store.add(waiting)
    store.add(sent)
    with store.turn(SERVER) as turn:
        assert turn is not None
        turn.sent()  # the oldest: ``waiting`` reached the server

    assert store.withdraw(waiting.attempt) is False
    assert store.withdraw(sent.attempt) is True
    assert store.waiting(SERVER) == []


def test_a_withdrawal_waits_for_the_turn_sending_that_outcome(store: OutboxStore) -> None:
    kept = pending()
    store.add(kept)
    withdrawn: list[bool] = []

    with store.turn(SERVER) as turn:
        assert turn is not None
        other = threading.Thread(target=lambda: withdrawn.append(store.withdraw(kept.attempt)))
        other.start()
        other.join(0.3)
        assert other.is_alive()  # held back by the turn's lock
        turn.sent()
    other.join()

    assert withdrawn == [False]  # it reached the server first: it is no longer withdrawable


def test_the_same_attempt_is_never_kept_twice(store: OutboxStore) -> None:
    kept = pending()
    store.add(kept)

    with pytest.raises(sqlite3.IntegrityError):
        store.add(kept)
    assert store.count_waiting(SERVER) == 1


def test_an_outbox_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / OUTBOX_FILE_NAME
    OutboxStore(path).add(pending())
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version = 99")

    with pytest.raises(DatabaseFileError, match="newer version of Last Mile"):
        OutboxStore(path)


def test_a_file_that_is_not_an_outbox_is_refused_in_plain_words(tmp_path: Path) -> None:
    path = tmp_path / OUTBOX_FILE_NAME
    path.write_bytes(b"this is a letter, not a database" * 100)

    with pytest.raises(DatabaseFileError, match="not a Last Mile database"):
        OutboxStore(path)
