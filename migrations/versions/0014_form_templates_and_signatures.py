"""form templates (versioned release form wording) and authorization signatures (signed on screen)

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-04 03:05:00
"""

import json
from datetime import UTC
from datetime import datetime

import sqlalchemy as sa
from alembic import op

import roi_tracker.db
from roi_tracker.domain import form_templates

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", roi_tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_form_templates_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_templates")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_form_templates_kind")),
    )
    with op.batch_alter_table("form_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_templates_kind"), ["kind"], unique=False)
    _ship_defaults()
    op.create_table(
        "authorization_signatures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("authorization_id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("signer", sa.String(length=16), nullable=False),
        sa.Column("witnessed_by", sa.Uuid(), nullable=False),
        sa.Column("signed_at", roi_tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["authorization_id"],
            ["authorizations.id"],
            name=op.f("fk_authorization_signatures_authorization_id_authorizations"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["form_templates.id"],
            name=op.f("fk_authorization_signatures_template_id_form_templates"),
        ),
        sa.ForeignKeyConstraint(
            ["witnessed_by"], ["users.id"], name=op.f("fk_authorization_signatures_witnessed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorization_signatures")),
        sa.UniqueConstraint("authorization_id", name=op.f("uq_authorization_signatures_authorization_id")),
    )
    with op.batch_alter_table("authorization_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authorization_signatures_template_id"), ["template_id"], unique=False
        )


def _ship_defaults() -> None:
    # The product ships version 1 of every kind's form (issue 20); a practice writes later versions.
    table = sa.table(
        "form_templates",
        sa.column("id", sa.Uuid()),
        sa.column("kind", sa.String()),
        sa.column("version", sa.Integer()),
        sa.column("wording", sa.Text()),
        sa.column("created_by", sa.Uuid()),
        sa.column("created_at", roi_tracker.db.UTCDateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    rows = [
        {
            "id": form_templates.shipped_id(kind),
            "kind": kind.value,
            "version": 1,
            "wording": json.dumps({"title": w.title, "sections": w.sections}, sort_keys=True),
            "created_by": None,
            "created_at": now,
        }
        for kind, w in form_templates.DEFAULTS.items()
    ]
    op.bulk_insert(table, rows)


def downgrade() -> None:
    with op.batch_alter_table("authorization_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorization_signatures_template_id"))
    op.drop_table("authorization_signatures")
    with op.batch_alter_table("form_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_templates_kind"))
    op.drop_table("form_templates")
