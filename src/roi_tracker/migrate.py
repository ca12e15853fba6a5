"""Alembic, driven from code: `roi-tracker db upgrade|downgrade|current`."""

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from roi_tracker import resources


def alembic_config(url: str) -> Config:
    """Return an Alembic configuration for the database at `url`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.folder("migrations")))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database up to `revision`."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database down to `revision`."""
    command.downgrade(alembic_config(url), revision)


def current(engine: Engine) -> str | None:
    """Return the database's current revision, or None when it has none."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def newest(url: str) -> str | None:
    """Return the newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def known(url: str) -> set[str]:
    """Return every revision the code knows, oldest to newest."""
    return {script.revision for script in ScriptDirectory.from_config(alembic_config(url)).walk_revisions()}
