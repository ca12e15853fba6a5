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
from roi_tracker.domain.roles import Role

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
    category = SelectField("Category", choices=CATEGORY_CHOICES, validators=[DataRequired()])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
