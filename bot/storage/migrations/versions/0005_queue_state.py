"""A request's state in the team chat: what its topic title (or card) shows, whether it is closed.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite may copy the table to alter it: the copy must keep AUTOINCREMENT (ids are never reused).
_KEEP = {"table_kwargs": {"sqlite_autoincrement": True}}


def upgrade() -> None:
    with op.batch_alter_table("contact_requests", **_KEEP) as batch:
        batch.add_column(sa.Column("shown_state", sa.String(length=128), nullable=True))
        batch.add_column(
            sa.Column("topic_closed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(
            sa.Column("waiting_for_person", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(
            sa.Column("state_changes", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("contact_requests", **_KEEP) as batch:
        batch.drop_column("state_changes")
        batch.drop_column("waiting_for_person")
        batch.drop_column("topic_closed")
        batch.drop_column("shown_state")
