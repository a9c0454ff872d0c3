"""Tracks keep the class their own genre tags map to, so the review queue can leave out an
unsure prediction that the user's tags confirm (tag_class.py). Both columns start NULL: the
first question after the upgrade computes them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tracks") as batch:
        batch.add_column(sa.Column("tag_class", sa.String(64), nullable=True))
        batch.add_column(sa.Column("tag_class_map", sa.String(16), nullable=True))
    op.create_index("ix_tracks_tag_class_map", "tracks", ["tag_class_map"])


def downgrade() -> None:
    op.drop_index("ix_tracks_tag_class_map", table_name="tracks")
    with op.batch_alter_table("tracks") as batch:
        batch.drop_column("tag_class_map")
        batch.drop_column("tag_class")
