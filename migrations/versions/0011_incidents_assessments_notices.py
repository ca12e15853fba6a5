"""incidents, their affected clients, assessments and notices (never deleted: H-B8)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 02:53:00
"""

import sqlalchemy as sa
from alembic import op

import roi_tracker.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("discovered_on", sa.Date(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("description", sa.LargeBinary(), nullable=False),
        sa.Column("disclosure_id", sa.Uuid(), nullable=True),
        sa.Column("determination", sa.String(length=16), nullable=False),
        sa.Column("notify_by", sa.Date(), nullable=False),
        sa.Column("hhs_by", sa.Date(), nullable=True),
        sa.Column("media_required", sa.Boolean(), nullable=False),
        sa.Column("reported_by", sa.Uuid(), nullable=False),
        sa.Column("reported_at", roi_tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["disclosure_id"], ["disclosures.id"], name=op.f("fk_incidents_disclosure_id_disclosures")
        ),
        sa.ForeignKeyConstraint(["reported_by"], ["users.id"], name=op.f("fk_incidents_reported_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("reference", name=op.f("uq_incidents_reference")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_disclosure_id"), ["disclosure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_discovered_on"), ["discovered_on"], unique=False)
    op.create_table(
        "incident_assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("exclusion", sa.String(length=32), nullable=False),
        sa.Column("secured", sa.Boolean(), nullable=False),
        sa.Column("low_probability", sa.Boolean(), nullable=False),
        sa.Column("factors", sa.LargeBinary(), nullable=False),
        sa.Column("affected", sa.Integer(), nullable=False),
        sa.Column("most_in_one_state", sa.Integer(), nullable=False),
        sa.Column("determination", sa.String(length=16), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("assessed_by", sa.Uuid(), nullable=False),
        sa.Column("assessed_at", roi_tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessed_by"], ["users.id"], name=op.f("fk_incident_assessments_assessed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_assessments_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_assessments")),
    )
    with op.batch_alter_table("incident_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_assessments_incident_id"), ["incident_id"], unique=False
        )
    op.create_table(
        "incident_clients",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_incident_clients_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_clients_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("incident_id", "client_id", name=op.f("pk_incident_clients")),
    )
    with op.batch_alter_table("incident_clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_clients_client_id"), ["client_id"], unique=False)
    op.create_table(
        "incident_notices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", roi_tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_incident_notices_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_notices_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_incident_notices_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_notices")),
    )
    with op.batch_alter_table("incident_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_notices_incident_id"), ["incident_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incident_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_notices_incident_id"))
    op.drop_table("incident_notices")
    with op.batch_alter_table("incident_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_clients_client_id"))
    op.drop_table("incident_clients")
    with op.batch_alter_table("incident_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_assessments_incident_id"))
    op.drop_table("incident_assessments")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_discovered_on"))
        batch_op.drop_index(batch_op.f("ix_incidents_disclosure_id"))
    op.drop_table("incidents")
