"""Tag writing: batches of genre-tag changes, kept for undo.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tag_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("mode", sa.String(32), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("undone", sa.Boolean(), nullable=False),
        sa.Column("undone_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tag_batches"),
    )
    op.create_table(
        "tag_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("old_genres", sa.JSON(), nullable=False),
        sa.Column("new_genres", sa.JSON(), nullable=False),
        sa.Column("old_size", sa.BigInteger(), nullable=True),
        sa.Column("old_mtime_ns", sa.BigInteger(), nullable=True),
        sa.Column("new_size", sa.BigInteger(), nullable=True),
        sa.Column("new_mtime_ns", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["tag_batches.id"],
            name="fk_tag_changes_batch_id_tag_batches",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name="fk_tag_changes_track_id_tracks", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tag_changes"),
    )
    op.create_index("ix_tag_changes_batch_id", "tag_changes", ["batch_id"])
    op.create_index("ix_tag_changes_track_id", "tag_changes", ["track_id"])


def downgrade() -> None:
    op.drop_table("tag_changes")
    op.drop_table("tag_batches")
