"""Unpaid bank-transfer invoices over simulated days: reminders at the due date and 7 days later, suspension at 14
(R9), and the payment that reactivates at once."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import db
from domain.models import AuditEvent, Invoice, OutboxMessage, Subscription, SubscriptionStatus
from invoices import reconciliation
from tests.conftest import login
from tests.domain.test_renewals import run_days

ISSUED = date(2027, 3, 1)
DUE = ISSUED + timedelta(days=30)  # 2027-03-31


def mails(kind: str) -> list[OutboxMessage]:
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).all()


@pytest.fixture
def acme(make):
    with time_machine.travel(datetime(2027, 3, 1, 8, tzinfo=UTC), tick=False):
        reseller = make.reseller()
        make.reseller_admin(reseller, "anna@reseller.test")
        customer = make.customer(reseller, "Acme GmbH", licenses=5)
        make.customer_admin(customer, "carol@acme.test")
        make.invoice(customer)
        return customer


def subscription(acme) -> Subscription:
    db.session.expire_all()
    return db.session.get(Subscription, acme.subscription.id)


def test_reminders_at_the_due_date_and_a_week_later_then_suspension_at_fourteen_days(app, acme):
    run_days(app, DUE - timedelta(days=3), DUE + timedelta(days=20), skip={DUE + timedelta(days=7)},
             twice={DUE, DUE + timedelta(days=14)})
    reminders = mails("payment_reminder")
    assert [(m.to_address, m.created_at.date()) for m in reminders] == [
        (acme.billing_email, DUE), (acme.billing_email, DUE + timedelta(days=8))]  # the 7th day was missed
    assert "is due today" in reminders[0].subject and "Second reminder" in reminders[1].subject
    assert "/pay/" in reminders[0].body_text and "suspended on Apr 14, 2027" in reminders[0].body_text
    assert subscription(acme).status == SubscriptionStatus.SUSPENDED
    assert "is unpaid since 2027-03-31" in subscription(acme).suspended_reason
    told = {m.to_address for m in mails("subscription_status")}
    assert told == {acme.billing_email, "anna@reseller.test", "carol@acme.test"}
    suspended = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "subscription.suspended")).one()
    assert suspended.created_at.date() == DUE + timedelta(days=14) and suspended.actor_label == "system"


def test_nothing_happens_to_a_paid_invoice(app, acme):
    invoice = db.session.scalars(sa.select(Invoice)).one()
    reconciliation.record_payment(invoice, invoice.gross_minor, received_on=DUE, method="bank_transfer", reference="x")
    db.session.commit()
    run_days(app, DUE, DUE + timedelta(days=15))
    assert mails("payment_reminder") == [] and subscription(acme).status == SubscriptionStatus.ACTIVE


def test_a_payment_reactivates_at_once_and_members_regain_access(app, acme, make, client):
    user, _ = make.member(acme, "dave@acme.test")
    run_days(app, DUE, DUE + timedelta(days=14))
    with time_machine.travel(datetime(2027, 4, 15, 9, tzinfo=UTC), tick=False):
        login(client, user)
        assert "gives no access while the subscription is suspended" in client.get("/portal/").text
        invoice = db.session.scalars(sa.select(Invoice)).one()
        reconciliation.record_payment(invoice, 100, received_on=date(2027, 4, 15), method="bank_transfer",
                                      reference="part")
        db.session.commit()
        assert subscription(acme).status == SubscriptionStatus.SUSPENDED  # partly paid: still owed
        reconciliation.record_payment(invoice, invoice.gross_minor - 100, received_on=date(2027, 4, 15),
                                      method="bank_transfer", reference="rest")
        db.session.commit()
        assert subscription(acme).status == SubscriptionStatus.ACTIVE
        assert subscription(acme).suspended_reason is None
        assert "valid until" in client.get("/portal/").text
    assert any("active again" in m.subject for m in mails("subscription_status"))


def test_the_reseller_and_the_customer_administrator_see_why_and_what_to_pay(app, acme, make, client):
    run_days(app, DUE + timedelta(days=14), DUE + timedelta(days=14))
    invoice = db.session.scalars(sa.select(Invoice)).one()
    with time_machine.travel(datetime(2027, 4, 14, 12, tzinfo=UTC), tick=False):
        login(client, make.reseller_admin(acme.reseller))
        manage = client.get(f"/console/manage/?customer={acme.id}").text
        client.post("/logout")
        login(client, make.customer_admin(acme))
        portal = client.get("/portal/").text
    for page in (manage, portal):
        assert f"Invoice {invoice.number}" in page and "is unpaid since Mar 31, 2027" in page
        assert "/pay/" in page  # the payer page, with the bank details


def test_a_subscription_still_suspended_when_its_term_ends_expires(app, acme):
    run_days(app, DUE + timedelta(days=14), DUE + timedelta(days=14))
    end = subscription(acme).period_end
    run_days(app, end, end)
    assert subscription(acme).status == SubscriptionStatus.EXPIRED
