"""Card payments (R10): the sandbox provider end to end, Stripe's adapter, signed webhooks, lapsing."""

import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
import sqlalchemy as sa
import stripe
import time_machine

from app import db
from domain import payments
from domain.clock import utcnow
from domain.models import (
    AuditEvent,
    Invoice,
    InvoiceStatus,
    Order,
    OrderStatus,
    OutboxMessage,
    ProviderEvent,
    Subscription,
    SubscriptionStatus,
)
from tests.conftest import login
from tests.web.test_create import counts, form


@pytest.fixture
def admin(client, make):
    make.seller()
    user = make.reseller_admin(make.reseller("Northwind IT SAS", discount_bp=2000))
    login(client, user)
    return user


def card_form(**values):
    return form(payment_method="card", term_months="1", **values)


def the_order() -> Order:
    return db.session.scalars(sa.select(Order)).one()


def test_a_card_order_waits_for_the_payment(client, admin):
    response = client.post("/console/create/", data=card_form())
    assert response.status_code == 303 and "/sandbox/checkout/sbx_" in response.headers["Location"]
    order = the_order()
    subscription = db.session.scalars(sa.select(Subscription)).one()
    assert order.status == OrderStatus.AWAITING_PAYMENT and subscription.status == SubscriptionStatus.PENDING
    assert counts()["Invoice"] == 0 and counts()["OutboxMessage"] == 0
    page = client.get(f"/console/create/orders/{order.id}").text
    assert "Waiting for the card payment" in page and 'hx-trigger="every 3s"' in page


def test_the_sandbox_checkout_is_labelled_test_payment_and_confirms_through_the_webhook(client, admin):
    checkout = client.post("/console/create/", data=card_form()).headers["Location"]
    page = client.get(checkout).text
    assert page.count("Test payment") >= 3 and "€76.16" in page  # 8 x 1 month x 10.00, less 20 %, plus 19 % VAT
    paid = client.post(checkout)
    assert paid.status_code == 303
    order = the_order()
    landing = client.get(paid.headers["Location"])
    assert landing.status_code == 303
    assert landing.headers["Location"] == f"/console/manage/?customer={order.customer_id}"
    manage = client.get(landing.headers["Location"]).text
    assert "Payment confirmed" in manage and "Manage · Nordlicht Studio GmbH" in manage
    subscription = db.session.scalars(sa.select(Subscription)).one()
    invoice = db.session.scalars(sa.select(Invoice)).one()
    assert order.status == OrderStatus.PAID and subscription.status == SubscriptionStatus.ACTIVE
    assert invoice.status == InvoiceStatus.PAID and invoice.gross_minor == 7616
    assert subscription.period_start == order.paid_at.date() and subscription.term_months == 1
    assert {m.kind for m in db.session.scalars(sa.select(OutboxMessage))} == {"invoice", "subscription_created"}
    assert db.session.scalar(sa.select(ProviderEvent.provider)) == "sandbox"
    systems = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_id.is_(None))).all()
    assert {"order.paid", "subscription.activated", "invoice.issued"} <= set(systems)


def _sandbox_event(client):
    client.post("/console/create/", data=card_form())
    order = the_order()
    sandbox = payments.provider("sandbox")
    return order, sandbox, sandbox.completed_event(order)


def test_a_valid_webhook_pays_once_and_a_replay_changes_nothing(client, admin, app):
    order, sandbox, payload = _sandbox_event(client)
    header = {"Stripe-Signature": payments.sign_like_stripe(payload, sandbox.webhook_secret)}
    first = client.post("/webhooks/sandbox", data=payload, headers=header)
    assert first.status_code == 200 and first.json == {"result": "paid"}
    before = counts()
    again = client.post("/webhooks/sandbox", data=payload, headers=header)
    assert again.json == {"result": "duplicate"} and counts() == before


@pytest.mark.parametrize("tamper", ["secret", "payload", "stale", "no-v1", "missing", "not-ascii"])
def test_a_webhook_that_does_not_verify_is_refused_and_changes_nothing(client, admin, tamper):
    order, sandbox, payload = _sandbox_event(client)
    secret, stamp = sandbox.webhook_secret, int(time.time())
    if tamper == "secret":
        secret = "not the secret"
    if tamper == "stale":
        stamp -= 301
    header = payments.sign_like_stripe(payload, secret, stamp)
    if tamper == "payload":
        payload = payload.replace(b'"paid"', b'"paid" ')
    if tamper == "no-v1":
        header = header.replace("v1=", "v0=")
    if tamper == "not-ascii":  # the Stripe library's comparison raised TypeError on it: a 500
        header = header[:-1] + "é"
    headers = {} if tamper == "missing" else {"Stripe-Signature": header}
    before = counts()
    response = client.post("/webhooks/sandbox", data=payload, headers=headers)
    assert response.status_code == 400 and counts() == before
    assert the_order().status == OrderStatus.AWAITING_PAYMENT


def test_the_billing_rules_signature_vector_verifies_within_five_minutes_only():
    """billing-rules.md 7.6, verified with Stripe's own library."""
    secret, payload = "whsec_test_secret", b'{"id":"evt_test_webhook","object":"event","type":"invoice.paid"}'
    header = "t=1767225600,v1=93a2f8bbc31c111709a09c7c1d829e8fc1b406e9b48d93f6e97a44f743fc4e4e"
    assert payments.sign_like_stripe(payload, secret, 1767225600) == header
    for now, valid in ((1767225600, True), (1767225900, True), (1767225901, False)):
        with time_machine.travel(datetime.fromtimestamp(now, UTC), tick=False):
            if valid:
                assert payments._verify_stripe_scheme(payload, header, secret)["id"] == "evt_test_webhook"
            else:
                with pytest.raises(payments.InvalidWebhook):
                    payments._verify_stripe_scheme(payload, header, secret)
    with time_machine.travel(datetime.fromtimestamp(1767225600, UTC), tick=False):
        with pytest.raises(payments.InvalidWebhook):
            payments._verify_stripe_scheme(payload + b" ", header, secret)
        with pytest.raises(payments.InvalidWebhook):
            payments._verify_stripe_scheme(payload, header, "whsec_other")


class FakeStripe(stripe.HTTPClient):
    """Stripe's HTTP layer replaced: records each request and answers like Stripe's API would."""

    name = "fake"

    def __init__(self, fail: bool = False, decline: bool = False):
        super().__init__()
        self.requests, self.fail, self.decline, self.closed = [], fail, decline, False

    def request(self, method, url, headers, post_data=None, **kwargs):
        self.requests.append((method, url, dict(headers or {}), parse_qs(post_data or "")))
        if self.fail:
            raise stripe.APIConnectionError("network unreachable")
        if "/v1/payment_methods" in url:
            body = {"object": "list", "url": "/v1/payment_methods", "has_more": False,
                    "data": [{"id": "pm_card_1", "object": "payment_method", "type": "card"}]}
        elif "/v1/payment_intents" in url and self.decline:
            error = {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}
            return json.dumps({"error": error}), 402, {"request-id": "req_2"}
        elif "/v1/payment_intents" in url:
            body = {"id": "pi_test_1", "object": "payment_intent", "status": "succeeded"}
        else:
            body = {"id": "cs_test_123", "object": "checkout.session", "payment_status": "unpaid",
                    "status": "expired" if self.closed else "open",
                    "url": None if self.closed else "https://checkout.stripe.com/c/pay/cs_test_123"}
        return json.dumps(body), 200, {"request-id": "req_1"}

    def request_stream(self, *args, **kwargs):
        raise NotImplementedError

    def close(self):
        pass


@pytest.fixture
def on_stripe(app):
    app.config.update(PAYMENT_PROVIDER="stripe", STRIPE_SECRET_KEY="sk_test_key", STRIPE_WEBHOOK_SECRET="whsec_test")
    fake = FakeStripe()
    app.extensions["stripe_http_client"] = fake
    return fake


def test_stripe_checkout_is_created_once_per_order_with_the_amount(client, admin, on_stripe):
    response = client.post("/console/create/", data=card_form())
    assert response.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_123"
    (method, url, headers, params), = on_stripe.requests
    order = the_order()
    assert (method, url) == ("post", "https://api.stripe.com/v1/checkout/sessions")
    assert headers["Idempotency-Key"] == f"order-{order.idempotency_key}"
    assert params["line_items[0][price_data][unit_amount]"] == [str(order.gross_minor)]
    assert params["client_reference_id"] == [order.idempotency_key] and params["mode"] == ["payment"]
    assert (order.provider, order.provider_ref) == ("stripe", "cs_test_123")


def test_a_stripe_webhook_signed_with_the_endpoint_secret_pays_the_order(client, admin, on_stripe):
    client.post("/console/create/", data=card_form())
    order = the_order()
    payload = json.dumps({"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {
        "id": "cs_test_123", "payment_status": "paid", "amount_total": order.gross_minor}}}).encode()
    header = {"Stripe-Signature": payments.sign_like_stripe(payload, "whsec_test")}
    assert client.post("/webhooks/stripe", data=payload, headers=header).json == {"result": "paid"}
    assert client.post("/webhooks/stripe", data=payload, headers=header).json == {"result": "duplicate"}
    assert the_order().status == OrderStatus.PAID
    wrong = {"Stripe-Signature": payments.sign_like_stripe(payload.replace(b"evt_1", b"evt_2"), "whsec_other")}
    assert client.post("/webhooks/stripe", data=payload.replace(b"evt_1", b"evt_2"), headers=wrong).status_code == 400


def test_a_webhook_for_a_different_amount_activates_nothing(client, admin, on_stripe):
    client.post("/console/create/", data=card_form())
    payload = json.dumps({"id": "evt_9", "type": "checkout.session.completed", "data": {"object": {
        "id": "cs_test_123", "payment_status": "paid", "amount_total": 1}}}).encode()
    response = client.post("/webhooks/stripe", data=payload,
                           headers={"Stripe-Signature": payments.sign_like_stripe(payload, "whsec_test")})
    assert response.json == {"result": "amount mismatch"} and the_order().status == OrderStatus.AWAITING_PAYMENT


def test_stripe_checkout_saves_the_card_and_renewals_charge_it_off_session(client, admin, on_stripe):
    client.post("/console/create/", data=card_form())
    order = the_order()
    assert on_stripe.requests[0][3]["payment_intent_data[setup_future_usage]"] == ["off_session"]
    payload = json.dumps({"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {
        "id": "cs_test_123", "payment_status": "paid", "amount_total": order.gross_minor,
        "customer": "cus_test_1"}}}).encode()
    client.post("/webhooks/stripe", data=payload,
                headers={"Stripe-Signature": payments.sign_like_stripe(payload, "whsec_test")})
    subscription = db.session.scalars(sa.select(Subscription)).one()
    assert subscription.card_ref == "cus_test_1"
    renewal = make_renewal_order(subscription)
    assert payments.charge_saved_card(renewal, subscription.card_ref) == payments.SUCCEEDED
    (_, url, headers, params) = on_stripe.requests[-1]
    assert url == "https://api.stripe.com/v1/payment_intents" and params["off_session"] == ["true"]
    assert (params["customer"], params["payment_method"], params["amount"]) == \
        (["cus_test_1"], ["pm_card_1"], [str(renewal.gross_minor)])
    assert headers["Idempotency-Key"] == f"order-{renewal.idempotency_key}"
    assert (renewal.provider, renewal.provider_ref) == ("stripe", "pi_test_1")
    on_stripe.decline = True
    assert payments.charge_saved_card(renewal, subscription.card_ref) == payments.DECLINED


def make_renewal_order(subscription: Subscription) -> Order:
    from domain import renewals

    order = renewals.place(subscription, subscription.period_start, OrderStatus.AWAITING_PAYMENT)
    db.session.commit()
    return order


def test_a_payer_who_left_the_checkout_goes_back_to_it_from_the_order_page(client, admin):
    checkout = client.post("/console/create/", data=card_form()).headers["Location"]
    order = the_order()
    page = client.get(f"/console/create/orders/{order.id}").text
    assert f'href="/console/create/orders/{order.id}/payment">Go back to the payment page' in page
    back = client.get(f"/console/create/orders/{order.id}/payment")
    assert back.status_code == 303 and back.headers["Location"] == checkout
    client.post(checkout)
    after = client.get(f"/console/create/orders/{order.id}/payment")  # paid: its page, which says so
    assert after.headers["Location"] == f"/console/create/orders/{order.id}"
    assert "has closed" not in client.get(after.headers["Location"], follow_redirects=True).text


def test_stripe_checkout_is_found_again_while_open_and_said_closed_after(client, admin, on_stripe):
    client.post("/console/create/", data=card_form())
    order = the_order()
    back = client.get(f"/console/create/orders/{order.id}/payment")
    assert back.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_123"
    method, url, _, _ = on_stripe.requests[-1]
    assert (method, url) == ("get", "https://api.stripe.com/v1/checkout/sessions/cs_test_123")
    on_stripe.closed = True
    closed = client.get(f"/console/create/orders/{order.id}/payment", follow_redirects=True).text
    assert "The payment page of this order has closed." in closed and "Waiting for the card payment" in closed
    on_stripe.fail = True
    unreachable = client.get(f"/console/create/orders/{order.id}/payment", follow_redirects=True).text
    assert "The card provider cannot be reached just now." in unreachable
    assert the_order().status == OrderStatus.AWAITING_PAYMENT


def test_stripe_unreachable_saves_nothing_and_says_so(client, admin, app):
    app.config.update(PAYMENT_PROVIDER="stripe", STRIPE_SECRET_KEY="sk_test_key", STRIPE_WEBHOOK_SECRET="whsec_test")
    app.extensions["stripe_http_client"] = FakeStripe(fail=True)
    before = counts()
    page = client.post("/console/create/", data=card_form()).text
    assert "card provider cannot be reached" in page and counts() == before


def test_an_unpaid_card_order_lapses_after_24_hours_once(client, admin, app):
    client.post("/console/create/", data=card_form())
    runner = app.test_cli_runner()
    with time_machine.travel(utcnow() + timedelta(hours=23), tick=False):
        assert "0 unpaid card order(s) lapsed" in runner.invoke(args=["billing", "run-daily"]).output
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
        assert "1 unpaid card order(s) lapsed" in runner.invoke(args=["billing", "run-daily"]).output
        assert "0 unpaid card order(s) lapsed" in runner.invoke(args=["billing", "run-daily"]).output
    order = the_order()
    assert order.status == OrderStatus.LAPSED
    assert db.session.scalars(sa.select(Subscription)).one().status == SubscriptionStatus.LAPSED
    assert "was not completed within 24 hours" in client.get(f"/console/create/orders/{order.id}").text
    # a late confirmation does not bring a lapsed order back
    sandbox = payments.provider("sandbox")
    payload = sandbox.completed_event(order)
    response = client.post("/webhooks/sandbox", data=payload,
                           headers={"Stripe-Signature": payments.sign_like_stripe(payload, sandbox.webhook_secret)})
    assert response.json == {"result": "not awaiting payment"} and counts()["Invoice"] == 0


def test_another_resellers_sandbox_checkout_is_not_found(client, admin, make):
    theirs = make.order(make.customer(make.reseller()))
    theirs.provider, theirs.provider_ref = "sandbox", "sbx_theirs"
    db.session.commit()
    assert client.get("/sandbox/checkout/sbx_theirs").status_code == 404
    assert client.post("/sandbox/checkout/sbx_theirs").status_code == 404
