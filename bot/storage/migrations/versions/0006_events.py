"""Events and news: a person's region and news opt-in, event reminders, announcements, usage counts.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("region", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("news_subscribed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "announcements",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipients", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_announcements")),
    )
    op.create_table(
        "usage_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_counts")),
        sa.UniqueConstraint("day", "kind", "key", name="uq_usage_counts_day"),
    )
    op.create_table(
        "event_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_event_reminders_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_reminders")),
        sa.UniqueConstraint("user_id", "event_id", name="uq_event_reminders_user_id"),
    )
    op.create_index("ix_event_reminders_pending", "event_reminders", ["sent_at", "event_id"])


def downgrade() -> None:
    op.drop_index("ix_event_reminders_pending", table_name="event_reminders")
    op.drop_table("event_reminders")
    op.drop_table("announcements")
    op.drop_table("usage_counts")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("news_subscribed")
        batch.drop_column("region")
