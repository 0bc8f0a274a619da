"""Create: a reseller sells a new customer a Business subscription and pays by card or bank transfer."""

from flask import session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints import checkout
from blueprints.access import ACTING_ON, current_reseller, order_or_404
from blueprints.console import console_blueprint
from blueprints.htmx import render, wants_fragment
from domain import pricing, subscriptions, vat
from domain.clock import today
from domain.customers import reseller_usage
from domain.errors import DomainError
from domain.models import OrderStatus, PaymentMethod

from .forms import CreateForm

bp = console_blueprint("create", __name__, "/console/create")


def _page(form: CreateForm, **context):
    reseller = current_reseller()
    usage = reseller_usage(reseller)
    left = subscriptions.organizations_left(reseller)
    return render("create/index.html", "create_form", form=form, usage=usage, at_limit=left == 0,
                  quote=context.pop("quote", _live_quote(form)), **context)


def _live_quote(form: CreateForm) -> dict:
    """The quote for what the form says so far; a VAT number that does not check out is left out."""
    form.fix_term_for_bank_transfer()
    licenses = form.licenses.data if isinstance(form.licenses.data, int) else None
    country = form.country.data
    if not country or licenses is None or not 1 <= licenses <= pricing.MAX_LICENSES:
        return {"quote": None, "vat_error": None}
    vat_error = None
    try:
        number = vat.normalise_vat_number(form.vat_number.data, country)
    except DomainError as error:
        number, vat_error = None, str(error)
    try:
        quote = pricing.price(reseller_discount_bp=current_reseller().discount_bp, country=country,
                              vat_number=number, licenses=licenses, months=form.term_months.data or 12, on=today())
    except DomainError as error:
        return {"quote": None, "vat_error": vat_error, "error": str(error)}
    return {"quote": quote, "vat_error": vat_error}


@bp.get("/")
def index():
    """Show the creation page with an empty form and the reseller's Allowed Organizations."""
    return _page(CreateForm(formdata=None))


@bp.post("/quote")
def quote():
    """Re-price the form as the reseller types (htmx), or re-render the page with the quote (no JavaScript).

    The htmx blocks do not show the reseller's usage, so only the whole page counts it."""
    form = CreateForm()
    usage = None if wants_fragment() else reseller_usage(current_reseller())
    return render("create/index.html", "quote_panel", "term_field", "vat_check", "submit_button", form=form,
                  quote=_live_quote(form), oob=wants_fragment(), usage=usage, at_limit=False)


@bp.post("/")
def submit():
    """Create the customer and its order; the idempotency key makes a resubmitted form one order."""
    form = CreateForm()
    placed = checkout.place(form, lambda: subscriptions.create(
        current_reseller(), form.business_info(), licenses=form.licenses.data, term_months=form.term_months.data,
        payment_method=PaymentMethod(form.payment_method.data), idempotency_key=form.idempotency_key.data,
        actor=current_user), description=_("Business subscription for %(customer)s", customer=form.name.data))
    return placed or _page(form)


@bp.get("/orders/<int:order_id>")
def order(order_id: int):
    """The result of a Create or Top Up: bank details to pay, the card payment's state, or where to go next."""
    order = order_or_404(order_id)
    if order.status == OrderStatus.PAID:
        session[ACTING_ON] = order.customer_id
    return checkout.order_status(order, layout="console.html", status_url=url_for("create.order", order_id=order.id),
                                 payment_url=url_for("create.payment", order_id=order.id),
                                 members_url=url_for("manage.index", customer=order.customer_id),
                                 restart_url=url_for("licenses.index", customer=order.customer_id),
                                 invoice_endpoint="billing.invoice_pdf")


@bp.get("/orders/<int:order_id>/payment")
def payment(order_id: int):
    """Back to the card payment of an order waiting for it (Create, Top Up, a new start)."""
    order = order_or_404(order_id)
    return checkout.back_to_payment(order, order_page_url=url_for("create.order", order_id=order.id))
