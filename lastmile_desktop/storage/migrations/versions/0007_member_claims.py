"""member claims: which call desk has a member on screen, and until when

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-09 12:00:00.000000

A table of its own rather than columns on ``campaign_members``: a claim is written each time
a desk shows a customer, and writing it on the member would move the member's version on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lastmile_desktop.storage.types

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_claims",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=False),
        sa.Column("claimed_until", lastmile_desktop.storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["campaign_members.id"],
            name=op.f("fk_member_claims_member_id_campaign_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_claims")),
    )
    op.create_index("ix_member_claims_desk", "member_claims", ["claimed_by"])


def downgrade() -> None:
    op.drop_index("ix_member_claims_desk", table_name="member_claims")
    op.drop_table("member_claims")
