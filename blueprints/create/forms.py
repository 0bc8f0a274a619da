import uuid

from wtforms import HiddenField, IntegerField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Regexp

from blueprints.forms import BusinessInfoForm
from domain.models import PaymentMethod
from domain.pricing import MAX_LICENSES


class LicenseCountField(IntegerField):
    """A number of licenses; anything but a whole number is refused with one clear message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a whole number of licenses, for example 5.") from error

    def post_validate(self, form, validation_stopped):
        if self.process_errors:
            self.errors = list(self.process_errors)  # the range check has nothing to add to that


class CreateForm(BusinessInfoForm):
    """Create: the customer, its licenses, the term and the payment method."""

    licenses = LicenseCountField("Number of licenses", default=5, validators=[
        InputRequired(message="Enter a number of licenses."),
        NumberRange(1, MAX_LICENSES, message=f"Choose between 1 and {MAX_LICENSES:,} licenses.")])
    term_months = RadioField("Term", coerce=int, default=12,
                             choices=[SelectChoice(1, "1 month"), SelectChoice(12, "12 months")],
                             validators=[InputRequired(message="Choose 1 or 12 months.")])
    payment_method = RadioField("Payment", default=PaymentMethod.CARD.value,
                                choices=[SelectChoice(PaymentMethod.CARD.value, "Card"),
                                         SelectChoice(PaymentMethod.BANK_TRANSFER.value, "Bank transfer (invoice)")],
                                validators=[DataRequired(message="Choose how to pay.")])
    idempotency_key = HiddenField(default=lambda: uuid.uuid4().hex,
                                  validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])

    def fix_term_for_bank_transfer(self) -> bool:
        """Bank transfer is yearly (R2): set 12 months; True when that changed the choice."""
        if self.payment_method.data == PaymentMethod.BANK_TRANSFER.value and self.term_months.data != 12:
            self.term_months.data = 12
            return True
        return False
