from blueprints.forms import OrderForm, license_count


class TopUpForm(OrderForm):
    """Purchase License: how many more licenses, and how to pay."""

    licenses = license_count("Additional licenses", 1)
