"""The disclosure check, a recorded disclosure, and a copy given to the client."""

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from roi_tracker.web.forms.common import CATEGORY_CHOICES
from roi_tracker.web.forms.common import CHANNEL_CHOICES
from roi_tracker.web.forms.common import PURPOSE_CHOICES


class CheckForm(FlaskForm):
    """May we send this to them for that?"""

    recipient_id = SelectField("To", choices=[], validate_choice=False)
    categories = SelectMultipleField("What", choices=CATEGORY_CHOICES, validate_choice=False)
    purpose = SelectField("For", choices=PURPOSE_CHOICES)
    on = StringField(
        "On (YYYY-MM-DD, default today)",
        validators=[Optional(), Length(max=10)],
        description="Another day only asks what if: nothing can be sent from that answer.",
    )


class DisclosureForm(FlaskForm):
    """Record a permitted disclosure made now and produce its packet (no date: it is judged today)."""

    recipient_id = SelectField("To", choices=[], validate_choice=False)
    categories = SelectMultipleField("What", choices=CATEGORY_CHOICES, validate_choice=False)
    purpose = SelectField("For", choices=PURPOSE_CHOICES)
    channel = SelectField("Sent by", choices=CHANNEL_CHOICES)
    document_ids = SelectMultipleField("Documents to enclose", choices=[], validate_choice=False)
    requester_verification = StringField(
        "How the requester's identity and authority were verified", validators=[Optional(), Length(max=500)]
    )


class ClientCopyForm(FlaskForm):
    """Record a copy of records given to the client themselves (164.524)."""

    categories = SelectMultipleField("What was given", choices=CATEGORY_CHOICES, validate_choice=False)
    channel = SelectField("How", choices=CHANNEL_CHOICES)
    document_ids = SelectMultipleField("Documents given", choices=[], validate_choice=False)
    identity_verification = StringField(
        "How the client's identity was verified", validators=[Optional(), Length(max=500)]
    )


class PastDisclosureForm(FlaskForm):
    """Record what was sent, to whom, for what, and on which day; it is judged at that day."""

    on = StringField(
        "Sent on (YYYY-MM-DD)",
        validators=[DataRequired(), Length(max=10)],
        description="The day it was actually sent; it is judged against what was on file that day.",
    )
    recipient_id = SelectField("To", choices=[], validate_choice=False)
    categories = SelectMultipleField("What", choices=CATEGORY_CHOICES, validate_choice=False)
    purpose = SelectField("For", choices=PURPOSE_CHOICES)
    channel = SelectField("Sent by", choices=CHANNEL_CHOICES)
    requester_verification = StringField(
        "How the requester's identity and authority were verified", validators=[Optional(), Length(max=500)]
    )
