"""recipients typed (P2-4) and kept apart for exceptions, merged, archived; accounting notices and keeping

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 03:00:00
"""

import sqlalchemy as sa
from alembic import op

import roi_tracker.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Recipients an exception created, used by nothing but exception disclosures: they leave the directory.
_EXCEPTION_ONLY = """
UPDATE recipients SET scope = 'exception'
WHERE id IN (
    SELECT d.recipient_id FROM disclosures d
    JOIN confidentiality_exceptions e ON e.disclosure_id = d.id
    WHERE d.recipient_id IS NOT NULL
)
AND id NOT IN (SELECT recipient_id FROM authorizations WHERE recipient_id IS NOT NULL)
AND id NOT IN (SELECT recipient_id FROM accounting_suspensions WHERE recipient_id IS NOT NULL)
AND id NOT IN (
    SELECT d.recipient_id FROM disclosures d
    WHERE d.recipient_id IS NOT NULL
    AND d.id NOT IN (SELECT disclosure_id FROM confidentiality_exceptions)
)
"""


def upgrade() -> None:
    # Existing rows were entered without a type: `other` is outside the Part 2 TPO class (fails closed).
    with op.batch_alter_table("recipients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("type", sa.String(length=24), server_default="other", nullable=False))
        batch_op.add_column(
            sa.Column("scope", sa.String(length=16), server_default="directory", nullable=False)
        )
        batch_op.add_column(
            sa.Column("archived_at", roi_tracker.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("merged_into_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_recipients_merged_into_id_recipients"), "recipients", ["merged_into_id"], ["id"]
        )
    op.execute(_EXCEPTION_ONLY)
    # Whether a minor client consented to their own care (H-C7, P2-8): sealed, unknown for existing rows.
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("minor_consent", sa.LargeBinary(), nullable=True))
    # An extension's written notice (164.528(c)(1)(ii)); extensions recorded before have none on file.
    with op.batch_alter_table("accounting_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extension_notice_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("extension_notice_method", sa.String(length=32), server_default="", nullable=False)
        )
    # Accountings given so far were sealed under the client's key; new ones under the practice's keyring.
    with op.batch_alter_table("accountings_given", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sealed_with", sa.String(length=16), server_default="client", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("minor_consent")
    with op.batch_alter_table("accountings_given", schema=None) as batch_op:
        batch_op.drop_column("sealed_with")
    with op.batch_alter_table("accounting_requests", schema=None) as batch_op:
        batch_op.drop_column("extension_notice_method")
        batch_op.drop_column("extension_notice_on")
    with op.batch_alter_table("recipients", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_recipients_merged_into_id_recipients"), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("archived_at")
        batch_op.drop_column("scope")
        batch_op.drop_column("type")
