"""Card payments: one provider interface, two providers.

- ``StripeProvider``: a Checkout Session through the official library; the webhook is verified with
  the library's own ``Webhook.construct_event`` (HMAC-SHA256 over ``t.payload``, 300 s tolerance).
- ``SandboxProvider``: the embedded default. Its hosted page is part of this app and says
  "Test payment" everywhere; it confirms by signing a webhook with the same scheme and passing it
  through the same verification and handling as Stripe's.

Webhook event ids are stored, so a replayed event changes nothing.

Renewals charge the card saved at the first checkout, off-session: Stripe's Checkout saves it with
``setup_future_usage=off_session`` on a Stripe customer, whose id the webhook keeps on the
subscription (``card_ref``); a renewal is a PaymentIntent confirmed at once with that customer's
card. The sandbox's saved card is ``sbx_card_<order>``; one ending in ``declined`` is always refused.
"""

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
import stripe
from flask import current_app
from flask_babel import gettext as _

from app import db
from domain import subscriptions
from domain.clock import utcnow
from domain.errors import DomainError
from domain.models import Order, OrderStatus, ProviderEvent, Subscription


class InvalidWebhook(Exception):
    """The webhook's signature or timestamp does not hold: the request is refused."""


@dataclass(frozen=True)
class Checkout:
    reference: str  # the provider's session id, stored on the order
    url: str  # where the payer goes to pay


SUCCEEDED, DECLINED = "succeeded", "declined"


class Provider(Protocol):
    name: str

    def start_checkout(self, order: Order, *, description: str, success_url: str, cancel_url: str) -> Checkout: ...

    def checkout_url(self, order: Order) -> str | None:
        """Where the payer goes back to pay ``order`` while its checkout is open; None once it has closed."""

    def charge(self, order: Order, card_ref: str) -> tuple[str, str | None]:
        """Charge the saved card now; return SUCCEEDED or DECLINED and the provider's reference."""

    def verify(self, payload: bytes, signature: str | None) -> dict: ...


def _verify_stripe_scheme(payload: bytes, signature: str | None, secret: str) -> dict:
    if signature is not None and not signature.isascii():  # the library's compare_digest would raise TypeError
        raise InvalidWebhook("The Stripe-Signature header is not ASCII.")
    try:
        event = stripe.Webhook.construct_event(payload, signature or "", secret, tolerance=300)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise InvalidWebhook(str(error)) from error
    return event.to_dict() if hasattr(event, "to_dict") else dict(event)


def sign_like_stripe(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload``: ``t=<unix time>,v1=<HMAC-SHA256 of "t.payload">``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class StripeProvider:
    name = "stripe"

    def __init__(self, api_key: str, webhook_secret: str, http_client=None):
        self.client = stripe.StripeClient(api_key, http_client=http_client, max_network_retries=2)
        self.webhook_secret = webhook_secret

    def start_checkout(self, order: Order, *, description: str, success_url: str, cancel_url: str) -> Checkout:
        params = {
            "mode": "payment", "client_reference_id": order.idempotency_key,
            "success_url": success_url, "cancel_url": cancel_url,
            "line_items": [{"quantity": 1, "price_data": {
                "currency": order.currency.lower(), "unit_amount": order.gross_minor,
                "product_data": {"name": description}}}],
            "metadata": {"order_id": str(order.id)},
            "customer_creation": "always", "payment_intent_data": {"setup_future_usage": "off_session"},
        }
        try:
            session = self.client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": f"order-{order.idempotency_key}"})
        except stripe.StripeError as error:
            raise DomainError(_("The card provider cannot be reached just now. Try again in a moment, "
                                "or pay by bank transfer.")) from error
        return Checkout(reference=session.id, url=session.url)

    def checkout_url(self, order: Order) -> str | None:
        try:
            session = self.client.v1.checkout.sessions.retrieve(order.provider_ref)
        except stripe.StripeError as error:
            raise DomainError(_("The card provider cannot be reached just now. Try again in a moment.")) from error
        return session.url if session.to_dict().get("status") == "open" else None

    def charge(self, order: Order, card_ref: str) -> tuple[str, str | None]:
        try:
            cards = self.client.v1.payment_methods.list(params={"customer": card_ref, "type": "card", "limit": 1})
            if not cards.data:
                return DECLINED, None
            intent = self.client.v1.payment_intents.create(params={
                "amount": order.gross_minor, "currency": order.currency.lower(), "customer": card_ref,
                "payment_method": cards.data[0].id, "off_session": True, "confirm": True,
                "metadata": {"order_id": str(order.id)}}, options={"idempotency_key": f"order-{order.idempotency_key}"})
        except stripe.CardError:
            return DECLINED, None
        except stripe.StripeError as error:
            raise DomainError(_("The card provider cannot be reached; the next daily run tries again.")) from error
        return (SUCCEEDED if intent.status == "succeeded" else DECLINED), intent.id

    def verify(self, payload: bytes, signature: str | None) -> dict:
        return _verify_stripe_scheme(payload, signature, self.webhook_secret)


class SandboxProvider:
    name = "sandbox"

    def __init__(self, secret: str):
        self.webhook_secret = hashlib.sha256(f"sandbox-webhook:{secret}".encode()).hexdigest()

    def start_checkout(self, order: Order, *, description: str, success_url: str, cancel_url: str) -> Checkout:
        from domain.links import external_url

        reference = f"sbx_{secrets.token_urlsafe(12)}"
        return Checkout(reference=reference, url=external_url("payments.sandbox_checkout", reference=reference))

    def checkout_url(self, order: Order) -> str | None:
        from domain.links import external_url

        return external_url("payments.sandbox_checkout", reference=order.provider_ref)

    def completed_event(self, order: Order) -> bytes:
        """The event the sandbox 'bank' sends when the test payment succeeds."""
        return json.dumps({
            "id": f"evt_{secrets.token_hex(8)}", "type": "checkout.session.completed", "created": int(time.time()),
            "data": {"object": {"id": order.provider_ref, "client_reference_id": order.idempotency_key,
                                "payment_status": "paid", "amount_total": order.gross_minor,
                                "currency": order.currency.lower(), "customer": f"sbx_card_{order.id}"}},
        }).encode()

    def charge(self, order: Order, card_ref: str) -> tuple[str, str | None]:
        if card_ref.endswith("declined"):
            return DECLINED, None
        return SUCCEEDED, f"sbx_pi_{secrets.token_urlsafe(12)}"

    def verify(self, payload: bytes, signature: str | None) -> dict:
        return _verify_stripe_scheme(payload, signature, self.webhook_secret)


def provider(name: str | None = None) -> Provider:
    """The configured provider, or the one called ``name`` (for its webhook endpoint)."""
    config = current_app.config
    name = name or config["PAYMENT_PROVIDER"]
    if name == "sandbox":
        return SandboxProvider(config["SECRET_KEY"])
    if name == "stripe":
        if not config["STRIPE_SECRET_KEY"] or not config["STRIPE_WEBHOOK_SECRET"]:
            raise DomainError(_("Card payments through Stripe are not configured."))
        return StripeProvider(config["STRIPE_SECRET_KEY"], config["STRIPE_WEBHOOK_SECRET"],
                              http_client=current_app.extensions.get("stripe_http_client"))
    raise DomainError(_("Unknown payment provider %(name)s.", name=name))


def start_checkout(order: Order, *, description: str, success_url: str, cancel_url: str) -> str:
    """Open the provider's checkout for ``order``; return the URL to send the payer to."""
    chosen = provider()
    checkout = chosen.start_checkout(order, description=description, success_url=success_url,
                                     cancel_url=cancel_url)
    order.provider, order.provider_ref = chosen.name, checkout.reference
    return checkout.url


def checkout_url(order: Order) -> str | None:
    """The provider's checkout of ``order`` to go back to, while the order waits for its card payment and the
    checkout is still open (a payer who closed the page, a declined card to try again); else None."""
    if order.status != OrderStatus.AWAITING_PAYMENT or not order.provider or not order.provider_ref:
        return None
    return provider(order.provider).checkout_url(order)


def charge_saved_card(order: Order, card_ref: str | None) -> str:
    """Charge ``order`` to the subscription's saved card; SUCCEEDED or DECLINED (no saved card is declined)."""
    if not card_ref:
        return DECLINED
    chosen = provider()
    outcome, reference = chosen.charge(order, card_ref)
    if reference:
        order.provider, order.provider_ref = chosen.name, reference
    return outcome


def handle_webhook(provider_name: str, payload: bytes, signature: str | None) -> str:
    """Verify and apply one webhook; return what happened. Raises InvalidWebhook; the caller commits."""
    try:
        chosen = provider(provider_name)
    except DomainError as error:
        raise InvalidWebhook(str(error)) from error
    event = chosen.verify(payload, signature)
    try:
        with db.session.begin_nested():
            db.session.add(ProviderEvent(provider=chosen.name, event_id=event["id"]))
    except sa.exc.IntegrityError:
        return "duplicate"
    if event.get("type") != "checkout.session.completed":
        return "ignored"
    session = event["data"]["object"]
    order = db.session.scalar(sa.select(Order).where(Order.provider == chosen.name,
                                                     Order.provider_ref == session["id"]))
    if order is None or session.get("payment_status") != "paid":
        return "ignored"
    if session.get("amount_total") not in (None, order.gross_minor):
        return "amount mismatch"
    if session.get("customer") and order.subscription_id:
        db.session.get(Subscription, order.subscription_id).card_ref = session["customer"]
    invoice = subscriptions.confirm_card_payment(order, paid_at=utcnow())
    return "paid" if invoice else "not awaiting payment"

