"""Flask-WTF forms: every field labelled, every limit stated."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
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
from roi_tracker.domain.clients import Category
from roi_tracker.domain.consent import Purpose
from roi_tracker.domain.roles import Role
from roi_tracker.services.disclosures import CHANNELS

# SelectChoice, not tuples: WTForms 3.3 deprecates tuple choices (removed in 3.4).
ROLE_CHOICES = [
    SelectChoice(Role.CLINICIAN.value, "Clinician"),
    SelectChoice(Role.FRONT_DESK.value, "Front desk"),
    SelectChoice(Role.AUDITOR.value, "Auditor (privacy officer)"),
    SelectChoice(Role.ADMIN.value, "Administrator"),
]


class SignInForm(FlaskForm):
    """Username and password."""

    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)])


class CodeForm(FlaskForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField("Code", validators=[DataRequired(), Length(min=6, max=32)])


class EmptyForm(FlaskForm):
    """A form with only its CSRF token (sign-out, keep-alive, simple actions)."""


class NewUserForm(FlaskForm):
    """An administrator creates an account."""

    username = StringField("Username", validators=[DataRequired(), Length(min=2, max=64)])
    display_name = StringField("Full name", validators=[DataRequired(), Length(max=128)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    password = PasswordField(
        "Initial password",
        validators=[DataRequired(), Length(min=passwords.MIN_LENGTH, max=passwords.MAX_LENGTH)],
        description=f"At least {passwords.MIN_LENGTH} characters. Give it to the person in person.",
    )


class RoleForm(FlaskForm):
    """An administrator changes an account's role."""

    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])


class ReviewForm(FlaskForm):
    """An auditor marks a flagged entry reviewed."""

    note = TextAreaField("Review note", validators=[DataRequired(), Length(max=2000)])


class AuditFilterForm(FlaskForm):
    """Filters over the access log (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    actor = StringField("Person (username)", validators=[Optional(), Length(max=64)])
    client_id = StringField("Client id", validators=[Optional(), Length(max=64)])
    action = StringField("Action", validators=[Optional(), Length(max=64)])
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
    since = StringField("From (YYYY-MM-DD)", validators=[Optional(), Length(max=10)])
    until = StringField("Until (YYYY-MM-DD)", validators=[Optional(), Length(max=10)])


CATEGORY_CHOICES = [SelectChoice(c.value, c.value.replace("_", " ").capitalize()) for c in Category]


class ClientForm(FlaskForm):
    """Register or edit a client."""

    given_name = StringField("Given name", validators=[DataRequired(), Length(max=100)])
    family_name = StringField("Family name", validators=[DataRequired(), Length(max=100)])
    date_of_birth = StringField(
        "Date of birth",
        validators=[DataRequired(), Length(max=10)],
        description="As YYYY-MM-DD, for example 1984-03-07.",
    )
    pronouns = StringField("Pronouns", validators=[Optional(), Length(max=40)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    email = StringField("Email", validators=[Optional(), Length(max=254)])
    address = TextAreaField("Address", validators=[Optional(), Length(max=500)])
    emergency_contact = TextAreaField("Emergency contact", validators=[Optional(), Length(max=300)])
    part2 = BooleanField("Substance-use treatment records (42 CFR Part 2 applies)")
    clinicians = SelectMultipleField("Assigned clinicians", validators=[Optional()], choices=[])


class SearchForm(FlaskForm):
    """Find a client by family name and date of birth, or by reference."""

    family_name = StringField("Family name", validators=[Optional(), Length(max=100)])
    date_of_birth = StringField(
        "Date of birth", validators=[Optional(), Length(max=10)], description="As YYYY-MM-DD."
    )
    reference = StringField(
        "Or the client reference", validators=[Optional(), Length(max=16)], description="For example C-7K2Q."
    )


class UploadForm(FlaskForm):
    """Upload a document for a client."""

    file = FileField("File (PDF, PNG or JPEG)", validators=[FileRequired()])
    category = SelectField(
        "Category",
        choices=[*CATEGORY_CHOICES, SelectChoice("court_order", "Court order")],
        validators=[DataRequired()],
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])


KIND_CHOICES = [
    SelectChoice("hipaa", "HIPAA authorization"),
    SelectChoice("psychotherapy_notes", "Psychotherapy notes (separate authorization)"),
    SelectChoice("part2", "Part 2 consent"),
    SelectChoice("part2_tpo", "Part 2 single consent for treatment, payment and operations"),
    SelectChoice("part2_counseling_notes", "Part 2 SUD counseling notes (separate consent)"),
    SelectChoice("part2_legal_proceedings", "Part 2 consent for legal proceedings"),
]
PURPOSE_CHOICES = [SelectChoice(p.value, p.value.replace("_", " ").capitalize()) for p in Purpose]
STATEMENT_CHOICES = [
    SelectChoice("right_to_revoke", "Right to revoke in writing, and how"),
    SelectChoice("no_conditioning", "Treatment is not conditioned on signing"),
    SelectChoice("redisclosure", "The recipient may redisclose the information"),
    SelectChoice("consequences_of_refusal", "Consequences of refusing to sign (Part 2 TPO)"),
    SelectChoice("patient_name", "The patient's name is on the form (Part 2)"),
]
CHANNEL_CHOICES = [SelectChoice(c, c.replace("_", " ").capitalize()) for c in CHANNELS]


class AuthorizationForm(FlaskForm):
    """Record a signed authorization from its paper or PDF form."""

    kind = SelectField("Kind", choices=KIND_CHOICES)
    recipient_id = SelectField("Recipient", choices=[], validate_choice=False)
    recipient_class = StringField(
        "Or the class of recipients (Part 2 TPO only)", validators=[Optional(), Length(max=200)]
    )
    categories = SelectMultipleField("Information covered", choices=CATEGORY_CHOICES, validate_choice=False)
    purposes = SelectMultipleField("Purposes", choices=PURPOSE_CHOICES, validate_choice=False)
    purpose_text = StringField("Purpose in the form's words", validators=[Optional(), Length(max=500)])
    effective_on = StringField("Effective from (YYYY-MM-DD)", validators=[Optional(), Length(max=10)])
    expires_on = StringField("Expires on (YYYY-MM-DD)", validators=[Optional(), Length(max=10)])
    expiry_event = StringField("Or expires at this event", validators=[Optional(), Length(max=200)])
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


class CheckForm(FlaskForm):
    """May we send this to them for that?"""

    recipient_id = SelectField("To", choices=[], validate_choice=False)
    categories = SelectMultipleField("What", choices=CATEGORY_CHOICES, validate_choice=False)
    purpose = SelectField("For", choices=PURPOSE_CHOICES)
    on = StringField("On (YYYY-MM-DD, default today)", validators=[Optional(), Length(max=10)])


class DisclosureForm(CheckForm):
    """Record a permitted disclosure and produce its packet."""

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


class RecipientForm(FlaskForm):
    """Add someone to the recipients directory."""

    kind = SelectField(
        "Kind", choices=[SelectChoice("person", "Person"), SelectChoice("organization", "Organization")]
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    organization = StringField("Organization", validators=[Optional(), Length(max=200)])
    address = TextAreaField("Address", validators=[Optional(), Length(max=500)])
    fax = StringField("Fax", validators=[Optional(), Length(max=40)])
    email = StringField("Email", validators=[Optional(), Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])


class ExceptionForm(FlaskForm):
    """Record a confidentiality exception; the template shows only the chosen kind's fields."""

    recipient_name = StringField("Recipient (person or agency)", validators=[Optional(), Length(max=200)])
    recipient_organization = StringField("Organization", validators=[Optional(), Length(max=200)])
    recipient_address = StringField("Address", validators=[Optional(), Length(max=500)])
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
    medical_personnel_name = StringField("Medical personnel's name", validators=[Optional(), Length(max=200)])
    facility = StringField("Facility", validators=[Optional(), Length(max=200)])
    emergency_nature = TextAreaField("Nature of the emergency", validators=[Optional(), Length(max=2000)])
    password = PasswordField(
        "Your password (to confirm)", validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)]
    )


class ExceptionReviewForm(FlaskForm):
    """An auditor's review."""

    outcome = SelectField(
        "Outcome",
        choices=[SelectChoice("appropriate", "Appropriate"), SelectChoice("inappropriate", "Inappropriate")],
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=4000)])


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
