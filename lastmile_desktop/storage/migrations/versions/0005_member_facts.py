"""member facts: what each member's attempts and purchases came to, kept for the leaderboard

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 12:00:00.000000

Adds the facts to ``campaign_members`` with the index that covers the leaderboard's pass over
them, the ``member_days`` table, and lets the member-and-time index of attempts tell
follow-up calls apart; then computes the facts of every member already in the database.

The backfill is written out here, as a migration must do the same thing whatever the code
becomes later; the facts' definitions live in calling/member_facts.py, and the tests check
on every saved database that the facts after migrating equal their recomputation there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lastmile_desktop.storage.types

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENTS = (
    "first_attempt_at",
    "last_attempt_at",
    "last_reached_at",
    "last_accepted_at",
    "last_declined_at",
    "last_not_working_at",
    "last_moved_at",
    "came_back_at",
    "came_again_at",
)
_INDEX_COLUMNS = [
    "campaign_id",
    "store_id",
    "first_call_days",
    "manager_id",
    "group",
    "attempts",
    *_MOMENTS[:7],
    "declined_reason",
    "came_back_at",
    "came_back_days",
    "came_again_at",
    "came_again_days",
    "status",
    "scheduled_kind",
    "next_due_at",
    "visit_date",
    "promised_at",
    "customer_id",
]
_DAY_FIGURES = ["attempts", "first_at", "last_at", "last_reached_at", "last_accepted_at"]


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): campaign_members may hold millions of rows.
    for name in _MOMENTS:
        op.add_column(
            "campaign_members", sa.Column(name, lastmile_desktop.storage.types.UTCDateTime())
        )
    op.add_column("campaign_members", sa.Column("declined_reason", sa.String(length=32)))
    for name in ("came_back_days", "came_again_days"):
        op.add_column("campaign_members", sa.Column(name, sa.Integer()))
    op.add_column("campaign_members", sa.Column("first_call_days", sa.Float()))
    op.create_index("ix_members_facts", "campaign_members", _INDEX_COLUMNS)
    op.create_table(
        "member_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_at", lastmile_desktop.storage.types.UTCDateTime(), nullable=False),
        sa.Column("last_at", lastmile_desktop.storage.types.UTCDateTime(), nullable=False),
        sa.Column("last_reached_at", lastmile_desktop.storage.types.UTCDateTime()),
        sa.Column("last_accepted_at", lastmile_desktop.storage.types.UTCDateTime()),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["campaign_members.id"],
            name=op.f("fk_member_days_member_id_campaign_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_days")),
        sa.UniqueConstraint("member_id", "day", name=op.f("uq_member_days_member_id")),
    )
    op.create_index("ix_member_days_member", "member_days", ["member_id", "day", *_DAY_FIGURES])
    op.create_index("ix_member_days_day", "member_days", ["day", "member_id", *_DAY_FIGURES])
    op.drop_index("ix_attempts_member_time", table_name="call_attempts")
    op.create_index(
        "ix_attempts_member_time",
        "call_attempts",
        ["member_id", "called_at", "outcome", "follow_up"],
    )

    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _backfill(sqlite):
        op.execute(statement)


# The outcome catalogue's codes as they were at this revision.
_REACHED = (
    "'callback_requested', 'accepted_offer', 'interested', 'not_interested', "
    "'already_came_back', 'do_not_call'"
)
_LATEST = {
    "last_reached_at": f"outcome IN ({_REACHED})",
    "last_accepted_at": "outcome = 'accepted_offer'",
    "last_declined_at": "outcome IN ('not_interested', 'do_not_call')",
    "last_not_working_at": "outcome IN ('wrong_number', 'not_in_service')",
    "last_moved_at": "outcome = 'moved_or_deceased'",
}


def _backfill(sqlite: bool) -> list[str]:
    """Counted attempts only (``follow_up IS NULL``); days are UTC days."""

    def day(moment: str) -> str:
        return f"date({moment})" if sqlite else f"CAST({moment} AS DATE)"

    def days_apart(later: str, earlier: str) -> str:
        if sqlite:
            return f"CAST(julianday(date({later})) - julianday(date({earlier})) AS INTEGER)"
        return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"

    def days_between(later: str, earlier: str) -> str:
        if sqlite:
            return f"(julianday({later}) - julianday({earlier}))"
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"

    def over_attempts(aggregate: str) -> str:
        return (
            f"(SELECT {aggregate} FROM call_attempts a WHERE a.member_id = campaign_members.id"
            " AND a.follow_up IS NULL)"
        )

    moments = {
        "first_attempt_at": over_attempts("min(a.called_at)"),
        "last_attempt_at": over_attempts("max(a.called_at)"),
        **{
            column: over_attempts(f"max(CASE WHEN a.{condition} THEN a.called_at END)")
            for column, condition in _LATEST.items()
        },
    }
    assigned = (
        "COALESCE((SELECT min(c.changed_at) FROM assignment_changes c"
        " WHERE c.member_id = campaign_members.id), campaign_members.created_at)"
    )
    return [
        "UPDATE campaign_members SET "
        + ", ".join(f"{column} = {value}" for column, value in moments.items()),
        "UPDATE campaign_members SET"
        " declined_reason = (SELECT CASE WHEN a.outcome = 'do_not_call' THEN 'do_not_call'"
        " ELSE a.reason END FROM call_attempts a WHERE a.member_id = campaign_members.id"
        " AND a.outcome IN ('not_interested', 'do_not_call') AND a.follow_up IS NULL"
        " ORDER BY a.called_at DESC, a.id DESC LIMIT 1),"
        " came_back_at = (SELECT min(p.purchased_at) FROM purchases p"
        " WHERE p.customer_id = campaign_members.customer_id"
        f" AND {day('p.purchased_at')} >= {day('campaign_members.first_attempt_at')}),"
        " first_call_days = CASE WHEN first_attempt_at IS NOT NULL THEN"
        f" {days_between('campaign_members.first_attempt_at', assigned)} END",
        "UPDATE campaign_members SET"
        f" came_back_days = {days_apart('came_back_at', 'first_attempt_at')},"
        " came_again_at = (SELECT min(p.purchased_at) FROM purchases p"
        " WHERE p.customer_id = campaign_members.customer_id"
        f" AND {day('p.purchased_at')} > {day('campaign_members.came_back_at')})",
        "UPDATE campaign_members SET"
        f" came_again_days = {days_apart('came_again_at', 'came_back_at')}",
        "INSERT INTO member_days (member_id, day, attempts, first_at, last_at,"
        " last_reached_at, last_accepted_at)"
        f" SELECT member_id, {day('called_at')}, count(*), min(called_at), max(called_at),"
        f" max(CASE WHEN {_LATEST['last_reached_at']} THEN called_at END),"
        f" max(CASE WHEN {_LATEST['last_accepted_at']} THEN called_at END)"
        " FROM call_attempts WHERE follow_up IS NULL"
        f" GROUP BY member_id, {day('called_at')}",
    ]


def downgrade() -> None:
    op.drop_index("ix_attempts_member_time", table_name="call_attempts")
    op.create_index(
        "ix_attempts_member_time", "call_attempts", ["member_id", "called_at", "outcome"]
    )
    op.drop_index("ix_member_days_day", table_name="member_days")
    op.drop_index("ix_member_days_member", table_name="member_days")
    op.drop_table("member_days")
    op.drop_index("ix_members_facts", table_name="campaign_members")
    with op.batch_alter_table("campaign_members", schema=None) as batch_op:
        for name in ("first_call_days", "came_again_days", "came_back_days", "declined_reason"):
            batch_op.drop_column(name)
        for name in reversed(_MOMENTS):
            batch_op.drop_column(name)
