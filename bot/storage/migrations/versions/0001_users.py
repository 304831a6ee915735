"""Create the users table: who writes to the bot, their language, page and flow.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("language_confirmed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("current_node", sa.String(length=64), nullable=True),
        sa.Column("menu_message_id", sa.BigInteger(), nullable=True),
        sa.Column("flow", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("flow_data", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("discreet_mode", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("blocked_bot", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("banned", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("telegram_id", name=op.f("uq_users_telegram_id")),
    )


def downgrade() -> None:
    op.drop_table("users")
