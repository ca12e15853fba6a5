"""What every form shares: the empty form (a CSRF token alone) and the category choices."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice

from roi_tracker.domain.clients import Category
from roi_tracker.domain.consent import Purpose
from roi_tracker.services.disclosures.disclosures import CHANNELS

# SelectChoice, not tuples: WTForms 3.3 deprecates tuple choices (removed in 3.4).


class EmptyForm(FlaskForm):
    """A form with only its CSRF token (sign-out, keep-alive, simple actions)."""


CATEGORY_CHOICES = [SelectChoice(c.value, c.value.replace("_", " ").capitalize()) for c in Category]
PURPOSE_CHOICES = [SelectChoice(p.value, p.value.replace("_", " ").capitalize()) for p in Purpose]
CHANNEL_CHOICES = [SelectChoice(c, c.replace("_", " ").capitalize()) for c in CHANNELS]
# A review is a decision, never one click (issue 17, item 3): no default. Inappropriate opens an incident.
REVIEW_OUTCOME_CHOICES = [
    SelectChoice("", "— choose —"),
    SelectChoice("appropriate", "Appropriate"),
    SelectChoice("inappropriate", "Inappropriate: open an incident"),
]
REVIEW_OUTCOME_MESSAGE = "Choose an outcome: appropriate or inappropriate."
