"""Signing in the office: preparing a release from a template, signing it on screen, and the wording."""

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from roi_tracker.web.forms.releases import AuthorizationForm


class PrepareForm(AuthorizationForm):
    """The terms a clinician fills in on a template; signing, statements and the copy come from the form."""

    template_id = SelectField("Form template", choices=[], validate_choice=False)
    kind = None
    signed_on = None
    statements = None
    copy_given_on = None
    copy_method = None
    signed_form = None
    acknowledge_warnings = None
    minor_may_consent = None


class SignForm(FlaskForm):
    """The client's signature: drawn or typed, with their intent and consent to sign electronically."""

    form_sha256 = HiddenField()
    method = RadioField(
        "How do you want to sign?",
        choices=[SelectChoice("typed", "Type my name"), SelectChoice("drawn", "Draw my signature")],
        default="typed",
    )
    signer_name = StringField("Your full name", validators=[DataRequired(), Length(max=200)])
    image = HiddenField()
    intent = BooleanField("I have read this form and I choose to sign it.")
    electronic_consent = BooleanField("I agree to sign this form electronically, on this screen.")


class LeaveForm(FlaskForm):
    """The staff person's password, to take the device back from the client."""

    password = PasswordField("Staff password", validators=[DataRequired(), Length(max=128)])


class TemplateForm(FlaskForm):
    """A new version of a kind's wording; {practice} stands for the practice's name."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    intro = TextAreaField("Opening paragraph", validators=[Optional(), Length(max=2000)])
    right_to_revoke = TextAreaField(
        "The right to cancel, and how (H-S1)", validators=[Optional(), Length(max=2000)]
    )
    no_conditioning = TextAreaField(
        "Treatment is not conditioned on signing (H-S2)", validators=[Optional(), Length(max=2000)]
    )
    consequences_of_refusal = TextAreaField(
        "What happens if the client does not sign (Part 2 TPO, P2-10)",
        validators=[Optional(), Length(max=2000)],
    )
    redisclosure = TextAreaField(
        "The recipient may share it again (H-S3)", validators=[Optional(), Length(max=2000)]
    )
