"""Reporting an incident, assessing it, and recording a notice sent (H-B1..H-B7)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from roi_tracker.domain import incidents as rules

KIND_CHOICES = [
    SelectChoice(rules.Kind.MISDIRECTED_DISCLOSURE.value, "Sent to the wrong place (fax, mail, e-mail)"),
    SelectChoice(rules.Kind.UNAUTHORIZED_ACCESS.value, "Someone looked at a record they should not have"),
    SelectChoice(rules.Kind.LOST_OR_STOLEN_DEVICE.value, "A device or paper file was lost or stolen"),
    SelectChoice(rules.Kind.OTHER.value, "Something else"),
]
EXCLUSION_CHOICES = [
    SelectChoice(rules.Exclusion.NONE.value, "None of these applies"),
    SelectChoice(
        rules.Exclusion.WORKFORCE_GOOD_FAITH.value,
        "A workforce member, in good faith and within their job, saw it and did not pass it on",
    ),
    SelectChoice(
        rules.Exclusion.INADVERTENT_INTERNAL.value,
        "It went by mistake between two people at this practice who are both authorized",
    ),
    SelectChoice(
        rules.Exclusion.UNABLE_TO_RETAIN.value,
        "We believe in good faith the recipient could not have kept it",
    ),
]
AUDIENCE_CHOICES = [
    SelectChoice(rules.Audience.INDIVIDUAL.value, "The client"),
    SelectChoice(rules.Audience.MEDIA.value, "Media outlets"),
    SelectChoice(rules.Audience.HHS.value, "HHS (Office for Civil Rights)"),
]
METHOD_CHOICES = [SelectChoice(m.value, m.value.replace("_", " ").capitalize()) for m in rules.Method]
_DATE = "YYYY-MM-DD"


class IncidentForm(FlaskForm):
    """Report what happened and the day it was discovered (H-B7)."""

    kind = SelectField("What happened", choices=KIND_CHOICES)
    discovered_on = StringField(
        f"Discovered on ({_DATE})",
        validators=[DataRequired(), Length(max=10)],
        description="The first day anyone here knew, or should have known: the 60-day clock starts then.",
    )
    occurred_on = StringField(f"Happened on ({_DATE}), if known", validators=[Optional(), Length(max=10)])
    description = TextAreaField(
        "Describe it",
        validators=[DataRequired(), Length(max=4000)],
        description="Where it went or who saw it, and what has been done so far.",
    )
    disclosure_id = HiddenField()
    client_id = HiddenField()


def _factor(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=4000)])


class AssessmentForm(FlaskForm):
    """The assessment's questions; the determination follows from the answers (H-B1..H-B3)."""

    exclusion = SelectField("Does an exclusion apply? (H-B1)", choices=EXCLUSION_CHOICES)
    secured = BooleanField(
        "The information was encrypted and the key was not also lost (H-B2)",
        description="This product's stored records are encrypted: secured while the key file is safe.",
    )
    phi_nature = _factor(
        "Factor 1: the nature and extent of the information (identifiers, re-identification)"
    )
    unauthorized_person = _factor("Factor 2: who received or used it")
    acquired_or_viewed = _factor("Factor 3: whether it was actually acquired or viewed")
    mitigation = _factor("Factor 4: what was done to reduce the risk")
    low_probability = BooleanField(
        "The four factors show a low probability that the information was compromised (H-B3)"
    )
    affected = StringField(
        "People affected (if more than the clients named)", validators=[Optional(), Length(max=9)]
    )
    most_in_one_state = StringField(
        "Most affected living in one state (if known)", validators=[Optional(), Length(max=9)]
    )


class NoticeForm(FlaskForm):
    """When a notice went out and how."""

    audience = SelectField("To", choices=AUDIENCE_CHOICES)
    client_id = HiddenField()
    sent_on = StringField(f"Sent on ({_DATE})", validators=[DataRequired(), Length(max=10)])
    method = SelectField("How", choices=METHOD_CHOICES)
