"""Purchase License: Top Up the acting-on customer with licenses for the rest of its period (R4)."""

from flask_babel import ngettext
from flask_login import current_user

from blueprints import checkout
from blueprints.access import acting_on
from blueprints.console import console_blueprint
from blueprints.htmx import render
from domain import subscriptions
from domain.clock import today
from domain.errors import DomainError
from domain.models import PaymentMethod
from domain.seats import assigned_count

from .forms import TopUpForm

bp = console_blueprint("licenses", __name__, "/console/licenses")
TEMPLATE = "licenses/index.html"


def top_up_context(customer, form: TopUpForm) -> dict:
    """The Top Up page of ``customer`` (None: no customer chosen): figures, form, months charged and price."""
    subscription = customer.subscription if customer else None
    context = {"form": form, "subscription": subscription, "quote": None, "terms": None, "error": None,
               "assigned": assigned_count(subscription) if subscription else 0}
    if subscription is None:
        return context
    try:
        context["terms"] = subscriptions.top_up_terms(subscription, today())
        licenses = form.licenses.data
        if isinstance(licenses, int) and licenses >= 1:
            context["quote"] = subscriptions.price_top_up(customer, licenses, today())
    except DomainError as error:
        context["error"] = str(error)
    return context


@bp.get("/")
def index():
    """Show the licenses in use and the Top Up form with its price."""
    return render(TEMPLATE, **top_up_context(acting_on(), TopUpForm(formdata=None)))


@bp.post("/quote")
def quote():
    """Re-price the Top Up as the reseller changes the number (htmx), or re-render the page (no JavaScript)."""
    return render(TEMPLATE, "top_up_quote", **top_up_context(acting_on(), TopUpForm()))


@bp.post("/")
def submit():
    """Top Up: buy the licenses, by card or bank transfer, exactly as Create pays."""
    form = TopUpForm()
    customer = acting_on()
    if customer is None or customer.subscription is None:
        return render(TEMPLATE, **top_up_context(customer, form))
    return place_top_up(customer, form) or render(TEMPLATE, **top_up_context(customer, form))


def place_top_up(customer, form: TopUpForm):
    """Place the Top Up once, as Create does; the redirect, or None with the errors on the form."""
    return checkout.place(form, lambda: subscriptions.top_up(
        customer, licenses=form.licenses.data, payment_method=PaymentMethod(form.payment_method.data),
        idempotency_key=form.idempotency_key.data, actor=current_user),
        description=ngettext("%(num)s more license for %(customer)s", "%(num)s more licenses for %(customer)s",
                             form.licenses.data, customer=customer.name))
