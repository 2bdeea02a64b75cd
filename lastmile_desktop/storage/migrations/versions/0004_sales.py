"""sales: a natural key on purchases, and an index for the leaderboard's pass over attempts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sale_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_purchases_sale_key"), ["sale_key"])
    with op.batch_alter_table("call_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attempts_member_time", ["member_id", "called_at", "outcome"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("call_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_attempts_member_time")
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_purchases_sale_key"), type_="unique")
        batch_op.drop_column("sale_key")
