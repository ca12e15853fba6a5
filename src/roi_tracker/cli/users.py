"""`roi-tracker users`: staff accounts and API tokens."""

from __future__ import annotations

import sys

import click

from roi_tracker.cli.common import CLI_ACTOR
from roi_tracker.cli.common import one_line_errors
from roi_tracker.cli.common import open_runtime
from roi_tracker.services.people import password_change
from roi_tracker.services.people import users


@click.group(name="users")
def users_group() -> None:
    """Staff accounts."""


def _read_password(from_stdin: bool) -> str:
    """Read a new password from one line of standard input, or from a prompt asked twice."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_group.command(name="create")
@click.argument("name")
@click.option("--role", required=True, help="clinician, front_desk, auditor or admin")
@click.option("--display-name", default="", help="Full name shown in the app.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--email", default=None, help="Work address for reminders (no client data is ever sent).")
@one_line_errors
def users_create(name: str, role: str, display_name: str, password_stdin: bool, email: str | None) -> None:
    """Create a user."""
    password = _read_password(password_stdin)
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            view = users.create_user(
                session,
                rt.env,
                CLI_ACTOR,
                username=name,
                display_name=display_name,
                role=role,
                password=password,
                email=email,
            )
    finally:
        rt.close()
    click.echo(f"Created {view.username} ({view.role}).")


@users_group.command(name="reset-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@one_line_errors
def users_reset_password(name: str, password_stdin: bool) -> None:
    """Give NAME a new password, to be changed at their next sign-in; end their sessions."""
    password = _read_password(password_stdin)
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            view = password_change.reset(session, rt.env, CLI_ACTOR, name, password)
    finally:
        rt.close()
    click.echo(f"Reset the password of {view.username}; they must change it at their next sign-in.")


@users_group.command(name="token")
@click.argument("name")
@one_line_errors
def users_token(name: str) -> None:
    """Print a new API token for NAME, once (only its hash is stored)."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            click.echo(users.issue_token(session, rt.env, CLI_ACTOR, name))
    finally:
        rt.close()


@users_group.command(name="disable")
@click.argument("name")
@one_line_errors
def users_disable(name: str) -> None:
    """Disable NAME and end all their sessions and tokens."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            user = users.by_username(session, name)
            users.set_active(session, rt.env, CLI_ACTOR, user.id, active=False)
    finally:
        rt.close()
    click.echo(f"Disabled {name}; their sessions and tokens have ended.")


@users_group.command(name="list")
@one_line_errors
def users_list() -> None:
    """List the accounts."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            for view in users.list_users(session):
                state = "active" if view.active else "disabled"
                mfa = "mfa" if view.mfa_enrolled else "no-mfa"
                click.echo(f"{view.username}\t{view.role}\t{state}\t{mfa}")
    finally:
        rt.close()
