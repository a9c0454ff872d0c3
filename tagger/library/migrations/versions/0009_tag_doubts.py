"""Tracks keep the doubt the last training from the library had about their tag: the class it
learnt only by rote and the track's mean margin (tag_doubts.py). NULL until a training doubts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tracks") as batch:
        batch.add_column(sa.Column("tag_doubt_class", sa.String(64), nullable=True))
        batch.add_column(sa.Column("tag_doubt", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tracks") as batch:
        batch.drop_column("tag_doubt")
        batch.drop_column("tag_doubt_class")
