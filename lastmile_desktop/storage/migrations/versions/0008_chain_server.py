"""chain server: which store added a do-not-call entry; change notices on PostgreSQL

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:00:00.000000

``do_not_call.added_by_store_id``: the store whose login added the entry on a chain's server
(filled there by the access rules of ``lastmile server init``), so that the store may read
back what it added while other stores' entries stay hidden from it.

On PostgreSQL only: every committed change to call attempts, purchases and campaign members
sends a notice on the ``lastmile_changes`` channel, one per table and store touched, as JSON
(``{"table": "call_attempts", "store": 12}``); the app listens to refresh its figures when
another PC logs a call (storage/change_watch.py). A migration, not ``server init``, so that a
plain ``--db postgresql://`` database gets them too. Statement-level triggers with transition
tables: a bulk write of 100k rows sends one notice per store, not one per row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTIFIED_TABLES = ("call_attempts", "purchases", "campaign_members")

_NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION lastmile_notify_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched integer;
BEGIN
    -- Each branch reads only the transition tables its event has.
    IF TG_OP = 'INSERT' THEN
        FOR touched IN SELECT DISTINCT store_id FROM new_rows LOOP
            PERFORM pg_notify('lastmile_changes',
                json_build_object('table', TG_TABLE_NAME, 'store', touched)::text);
        END LOOP;
    ELSIF TG_OP = 'UPDATE' THEN
        FOR touched IN SELECT store_id FROM new_rows UNION SELECT store_id FROM old_rows LOOP
            PERFORM pg_notify('lastmile_changes',
                json_build_object('table', TG_TABLE_NAME, 'store', touched)::text);
        END LOOP;
    ELSE
        FOR touched IN SELECT DISTINCT store_id FROM old_rows LOOP
            PERFORM pg_notify('lastmile_changes',
                json_build_object('table', TG_TABLE_NAME, 'store', touched)::text);
        END LOOP;
    END IF;
    RETURN NULL;
END;
$$
"""

_TRANSITIONS = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}


def upgrade() -> None:
    with op.batch_alter_table("do_not_call", schema=None) as batch_op:
        batch_op.add_column(sa.Column("added_by_store_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_do_not_call_added_by_store_id"), ["added_by_store_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_do_not_call_added_by_store_id_stores"),
            "stores",
            ["added_by_store_id"],
            ["id"],
        )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_NOTIFY_FUNCTION)
    for table in NOTIFIED_TABLES:
        for event, transition in _TRANSITIONS.items():
            op.execute(
                f"CREATE TRIGGER lastmile_notify_{event} AFTER {event.upper()} ON {table} "
                f"{transition} FOR EACH STATEMENT EXECUTE FUNCTION lastmile_notify_changes()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in NOTIFIED_TABLES:
            for event in _TRANSITIONS:
                op.execute(f"DROP TRIGGER IF EXISTS lastmile_notify_{event} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS lastmile_notify_changes()")
    with op.batch_alter_table("do_not_call", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_do_not_call_added_by_store_id_stores"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_do_not_call_added_by_store_id"))
        batch_op.drop_column("added_by_store_id")
