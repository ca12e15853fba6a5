"""Confidentiality exceptions, their review, and emergency access."""

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import PasswordField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from roi_tracker import passwords
from roi_tracker.domain import exceptions as ex
from roi_tracker.web.forms.common import CATEGORY_CHOICES
from roi_tracker.web.forms.common import CHANNEL_CHOICES
from roi_tracker.web.forms.common import REVIEW_OUTCOME_CHOICES
from roi_tracker.web.forms.common import REVIEW_OUTCOME_MESSAGE

YES_NO = [SelectChoice("", "—"), SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


class ExceptionForm(FlaskForm):
    """Record a confidentiality exception; the template shows only the chosen kind's fields."""

    recipient_name = StringField("Recipient (person or agency)", validators=[Optional(), Length(max=200)])
    recipient_organization = StringField("Organization", validators=[Optional(), Length(max=200)])
    recipient_address = StringField("Address", validators=[Optional(), Length(max=500)])
    recipient_type = SelectField(
        "Kind of recipient",
        choices=[
            SelectChoice("", "—"),
            *(SelectChoice(t, t.replace("_", " ").capitalize()) for t in ex.RECIPIENT_TYPES),
        ],
        validate_choice=False,
    )
    disclosed_categories = SelectMultipleField(
        "What was disclosed (minimum necessary)", choices=CATEGORY_CHOICES, validate_choice=False
    )
    occurred_at = StringField("When (YYYY-MM-DDTHH:MM, default now)", validators=[Optional(), Length(max=32)])
    channel = SelectField("How", choices=CHANNEL_CHOICES, validate_choice=False)
    justification = TextAreaField("Justification, in your words", validators=[Optional(), Length(max=4000)])
    basis_of_belief = SelectField(
        "Basis of the belief",
        choices=[
            SelectChoice("", "—"),
            SelectChoice("actual_knowledge", "Actual knowledge"),
            SelectChoice("credible_representation", "A credible representation"),
        ],
        validate_choice=False,
    )
    belief_source = StringField("Who made the representation", validators=[Optional(), Length(max=300)])
    threat = TextAreaField("The threat", validators=[Optional(), Length(max=2000)])
    target = StringField("Who is threatened", validators=[Optional(), Length(max=300)])
    imminence = StringField("How imminent", validators=[Optional(), Length(max=300)])
    imminent = SelectField("Is the threat serious and imminent?", choices=YES_NO, validate_choice=False)
    recipient_able_to_lessen = SelectField(
        "Is this recipient reasonably able to prevent or lessen it?", choices=YES_NO, validate_choice=False
    )
    recipient_can_lessen = TextAreaField(
        "Why this recipient can prevent or lessen it", validators=[Optional(), Length(max=2000)]
    )
    learned_as_admission_of_past_violent_crime = BooleanField(
        "What I would disclose is an admission of a past violent crime learned in therapy"
    )
    statute = StringField("State statute (optional)", validators=[Optional(), Length(max=200)])
    report_number = StringField("Report or intake number", validators=[Optional(), Length(max=100)])
    reported_at = StringField("Reported at (YYYY-MM-DDTHH:MM)", validators=[Optional(), Length(max=32)])
    parent_suspected = BooleanField("A parent or representative is the suspected abuser")
    condition = SelectField(
        "Which condition of 164.512(c)(1) applies",
        choices=[
            SelectChoice("", "—"),
            SelectChoice("required_by_law", "Required by law"),
            SelectChoice("client_agreed", "The client agreed"),
            SelectChoice("statute_permits", "A statute permits it"),
        ],
        validate_choice=False,
    )
    client_informed_on = StringField(
        "Client informed on (YYYY-MM-DD)", validators=[Optional(), Length(max=10)]
    )
    not_informed_reason = SelectField(
        "Or why the client was not informed",
        choices=[
            SelectChoice("", "—"),
            SelectChoice("risk_of_serious_harm", "Informing them would risk serious harm"),
            SelectChoice("informing_suspected_abuser", "The person to inform is the suspected abuser"),
        ],
        validate_choice=False,
    )
    court = StringField("Court", validators=[Optional(), Length(max=200)])
    order_reference = StringField("Order reference", validators=[Optional(), Length(max=100)])
    order_date = StringField("Order date (YYYY-MM-DD)", validators=[Optional(), Length(max=10)])
    order_document_id = SelectField("The uploaded order", choices=[], validate_choice=False)
    judge = StringField("Judge who signed the order", validators=[Optional(), Length(max=200)])
    order_categories = SelectMultipleField(
        "What the order expressly names (L-1)", choices=CATEGORY_CHOICES, validators=[Optional()]
    )
    part2_order = BooleanField("The order is under 42 CFR 2.64-2.67 and compels this disclosure (L-3)")
    medical_personnel_name = StringField("Medical personnel's name", validators=[Optional(), Length(max=200)])
    facility = StringField("Facility", validators=[Optional(), Length(max=200)])
    emergency_nature = TextAreaField("Nature of the emergency", validators=[Optional(), Length(max=2000)])
    password = PasswordField(
        "Your password (to confirm)", validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)]
    )


class ExceptionReviewForm(FlaskForm):
    """An auditor's review."""

    # No default: a review is a decision, never one click (issue 17, item 3).
    outcome = SelectField(
        "Outcome", choices=REVIEW_OUTCOME_CHOICES, validators=[DataRequired(message=REVIEW_OUTCOME_MESSAGE)]
    )
    notes = TextAreaField("Notes (required when inappropriate)", validators=[Optional(), Length(max=4000)])


class EmergencyForm(FlaskForm):
    """Break the glass."""

    reference = StringField(
        "The client's reference (for example C-7K2Q)", validators=[DataRequired(), Length(max=16)]
    )
    reason = SelectField(
        "Reason",
        choices=[
            SelectChoice("imminent_risk", "Imminent risk to the client or others"),
            SelectChoice("crisis_coverage", "Covering a crisis call"),
            SelectChoice("medical_emergency", "Medical emergency"),
            SelectChoice("covering_clinician_absent", "The client's clinician is unreachable"),
            SelectChoice("other", "Other (explain)"),
        ],
    )
    justification = TextAreaField("Justification", validators=[DataRequired(), Length(max=2000)])
    password = PasswordField(
        "Your password (to confirm)", validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)]
    )
