"""accounting suspensions name the agency (a recipient) whose disclosures they hide

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: suspensions recorded before this revision named no recipient and keep holding for all.
    with op.batch_alter_table("accounting_suspensions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_accounting_suspensions_recipient_id_recipients"),
            "recipients",
            ["recipient_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("accounting_suspensions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_accounting_suspensions_recipient_id_recipients"), type_="foreignkey"
        )
        batch_op.drop_column("recipient_id")
