"""Sign-in, second factor and staff accounts."""

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length

from roi_tracker import passwords
from roi_tracker.domain.roles import Role

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


class ReplaceFactorForm(FlaskForm):
    """Replacing an enrolled authenticator: the password, a code from the current one, a code from the new."""

    password = PasswordField("Your password", validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)])
    current_code = StringField(
        "Code from your current authenticator (or a recovery code)",
        validators=[DataRequired(), Length(min=6, max=32)],
    )
    code = StringField("Code from the new authenticator", validators=[DataRequired(), Length(min=6, max=32)])


class ChangePasswordForm(FlaskForm):
    """A person changes their own password: the current one, then the new one twice."""

    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)]
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)],
        description=passwords.POLICY,
    )
    confirm_password = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new_password", message="the two new passwords differ")],
    )


class NewUserForm(FlaskForm):
    """An administrator creates an account."""

    username = StringField("Username", validators=[DataRequired(), Length(min=2, max=64)])
    display_name = StringField("Full name", validators=[DataRequired(), Length(max=128)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    password = PasswordField(
        "Initial password",
        # Length and commonness are checked by the one policy (roi_tracker.passwords), not here.
        validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)],
        description=f"{passwords.POLICY} Give it to the person in person.",
    )


class RoleForm(FlaskForm):
    """An administrator changes an account's role."""

    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
