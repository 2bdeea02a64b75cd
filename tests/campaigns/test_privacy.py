from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.campaigns.do_not_call import add_entry, list_entries, remove_entry
from lastmile_desktop.campaigns.privacy import find_customers_to_forget, forget_customer
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    AssignmentChange,
    CallAttempt,
    CampaignMember,
    Customer,
    ImportBatch,
    Purchase,
    RejectedRow,
)
from tests.campaigns.campaign_data import (
    add_attempt,
    add_campaign,
    add_customer,
    add_manager,
    add_member,
    add_store,
)

LEAD = Profile.lead()
NAME = "Zebedee Quartermaine"
PHONE = "+447400100123"


def _write_zebedee(db: Database) -> dict[str, int]:
    with db.session() as session:
        store = add_store(session, "12")
        manager = add_manager(session, store, "Sam Taylor")
        spring = add_campaign(session, "Spring")
        autumn = add_campaign(session, "Autumn")
        zebedee = add_customer(
            session,
            external_id="HO-99123",
            first_name="Zebedee",
            last_name="Quartermaine",
            phone=PHONE,
            phone_alt="+447400100456",
            email="zebedee.q@example.org",
            notes="Prefers Zebedee Quartermaine on letters",
            pinned_note="Daughter Clementine starts school in May",
            extra={"Loyalty card": "ZQ-4471", "Town": "Little Snoring"},
            home_store_id=store,
        )
        other = add_customer(session, first_name="Olive", last_name="Other", phone="+447400100999")
        spring_member = add_member(session, spring, zebedee, store_id=store, manager_id=manager)
        autumn_member = add_member(session, autumn, zebedee, store_id=store, manager_id=manager)
        add_member(session, spring, other, store_id=store, manager_id=manager)
        add_attempt(session, spring_member, note="Zebedee Quartermaine said call after six")
        add_attempt(session, spring_member, note="Spoke to Zebedee, wife Marigold answered")
        add_attempt(session, autumn_member)
        session.add(
            AssignmentChange(
                member_id=spring_member,
                changed_by="Regional lead",
                to_manager_id=manager,
                reason="Zebedee moved near Quartermaine Lane",
            )
        )
        session.add(
            Purchase(
                customer_id=zebedee,
                store_id=store,
                purchased_at=datetime(2025, 3, 2, 10, 0, tzinfo=UTC),
                amount_cents=4_599,
            )
        )
        batch = ImportBatch(file_name="list.xlsx", sha256="0" * 64)
        session.add(batch)
        session.flush()
        session.add_all(
            [
                RejectedRow(
                    batch_id=batch.id,
                    row_number=7,
                    reason="phone number 07400 100123x is not a valid GB number",
                    values={"Name": NAME, "Phone": "07400 100123x"},
                ),
                RejectedRow(
                    batch_id=batch.id,
                    row_number=8,
                    reason="no phone number that can be dialled",
                    values={"Name": "Olive Other", "Phone": ""},
                ),
            ]
        )
    return {"customer": zebedee, "other": other}


def _counts(db: Database) -> tuple[int, int, int]:
    with db.read_session() as session:
        members = session.execute(select(func.count()).select_from(CampaignMember)).scalar_one()
        attempts = session.execute(select(func.count()).select_from(CallAttempt)).scalar_one()
        purchases = session.execute(select(func.count()).select_from(Purchase)).scalar_one()
    return members, attempts, purchases


def _file_bytes_after_compaction(db: Database, path: Path) -> bytes:
    db.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("VACUUM")
    connection.close()
    data = path.read_bytes()
    for suffix in ("-wal", "-journal"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            data += extra.read_bytes()
    return data


PERSONAL_STRINGS = [
    "Zebedee",
    "Quartermaine",
    PHONE,
    PHONE.removeprefix("+"),
    "7400100123",
    "7400100456",
    "zebedee.q@example.org",
    "Clementine",
    "Little Snoring",
    "ZQ-4471",
    "Marigold",
]


@pytest.mark.sqlite_only
def test_forgetting_a_customer_leaves_no_personal_data_in_the_database_file(
    db: Database, db_path: Path
) -> None:
    ids = _write_zebedee(db)
    before = _counts(db)
    raw_before = _file_bytes_after_compaction(db, db_path)
    assert NAME.encode() in raw_before  # the search below can find what it looks for

    report = forget_customer(db, ids["customer"], LEAD)

    assert _counts(db) == before == (3, 3, 1)
    assert report.memberships_kept == 2
    assert report.attempts_kept == 3
    assert report.purchases_kept == 1
    assert report.attempt_notes_erased == 2
    assert report.owner_change_reasons_erased == 1
    assert report.rejected_rows_erased == 1
    raw = _file_bytes_after_compaction(db, db_path)
    for text in PERSONAL_STRINGS:
        assert text.encode() not in raw, text
        assert text.encode("utf-16-le") not in raw, text
    assert b"Olive" in raw  # other customers are untouched


def test_forgetting_keeps_the_statistics_and_marks_the_customer_erased(db: Database) -> None:
    ids = _write_zebedee(db)
    forget_customer(db, ids["customer"], LEAD)
    with db.read_session() as session:
        customer = session.get(Customer, ids["customer"])
        assert customer is not None
        assert customer.erased_at is not None
        assert (customer.first_name, customer.last_name, customer.phone) == (None, None, None)
        assert (customer.phone_alt, customer.email, customer.notes) == (None, None, None)
        # Head office's id stays, so the next import of the same list leaves the person out.
        assert customer.external_id == "HO-99123"
        assert customer.extra is None and customer.pinned_note is None
        assert customer.lifetime_spend_cents == 12_000
        assert customer.home_store_id is not None
        outcomes = session.scalars(select(CallAttempt.outcome).order_by(CallAttempt.id)).all()
        assert outcomes == ["no_answer", "no_answer", "no_answer"]
        other = session.get(Customer, ids["other"])
        assert other is not None and other.first_name == "Olive" and other.erased_at is None
        olive_row = session.scalars(select(RejectedRow).where(RejectedRow.row_number == 8)).one()
        assert olive_row.values == {"Name": "Olive Other", "Phone": ""}


def test_an_active_do_not_call_entry_is_kept_so_the_person_is_never_called_again(
    db: Database,
) -> None:
    ids = _write_zebedee(db)
    add_entry(db, phone=PHONE, reason="asked on the phone", profile=LEAD)
    mistaken = add_entry(db, customer_id="HO-99123", reason="typo", profile=LEAD).entry
    remove_entry(db, mistaken.id, reason="added by mistake", profile=LEAD)

    report = forget_customer(db, ids["customer"], LEAD)

    assert report.dnc_entries_kept == 1
    assert report.removed_dnc_entries_erased == 1
    entries = list_entries(db, LEAD, include_removed=True)
    assert [(e.phone, e.customer_id) for e in entries if e.active] == [(PHONE, None)]
    assert [(e.phone, e.customer_id) for e in entries if not e.active] == [(None, None)]


def test_only_the_lead_can_forget_a_customer(db: Database) -> None:
    ids = _write_zebedee(db)
    manager = Profile.manager("Sam Taylor", manager_id=1, store_id=1)
    with pytest.raises(AccessDenied):
        forget_customer(db, ids["customer"], manager)
    with db.read_session() as session:
        customer = session.get(Customer, ids["customer"])
        assert customer is not None and customer.first_name == "Zebedee"


def test_forgetting_an_unknown_customer_says_so(db: Database) -> None:
    with pytest.raises(Exception, match="does not exist"):
        forget_customer(db, 4242, LEAD)


@pytest.mark.sqlite_only
def test_no_trace_remains_in_free_space_even_where_sqlite_keeps_deleted_bytes(
    db: Database, db_path: Path
) -> None:
    # Many SQLite builds (Windows Python among them) leave deleted bytes in free pages.
    def keep_deleted_bytes(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute("PRAGMA secure_delete = OFF")

    event.listen(db.engine, "connect", keep_deleted_bytes)
    db.engine.dispose()
    ids = _write_zebedee(db)

    forget_customer(db, ids["customer"], LEAD)

    db.dispose()  # no VACUUM: what the file holds right after the action
    raw = b"".join(
        p.read_bytes() for p in (db_path, db_path.with_name(db_path.name + "-wal")) if p.exists()
    )
    for text in PERSONAL_STRINGS:
        assert text.encode() not in raw, text


def _file_bytes_now(path: Path) -> bytes:
    """The database file and its write-ahead log as they are on disk, connections open."""
    return b"".join(
        p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()
    )


def _reader_on_the_snapshot_before(path: Path) -> sqlite3.Connection:
    """Another program in the middle of reading: its snapshot predates the erasure."""
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM customers").fetchone()
    return reader


@pytest.mark.sqlite_only
def test_an_erasure_held_up_by_another_reader_completes_as_soon_as_it_lets_go(
    db: Database, db_path: Path
) -> None:
    ids = _write_zebedee(db)
    reader = _reader_on_the_snapshot_before(db_path)

    report = forget_customer(db, ids["customer"], LEAD)

    assert not report.erasure_complete
    assert db.erasure_pending
    assert b"Quartermaine" in _file_bytes_now(db_path)  # still in the log, as the report says
    assert not db.finish_pending_erasure()  # the reader still reads

    reader.execute("COMMIT")
    assert db.finish_pending_erasure()

    assert not db.erasure_pending
    raw = _file_bytes_now(db_path)
    for text in PERSONAL_STRINGS:
        assert text.encode() not in raw, text
    assert b"Olive" in raw
    reader.close()


@pytest.mark.sqlite_only
def test_closing_the_database_finishes_an_erasure_whose_reader_has_let_go(
    db: Database, db_path: Path
) -> None:
    ids = _write_zebedee(db)
    reader = _reader_on_the_snapshot_before(db_path)
    assert not forget_customer(db, ids["customer"], LEAD).erasure_complete
    reader.execute("COMMIT")

    assert db.close()

    raw = _file_bytes_now(db_path)  # the reader's connection is still open: no clean-up by SQLite
    for text in PERSONAL_STRINGS:
        assert text.encode() not in raw, text
    reader.close()


def test_an_erasure_nobody_holds_up_completes_at_once(db: Database) -> None:
    ids = _write_zebedee(db)
    report = forget_customer(db, ids["customer"], LEAD)
    assert report.erasure_complete
    assert not db.erasure_pending


def test_customers_to_forget_are_found_by_id_in_any_case_or_by_either_phone(db: Database) -> None:
    ids = _write_zebedee(db)
    by_id = find_customers_to_forget(db, LEAD, external_id=" ho-99123 ")
    by_other_phone = find_customers_to_forget(db, LEAD, phone="+44 7400 100456")
    assert [c.customer_id for c in by_id] == [ids["customer"]]
    assert by_id == by_other_phone
    assert by_id[0].name == NAME and by_id[0].erased_at is None
    with pytest.raises(AccessDenied):
        find_customers_to_forget(db, Profile.manager("Sam", 1, 1), external_id="HO-99123")
