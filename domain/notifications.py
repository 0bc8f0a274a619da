"""The e-mails the subscription's life sends, queued in the outbox in the caller's transaction."""

from flask import render_template

from domain import links, outbox
from domain.models import Customer, Invoice
from domain.money import to_decimal
from invoices.payment import format_rf


def payer_link(invoice: Invoice) -> str:
    """The signed link that lets whoever pays the invoice download it without an account."""
    return links.external_url("payer.invoice_pdf", token=links.sign("payer-invoice", invoice.id))


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
