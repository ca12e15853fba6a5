"""Written authorizations, revocations, expiry events and the recipients directory."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from roi_tracker.domain import recipients as recipient_types
from roi_tracker.web.forms.common import CATEGORY_CHOICES
from roi_tracker.web.forms.common import PURPOSE_CHOICES

KIND_CHOICES = [
    SelectChoice("hipaa", "HIPAA authorization"),
    SelectChoice("psychotherapy_notes", "Psychotherapy notes (separate authorization)"),
    SelectChoice("part2", "Part 2 consent"),
    SelectChoice("part2_tpo", "Part 2 single consent for treatment, payment and operations"),
    SelectChoice("part2_counseling_notes", "Part 2 SUD counseling notes (separate consent)"),
    SelectChoice("part2_legal_proceedings", "Part 2 consent for legal proceedings"),
]
# The events a form can name (H-C5); free text only for a described event.
EXPIRY_EVENT_CHOICES = [
    SelectChoice("", "— (expires on the date above)"),
    SelectChoice("end_of_treatment", "End of treatment"),
    SelectChoice("discharge", "Discharge"),
    SelectChoice("purpose_completed", "Completion of the named purpose"),
    SelectChoice("described", "A described event (describe it below)"),
    SelectChoice("none", "None (research, or a Part 2 TPO consent, only)"),
]
STATEMENT_CHOICES = [
    SelectChoice("right_to_revoke", "Right to revoke in writing, and how"),
    SelectChoice("no_conditioning", "Treatment is not conditioned on signing"),
    SelectChoice("redisclosure", "The recipient may redisclose the information"),
    SelectChoice("consequences_of_refusal", "Consequences of refusing to sign (Part 2 TPO)"),
    SelectChoice("patient_name", "The patient's name is on the form (Part 2)"),
]


RECIPIENT_TYPE_CHOICES = [SelectChoice(t.value, label) for t, label in recipient_types.LABELS.items()]


class AuthorizationForm(FlaskForm):
    """Record a signed authorization from its paper or PDF form."""

    kind = SelectField("Kind", choices=KIND_CHOICES)
    recipient_id = SelectField("Recipient", choices=[], validate_choice=False)
    recipient_class = StringField(
        "Or the class of recipients (Part 2 TPO only)", validators=[Optional(), Length(max=200)]
    )
    intermediary_participants = StringField(
        "The intermediary's participants, or their class (Part 2, recipient an intermediary such as an HIE)",
        validators=[Optional(), Length(max=500)],
    )
    categories = SelectMultipleField("Information covered", choices=CATEGORY_CHOICES, validate_choice=False)
    purposes = SelectMultipleField("Purposes", choices=PURPOSE_CHOICES, validate_choice=False)
    purpose_text = StringField("Purpose in the form's words", validators=[Optional(), Length(max=500)])
    effective_on = StringField("Effective from (YYYY-MM-DD)", validators=[Optional(), Length(max=10)])
    expires_on = StringField("Expires on (YYYY-MM-DD)", validators=[Optional(), Length(max=10)])
    expiry_event = SelectField(
        "Or expires at this event", choices=EXPIRY_EVENT_CHOICES, validate_choice=False
    )
    expiry_event_description = StringField(
        "The event, in the form's words (a described event only)", validators=[Optional(), Length(max=200)]
    )
    records_from = StringField("Records dated from (optional)", validators=[Optional(), Length(max=10)])
    records_to = StringField("Records dated up to (optional)", validators=[Optional(), Length(max=10)])
    signed_on = StringField("Signed on (YYYY-MM-DD)", validators=[Optional(), Length(max=10)])
    signed_by = SelectField(
        "Signed by",
        choices=[
            SelectChoice("", "—"),
            SelectChoice("client", "The client"),
            SelectChoice("representative", "A personal representative"),
        ],
    )
    representative_name = StringField("Representative's name", validators=[Optional(), Length(max=200)])
    representative_relationship = StringField("Relationship", validators=[Optional(), Length(max=200)])
    representative_authority = StringField("Authority to act", validators=[Optional(), Length(max=300)])
    minor_may_consent = BooleanField("The client is a minor who may consent to SUD care alone")
    representative_not_suspected = BooleanField(
        "The representative who signed is not the person a child abuse report names as suspected"
    )
    statements = SelectMultipleField(
        "Statements on the form", choices=STATEMENT_CHOICES, validate_choice=False
    )
    copy_given_on = StringField("Copy given to the client on", validators=[Optional(), Length(max=10)])
    copy_method = StringField("How the copy was given", validators=[Optional(), Length(max=100)])
    signed_form = FileField("The signed form (PDF, PNG or JPEG)")
    acknowledge_warnings = BooleanField("I have read the warnings and record it anyway")


class RevokeForm(FlaskForm):
    """Record a written revocation."""

    received_on = StringField(
        "Revocation received on (YYYY-MM-DD)", validators=[DataRequired(), Length(max=10)]
    )
    document = FileField("The written revocation", validators=[FileRequired()])


class ExpiryEventForm(FlaskForm):
    """Record that the expiry event happened."""

    occurred_on = StringField(
        "The event happened on (YYYY-MM-DD)", validators=[DataRequired(), Length(max=10)]
    )


class RecipientForm(FlaskForm):
    """Add someone to the recipients directory."""

    kind = SelectField(
        "Kind", choices=[SelectChoice("person", "Person"), SelectChoice("organization", "Organization")]
    )
    type = SelectField(
        "Type (who they are: a Part 2 TPO consent reaches only providers, plans, payers and operations)",
        choices=RECIPIENT_TYPE_CHOICES,
        default="other",
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    organization = StringField("Organization", validators=[Optional(), Length(max=200)])
    address = TextAreaField("Address", validators=[Optional(), Length(max=500)])
    fax = StringField("Fax", validators=[Optional(), Length(max=40)])
    email = StringField("Email", validators=[Optional(), Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
