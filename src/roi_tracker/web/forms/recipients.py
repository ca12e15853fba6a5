"""Forms of the recipients directory's upkeep: merge a duplicate, archive an entry."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField


class MergeForm(FlaskForm):
    """Merge this entry into another one."""

    into_id = SelectField("Merge into", choices=[], validate_choice=False)


class ArchiveForm(FlaskForm):
    """Archive this entry (only a CSRF token)."""
