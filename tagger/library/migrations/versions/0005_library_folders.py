"""The library remembers the folders scanned into it (`tagger scan` and the app alike), so the
check for links that leave the library works from the command line too.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "library_folders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_library_folders"),
        sa.UniqueConstraint("path", name="uq_library_folders_path"),
    )


def downgrade() -> None:
    op.drop_table("library_folders")
