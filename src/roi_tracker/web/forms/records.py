"""Clients, search and document uploads."""

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

from roi_tracker.web.forms.common import CATEGORY_CHOICES


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
    """Find a client by part of a name or phone, by family name and date of birth, or by reference."""

    q = StringField(
        "Name or phone",
        validators=[Optional(), Length(max=100)],
        description="Part of a name (three letters or more) or the last four digits of a phone number.",
    )
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


class Part2Form(FlaskForm):
    """A clinician sets or clears the client's Part 2 flag, with a reason."""

    part2 = SelectField(
        "Part 2 status",
        choices=[
            SelectChoice("set", "Substance-use treatment records: 42 CFR Part 2 applies"),
            SelectChoice("clear", "Part 2 does not apply"),
        ],
    )
    reason = TextAreaField("Reason for the change", validators=[DataRequired(), Length(max=500)])
