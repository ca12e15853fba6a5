"""The request desk's forms: intake, and each answer (CSRF on every one, as every form)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from roi_tracker.domain import clients as client_rules
from roi_tracker.domain import requests as rules

CATEGORIES = [SelectChoice(c.value, c.value.replace("_", " ")) for c in client_rules.Category]
CHANNELS = [
    SelectChoice("mail", "Mail"),
    SelectChoice("fax", "Fax"),
    SelectChoice("email", "Email"),
    SelectChoice("portal", "Portal"),
    SelectChoice("in_person", "In person"),
    SelectChoice("phone", "Phone"),
]
SEND_CHANNELS = [
    SelectChoice("mail", "Mail"),
    SelectChoice("fax", "Fax"),
    SelectChoice("secure_email", "Secure email"),
    SelectChoice("portal", "Portal"),
    SelectChoice("in_person", "In person"),
]


class IntakeForm(FlaskForm):
    """A request as it arrived."""

    reference = StringField("Client reference", validators=[DataRequired(), Length(max=16)])
    kind = SelectField(
        "Kind",
        choices=[
            SelectChoice("access", "The client's own records (access)"),
            SelectChoice("authorized", "A third party with an authorization"),
            SelectChoice("legal", "A subpoena, discovery request or court order (legal)"),
        ],
    )
    received_on = StringField(
        "Received on (YYYY-MM-DD; blank for today)", validators=[Optional(), Length(max=10)]
    )
    channel = SelectField("Arrived by", choices=CHANNELS)
    requester_name = StringField("Requester's name", validators=[Optional(), Length(max=300)])
    requester_organization = StringField("Organization", validators=[Optional(), Length(max=300)])
    requester_address = StringField("Address", validators=[Optional(), Length(max=300)])
    requester_email = StringField("E-mail", validators=[Optional(), Length(max=300)])
    requester_fax = StringField("Fax", validators=[Optional(), Length(max=300)])
    requester_phone = StringField("Phone", validators=[Optional(), Length(max=300)])
    requester_is = SelectField(
        "The requester is",
        choices=[SelectChoice(r.value, r.value.replace("_", " ")) for r in rules.RequesterIs],
    )
    categories = SelectMultipleField("Records asked for", choices=CATEGORIES, validators=[DataRequired()])
    format = SelectField(
        "Format", choices=[SelectChoice("paper", "Paper"), SelectChoice("electronic", "Electronic")]
    )
    records_from = StringField("Records from (YYYY-MM-DD; optional)", validators=[Optional(), Length(max=10)])
    records_to = StringField("Records to (YYYY-MM-DD; optional)", validators=[Optional(), Length(max=10)])
    respond_by = StringField(
        "Respond by (YYYY-MM-DD; required for legal: the date on the process)",
        validators=[Optional(), Length(max=10)],
    )
    document = FileField(
        "The request as it arrived (PDF, PNG or JPEG; optional)",
        validators=[Optional()],
        description=(
            "A scan of the letter, subpoena or the client's signed designation; stored encrypted with the "
            "client's documents. If the form comes back with a problem, choose the file again: a browser "
            "cannot keep it."
        ),
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=2000)])


class ReasonForm(FlaskForm):
    """A reason in writing (extension, withdrawal)."""

    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=2000)])


class DenyForm(FlaskForm):
    """Grounds of a denial and an explanation."""

    grounds = SelectMultipleField(
        "Grounds",
        choices=[SelectChoice(g.value, g.value.replace("_", " ")) for g in rules.Ground],
        validators=[DataRequired()],
    )
    explanation = TextAreaField("Explanation for the letter", validators=[Optional(), Length(max=2000)])


class FeeForm(FlaskForm):
    """The fee paid or waived (H-A5)."""

    status = SelectField("Fee", choices=[SelectChoice("paid", "Paid"), SelectChoice("waived", "Waived")])


class ReviewForm(FlaskForm):
    """A review's outcome."""

    outcome = SelectField(
        "Outcome",
        choices=[SelectChoice("upheld", "Denial upheld"), SelectChoice("reversed", "Denial reversed")],
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=2000)])


class QaForm(FlaskForm):
    """A second staff member's check of the packet."""

    categories = SelectMultipleField("Categories checked", choices=CATEGORIES, validators=[DataRequired()])
    document_ids = SelectMultipleField("Documents checked, page by page", choices=[], validators=[Optional()])


class FulfilForm(FlaskForm):
    """What goes out, how, and how the requester was verified."""

    categories = SelectMultipleField("Categories released", choices=CATEGORIES, validators=[DataRequired()])
    document_ids = SelectMultipleField("Documents to enclose", choices=[], validators=[Optional()])
    channel = SelectField("Sent by", choices=SEND_CHANNELS)
    requester_verification = StringField(
        "How the requester's identity and authority were verified (DT-3)",
        validators=[DataRequired(), Length(max=500)],
    )
    authorization_id = SelectField("Authorization (authorized requests)", choices=[], validators=[Optional()])
    purpose = SelectField(
        "Purpose (authorized requests)",
        choices=[
            SelectChoice("", "—"),
            SelectChoice("continuity_of_care", "continuity of care"),
            SelectChoice("at_request_of_client", "at the request of the client"),
            SelectChoice("legal", "legal"),
            SelectChoice("insurance", "insurance"),
            SelectChoice("school", "school"),
            SelectChoice("employment", "employment"),
            SelectChoice("disability_determination", "disability determination"),
            SelectChoice("family_involvement", "family involvement"),
            SelectChoice("other", "other"),
        ],
        validators=[Optional()],
    )
    order_document_id = SelectField("Court order (legal requests)", choices=[], validators=[Optional()])
    part2_order = BooleanField("The order is under 42 CFR 2.64-2.67 and compels this disclosure (L-3)")
    assurance_kind = SelectField(
        "Or, for a subpoena without an order: the satisfactory assurance (L-2)",
        choices=[
            SelectChoice("", "—"),
            SelectChoice("notice_given", "The client was notified and had time to object"),
            SelectChoice("protective_order", "A qualified protective order was sought"),
        ],
        validators=[Optional()],
    )
    assurance_document_id = SelectField(
        "The document that shows the assurance", choices=[], validators=[Optional()]
    )
