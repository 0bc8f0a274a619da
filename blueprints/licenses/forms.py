from flask_babel import lazy_gettext as _l

from blueprints.forms import OrderForm, TermOrderForm, license_count


class TopUpForm(OrderForm):
    """Purchase License: how many more licenses, and how to pay."""

    licenses = license_count(_l("Additional licenses"), 1)


class RestartForm(TermOrderForm):
    """Purchase License of an ended subscription: a new term, its licenses, and how to pay."""

    licenses = license_count(_l("Number of licenses"), 1)
