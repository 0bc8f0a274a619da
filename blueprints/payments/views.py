"""Card payments on the web: provider webhooks, and the sandbox provider's own "Test payment" page."""

from flask import Blueprint, abort, current_app, request
from flask_login import current_user, login_required

from app import csrf, db
from blueprints.checkout import order_page
from blueprints.htmx import render
from domain import payments
from domain.access import visible_orders
from domain.errors import DomainError
from domain.models import Order, OrderStatus

bp = Blueprint("payments", __name__)


@bp.post("/webhooks/<provider>")
@csrf.exempt  # authenticated by the provider's signature instead
def webhook(provider: str):
    """Apply a provider's signed event; a bad signature or a stale timestamp gets 400."""
    try:
        outcome = payments.handle_webhook(provider, request.get_data(), request.headers.get("Stripe-Signature"))
    except payments.InvalidWebhook as error:
        current_app.logger.warning("Refused %s webhook: %s", provider, error)
        db.session.rollback()
        return {"error": "invalid signature"}, 400
    except DomainError as error:  # e.g. the invoice could not be rendered: the provider retries later
        current_app.logger.error("Could not apply %s webhook: %s", provider, error)
        db.session.rollback()
        return {"error": "try again later"}, 503
    db.session.commit()
    return {"result": outcome}


def _sandbox_order(reference: str) -> Order:
    if current_app.config["PAYMENT_PROVIDER"] != "sandbox" or current_user.is_operator:
        abort(404)  # the test payment is the buyer's to make: its reseller or the customer's administrator
    order = db.session.scalar(visible_orders(current_user).where(Order.provider == "sandbox",
                                                                 Order.provider_ref == reference))
    if order is None:
        abort(404)
    return order


@bp.get("/sandbox/checkout/<reference>")
@login_required
def sandbox_checkout(reference: str):
    """The sandbox's hosted checkout: a test payment, no real card and no real money."""
    return render("payments/sandbox.html", order=_sandbox_order(reference))


@bp.post("/sandbox/checkout/<reference>")
@login_required
def sandbox_pay(reference: str):
    """Pay the test payment: the sandbox signs a webhook and sends it through the real webhook handling."""
    order = _sandbox_order(reference)
    if order.status == OrderStatus.AWAITING_PAYMENT:
        sandbox = payments.provider("sandbox")
        payload = sandbox.completed_event(order)
        payments.handle_webhook("sandbox", payload, payments.sign_like_stripe(payload, sandbox.webhook_secret))
        db.session.commit()
    return order_page(order)


