"""client_search_terms: blind-index terms for search by part of a name or phone (issue 17, A8)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 19:00:00

The terms of clients registered before this revision are filled by `roi-tracker db upgrade` with the key file
(services/records/search_terms.py): a migration never holds the keys.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_search_terms",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("term", sa.LargeBinary(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_client_search_terms_client_id_clients")
        ),
        sa.PrimaryKeyConstraint("client_id", "term", name=op.f("pk_client_search_terms")),
    )
    with op.batch_alter_table("client_search_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_search_terms_term"), ["term"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("client_search_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_search_terms_term"))
    op.drop_table("client_search_terms")
