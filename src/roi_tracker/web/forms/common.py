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
