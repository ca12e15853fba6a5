"""The `roi-tracker` command. Every foreseeable error ends with one line on stderr and a non-zero exit."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from roi_tracker import audit
from roi_tracker import config
from roi_tracker import crypto
from roi_tracker import db
from roi_tracker import keyfile
from roi_tracker import migrate
from roi_tracker import models
from roi_tracker.audit import checkpoints
from roi_tracker.audit import verify as verifier
from roi_tracker.domain.errors import DomainError
from roi_tracker.runtime import Runtime
from roi_tracker.runtime import StartupError
from roi_tracker.runtime import open_instance
from roi_tracker.services import audit_review
from roi_tracker.services import backup
from roi_tracker.services import clients
from roi_tracker.services import demo
from roi_tracker.services import demo_clients
from roi_tracker.services import demo_exceptions
from roi_tracker.services import demo_releases
from roi_tracker.services import demo_seed
from roi_tracker.services import instance
from roi_tracker.services import keys
from roi_tracker.services import maintenance
from roi_tracker.services import restore
from roi_tracker.services import users

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


def _runtime() -> Runtime:
    return open_instance(config.load())


@click.group()
@click.version_option(package_name="roi-tracker")
def main() -> None:
    """roi-tracker: releases of information, tracked and provable."""


@main.command()
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
                demo_exceptions.seed_exceptions(session, rt.env, demo_actor, *_demo_people(session, created))
                checkpoints.write(session, rt.env.keyring, rt.env.settings.checkpoint_dir)
            rt.close()
            _print_sign_ins(created)
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


def _print_sign_ins(sign_ins: list[instance.DemoSignIn]) -> None:
    click.echo("Demo sign-ins (synthetic practice; never use a demo instance for real clients):")
    for item in sign_ins:
        click.echo(f"  {item.role:<11} username {item.username:<10} password {item.password}")


@main.command()
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


@main.group(name="db")
def db_group() -> None:
    """Database migrations."""


@db_group.command()
@one_line_errors
def upgrade() -> None:
    """Migrate to the newest revision."""
    migrate.upgrade(config.load().database_url)
    click.echo("The database is at the newest revision.")


@db_group.command()
@click.argument("revision")
@one_line_errors
def downgrade(revision: str) -> None:
    """Migrate down to REVISION (use `base` for an empty database)."""
    try:
        migrate.downgrade(config.load().database_url, revision)
    except Exception as exc:  # noqa: BLE001 - Alembic raises plain errors for unknown revisions
        raise Failure(f"cannot downgrade to {revision!r}: {str(exc).splitlines()[0]}") from None
    click.echo(f"The database is at revision {revision}.")


@db_group.command()
@one_line_errors
def current() -> None:
    """Print the database's revision."""
    settings = config.load()
    engine = db.make_engine(settings.database_url)
    try:
        click.echo(migrate.current(engine) or "none")
    finally:
        engine.dispose()


@main.group(name="users")
def users_group() -> None:
    """Staff accounts."""


@users_group.command(name="create")
@click.argument("name")
@click.option("--role", required=True, help="clinician, front_desk, auditor or admin")
@click.option("--display-name", default="", help="Full name shown in the app.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@one_line_errors
def users_create(name: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Create a user."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    rt = _runtime()
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
            )
    finally:
        rt.close()
    click.echo(f"Created {view.username} ({view.role}).")


@users_group.command(name="token")
@click.argument("name")
@one_line_errors
def users_token(name: str) -> None:
    """Print a new API token for NAME, once (only its hash is stored)."""
    rt = _runtime()
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
    rt = _runtime()
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
    rt = _runtime()
    try:
        with rt.sessions() as session:
            for view in users.list_users(session):
                state = "active" if view.active else "disabled"
                mfa = "mfa" if view.mfa_enrolled else "no-mfa"
                click.echo(f"{view.username}\t{view.role}\t{state}\t{mfa}")
    finally:
        rt.close()


@main.group(name="audit")
def audit_group() -> None:
    """The access log."""


@audit_group.command(name="verify")
@click.option(
    "--full", is_flag=True, help="Verify from the first entry instead of the last trusted checkpoint."
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Processes that walk the log side by side; 0 for one per CPU.",
)
@one_line_errors
def audit_verify(full: bool, jobs: int) -> None:
    """Verify the access log; exit 0 when intact, 1 when not."""
    rt = _runtime()
    try:
        with rt.sessions() as session:
            verdict = _verify_with_progress(session, rt, full, jobs)
            audit_review.record_verdict(session, rt.env, CLI_ACTOR, verdict, full=full)
    finally:
        rt.close()
    if verdict.intact:
        first, last = verdict.started_at_seq, verdict.head_seq
        if verdict.verified == 0:
            click.echo(f"intact: no entries after the last trusted checkpoint (entry {first - 1})")
        else:
            click.echo(f"intact: {verdict.verified} entries verified, from entry {first} to {last}")
        return
    click.echo(f"broken at entry {verdict.first_break_seq}: {verdict.reason}")
    sys.exit(1)


def _verify_with_progress(session: Any, rt: Runtime, full: bool, jobs: int) -> verifier.Verdict:
    settings = rt.env.settings
    if not sys.stderr.isatty():
        return verifier.verify(session, rt.env.keyring, settings.checkpoint_dir, full=full, jobs=jobs)
    total, _ = audit.head(session)
    with click.progressbar(length=total, label="Verifying", file=sys.stderr) as bar:
        return verifier.verify(
            session, rt.env.keyring, settings.checkpoint_dir, full=full, progress=bar.update, jobs=jobs
        )


@audit_group.command(name="checkpoint")
@click.option(
    "--new-file",
    is_flag=True,
    help="After a restore of an older copy: begin a new checkpoint file from the database's checkpoints "
    "(the old file must have been archived).",
)
@one_line_errors
def audit_checkpoint(new_file: bool) -> None:
    """Write a signed checkpoint now."""
    rt = _runtime()
    try:
        with rt.sessions() as session:
            sign = checkpoints.start_new_file if new_file else checkpoints.write
            cp = sign(session, rt.env.keyring, rt.env.settings.checkpoint_dir)
    finally:
        rt.close()
    where = checkpoints.path_in(rt.env.settings.checkpoint_dir)
    click.echo(f"checkpoint {cp.id} signed entry {cp.head_seq} -> {where}")


@audit_group.command(name="export")
@click.option("--since", default=None, help="First day, YYYY-MM-DD.")
@click.option("--until", default=None, help="Last day, YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl", show_default=True)
@one_line_errors
def audit_export(since: str | None, until: str | None, fmt: str) -> None:
    """Export entries to standard output (the export is itself logged)."""
    import csv

    from roi_tracker.web.audit_views import CSV_COLUMNS

    filters = audit_review.Filters(
        since=audit_review.parse_date(since, "--since"), until=audit_review.parse_date(until, "--until")
    )
    rt = _runtime()
    try:
        with rt.sessions() as session:
            rows = audit_review.export(session, rt.env, CLI_ACTOR, filters, fmt)
            writer = csv.writer(sys.stdout)
            if fmt == "csv":
                writer.writerow(CSV_COLUMNS)
            for entry in rows:
                record = {c: getattr(entry, c) for c in CSV_COLUMNS}
                record["at"] = entry.at.isoformat()
                if fmt == "csv":
                    writer.writerow([record[c] for c in CSV_COLUMNS])
                else:
                    sys.stdout.write(json.dumps(record) + "\n")
    finally:
        rt.close()


@main.group(name="keys")
def keys_group() -> None:
    """Keys."""


@keys_group.command(name="status")
@one_line_errors
def keys_status() -> None:
    """List the keys by purpose, id and state (never their material), with data keys per KEK."""
    rt = _runtime()
    try:
        with rt.sessions() as session:
            for item in keys.status(session, rt.env):
                extra = f"\t{item.data_keys} data keys" if item.purpose == "kek" else ""
                click.echo(f"{item.purpose}\t{item.id}\t{item.state}{extra}")
    finally:
        rt.close()


@keys_group.command(name="rotate")
@one_line_errors
def keys_rotate() -> None:
    """Make a new KEK primary and re-wrap every data key in resumable batches (data is not re-encrypted)."""
    rt = _runtime()
    try:
        with rt.sessions() as session:
            total = keys.pending(session, rt.env) or session.query(models.ClientKey).count()
            with click.progressbar(length=total, label="Re-wrapping data keys", file=sys.stderr) as bar:
                primary, done = keys.rotate(session, rt.env, CLI_ACTOR, progress=bar.update)
    finally:
        rt.close()
    click.echo(f"primary key-encryption key: {primary}; {done} data keys re-wrapped")
    click.echo("restart running servers so they wrap new data keys with it; then retire the old key")


@keys_group.command(name="retire")
@click.argument("key_id")
@one_line_errors
def keys_retire(key_id: str) -> None:
    """Retire a KEK that nothing uses any more (refused otherwise)."""
    rt = _runtime()
    try:
        with rt.sessions() as session:
            keys.retire(session, rt.env, CLI_ACTOR, key_id)
    finally:
        rt.close()
    click.echo(f"retired {key_id}")


@main.group(name="clients")
def clients_group() -> None:
    """Client records."""


@clients_group.command(name="purge")
@click.argument("client_id")
@one_line_errors
def clients_purge(client_id: str) -> None:
    """Crypto-shred a client whose retention has ended (refused otherwise)."""
    rt = _runtime()
    try:
        with rt.sessions() as session:
            keys.purge(session, rt.env, CLI_ACTOR, clients.parse_client_id(client_id))
    finally:
        rt.close()
    click.echo(f"purged {client_id}: its data key is destroyed; the access log and accounting remain")


@clients_group.command(name="hold")
@click.argument("client_id")
@click.option("--release", is_flag=True, help="Lift the hold instead of placing it.")
@one_line_errors
def clients_hold(client_id: str, release: bool) -> None:
    """Place (or lift) a legal hold, which blocks purging."""
    rt = _runtime()
    try:
        with rt.sessions() as session:
            keys.set_legal_hold(
                session, rt.env, CLI_ACTOR, clients.parse_client_id(client_id), hold=not release
            )
    finally:
        rt.close()
    click.echo(f"legal hold {'lifted from' if release else 'placed on'} {client_id}")


@main.command(name="maintenance")
@click.option(
    "--ahead", default=30, show_default=True, type=click.IntRange(0, 3650), help="Days to look ahead."
)
@one_line_errors
def maintenance_run(ahead: int) -> None:
    """Daily, from cron: report what retention lets go. It deletes nothing; log and accounting are kept."""
    rt = _runtime()
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


@main.command(name="backup")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option(
    "--keyring",
    "keyring_dest",
    type=click.Path(path_type=Path),
    default=None,
    help="Also export the key file here: another folder, kept apart from the backup.",
)
@one_line_errors
def backup_command(dest: Path, keyring_dest: Path | None) -> None:
    """Copy the SQLite database to DEST while the server runs (logged); the keys only with --keyring."""
    rt = _runtime()
    try:
        with rt.sessions() as session:
            taken = backup.take(session, rt.env, CLI_ACTOR, dest, keyring_dest)
    finally:
        rt.close()
    click.echo(f"backup {taken.backup_id} of the log up to entry {taken.head_seq} -> {taken.path}")
    if taken.keyring_path is not None:
        click.echo(f"key file exported -> {taken.keyring_path} (store it apart from the backup)")
    else:
        click.echo(
            "the backup holds no keys: keep a copy of the key file elsewhere, or restoring it is useless"
        )


@main.command(name="restore")
@click.argument("src", type=click.Path(path_type=Path))
@click.option(
    "--force", is_flag=True, help="Replace a database that holds data (it is kept aside, not deleted)."
)
@one_line_errors
def restore_command(src: Path, force: bool) -> None:
    """Put the backup SRC in place of the database (never under a running server), log it, verify the log."""
    settings = config.load()
    keyring = keyfile.load(settings.key_file)
    restored = restore.replace_database(settings, keyring, src, force=force)
    if restored.set_aside is not None:
        click.echo(f"the replaced database is kept at {restored.set_aside}")
    migrate.upgrade(settings.database_url)
    rt = open_instance(settings, keyring)
    try:
        with rt.sessions() as session:
            restore.record(session, rt.env, CLI_ACTOR, restored)
            verdict = audit_review.run_verification(session, rt.env, CLI_ACTOR)
    finally:
        rt.close()
    click.echo(
        f"restored backup {restored.backup_id} "
        f"(migration {restored.revision}, log up to entry {restored.head_seq})"
    )
    if not verdict.intact:
        click.echo(f"audit verify: broken at entry {verdict.first_break_seq}: {verdict.reason}")
        sys.exit(1)
    click.echo(f"audit verify: intact, {verdict.verified} entries verified")


@main.group(name="demo")
def demo_group() -> None:
    """Synthetic data for trials and benchmarks."""


@demo_group.command(name="seed")
@click.option("--clients", "count", required=True, type=int, help="How many synthetic clients to add.")
@click.option("--add", is_flag=True, help="Add to an instance that already has clients.")
@click.option(
    "--seed", "seed_value", default=1, show_default=True, help="Random seed (same seed, same data)."
)
@one_line_errors
def demo_seed_command(count: int, add: bool, seed_value: int) -> None:
    """Add N synthetic clients with authorizations, documents, disclosures and log history, in bulk."""
    demo_seed.check_count(count)
    rt = _runtime()
    try:
        if sys.stderr.isatty():
            with click.progressbar(length=count, label="Seeding clients", file=sys.stderr) as bar:
                done = demo_seed.seed(
                    rt.sessions, rt.env, count, add=add, seed_value=seed_value, progress=bar.update
                )
        else:
            done = demo_seed.seed(rt.sessions, rt.env, count, add=add, seed_value=seed_value)
    finally:
        rt.close()
    click.echo(
        f"added {done.clients:,} synthetic clients, {done.authorizations:,} authorizations and "
        f"{done.log_entries:,} access-log entries"
    )
    click.echo(f"synthetic staff: {', '.join(done.staff)} (random passwords; use `roi-tracker users token`)")


if __name__ == "__main__":  # pragma: no cover
    main()
