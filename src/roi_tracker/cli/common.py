"""What every command shares: one-line errors, the runtime from the environment, the CLI's actor."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from roi_tracker import audit
from roi_tracker import config
from roi_tracker import crypto
from roi_tracker.audit import checkpoints
from roi_tracker.domain.errors import DomainError
from roi_tracker.runtime import Runtime
from roi_tracker.runtime import StartupError
from roi_tracker.runtime import open_instance
from roi_tracker.services.operations import setup as instance

CLI_ACTOR = audit.Actor(user_id="cli", role="system")


class Failure(click.ClickException):
    """A one-line error; click prints it and exits 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"roi-tracker: {self.format_message()}", err=True)


def one_line_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every foreseeable error into a single line and exit status 1 (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (
            config.ConfigError,
            StartupError,
            crypto.KeyFileError,
            instance.KeyMismatch,
            DomainError,
        ) as exc:
            raise Failure(str(exc)) from None
        except checkpoints.CheckpointFileError as exc:
            raise Failure(str(exc)) from None
        except SQLAlchemyError as exc:
            raise Failure(
                f"database error: {type(exc).__name__}; is the database reachable and migrated?"
            ) from None

    return wrapper


def open_runtime() -> Runtime:
    """Open the instance the environment names."""
    return open_instance(config.load())
