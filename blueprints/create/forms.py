from flask_babel import lazy_gettext as _l

from blueprints.forms import BusinessInfoForm, TermOrderForm, license_count


class CreateForm(BusinessInfoForm, TermOrderForm):
    """Create: the customer, its licenses, the term and the payment method."""

    licenses = license_count(_l("Number of licenses"), 5)
