"""audit_reviews.outcome: a flagged access is reviewed appropriate or inappropriate (issue 19)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 19:00:00

Reviews made before this revision had only a note: their outcome stays empty (not recorded), never guessed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_reviews", schema=None) as batch_op:
        batch_op.drop_column("outcome")
