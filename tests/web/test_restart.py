"""Purchase License of an ended subscription: starting it again for a new term (expired, or lapsed unpaid)."""

import re
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import db
from domain.clock import utcnow
from domain.models import (
    AuditEvent,
    Invoice,
    InvoiceStatus,
    Member,
    MemberStatus,
    Order,
    OrderKind,
    OrderStatus,
    OutboxMessage,
    RenewalMode,
    SubscriptionStatus,
)
from domain.periods import add_months
from invoices import reconciliation
from tests.conftest import HTMX, login
from tests.security.test_access_matrix import _row_counts
from tests.web import test_top_up
from tests.web.test_card_payments import card_form

TODAY = date(2026, 12, 1)
reseller_client = test_top_up.reseller_client  # logged in as the reseller's admin, acting on acme (below)


def restart(**values) -> dict:
    return {"licenses": "6", "term_months": "12", "payment_method": "bank_transfer",
            "idempotency_key": uuid.uuid4().hex, **values}


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def acme(make):
    """Acme's yearly subscription, 5 licenses and 4 members, cancelled and expired a month ago."""
    make.seller()
    customer = make.customer(make.reseller("Northwind IT", discount_bp=2000), "Acme GmbH", licenses=5, members=4)
    subscription = customer.subscription
    subscription.period_start, subscription.period_end = date(2025, 11, 1), date(2026, 11, 1)
    subscription.status, subscription.renewal_mode = SubscriptionStatus.EXPIRED, RenewalMode.CANCEL
    subscription.renewal_notices_sent = 2
    db.session.commit()
    return customer


def test_an_ended_subscription_offers_a_new_term_with_its_price(reseller_client, acme):
    page = reseller_client.get("/console/licenses/").text
    assert "This subscription has ended." in page and 'id="restart-form"' in page and 'id="top-up-form"' not in page
    assert "<h1>Purchase License · Acme GmbH</h1>" in page and 'action="/console/licenses/restart"' in page
    assert re.search(r'<input[^>]*name="licenses"[^>]*value="5"', page)  # the licenses it had
    assert "4 members hold a license, so the new term has at least 4." in page
    part = reseller_client.post("/console/licenses/restart/quote", data=restart(), headers=HTMX).text
    assert part.lstrip().startswith('<aside id="restart-quote"')
    assert "A new term from Dec 1, 2026 to Dec 1, 2027." in part
    assert "6 licenses × 12 months × €10.00" in part and "−€144.00" in part  # the reseller's 20 % discount
    assert "€685.44" in part  # 576.00 + 19 % German VAT
    monthly = reseller_client.post("/console/licenses/restart/quote",
                                   data=restart(payment_method="card", term_months="1"), headers=HTMX).text
    assert "6 licenses × 1 month × €10.00" in monthly and "to Jan 1, 2027." in monthly
    assert 'id="submit-button"' in monthly and "Continue to card payment" in monthly  # the button follows, out of band


def test_a_bank_transfer_starts_it_again_at_once(reseller_client, acme):
    response = reseller_client.post("/console/licenses/restart", data=restart())
    assert response.status_code == 303
    order = db.session.scalars(sa.select(Order)).one()
    subscription = acme.subscription
    assert (order.kind, order.status, order.licenses_before, order.licenses_added, order.months_charged) == \
        (OrderKind.RESTART, OrderStatus.INVOICED, 5, 6, 12)
    assert (subscription.status, subscription.licenses, subscription.term_months) == (SubscriptionStatus.ACTIVE, 6, 12)
    assert (subscription.period_start, subscription.period_end) == (TODAY, add_months(TODAY, 12))
    assert (subscription.renewal_mode, subscription.renewal_notices_sent) == (RenewalMode.SAME, 0)
    invoice = db.session.scalars(sa.select(Invoice)).one()
    assert (invoice.gross_minor, invoice.status) == (68544, InvoiceStatus.OPEN)
    assert [m.kind for m in db.session.scalars(sa.select(OutboxMessage))] == ["invoice"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)
                             .where(Member.status == MemberStatus.ACTIVE)) == 4  # the members kept their licenses
    assert {"order.placed", "subscription.restarted", "invoice.issued"} <= \
        set(db.session.scalars(sa.select(AuditEvent.action)))
    done = reseller_client.get(response.headers["Location"]).text
    assert "Subscription active" in done and "6 licenses for 12 months, from Dec 1, 2026." in done
    history = reseller_client.get("/console/billing/orders").text
    assert "started again" in history
    assert 'id="top-up-form"' in reseller_client.get("/console/licenses/").text  # active again: Top Up


def test_a_card_payment_starts_it_when_confirmed_and_one_order_at_a_time(reseller_client, acme):
    response = reseller_client.post("/console/licenses/restart", data=restart(payment_method="card", term_months="1"))
    checkout = response.headers["Location"]
    assert "/sandbox/checkout/sbx_" in checkout
    assert acme.subscription.status == SubscriptionStatus.EXPIRED  # until the payment comes
    page = reseller_client.get("/console/licenses/").text
    assert "A card payment to start this subscription again is under way." in page and 'id="restart-form"' not in page
    order = db.session.scalars(sa.select(Order)).one()
    assert f'href="/console/create/orders/{order.id}/payment">Go back to the payment page' in page
    before = _row_counts()
    second = reseller_client.post("/console/licenses/restart", data=restart())
    assert "A card payment to start this subscription again is under way." in second.text
    assert _row_counts() == before
    reseller_client.post(checkout)
    db.session.expire_all()
    subscription = acme.subscription
    order = db.session.scalars(sa.select(Order)).one()
    assert order.status == OrderStatus.PAID and subscription.status == SubscriptionStatus.ACTIVE
    assert (subscription.licenses, subscription.term_months, subscription.period_end) == (6, 1, date(2027, 1, 1))
    assert subscription.card_ref == f"sbx_card_{order.id}"  # renewals charge the card it was paid with
    assert db.session.scalars(sa.select(Invoice)).one().status == InvoiceStatus.PAID


def test_an_unpaid_card_restart_lapses_and_can_be_placed_again(app, reseller_client, acme):
    reseller_client.post("/console/licenses/restart", data=restart(payment_method="card"))
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
        assert "1 unpaid card order(s) lapsed" in app.test_cli_runner().invoke(args=["billing", "run-daily"]).output
    db.session.expire_all()
    assert acme.subscription.status == SubscriptionStatus.EXPIRED  # as it was: it never started
    assert reseller_client.post("/console/licenses/restart", data=restart()).status_code == 303
    assert acme.subscription.status == SubscriptionStatus.ACTIVE


@pytest.mark.parametrize("values, message", [
    ({"licenses": "3"}, "4 members hold a license: start with at least 4, or remove members under Manage first."),
    ({"licenses": "0"}, "Choose between 1 and 10,000 licenses."),
    ({"payment_method": "cheque"}, "Not a valid choice"),
    ({"term_months": "5", "payment_method": "card"}, "Not a valid choice"),
    ({"term_months": "1"}, "Bank transfer is yearly: a subscription paid by bank transfer runs 12 months."),
])
def test_a_wrong_new_term_is_refused_next_to_its_field_and_changes_nothing(reseller_client, values, message):
    before = _row_counts()
    response = reseller_client.post("/console/licenses/restart", data=restart(**values))
    assert response.status_code == 200 and message in response.text
    assert _row_counts() == before


def test_an_overdue_invoice_is_paid_before_a_new_term(reseller_client, make, acme):
    invoice = make.invoice(acme)  # its last term's, issued 2025-11-01, due a month later, never paid
    page = reseller_client.get("/console/licenses/").text
    assert "An invoice of this customer is overdue: once it is paid, or credited by the vendor" in page
    assert f"Invoice {invoice.number}:" in page and "/pay/" in page and 'id="restart-form"' not in page
    before = _row_counts()
    refused = reseller_client.post("/console/licenses/restart", data=restart()).text
    assert "An invoice of this customer is overdue" in refused and _row_counts() == before
    reconciliation.record_payment(invoice, invoice.gross_minor, received_on=TODAY, method="bank_transfer",
                                  reference=None)
    db.session.commit()
    assert reseller_client.post("/console/licenses/restart", data=restart()).status_code == 303


def test_a_subscription_that_has_not_ended_is_not_started_again(reseller_client, acme):
    subscription = acme.subscription
    subscription.status, subscription.period_start, subscription.period_end = \
        SubscriptionStatus.ACTIVE, date(2026, 11, 1), date(2027, 11, 1)
    db.session.commit()
    before = _row_counts()
    response = reseller_client.post("/console/licenses/restart", data=restart(), follow_redirects=True)
    assert "Only a subscription that has ended can be started again." in response.text
    assert 'id="top-up-form"' in response.text and _row_counts() == before


def test_a_customer_that_never_paid_its_first_order_is_started_from_its_lapsed_order(client, make):
    make.seller()
    login(client, make.reseller_admin(make.reseller("Northwind IT", discount_bp=2000)))
    client.post("/console/create/", data=card_form())
    order = db.session.scalars(sa.select(Order)).one()
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
        client.application.test_cli_runner().invoke(args=["billing", "run-daily"])
    page = client.get(f"/console/create/orders/{order.id}").text
    assert "Start it again under Purchase License" in page
    page = client.get(f"/console/licenses/?customer={order.customer_id}").text
    assert "The first card payment never came, so this subscription did not start." in page
    assert client.post("/console/licenses/restart", data=restart(licenses="8")).status_code == 303
    subscription = db.session.get(Order, order.id).customer.subscription
    assert (subscription.status, subscription.licenses) == (SubscriptionStatus.ACTIVE, 8)


def test_manage_leads_an_ended_subscription_to_its_new_term(reseller_client, acme):
    page = reseller_client.get("/console/manage/").text
    assert "Start it again under Purchase License" in page and f"/console/licenses/?customer={acme.id}" in page


def test_another_resellers_ended_customer_cannot_be_started_again(client, make, acme):
    login(client, make.reseller_admin(make.reseller("Other reseller")))
    before = _row_counts()
    response = client.post(f"/console/licenses/restart?customer={acme.id}", data=restart())
    assert response.status_code in (403, 404) and _row_counts() == before
    assert acme.subscription.status == SubscriptionStatus.EXPIRED
