"""past disclosures (entered_at), impermissible disclosures, Part 2 flag changes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:00:00
"""

import sqlalchemy as sa
from alembic import op

import roi_tracker.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: disclosures made through the gate were entered when they were made.
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entered_at", roi_tracker.db.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "impermissible_disclosures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("disclosure_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("found_by", sa.Uuid(), nullable=False),
        sa.Column("found_at", roi_tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_impermissible_disclosures_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["disclosure_id"],
            ["disclosures.id"],
            name=op.f("fk_impermissible_disclosures_disclosure_id_disclosures"),
        ),
        sa.ForeignKeyConstraint(
            ["found_by"], ["users.id"], name=op.f("fk_impermissible_disclosures_found_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impermissible_disclosures")),
    )
    with op.batch_alter_table("impermissible_disclosures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_impermissible_disclosures_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_impermissible_disclosures_disclosure_id"), ["disclosure_id"], unique=False
        )
    op.create_table(
        "part2_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("part2", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=False),
        sa.Column("changed_at", roi_tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_part2_changes_client_id_clients")
        ),
        sa.ForeignKeyConstraint(["changed_by"], ["users.id"], name=op.f("fk_part2_changes_changed_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part2_changes")),
    )
    with op.batch_alter_table("part2_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_part2_changes_client_id"), ["client_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("part2_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_part2_changes_client_id"))
    op.drop_table("part2_changes")
    with op.batch_alter_table("impermissible_disclosures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_impermissible_disclosures_disclosure_id"))
        batch_op.drop_index(batch_op.f("ix_impermissible_disclosures_client_id"))
    op.drop_table("impermissible_disclosures")
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_column("entered_at")
