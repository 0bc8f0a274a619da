"""Unpaid bank-transfer invoices (R9): reminders at the due date and 7 days later, suspension at 14.

Part of ``flask billing run-daily``. Like the renewals it reads state, not the date: an invoice
remembers how many reminders it has had, so a second run changes nothing and a missed day is
caught up (one reminder, the latest due, if both were missed). A suspended subscription's members
lose access; the reseller and the customer's administrators see why and what to pay; the payment
that settles the last overdue invoice reactivates it at once (``reconciliation.record_payment``).
"""

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import db
from domain import audit
from domain.clock import today
from domain.models import (
    CustomerAdmin,
    Invoice,
    InvoiceStatus,
    PaymentMethod,
    Subscription,
    SubscriptionStatus,
    User,
)
from domain.money import to_decimal

SECOND_REMINDER_DAYS = 7
SUSPEND_AFTER_DAYS = 14


def run(on: date) -> dict[str, int]:
    """Send the reminders due on ``on`` and suspend what is 14 days overdue; the caller commits."""
    from invoices.issuing import amount_due

    done = {"reminded": 0, "suspended": 0}
    overdue = db.session.scalars(sa.select(Invoice).where(
        Invoice.status == InvoiceStatus.OPEN, Invoice.payment_method == PaymentMethod.BANK_TRANSFER,
        Invoice.due_on <= on).order_by(Invoice.id)).all()
    for invoice in overdue:
        if amount_due(invoice) == 0:
            continue
        late = (on - invoice.due_on).days
        step = 2 if late >= SECOND_REMINDER_DAYS else 1
        if step > invoice.reminders_sent:
            _remind(invoice, step, amount_due(invoice))
            invoice.reminders_sent = step
            done["reminded"] += 1
        if late >= SUSPEND_AFTER_DAYS and _suspend(invoice, amount_due(invoice)):
            done["suspended"] += 1
    return done


def _remind(invoice: Invoice, step: int, due_minor: int) -> None:
    from domain.notifications import amount, payer_link, send

    snap = invoice.snapshot
    subject = (_l("Invoice %(number)s is due today", number=invoice.number) if step == 1
               else _l("Second reminder: invoice %(number)s is overdue", number=invoice.number))
    send(snap["buyer"]["billing_email"], subject, "email/payment_reminder.txt", kind="payment_reminder",
         locale=snap.get("locale"), invoice=invoice, step=step, link=payer_link(invoice),
         amount=amount(due_minor, invoice.currency), suspend_on=invoice.due_on + timedelta(days=SUSPEND_AFTER_DAYS))
    audit.record(None, "invoice.reminder_sent", invoice, acting_on=invoice.customer, after={"reminder": step})


def _suspend(invoice: Invoice, due_minor: int) -> bool:
    from domain.notifications import amount

    subscription = db.session.scalar(sa.select(Subscription).where(Subscription.customer_id == invoice.customer_id)
                                     .with_for_update())
    if subscription is None or subscription.status != SubscriptionStatus.ACTIVE:
        return False
    subscription.status = SubscriptionStatus.SUSPENDED
    subscription.suspended_reason = (f"Invoice {invoice.number} ({to_decimal(due_minor, invoice.currency)} "
                                     f"{invoice.currency}) is unpaid since {invoice.due_on.isoformat()}.")
    audit.record(None, "subscription.suspended", subscription, acting_on=invoice.customer,
                 before={"status": "active"}, after={"status": "suspended", "invoice": invoice.number})
    _tell_administrators(subscription, _l("%(customer)s's subscription is suspended", customer=invoice.customer.name),
                         "email/subscription_suspended.txt", invoice=invoice,
                         amount=amount(due_minor, invoice.currency))
    return True


def what_to_pay(subscription: Subscription) -> list[Invoice]:
    """While suspended: the customer's open invoices past their due date, oldest first."""
    if subscription is None or subscription.status != SubscriptionStatus.SUSPENDED:
        return []
    from invoices.reconciliation import overdue_invoices

    return overdue_invoices(subscription.customer_id, today(), 1)


def notify_reactivated(subscription: Subscription) -> None:
    _tell_administrators(subscription, _l("%(customer)s's subscription is active again",
                                          customer=subscription.customer.name),
                         "email/subscription_reactivated.txt")


def _tell_administrators(subscription: Subscription, subject, template: str, **context) -> None:
    """The billing contact, the reseller's administrators and the customer's own administrators."""
    from domain.notifications import payer_link, to_billing_and_reseller

    admins = db.session.scalars(sa.select(User.email).join(CustomerAdmin, CustomerAdmin.user_id == User.id)
                                .where(CustomerAdmin.customer_id == subscription.customer_id)).all()
    invoice = context.get("invoice")
    to_billing_and_reseller(subscription, subject, template, "subscription_status", extra=admins,
                            link=payer_link(invoice) if invoice else None, **context)
