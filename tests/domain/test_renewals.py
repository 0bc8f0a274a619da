"""Renewals over simulated time: `flask billing run-daily` called day after day, twice on some, skipped on others."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import db
from domain import renewals
from domain.errors import DomainError
from domain.models import (
    Invoice,
    InvoiceStatus,
    Order,
    OrderKind,
    OrderStatus,
    OutboxMessage,
    PaymentMethod,
    RenewalMode,
    Subscription,
    SubscriptionStatus,
)
from invoices import reconciliation
from tests.conftest import login

START = date(2027, 1, 10)


def at(day: date, hour: int = 6) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def run_days(app, first: date, last: date, *, skip=(), twice=()) -> None:
    """Run the daily job as cron would, from ``first`` to ``last`` inclusive."""
    runner = app.test_cli_runner()
    day = first
    while day <= last:
        if day not in skip:
            for hour in (6, 18) if day in twice else (6,):
                with time_machine.travel(at(day, hour), tick=False):
                    result = runner.invoke(args=["billing", "run-daily"])
                    assert result.exit_code == 0, result.output
                    assert "not brought up to date" not in result.output
        day += timedelta(days=1)


def mails(kind: str) -> list[OutboxMessage]:
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).all()


def renewal_orders() -> list[Order]:
    return db.session.scalars(sa.select(Order).where(Order.kind == OrderKind.RENEWAL).order_by(Order.id)).all()


@pytest.fixture
def acme(make):
    """A bank-transfer customer with 10 licenses and 3 members, created on START, with one reseller admin."""
    with time_machine.travel(at(START), tick=False):
        make.seller()
        reseller = make.reseller(discount_bp=2000)
        make.reseller_admin(reseller, "anna@reseller.test")
        return make.customer(reseller, "Acme", licenses=10, members=3)


def test_a_bank_transfer_year_renews_once_with_its_invoice_notice_and_reminder(app, acme):
    notice_day, end = date(2027, 12, 11), date(2028, 1, 10)
    # a year of runs: twice on the notice, reminder and renewal days; the notice day itself is missed
    run_days(app, START, end + timedelta(days=5), skip={notice_day, date(2027, 6, 1)},
             twice={notice_day + timedelta(days=1), date(2028, 1, 7), end})
    subscription = db.session.get(Subscription, acme.subscription.id)
    assert (subscription.status, subscription.period_start, subscription.period_end, subscription.licenses) == \
        (SubscriptionStatus.ACTIVE, end, date(2029, 1, 10), 10)
    (order,) = renewal_orders()
    assert (order.supply_start, order.supply_end, order.licenses_added, order.months_charged, order.placed_by_id) == \
        (end, date(2029, 1, 10), 10, 12, None)
    assert order.net_minor == 10 * 12 * 800  # EUR 10.00 list price less the reseller's 20 %
    invoice = db.session.scalar(sa.select(Invoice).where(Invoice.order_id == order.id))
    assert (invoice.issued_on, invoice.due_on, invoice.status) == (date(2027, 12, 12), date(2028, 1, 11),
                                                                    InvoiceStatus.OPEN)
    assert [m.to_address for m in mails("invoice")] == [acme.billing_email]
    notices = mails("renewal_notice")
    assert [(m.to_address, m.subject.startswith("Reminder")) for m in notices] == [
        (acme.billing_email, False), ("anna@reseller.test", False),
        (acme.billing_email, True), ("anna@reseller.test", True)]
    assert "renews on Jan 10, 2028 for 12 months with 10 licenses" in notices[0].body_text
    assert invoice.number in notices[0].body_text and "/pay/" in notices[0].body_text
    assert notices[2].created_at.date() == date(2028, 1, 7)


def pay_open_invoices() -> None:
    for invoice in db.session.scalars(sa.select(Invoice).where(Invoice.status == InvoiceStatus.OPEN)).all():
        reconciliation.record_payment(invoice, invoice.gross_minor, received_on=invoice.due_on,
                                      method="bank_transfer", reference=invoice.rf_reference)
    db.session.commit()


def test_a_year_later_the_next_renewal_comes_round_again(app, acme):
    run_days(app, date(2027, 12, 1), date(2028, 1, 12))
    pay_open_invoices()
    run_days(app, date(2028, 12, 1), date(2029, 1, 12))
    assert [(o.supply_start, o.supply_end) for o in renewal_orders()] == [
        (date(2028, 1, 10), date(2029, 1, 10)), (date(2029, 1, 10), date(2030, 1, 10))]
    assert len(mails("renewal_notice")) == 8 and len(mails("invoice")) == 2


def test_months_of_missed_runs_are_caught_up_in_one(app, acme):
    run_days(app, date(2028, 2, 1), date(2028, 2, 1))  # nothing ran since the start
    subscription = db.session.get(Subscription, acme.subscription.id)
    assert subscription.period_end == date(2029, 1, 10) and len(renewal_orders()) == 1
    assert len(mails("invoice")) == 1


def test_a_scheduled_reduction_takes_effect_at_renewal_only(app, acme, make):
    admin = make.reseller_admin(acme.reseller)
    renewals.change_settings(acme.subscription, RenewalMode.NUMBER, 4, actor=admin)
    db.session.commit()
    plan = renewals.plan(acme.subscription)
    assert (plan.licenses, plan.reduces, plan.changeable) == (4, True, True)
    assert acme.subscription.licenses == 10  # R5: fewer licenses only at renewal
    run_days(app, date(2027, 12, 20), date(2028, 1, 10))
    subscription = db.session.get(Subscription, acme.subscription.id)
    assert (subscription.licenses, subscription.renewal_mode) == (4, RenewalMode.SAME)
    (order,) = renewal_orders()
    assert (order.licenses_before, order.licenses_added, order.net_minor) == (10, 4, 4 * 12 * 800)


def test_a_reduction_below_the_assigned_members_is_refused(acme, make):
    admin = make.reseller_admin(acme.reseller)
    with pytest.raises(DomainError, match="3 members are assigned: renew at least 3"):
        renewals.change_settings(acme.subscription, RenewalMode.NUMBER, 2, actor=admin)
    db.session.rollback()
    assert db.session.get(Subscription, acme.subscription.id).renewal_mode == RenewalMode.SAME


def test_members_added_after_a_reduction_was_scheduled_keep_their_licenses(app, acme, make):
    admin = make.reseller_admin(acme.reseller)
    renewals.change_settings(acme.subscription, RenewalMode.ASSIGNED, None, actor=admin)
    db.session.commit()
    make.member(acme)
    run_days(app, date(2027, 12, 20), date(2028, 1, 10))
    assert db.session.get(Subscription, acme.subscription.id).licenses == 4


def test_settings_are_fixed_once_the_renewal_invoice_is_issued(app, acme, make):
    admin = make.reseller_admin(acme.reseller)
    run_days(app, date(2027, 12, 11), date(2027, 12, 11))
    assert renewals.plan(acme.subscription).changeable is False
    with pytest.raises(DomainError, match="invoiced already"):
        renewals.change_settings(acme.subscription, RenewalMode.CANCEL, None, actor=admin)


def test_a_cancelled_subscription_expires_and_its_members_lose_access(app, acme, make, client):
    admin = make.reseller_admin(acme.reseller)
    user, _ = make.member(acme, "dave@acme.test")
    renewals.change_settings(acme.subscription, RenewalMode.CANCEL, None, actor=admin)
    db.session.commit()
    run_days(app, date(2027, 12, 1), date(2028, 1, 15), twice={date(2028, 1, 10)})
    subscription = db.session.get(Subscription, acme.subscription.id)
    assert subscription.status == SubscriptionStatus.EXPIRED
    assert subscription.members.count() == 4  # data kept
    assert renewal_orders() == [] and mails("invoice") == []
    ending = db.session.scalars(sa.select(Order).where(Order.kind == OrderKind.CANCELLATION)).one()
    assert (ending.status, ending.gross_minor, ending.supply_start) == (OrderStatus.NO_CHARGE, 0, date(2028, 1, 10))
    assert "ends on Jan 10, 2028" in mails("renewal_notice")[0].body_text
    assert len(mails("subscription_ended")) == 3  # billing contact and the two reseller admins
    with time_machine.travel(at(date(2028, 1, 15)), tick=False):
        login(client, user)
        page = client.get("/portal/").text
    assert "gives no access while the subscription is expired" in page


def test_a_monthly_card_subscription_is_charged_each_month_with_a_reminder_only(app, make):
    with time_machine.travel(at(START), tick=False):
        make.seller()
        customer = make.customer(make.reseller(), licenses=2, term=1)
        subscription = customer.subscription
        subscription.payment_method, subscription.card_ref = PaymentMethod.CARD, "sbx_card_1"
        db.session.commit()
    run_days(app, START, date(2027, 4, 12), twice={date(2027, 2, 10)})
    subscription = db.session.get(Subscription, subscription.id)
    assert (subscription.status, subscription.period_end) == (SubscriptionStatus.ACTIVE, date(2027, 5, 10))
    assert [(o.supply_start, o.status) for o in renewal_orders()] == [
        (date(2027, 2, 10), OrderStatus.PAID), (date(2027, 3, 10), OrderStatus.PAID),
        (date(2027, 4, 10), OrderStatus.PAID)]
    invoices = db.session.scalars(sa.select(Invoice).order_by(Invoice.id)).all()
    assert [i.status for i in invoices] == [InvoiceStatus.PAID] * 3
    assert all(m.subject.startswith("Reminder") for m in mails("renewal_notice"))
    assert len(mails("renewal_notice")) == 3


def test_a_declined_card_gets_a_payment_link_then_the_subscription_expires(app, make):
    with time_machine.travel(at(START), tick=False):
        make.seller()
        reseller = make.reseller()
        make.reseller_admin(reseller, "anna@reseller.test")
        customer = make.customer(reseller, licenses=2, term=1)
        customer.subscription.payment_method = PaymentMethod.CARD
        customer.subscription.card_ref = "sbx_card_declined"
        db.session.commit()
    run_days(app, date(2027, 2, 9), date(2027, 2, 10))
    (order,) = renewal_orders()
    assert order.status == OrderStatus.AWAITING_PAYMENT and order.provider_ref.startswith("sbx_")
    declined = mails("card_declined")
    assert {m.to_address for m in declined} == {customer.billing_email, "anna@reseller.test"}
    assert f"/console/create/orders/{order.id}" not in declined[0].body_text  # the checkout, not the order page
    assert db.session.get(Subscription, customer.subscription.id).status == SubscriptionStatus.ACTIVE
    run_days(app, date(2027, 2, 11), date(2027, 2, 12))
    assert db.session.get(Subscription, customer.subscription.id).status == SubscriptionStatus.EXPIRED
    assert db.session.get(Order, order.id).status == OrderStatus.LAPSED
    assert db.session.scalars(sa.select(Order.kind).where(Order.kind == OrderKind.EXPIRY)).all() == [OrderKind.EXPIRY]


def test_a_declined_renewal_paid_through_its_link_renews_without_a_gap(app, make, client):
    with time_machine.travel(at(START), tick=False):
        make.seller()
        reseller = make.reseller()
        admin = make.reseller_admin(reseller)
        customer = make.customer(reseller, licenses=2, term=1)
        customer.subscription.payment_method = PaymentMethod.CARD
        db.session.commit()  # no saved card: treated as declined
    run_days(app, date(2027, 2, 10), date(2027, 2, 10))
    (order,) = renewal_orders()
    with time_machine.travel(at(date(2027, 2, 10), 12), tick=False):
        login(client, admin)
        assert client.post(f"/sandbox/checkout/{order.provider_ref}").status_code == 303
    subscription = db.session.get(Subscription, customer.subscription.id)
    assert (subscription.period_start, subscription.period_end) == (date(2027, 2, 10), date(2027, 3, 10))
    assert subscription.card_ref == f"sbx_card_{order.id}"  # saved for the next renewal
    run_days(app, date(2027, 3, 10), date(2027, 3, 12))
    assert [o.status for o in renewal_orders()] == [OrderStatus.PAID, OrderStatus.PAID]


def test_the_order_history_tells_renewals_reductions_and_endings_apart(app, acme, make, client):
    admin = make.reseller_admin(acme.reseller)
    other = make.customer(acme.reseller, "Bellevue", licenses=2)
    other.subscription.period_end = date(2028, 1, 10)
    renewals.change_settings(acme.subscription, RenewalMode.NUMBER, 4, actor=admin)
    renewals.change_settings(other.subscription, RenewalMode.CANCEL, None, actor=admin)
    db.session.commit()
    run_days(app, date(2027, 12, 20), date(2028, 1, 10))
    with time_machine.travel(at(date(2028, 1, 10), 12), tick=False):
        login(client, admin)
        page = client.get("/console/billing/orders?customer=").text
        renewed = client.get("/console/billing/orders?kind=renewal").text.split("<tbody>")[1]
        ended = client.get("/console/billing/orders.csv?kind=cancellation").text.splitlines()
    assert "reduced at renewal" in page and "4, down from 10" in page and "system" in renewed
    assert "Bellevue" not in renewed and "Acme" in renewed
    assert len(ended) == 2 and ",Bellevue,system,cancelled,2,,0.00,EUR," in ended[1] and "no_charge" in ended[1]
