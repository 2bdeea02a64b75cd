"""call desk: calling hours, what a member's next call is, promised visits, attempt details

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00.000000

Members already in a database get what the call desk's rules (calling/life.py) would have
given them: the kind of call their ``next_due_at`` books, their promised visit, whether a
voicemail was left; a member still "in progress" without a next call after reaching the
attempt limit is closed, as the rules close it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lastmile_desktop.storage.types

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 08:00 and 21:00 as minutes after midnight (storage/defaults.py); fixed here on purpose:
# a migration must do the same thing whatever the defaults become later.
_CALLING_HOURS_START = 8 * 60
_CALLING_HOURS_END = 21 * 60

_BACKFILL = (
    # The kind of call a booked next_due_at stands for.
    """
    UPDATE campaign_members SET scheduled_kind = CASE
        WHEN last_outcome = 'callback_requested' THEN 'callback'
        WHEN last_outcome = 'accepted_offer' THEN 'visit_reminder'
        ELSE 'retry' END
    WHERE next_due_at IS NOT NULL
      AND (status IN ('to_call', 'in_progress') OR last_outcome = 'accepted_offer')
    """,
    # In progress with nothing booked: closed at the attempt limit, else due again now.
    """
    UPDATE campaign_members SET status = 'done'
    WHERE status = 'in_progress' AND next_due_at IS NULL
      AND attempts >= (SELECT max_attempts FROM campaigns WHERE id = campaign_id)
    """,
    """
    UPDATE campaign_members SET next_due_at = updated_at, scheduled_kind = 'retry'
    WHERE status = 'in_progress' AND next_due_at IS NULL
    """,
    # The visit promised on the latest accepted offer, and when it was promised.
    """
    UPDATE campaign_members SET
        visit_date = (
            SELECT planned_visit_date FROM call_attempts a
            WHERE a.member_id = campaign_members.id AND a.outcome = 'accepted_offer'
            ORDER BY a.called_at DESC, a.id DESC LIMIT 1),
        promised_at = (
            SELECT called_at FROM call_attempts a
            WHERE a.member_id = campaign_members.id AND a.outcome = 'accepted_offer'
            ORDER BY a.called_at DESC, a.id DESC LIMIT 1)
    WHERE last_outcome = 'accepted_offer'
    """,
    """
    UPDATE campaign_members SET promised_at = NULL WHERE visit_date IS NULL
    """,
    """
    UPDATE campaign_members SET voicemail_left = TRUE
    WHERE EXISTS (
        SELECT 1 FROM call_attempts a
        WHERE a.member_id = campaign_members.id AND a.outcome = 'left_voicemail')
    """,
    # Not-interested reasons used to be written into the note.
    """
    UPDATE call_attempts SET reason = 'other'
    WHERE outcome = 'not_interested' AND reason IS NULL
    """,
)


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): campaign_members and call_attempts may hold millions
    # of rows, and other tables' foreign keys point at them.
    op.add_column(
        "campaigns",
        sa.Column(
            "calling_hours_start",
            sa.Integer(),
            nullable=False,
            server_default=str(_CALLING_HOURS_START),
        ),
    )
    op.add_column(
        "campaigns",
        sa.Column(
            "calling_hours_end",
            sa.Integer(),
            nullable=False,
            server_default=str(_CALLING_HOURS_END),
        ),
    )
    op.add_column("campaign_members", sa.Column("scheduled_kind", sa.String(length=16)))
    op.add_column("campaign_members", sa.Column("visit_date", sa.Date()))
    op.add_column(
        "campaign_members",
        sa.Column("promised_at", lastmile_desktop.storage.types.UTCDateTime()),
    )
    for flag in ("promise_followed_up", "voicemail_left"):
        op.add_column(
            "campaign_members",
            sa.Column(flag, sa.Boolean(), nullable=False, server_default="0"),
        )
    op.add_column(
        "call_attempts", sa.Column("logged_at", lastmile_desktop.storage.types.UTCDateTime())
    )
    op.add_column("call_attempts", sa.Column("reason", sa.String(length=32)))
    op.add_column("call_attempts", sa.Column("follow_up", sa.String(length=24)))
    op.add_column("call_attempts", sa.Column("timezone", sa.String(length=400)))
    op.add_column("call_attempts", sa.Column("member_before", sa.JSON()))
    op.create_index("ix_attempts_manager_time", "call_attempts", ["manager_id", "called_at"])
    # SQLite adds a foreign key only by copying the table: do_not_call is small and no
    # other table points at it.
    with op.batch_alter_table("do_not_call", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempt_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_do_not_call_attempt_id_call_attempts"),
            "call_attempts",
            ["attempt_id"],
            ["id"],
        )
    for statement in _BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("do_not_call", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_do_not_call_attempt_id_call_attempts"), type_="foreignkey"
        )
        batch_op.drop_column("attempt_id")
    op.drop_index("ix_attempts_manager_time", table_name="call_attempts")
    for column in ("member_before", "timezone", "follow_up", "reason", "logged_at"):
        op.drop_column("call_attempts", column)
    for column in (
        "voicemail_left",
        "promise_followed_up",
        "promised_at",
        "visit_date",
        "scheduled_kind",
    ):
        op.drop_column("campaign_members", column)
    op.drop_column("campaigns", "calling_hours_end")
    op.drop_column("campaigns", "calling_hours_start")
