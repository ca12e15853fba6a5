"""Alembic environment: the models' metadata, one connection, batch mode on SQLite."""

from alembic import context

from roi_tracker import db
from roi_tracker import models  # noqa: F401 - registers the tables on the metadata

config = context.config
target_metadata = db.Base.metadata


def run_migrations_online() -> None:
    """Run migrations with a live connection."""
    engine = db.make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
