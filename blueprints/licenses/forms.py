from flask_babel import lazy_gettext as _l

from blueprints.forms import OrderForm, license_count


class TopUpForm(OrderForm):
    """Purchase License: how many more licenses, and how to pay."""

    licenses = license_count(_l("Additional licenses"), 1)
