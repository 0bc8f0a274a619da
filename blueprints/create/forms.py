import uuid

from wtforms import HiddenField, IntegerField, RadioField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Regexp

from blueprints.forms import BusinessInfoForm
from domain.models import PaymentMethod
from domain.pricing import MAX_LICENSES


class CreateForm(BusinessInfoForm):
    """Create: the customer, its licenses, the term and the payment method."""

    licenses = IntegerField("Number of licenses", default=5, validators=[
        InputRequired(message="Enter a number of licenses."),
        NumberRange(1, MAX_LICENSES, message=f"Choose between 1 and {MAX_LICENSES:,} licenses.")])
    term_months = RadioField("Term", coerce=int, default=12, choices=[(1, "1 month"), (12, "12 months")],
                             validators=[InputRequired(message="Choose 1 or 12 months.")])
    payment_method = RadioField("Payment", default=PaymentMethod.CARD.value,
                                choices=[(PaymentMethod.CARD.value, "Card"),
                                         (PaymentMethod.BANK_TRANSFER.value, "Bank transfer (invoice)")],
                                validators=[DataRequired(message="Choose how to pay.")])
    idempotency_key = HiddenField(default=lambda: uuid.uuid4().hex,
                                  validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])

    def fix_term_for_bank_transfer(self) -> bool:
        """Bank transfer is yearly (R2): set 12 months; True when that changed the choice."""
        if self.payment_method.data == PaymentMethod.BANK_TRANSFER.value and self.term_months.data != 12:
            self.term_months.data = 12
            return True
        return False
