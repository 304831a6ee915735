"""Leaving no trace and flood protection: message ids of private chats; a flood counter.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("flood_window_start", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("flood_count", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_chat_messages_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_messages")),
    )
    op.create_index("ix_chat_messages_user_sent", "chat_messages", ["user_id", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_chat_messages_user_sent", table_name="chat_messages")
    op.drop_table("chat_messages")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("flood_count")
        batch.drop_column("flood_window_start")
