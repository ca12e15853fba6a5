"""Accounting requests, extensions, deliveries and suspensions."""

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional


class AccountingRequestForm(FlaskForm):
    """Record a client's request for an accounting."""

    reference = StringField("Client reference", validators=[DataRequired(), Length(max=16)])
    received_on = StringField("Received on (YYYY-MM-DD)", validators=[DataRequired(), Length(max=10)])
    since = StringField(
        "Period from (optional, YYYY-MM-DD; default 6 years)", validators=[Optional(), Length(max=10)]
    )


class ExtendForm(FlaskForm):
    """Extend an accounting request once."""

    reason = TextAreaField(
        "Reason for the delay (given to the client in writing)", validators=[DataRequired(), Length(max=2000)]
    )
    notice_method = SelectField(
        "The written notice was given by",
        choices=[
            SelectChoice("mail", "Mail"),
            SelectChoice("in_person", "In person"),
            SelectChoice("secure_email", "Secure email"),
            SelectChoice("portal", "Portal"),
        ],
        default="mail",
    )


class DeliverForm(FlaskForm):
    """Record how the accounting was delivered."""

    method = SelectField(
        "Delivered by",
        choices=[
            SelectChoice("mail", "Mail"),
            SelectChoice("in_person", "In person"),
            SelectChoice("secure_email", "Secure email"),
            SelectChoice("portal", "Portal"),
        ],
    )


class SuspensionForm(FlaskForm):
    """An agency's request to suspend a client's accounting."""

    reference = StringField("Client reference", validators=[DataRequired(), Length(max=16)])
    # The suspension hides disclosures to the agency that asked, so the agency is a directory entry.
    agency_id = SelectField("Agency (from the recipients directory)", choices=[], validate_choice=False)
    starts_on = StringField("From (YYYY-MM-DD)", validators=[DataRequired(), Length(max=10)])
    ends_on = StringField("Until (YYYY-MM-DD)", validators=[DataRequired(), Length(max=10)])
    written = BooleanField("The request is in writing (otherwise it lasts at most 30 days)")
