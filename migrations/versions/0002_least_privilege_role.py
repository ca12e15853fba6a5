"""least-privilege application role on PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

The group role `roi_app` may read and write the application's tables but may only INSERT and SELECT the access
log and its checkpoints (security.md B6). Run the app as a login role that is a member of it; see the README.
Creating the role needs CREATEROLE; when the migrating user lacks it and the role does not exist, the migration
stops with a message rather than leaving the guard rail out silently.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("audit_log", "audit_checkpoints")

CREATE_ROLE = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'roi_app') THEN
        CREATE ROLE roi_app NOLOGIN;
    END IF;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(CREATE_ROLE)
    op.execute(
        """
        DO $$
        BEGIN
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO roi_app', current_schema());
            EXECUTE format(
                'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO roi_app', current_schema()
            );
            EXECUTE format(
                'ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO roi_app',
                current_schema()
            );
        END
        $$
        """
    )
    for table in APPEND_ONLY_TABLES:
        op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM roi_app")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        DO $$
        BEGIN
            EXECUTE format(
                'ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM roi_app',
                current_schema()
            );
            EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM roi_app', current_schema());
            EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM roi_app', current_schema());
        END
        $$
        """
    )
