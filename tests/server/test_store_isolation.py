"""A store's login, with plain SQL: another store's rows are invisible and unchangeable.

The rules are the database's own (row-level security), so these tests go around the app:
psycopg and SQL as any program on the store's PC could send them.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import select

from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.campaigns.do_not_call import add_entry
from lastmile_desktop.storage import open_database
from lastmile_desktop.storage.models import CallAttempt, CampaignMember, Customer
from lastmile_desktop.storage.server_roles import LEAD_ROLE
from tests.calling.desk_data import LEAD, uk_mobile, utc
from tests.conftest import run_admin_sql
from tests.server.chain import Chain, drop_roles

pytestmark = pytest.mark.postgres

MONDAY = utc(2025, 1, 13, 10, 0)


def ids(chain: Chain, code: str) -> dict[str, list[int]]:
    """The ids of a store's rows, read with the owner's login."""
    store = chain.region.stores[code]
    with chain.region.db.read_session() as session:
        members = session.execute(
            select(CampaignMember.id, CampaignMember.customer_id).where(
                CampaignMember.store_id == store
            )
        ).all()
        attempts = session.scalars(select(CallAttempt.id).where(CallAttempt.store_id == store))
        return {
            "members": [member for member, _ in members],
            "customers": [customer for _, customer in members],
            "attempts": list(attempts),
        }


def log_calls_at_both_stores(chain: Chain) -> None:
    region = chain.region
    log_outcome(region.db, region.managers["Alice"], region.members["Ann"], "N", at=MONDAY)
    log_outcome(region.db, region.managers["Bob"], region.members["Zed"], "N", at=MONDAY)
    region.bought("Ann", utc(2025, 1, 14, 12, 0))
    region.bought("Zed", utc(2025, 1, 14, 12, 0))


def count(connection: psycopg.Connection, sql: str, *params: object) -> int:
    row = connection.execute(sql, params).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return int(row[0])


def test_another_stores_rows_are_invisible(chain: Chain) -> None:
    log_calls_at_both_stores(chain)
    theirs = ids(chain, "LEE")
    ours = ids(chain, "LON")
    with chain.sql_as("LON") as sql:
        members = [row[0] for row in sql.execute("SELECT id FROM campaign_members")]
        customers = [row[0] for row in sql.execute("SELECT id FROM customers")]
        attempts = [row[0] for row in sql.execute("SELECT id FROM call_attempts")]
        purchases = [row[0] for row in sql.execute("SELECT customer_id FROM purchases")]
        managers = [row[0] for row in sql.execute("SELECT name FROM managers")]
        days = count(
            sql, "SELECT count(*) FROM member_days WHERE member_id = ANY(%s)", theirs["members"]
        )
    assert sorted(members) == sorted(ours["members"])
    assert sorted(customers) == sorted(ours["customers"])
    assert attempts == ours["attempts"] and len(attempts) == 1
    assert len(purchases) == 1 and purchases[0] in ours["customers"]  # Ann's, not Zed's
    assert managers == ["Alice Smith"]
    assert days == 0


def test_another_stores_rows_are_unchangeable(chain: Chain) -> None:
    log_calls_at_both_stores(chain)
    theirs = ids(chain, "LEE")
    with chain.sql_as("LON") as sql:
        changed = [
            sql.execute(
                "UPDATE customers SET notes = 'seen' WHERE id = ANY(%s)", (theirs["customers"],)
            ).rowcount,
            sql.execute(
                "UPDATE campaign_members SET status = 'done' WHERE id = ANY(%s)",
                (theirs["members"],),
            ).rowcount,
            sql.execute(
                "UPDATE call_attempts SET note = 'x' WHERE id = ANY(%s)", (theirs["attempts"],)
            ).rowcount,
            sql.execute(
                "DELETE FROM call_attempts WHERE id = ANY(%s)", (theirs["attempts"],)
            ).rowcount,
            sql.execute(
                "DELETE FROM member_days WHERE member_id = ANY(%s)", (theirs["members"],)
            ).rowcount,
        ]
        # What only the lead changes, a store may not change at all, even its own.
        with pytest.raises(errors.InsufficientPrivilege):
            sql.execute("UPDATE managers SET name = 'Mallory'")
        with pytest.raises(errors.InsufficientPrivilege):
            sql.execute("DELETE FROM customers")
    assert changed == [0, 0, 0, 0, 0]
    with chain.region.db.read_session() as session:
        notes = session.scalars(select(Customer.notes).where(Customer.id.in_(theirs["customers"])))
        assert set(notes) == {None}
        assert session.scalar(select(CallAttempt.id).where(CallAttempt.id.in_(theirs["attempts"])))


def insert_attempt(sql: psycopg.Connection, member: int, store: int) -> None:
    sql.execute(
        "INSERT INTO call_attempts (uuid, member_id, store_id, called_at, outcome) "
        "VALUES (%s, %s, %s, now(), 'no_answer')",
        (str(uuid.uuid4()), member, store),
    )


def test_an_attempt_for_another_store_is_refused(chain: Chain) -> None:
    theirs = ids(chain, "LEE")
    ours = ids(chain, "LON")
    lee, lon = chain.region.stores["LEE"], chain.region.stores["LON"]
    with chain.sql_as("LON") as sql:
        with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
            insert_attempt(sql, theirs["members"][0], lee)
        with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
            insert_attempt(sql, theirs["members"][0], lon)  # under our name, on their member
        with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
            insert_attempt(sql, ours["members"][0], lee)  # our member, their name
        insert_attempt(sql, ours["members"][0], lon)  # its own: the desk's one write
        assert count(sql, "SELECT count(*) FROM call_attempts") == 1


def test_a_store_may_not_move_its_member_to_another_store(chain: Chain) -> None:
    ours = ids(chain, "LON")
    with chain.sql_as("LON") as sql, pytest.raises(errors.InsufficientPrivilege):
        sql.execute(
            "UPDATE campaign_members SET store_id = %s WHERE id = %s",
            (chain.region.stores["LEE"], ours["members"][0]),
        )


def test_a_do_not_call_entry_from_a_store_is_written_and_suppresses_everywhere_unread_elsewhere(
    chain: Chain,
) -> None:
    zed_phone = uk_mobile(9)  # Zed is LEE's customer
    add_entry(chain.region.db, phone=uk_mobile(2), reason="asked the lead", profile=LEAD)
    with chain.sql_as("LON") as sql:
        sql.execute(
            "INSERT INTO do_not_call (phone, reason, source, added_at, added_by) "
            "VALUES (%s, 'asked in the shop', 'by hand', now(), 'Alice Smith')",
            (zed_phone,),
        )
        # It reads back what it added, and the lead's entry about its own customer Ben...
        listed = sorted(row[0] for row in sql.execute("SELECT phone FROM do_not_call"))
    assert listed == sorted([zed_phone, uk_mobile(2)])
    with chain.sql_as("LEE") as sql:
        # ...while LEE reads the entry about its own customer, and nothing about LON's Ben.
        seen = [row[0] for row in sql.execute("SELECT phone FROM do_not_call")]
        status = sql.execute("SELECT status FROM campaign_members").fetchall()
    assert seen == [zed_phone]
    assert sorted(row[0] for row in status) == ["suppressed", "to_call"]


def test_a_lead_login_reads_and_changes_every_stores_rows(chain: Chain) -> None:
    lead = f"lead_{uuid.uuid4().hex[:8]}"
    run_admin_sql(chain.server, f"CREATE ROLE {lead} LOGIN IN ROLE {LEAD_ROLE}")
    try:
        db, _ = open_database(chain.url(lead))
        try:
            logged = log_outcome(
                db, chain.region.managers["Bob"], chain.region.members["Zed"], "N", at=MONDAY
            )
            with db.read_session() as session:
                stores = set(session.scalars(select(CampaignMember.store_id)))
        finally:
            db.dispose()
        assert logged.status == "in_progress"
        assert stores == set(chain.region.stores.values())
    finally:
        drop_roles(chain.server, lead)
