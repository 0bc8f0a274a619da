"""The e-mails the subscription's life sends, queued in the outbox in the caller's transaction."""

from flask import render_template

from domain import links, outbox
from domain.models import Customer, Invoice, Order, Subscription
from domain.money import to_decimal
from invoices.payment import format_rf


def payer_link(invoice: Invoice) -> str:
    """The signed link to the invoice's payer page: what is due, how to pay it, the PDF; no account needed."""
    return links.external_url("payer.invoice_page", token=links.sign("payer-invoice", invoice.id))


def invoice_issued(invoice: Invoice) -> None:
    """Send the invoice to the customer's billing address, with its payer link."""
    snap = invoice.snapshot
    outbox.enqueue(snap["buyer"]["billing_email"], f"Invoice {invoice.number} from {snap['seller']['name']}",
                   render_template("email/invoice_issued.txt", invoice=invoice, snap=snap, link=payer_link(invoice),
                                   amount=f"{to_decimal(invoice.gross_minor, invoice.currency)} {invoice.currency}",
                                   rf=format_rf(invoice.rf_reference)),
                   kind="invoice")


def added_to_subscription(customer: Customer) -> None:
    """Tell the customer's contact that the organization now has a Business subscription."""
    outbox.enqueue(customer.contact_email, f"{customer.name} has been added to a Business subscription",
                   render_template("email/added_to_subscription.txt", customer=customer,
                                   subscription=customer.subscription, reseller=customer.reseller),
                   kind="subscription_created")


def order_url(order: Order) -> str:
    return links.external_url("create.order", order_id=order.id)


def _renewal_recipients(subscription: Subscription) -> list[str]:
    """The customer's billing contact and its reseller's administrators: those who pay and who act."""
    customer = subscription.customer
    return list(dict.fromkeys([customer.billing_email, *(u.user.email for u in customer.reseller.users)]))


def _to_renewal_recipients(subscription: Subscription, subject: str, template: str, kind: str, **context) -> None:
    body = render_template(template, customer=subscription.customer, subscription=subscription, **context)
    for address in _renewal_recipients(subscription):
        outbox.enqueue(address, subject, body, kind=kind)


def renewal_notice(subscription: Subscription, licenses: int, *, invoice: Invoice | None, reminder: bool) -> None:
    """Say what happens at the end of the period: 30 days before (notice) and 3 days before (reminder)."""
    customer = subscription.customer
    ends = str(subscription.renewal_mode) == "cancel"
    what = "ends" if ends else "renews"
    subject = f"{'Reminder: ' if reminder else ''}{customer.name}'s subscription {what} on {subscription.period_end}"
    _to_renewal_recipients(subscription, subject, "email/renewal_notice.txt", "renewal_notice", licenses=licenses,
                           ends=ends, invoice=invoice, link=payer_link(invoice) if invoice else None)


def card_declined(subscription: Subscription, order: Order, link: str) -> None:
    """The saved card was refused for the renewal: pay through the link, or the subscription expires."""
    _to_renewal_recipients(subscription, f"Renewal payment for {subscription.customer.name} failed",
                           "email/card_declined.txt", "card_declined", order=order, link=link,
                           amount=f"{to_decimal(order.gross_minor, order.currency)} {order.currency}")


def subscription_ended(subscription: Subscription, *, cancelled: bool) -> None:
    _to_renewal_recipients(subscription, f"{subscription.customer.name}'s subscription has ended",
                           "email/subscription_ended.txt", "subscription_ended", cancelled=cancelled)
