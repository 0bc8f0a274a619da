import uuid

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Regexp

from blueprints.create.forms import LicenseCountField
from domain.models import PaymentMethod
from domain.pricing import MAX_LICENSES


class TopUpForm(FlaskForm):
    """Purchase License: how many more licenses, and how to pay."""

    licenses = LicenseCountField("Additional licenses", default=1, validators=[
        InputRequired(message="Enter a number of licenses."),
        NumberRange(1, MAX_LICENSES, message=f"Choose between 1 and {MAX_LICENSES:,} licenses.")])
    payment_method = RadioField("Payment", default=PaymentMethod.CARD.value,
                                choices=[SelectChoice(PaymentMethod.CARD.value, "Card"),
                                         SelectChoice(PaymentMethod.BANK_TRANSFER.value, "Bank transfer (invoice)")],
                                validators=[DataRequired(message="Choose how to pay.")])
    idempotency_key = HiddenField(default=lambda: uuid.uuid4().hex,
                                  validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
