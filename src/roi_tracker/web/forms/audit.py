"""The access-log filter and flagged-entry reviews."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from roi_tracker.web.forms.common import REVIEW_OUTCOME_CHOICES
from roi_tracker.web.forms.common import REVIEW_OUTCOME_MESSAGE


class ReviewForm(FlaskForm):
    """An auditor reviews a flagged entry: appropriate or inappropriate (no default), with a note."""

    outcome = SelectField(
        "Was this access appropriate?",
        choices=REVIEW_OUTCOME_CHOICES,
        validators=[DataRequired(message=REVIEW_OUTCOME_MESSAGE)],
    )
    note = TextAreaField(
        "Review note",
        validators=[
            DataRequired(message="A review note is required (at most 2000 characters)."),
            Length(max=2000),
        ],
    )


class AuditFilterForm(FlaskForm):
    """Filters over the access log (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    # Choices are set by the view (people) and web/plain.py (actions); a value typed into the URL still works.
    actor = SelectField("Person", choices=[], validators=[Optional(), Length(max=64)], validate_choice=False)
    client_id = StringField(
        "Client reference (C-XXXX)",
        validators=[Optional(), Length(max=64)],
        description="The client's reference, as on their page (a full client id works too).",
    )
    action = SelectField("Action", choices=[], validators=[Optional(), Length(max=64)], validate_choice=False)
    outcome = SelectField(
        "Outcome",
        choices=[
            SelectChoice("", "Any"),
            SelectChoice("allowed", "Allowed"),
            SelectChoice("refused", "Refused"),
            SelectChoice("error", "Error"),
            SelectChoice("integrity_failure", "Integrity failure"),
        ],
        validators=[Optional()],
    )
    since = StringField("From (YYYY-MM-DD)", validators=[Optional(), Length(max=32)])
    until = StringField("Until (YYYY-MM-DD)", validators=[Optional(), Length(max=32)])
