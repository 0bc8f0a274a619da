
from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from blueprints.forms import BusinessInfoForm, OrderForm, license_count
from domain.models import PaymentMethod
from domain.pricing import lazy_term


class CreateForm(BusinessInfoForm, OrderForm):
    """Create: the customer, its licenses, the term and the payment method."""

    licenses = license_count(_l("Number of licenses"), 5)
    term_months = RadioField(_l("Term"), coerce=int, default=12,
                             choices=[SelectChoice(1, lazy_term(1)), SelectChoice(12, lazy_term(12))],
                             validators=[InputRequired(message=_l("Choose 1 or 12 months."))])

    def fix_term_for_bank_transfer(self) -> bool:
        """Bank transfer is yearly (R2): set 12 months; True when that changed the choice."""
        if self.payment_method.data == PaymentMethod.BANK_TRANSFER.value and self.term_months.data != 12:
            self.term_months.data = 12
            return True
        return False
