"""The `roi-tracker` command: one module per command group, all added to `main` here."""

from __future__ import annotations

import click

from roi_tracker import instance_files
from roi_tracker.cli import audit
from roi_tracker.cli import backup
from roi_tracker.cli import clients
from roi_tracker.cli import db
from roi_tracker.cli import demo
from roi_tracker.cli import instance
from roi_tracker.cli import keys
from roi_tracker.cli import reminders
from roi_tracker.cli import requests
from roi_tracker.cli import users


@click.group()
@click.version_option(package_name="roi-tracker")
def main() -> None:
    """roi-tracker: releases of information, tracked and provable."""
    # Every file an instance creates (database, WAL/SHM, checkpoints, backups) is private (issue 15 item 6).
    instance_files.keep_private()


main.add_command(instance.init)
main.add_command(instance.serve)
main.add_command(instance.maintenance_run)
main.add_command(db.db_group)
main.add_command(users.users_group)
main.add_command(audit.audit_group)
main.add_command(keys.keys_group)
main.add_command(clients.clients_group)
main.add_command(backup.backup_command)
main.add_command(backup.restore_command)
main.add_command(demo.demo_group)
main.add_command(reminders.notify)
users.users_group.add_command(reminders.users_set_email)
users.users_group.add_command(reminders.users_reminders)
main.add_command(requests.requests_group)
