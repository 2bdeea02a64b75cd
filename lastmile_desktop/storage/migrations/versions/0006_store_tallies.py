"""store tallies: each store's members' days counted by the spans they open, for the leaderboard

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:00:00.000000

Adds ``store_tallies``, why each member's day's latest decline declined
(``member_days.declined_reason``), the store each member's days are counted under
(``campaign_members.tallied_store_id``), each member's first purchase since its campaign's
first day and its spend inside its attribution window (``returned_at``,
``window_spend_cents``, ``window_last_at``) and since a promise (``bought_since_promise_at``),
and the indexes of the leaderboard's small reads
(the groups per store, first calls per store, the members who came back, those who bought
since the start, booked callbacks, promised visits, purchases by time) in place of the one
that covered a pass over every member; then counts the tallies of every campaign.

The backfill is written out here, as a migration must do the same thing whatever the code
becomes later; the spans are defined in calling/store_tallies.py, and the tests check on
every saved database that the tallies after migrating equal their recomputation there.
SQLAlchemy Core, with the day arithmetic in each database's words: it runs on SQLite and
PostgreSQL alike.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

import lastmile_desktop.storage.types

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEVER = date(9999, 12, 31)
_KEY = ("campaign_id", "store_id", "series", "from_day", "to_day", "kind", "reason")
_MEMBER_INDEXES = {
    "ix_members_groups": ["campaign_id", "group", "store_id"],
    "ix_members_first_calls": [
        "campaign_id",
        "store_id",
        "first_call_days",
        "first_attempt_at",
        "group",
    ],
    "ix_members_wins": [
        "campaign_id",
        "came_back_at",
        "group",
        "store_id",
        "first_attempt_at",
        "came_back_days",
        "came_again_at",
        "came_again_days",
        "window_spend_cents",
        "window_last_at",
        "customer_id",
    ],
    "ix_members_returns": ["campaign_id", "returned_at", "group", "store_id"],
    "ix_members_callbacks": [
        "campaign_id",
        "scheduled_kind",
        "next_due_at",
        "status",
        "group",
        "store_id",
    ],
    "ix_members_promises": [
        "campaign_id",
        "visit_date",
        "promised_at",
        "bought_since_promise_at",
        "group",
        "store_id",
    ],
}

# The index 0005 made for the pass over every member, as it was.
_FACTS_INDEX_0005 = [
    "campaign_id",
    "store_id",
    "first_call_days",
    "manager_id",
    "group",
    "attempts",
    "first_attempt_at",
    "last_attempt_at",
    "last_reached_at",
    "last_accepted_at",
    "last_declined_at",
    "last_not_working_at",
    "last_moved_at",
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


def upgrade() -> None:
    op.add_column("member_days", sa.Column("declined_reason", sa.String(length=32)))
    op.add_column("campaign_members", sa.Column("tallied_store_id", sa.Integer()))
    for name in ("returned_at", "window_last_at", "bought_since_promise_at"):
        op.add_column(
            "campaign_members", sa.Column(name, lastmile_desktop.storage.types.UTCDateTime())
        )
    op.add_column("campaign_members", sa.Column("window_spend_cents", sa.Integer()))
    op.create_table(
        "store_tallies",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=8), nullable=False),
        sa.Column("from_day", sa.Date(), nullable=False),
        sa.Column("to_day", sa.Date(), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_store_tallies_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_store_tallies_store_id_stores")
        ),
        sa.PrimaryKeyConstraint(*_KEY, name=op.f("pk_store_tallies")),
        sqlite_with_rowid=False,
    )
    # The one pass over every member it covered is gone: narrower indexes serve the reads
    # left, and every change of a member no longer rewrites a 24-column entry.
    op.drop_index("ix_members_facts", table_name="campaign_members")
    for name, columns in _MEMBER_INDEXES.items():
        op.create_index(name, "campaign_members", columns)
    op.create_index("ix_purchases_time", "purchases", ["purchased_at", "customer_id"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in [*_backfill(), _purchase_facts(sqlite)]:
        op.execute(statement)


# The outcome catalogue's codes as they were at this revision.
_DECLINES = ("not_interested", "do_not_call")

_members = sa.table(
    "campaign_members",
    sa.column("id", sa.Integer()),
    sa.column("campaign_id", sa.Integer()),
    sa.column("customer_id", sa.Integer()),
    sa.column("store_id", sa.Integer()),
    sa.column("group", sa.String()),
    sa.column("tallied_store_id", sa.Integer()),
    sa.column("first_attempt_at"),
    sa.column("returned_at"),
    sa.column("window_spend_cents", sa.Integer()),
    sa.column("window_last_at"),
    sa.column("promised_at"),
    sa.column("bought_since_promise_at"),
)
_campaigns = sa.table(
    "campaigns",
    sa.column("id", sa.Integer()),
    sa.column("start_date", sa.Date()),
    sa.column("created_at"),
    sa.column("attribution_window_days", sa.Integer()),
)
_purchases = sa.table(
    "purchases",
    sa.column("customer_id", sa.Integer()),
    sa.column("purchased_at"),
    sa.column("amount_cents", sa.Integer()),
)
_days = sa.table(
    "member_days",
    sa.column("member_id", sa.Integer()),
    sa.column("day", sa.Date()),
    sa.column("attempts", sa.Integer()),
    sa.column("last_at"),
    sa.column("last_reached_at"),
    sa.column("last_accepted_at"),
    sa.column("last_declined_at"),
    sa.column("last_not_working_at"),
    sa.column("last_moved_at"),
    sa.column("declined_reason", sa.String()),
)
_attempts = sa.table(
    "call_attempts",
    sa.column("id", sa.Integer()),
    sa.column("member_id", sa.Integer()),
    sa.column("called_at"),
    sa.column("outcome", sa.String()),
    sa.column("reason", sa.String()),
    sa.column("follow_up", sa.String()),
)
_tallies = sa.table("store_tallies", *(sa.column(name) for name in (*_KEY, "members", "attempts")))


def _flag(condition: sa.ColumnElement[bool], bit: int) -> sa.ColumnElement[int]:
    return sa.case((condition, bit), else_=0)


def _backfill() -> list[sa.Executable]:
    """Why each day's latest decline declined; where each called call-group member's days
    are counted; the spans of those days (as calling/store_tallies.py defines them)."""
    decline = _attempts.alias("decline")
    reason = (
        sa.select(
            sa.case((decline.c.outcome == "do_not_call", "do_not_call"), else_=decline.c.reason)
        )
        .where(
            decline.c.member_id == _days.c.member_id,
            decline.c.called_at == _days.c.last_declined_at,
            decline.c.outcome.in_(_DECLINES),
            decline.c.follow_up.is_(None),
        )
        .order_by(decline.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    reasons = (
        sa.update(_days).where(_days.c.last_declined_at.is_not(None)).values(declined_reason=reason)
    )
    has_days = sa.exists().where(_days.c.member_id == _members.c.id)
    tallied = (
        sa.update(_members)
        .where(_members.c.group == "call", _members.c.store_id.is_not(None), has_days)
        .values(tallied_store_id=_members.c.store_id)
    )

    d = _days.c
    by_member: dict[str, Any] = {"partition_by": d.member_id, "order_by": d.day}
    spanned = (
        sa.select(
            _members.c.campaign_id,
            _members.c.tallied_store_id.label("store_id"),
            d.day,
            d.attempts,
            d.last_at,
            d.last_reached_at,
            d.last_accepted_at,
            d.last_declined_at,
            d.last_not_working_at,
            d.last_moved_at,
            d.declined_reason,
            sa.func.lead(d.day, type_=sa.Date()).over(**by_member).label("next_day"),
            sa.func.lag(d.day, type_=sa.Date()).over(**by_member).label("previous_day"),
            sa.func.max(d.last_reached_at).over(**by_member, rows=(None, 0)).label("reached_by"),
            sa.func.min(sa.case((d.last_reached_at.is_not(None), d.day)), type_=sa.Date())
            .over(**by_member, rows=(1, None))
            .label("next_reached_day"),
        )
        .join(_members, _members.c.id == d.member_id)
        .where(_members.c.tallied_store_id.is_not(None))
        .cte("spanned_days")
    )
    s = spanned.c
    never = sa.literal(_NEVER, sa.Date())
    attempt_key = (
        s.campaign_id,
        s.store_id,
        sa.literal("attempt", sa.String()).label("series"),
        s.day.label("from_day"),
        sa.func.coalesce(s.next_day, never).label("to_day"),
        (
            _flag(s.last_not_working_at == s.last_at, 1)
            + _flag(s.last_moved_at == s.last_at, 2)
            + _flag(s.reached_by.is_not(None), 4)
            + _flag(s.previous_day.is_(None), 8)
        ).label("kind"),
        sa.literal("", sa.String()).label("reason"),
    )
    declined = s.last_declined_at == s.last_reached_at
    reason_given = declined & s.declined_reason.is_not(None)
    reached_key = (
        s.campaign_id,
        s.store_id,
        sa.literal("reached", sa.String()).label("series"),
        s.day.label("from_day"),
        sa.func.coalesce(s.next_reached_day, never).label("to_day"),
        (
            _flag(s.last_accepted_at >= s.last_reached_at, 1)
            + _flag(declined, 2)
            + _flag(reason_given, 4)
        ).label("kind"),
        sa.case((reason_given, s.declined_reason), else_=sa.literal("", sa.String())).label(
            "reason"
        ),
    )
    spans = sa.union_all(
        sa.select(*attempt_key, sa.func.count(), sa.func.sum(s.attempts)).group_by(*attempt_key),
        sa.select(*reached_key, sa.func.count(), sa.literal(0))
        .where(s.last_reached_at.is_not(None))
        .group_by(*reached_key),
    )
    return [
        reasons,
        tallied,
        sa.insert(_tallies).from_select([*_KEY, "members", "attempts"], spans),
    ]


def _purchase_facts(sqlite: bool) -> sa.Executable:
    """Each member's first purchase from the UTC midnight starting its campaign's first day
    (the start date, else the UTC day the campaign was created), what it spent inside its
    attribution window (UTC days from the first attempt's to the campaign's window after it)
    and when it last bought there, and its first purchase since a promised visit was promised
    (as calling/member_facts.py defines them)."""

    def day(moment: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        return sa.func.date(moment) if sqlite else sa.cast(moment, sa.Date())

    def days_after(
        moment: sa.ColumnElement[Any], days: sa.ColumnElement[Any]
    ) -> sa.ColumnElement[Any]:
        if sqlite:
            return sa.func.date(moment, sa.literal("+").concat(days).concat(" days"))
        return sa.cast(moment, sa.Date()) + days

    m, c, p = _members.c, _campaigns.c, _purchases.c
    first_day = (
        sa.select(sa.func.coalesce(c.start_date, day(c.created_at)))
        .where(c.id == m.campaign_id)
        .scalar_subquery()
    )
    window_days = (
        sa.select(c.attribution_window_days).where(c.id == m.campaign_id).scalar_subquery()
    )
    in_window = sa.and_(
        p.customer_id == m.customer_id,
        day(p.purchased_at) >= day(m.first_attempt_at),
        day(p.purchased_at) <= days_after(m.first_attempt_at, window_days),
    )
    return sa.update(_members).values(
        returned_at=sa.select(sa.func.min(p.purchased_at))
        .where(p.customer_id == m.customer_id, p.purchased_at >= first_day)
        .scalar_subquery(),
        window_spend_cents=sa.case(
            (
                m.first_attempt_at.is_not(None),
                sa.select(sa.func.coalesce(sa.func.sum(p.amount_cents), 0))
                .where(in_window)
                .scalar_subquery(),
            )
        ),
        window_last_at=sa.select(sa.func.max(p.purchased_at)).where(in_window).scalar_subquery(),
        bought_since_promise_at=sa.select(sa.func.min(p.purchased_at))
        .where(p.customer_id == m.customer_id, p.purchased_at >= m.promised_at)
        .scalar_subquery(),
    )


def downgrade() -> None:
    op.drop_index("ix_purchases_time", table_name="purchases")
    for name in reversed(_MEMBER_INDEXES):
        op.drop_index(name, table_name="campaign_members")
    op.create_index("ix_members_facts", "campaign_members", _FACTS_INDEX_0005)
    op.drop_table("store_tallies")
    with op.batch_alter_table("campaign_members", schema=None) as batch_op:
        for name in (
            "bought_since_promise_at",
            "window_spend_cents",
            "window_last_at",
            "returned_at",
            "tallied_store_id",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("member_days", schema=None) as batch_op:
        batch_op.drop_column("declined_reason")
