"""Purchase License: Top Up the acting-on customer with licenses for the rest of its period (R4), or, once its
subscription has ended (expired, or lapsed before its first payment), start it again for a new term."""

from flask import flash, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints import checkout
from blueprints.access import acting_on
from blueprints.console import console_blueprint
from blueprints.htmx import render, wants_fragment
from domain import dunning, subscriptions
from domain.clock import today
from domain.errors import DomainError
from domain.models import PaymentMethod, SubscriptionStatus
from domain.periods import add_months
from domain.pricing import MAX_LICENSES
from domain.seats import assigned_count

from .forms import RestartForm, TopUpForm

bp = console_blueprint("licenses", __name__, "/console/licenses")
TEMPLATE, RESTART_TEMPLATE = "licenses/index.html", "licenses/restart.html"


def top_up_context(customer, form: TopUpForm) -> dict:
    """The Top Up page of ``customer`` (None: no customer chosen): figures, form, months charged and price."""
    subscription = customer.subscription if customer else None
    context = {"form": form, "subscription": subscription, "quote": None, "terms": None, "error": None,
               "assigned": assigned_count(subscription) if subscription else 0, "to_pay": ()}
    if subscription is None:
        return context
    if subscription.status == SubscriptionStatus.SUSPENDED:
        context["to_pay"] = dunning.what_to_pay(subscription)
    try:
        context["terms"] = subscriptions.top_up_terms(subscription, today())
        licenses = form.licenses.data
        if isinstance(licenses, int) and licenses >= 1:
            context["quote"] = subscriptions.price_top_up(customer, licenses, today())
    except DomainError as error:
        context["error"] = str(error)
    return context


def restart_context(customer, form: RestartForm, *, submit_url: str, quote_url: str) -> dict:
    """The page of ``customer`` whose subscription has ended: figures, the form of a new term and its price;
    the form posts to ``submit_url`` and is re-priced at ``quote_url`` (the console's or the portal's)."""
    subscription = customer.subscription
    form.fix_term_for_bank_transfer()
    check = subscriptions.restart_check(subscription)
    context = {"form": form, "customer": customer, "subscription": subscription, "quote": None, "error": None,
               "oob": wants_fragment(), "assigned": assigned_count(subscription), "refusal": check.refusal,
               "pending": check.pending, "overdue": check.overdue, "submit_url": submit_url, "quote_url": quote_url,
               "layout": "console.html" if current_user.reseller_id is not None else "portal/wide.html"}
    if check.pending:
        context["pending_urls"] = (checkout.payment_url(check.pending), checkout.order_url(check.pending))
    licenses, on = form.licenses.data, today()
    months = form.term_months.data if form.term_months.data in (1, 12) else 12
    if isinstance(licenses, int) and 1 <= licenses <= MAX_LICENSES:
        try:
            context["quote"] = subscriptions.price_restart(customer, licenses, months, on)
        except DomainError as error:
            context["error"] = str(error)
        context["period"] = (on, add_months(on, months))
    return context


def ended(customer) -> bool:
    """Whether ``customer``'s subscription has ended, so Purchase License offers a new term rather than a Top Up."""
    return customer is not None and customer.subscription is not None \
        and customer.subscription.status in subscriptions.ENDED


def restart_page(customer, **urls):
    """The first look at the new term of an ended subscription: the licenses it had, at least its members."""
    subscription = customer.subscription
    form = RestartForm(formdata=None, licenses=max(subscription.licenses, subscription.assigned, 1))
    return render(RESTART_TEMPLATE, **restart_context(customer, form, **urls))


def restart_quote_part(customer, **urls):
    """The new term re-priced (htmx: the price, with the term and the button out of band)."""
    return render(RESTART_TEMPLATE, "restart_quote", "term_field", "submit_button",
                  **restart_context(customer, RestartForm(), **urls))


def place_restart(customer, **urls):
    """Start ``customer``'s ended subscription again once, paid as Create pays: the redirect, or the page with
    the errors on the form; None once it has started meanwhile (another tab, another administrator), with why
    flashed, for the caller to show its Purchase License page."""
    form = RestartForm()
    placed = checkout.place(form, lambda: subscriptions.restart(
        customer, licenses=form.licenses.data, term_months=form.term_months.data,
        payment_method=PaymentMethod(form.payment_method.data), idempotency_key=form.idempotency_key.data,
        actor=current_user), description=_("Business subscription for %(customer)s", customer=customer.name))
    if placed:
        return placed
    if not ended(customer):
        flash(subscriptions.restart_check(customer.subscription).refusal)
        return None
    return render(RESTART_TEMPLATE, **restart_context(customer, form, **urls))


def _console_urls() -> dict:
    return {"submit_url": url_for("licenses.restart"), "quote_url": url_for("licenses.restart_quote")}


@bp.get("/")
def index():
    """Show the licenses in use and the Top Up form with its price; for an ended subscription, a new term's."""
    customer = acting_on()
    if ended(customer):
        return restart_page(customer, **_console_urls())
    return render(TEMPLATE, **top_up_context(customer, TopUpForm(formdata=None)))


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


@bp.post("/restart/quote")
def restart_quote():
    """Re-price the new term as the reseller changes it (htmx), or re-render the page (no JavaScript)."""
    customer = acting_on()
    if customer is None or customer.subscription is None:
        return index()
    return restart_quote_part(customer, **_console_urls())


@bp.post("/restart")
def restart():
    """Start the ended subscription again for a new term, paid by card or bank transfer exactly as Create pays."""
    customer = acting_on()
    if customer is None or customer.subscription is None:
        return index()
    return place_restart(customer, **_console_urls()) or index()
