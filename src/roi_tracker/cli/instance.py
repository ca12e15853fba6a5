"""Creating an instance (`init`), serving it (`serve`), and the daily `maintenance` run."""

from __future__ import annotations

from typing import Any

import click

from roi_tracker import audit
from roi_tracker import config
from roi_tracker import db
from roi_tracker import migrate
from roi_tracker.audit import checkpoints
from roi_tracker.cli.common import CLI_ACTOR
from roi_tracker.cli.common import one_line_errors
from roi_tracker.cli.common import open_runtime
from roi_tracker.runtime import open_instance
from roi_tracker.services.demo import clients as demo_clients
from roi_tracker.services.demo import exceptions as demo_exceptions
from roi_tracker.services.demo import history as demo
from roi_tracker.services.demo import incidents as demo_incidents
from roi_tracker.services.demo import releases as demo_releases
from roi_tracker.services.demo import requests as demo_requests
from roi_tracker.services.operations import backup
from roi_tracker.services.operations import maintenance
from roi_tracker.services.operations import setup as instance
from roi_tracker.services.people import users


@click.command()
@click.option(
    "--demo", "with_demo", is_flag=True, help="Also create one demo account per role (synthetic data)."
)
@one_line_errors
def init(with_demo: bool) -> None:
    """Create the instance folder, the key file (0600) and the database at the newest migration."""
    settings = config.load()
    keyring = instance.create_key_file(settings)
    migrate.upgrade(settings.database_url)
    engine = db.make_engine(settings.database_url)
    sessions = db.make_session_factory(engine)
    try:
        with sessions() as session:
            instance.check_keys(session, keyring, remember=True)
            # The first checkpoint (entry 0) and head record: from here on, a log with entries but no
            # checkpoint store is one the verifier cannot vouch for (tail.py).
            checkpoints.write(session, keyring, settings.checkpoint_dir)
        click.echo(f"Created the instance in {settings.instance_path}")
        click.echo(
            f"Key file: {settings.key_file} (keep a copy somewhere safe: without it nothing can be read)"
        )
        if with_demo:
            rt = open_instance(config.load(), keyring)
            with rt.sessions() as session:
                created = instance.create_demo_accounts(session, rt.env, settings.instance_path)
                demo.seed_history(session, rt.env)
                clinician = users.by_username(session, "clinician")
                demo_actor = audit.Actor(str(clinician.id), "clinician", "demo")
                demo_clients.seed_clients(session, rt.env, demo_actor)
                demo_releases.seed_releases(session, rt.env, demo_actor)
                people = _demo_people(session, created)
                demo_exceptions.seed_exceptions(session, rt.env, demo_actor, *people)
                demo_incidents.seed_incidents(session, rt.env, demo_actor, people[1])
                demo_requests.seed_requests(session, rt.env, demo_actor)
                checkpoints.write(session, rt.env.keyring, rt.env.settings.checkpoint_dir)
            rt.close()
            # The passwords are printed once per run, by `serve` (make run calls both: issue 17, item 11).
            names = ", ".join(f"{item.username} ({item.role.replace('_', ' ')})" for item in created)
            click.echo(f"Demo accounts: {names}. Their sign-ins are printed when `roi-tracker serve` starts.")
    finally:
        engine.dispose()


def _demo_people(
    session: Any, created: list[instance.DemoSignIn]
) -> tuple[str, audit.Actor, audit.Actor, str]:
    """The demo's password, auditor and covering clinician, for seeding exceptions and emergency access."""
    by_name = {item.username: item for item in created}

    def actor(username: str) -> audit.Actor:
        user = users.by_username(session, username)
        return audit.Actor(str(user.id), user.role, "demo")

    return by_name["clinician"].password, actor("auditor"), actor("covering"), by_name["covering"].password


# What each demo account is for, when its role alone does not say.
_DEMO_NOTES = {
    "covering": "a second clinician with no clients of their own: try emergency access (break the glass)",
}


def _print_sign_ins(sign_ins: list[instance.DemoSignIn]) -> None:
    click.echo("Demo sign-ins (synthetic practice; never use a demo instance for real clients):")
    for item in sign_ins:
        note = _DEMO_NOTES.get(item.username, "")
        click.echo(
            f"  {item.role:<11} username {item.username:<10} password {item.password}"
            + (f"  - {note}" if note else "")
        )


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=None, type=click.IntRange(1, 64), help="Worker processes (default: one per CPU, 2+)."
)
@click.option(
    "--threads", default=None, type=click.IntRange(1, 64), help="Threads per worker (default: by database)."
)
@one_line_errors
def serve(host: str, port: int, workers: int | None, threads: int | None) -> None:
    """Serve the app with gunicorn."""
    from roi_tracker import server

    settings = config.load()
    open_instance(settings).close()  # fail closed before forking workers
    sign_ins = instance.demo_sign_ins(settings.instance_path)
    if sign_ins:
        _print_sign_ins(sign_ins)
    click.echo(f"Serving on http://{host}:{port}")
    with backup.serving(settings.instance_path):  # `restore` refuses while this is held
        server.run(settings, host=host, port=port, workers=workers, threads=threads)


@click.command(name="maintenance")
@click.option(
    "--ahead", default=30, show_default=True, type=click.IntRange(0, 3650), help="Days to look ahead."
)
@one_line_errors
def maintenance_run(ahead: int) -> None:
    """Daily, from cron: report what retention lets go. It deletes nothing; log and accounting are kept."""
    rt = open_runtime()
    try:
        with rt.sessions() as session:
            report = maintenance.run(session, rt.env, CLI_ACTOR, ahead_days=ahead)
    finally:
        rt.close()
    click.echo(
        f"maintenance {report.today}: {len(report.authorizations)} authorization(s) at the end of retention "
        f"(within {ahead} days), {len(report.purgeable)} client(s) may be purged"
    )
    for due in report.authorizations:
        when = "ended on" if due.ended else "ends on"
        click.echo(
            f"authorization {due.label} of client {due.client_reference}: retention {when} {due.kept_until}"
        )
    for client_id, reference in report.purgeable:
        click.echo(
            f"client {reference}: retention ended; `roi-tracker clients purge {client_id}` destroys it"
        )
    click.echo("nothing was deleted; access-log entries and accountable disclosures are always kept")
