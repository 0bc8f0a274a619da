"""What a payer reaches from an invoice e-mail, without an account: a signed link to the invoice.

The page shows what is due and how to pay it (IBAN, BIC, RF reference with copy buttons, the EPC
QR code) and the PDF. A tampered link is not found. An expired one (links work for 400 days) says so and
offers a new link, sent to the customer's billing address as it is today (the one the customer keeps
up to date under Business Information, never one the visitor gives), in a new invoice e-mail. The page
speaks the invoice's language (the one its e-mail was written in) unless the visitor picks another in the
header.
"""

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh

from app import db, limiter
from blueprints.downloads import stored_pdf
from blueprints.htmx import render
from domain import dunning, links, notifications
from domain.clock import today
from domain.models import Invoice, SubscriptionStatus
from invoices.issuing import amount_due, payer_status
from invoices.payment import transfer_details

bp = Blueprint("payer", __name__, url_prefix="/pay")


PURPOSE = "payer-invoice"


def _max_age() -> int:
    return current_app.config["PAYER_LINK_MAX_AGE"]


def _linked(token: str) -> tuple[Invoice | None, bool]:
    """The invoice a genuine link names, and whether the link has expired (a valid one is checked once)."""
    invoice_id, expired = links.unsign(PURPOSE, token, _max_age()), False
    if invoice_id is None:
        invoice_id = links.unsign_expired(PURPOSE, token, _max_age())
        expired = invoice_id is not None
    return (db.session.get(Invoice, invoice_id) if invoice_id is not None else None), expired


def _invoice(token: str) -> Invoice:
    invoice, expired = _linked(token)
    if invoice is None or expired:
        abort(404)
    return invoice


def _expired_invoice(token: str) -> Invoice | None:
    """The invoice of a genuine link that has expired, else None."""
    invoice, expired = _linked(token)
    return invoice if expired else None


def _renew_key() -> str:
    """Rate-limit key for the invoice an expired link names, whatever address the requests come from."""
    invoice = _expired_invoice(request.view_args["token"])
    return f"payer-link:{invoice.id if invoice else 'none'}"


def _renew_limit() -> str:
    return current_app.config["RESET_LIMIT"]


@bp.get("/<token>")
def invoice_page(token: str):
    """The invoice's summary, what is left to pay and how, and its PDF; for an expired link, a new one."""
    invoice, expired = _linked(token)
    if invoice is None:
        abort(404)
    g.document_locale = invoice.snapshot.get("locale")
    refresh()  # in case anything was translated before the invoice was known
    if expired:
        return render_template("payer/link_expired.html", invoice=invoice, token=token,
                               days=_max_age() // 86400), 410
    due = amount_due(invoice)
    transfer = transfer_details(invoice.snapshot, amount_minor=due, currency=invoice.currency) if due else None
    return render("payer/invoice.html", invoice=invoice, due=due, status=payer_status(invoice), transfer=transfer,
                  token=token, **_what_lateness_does(invoice))


def _what_lateness_does(invoice: Invoice) -> dict:
    """For an overdue invoice, what its lateness does to the subscription (R9): ``suspended`` already, or the day
    ``suspends_on`` that it will be while it is still ahead; neither once the subscription is not active."""
    subscription = invoice.customer.subscription
    status = subscription.status if subscription is not None else None
    suspends_on = invoice.due_on + timedelta(days=dunning.SUSPEND_AFTER_DAYS)
    return {"suspended": status == SubscriptionStatus.SUSPENDED,
            "suspends_on": suspends_on if status == SubscriptionStatus.ACTIVE and suspends_on > today() else None}


@bp.get("/<token>/invoice.pdf")
def invoice_pdf(token: str):
    """The invoice's stored PDF."""
    return stored_pdf(_invoice(token))


@bp.post("/<token>/renew")
@limiter.limit(_renew_limit)
@limiter.limit(_renew_limit, key_func=_renew_key)
def renew_link(token: str):
    """Send the invoice e-mail again, with a new link, to the customer's billing address (never one given here)."""
    invoice = _expired_invoice(token)
    if invoice is None:
        abort(404)
    notifications.invoice_issued(invoice, to=invoice.customer.billing_email)
    db.session.commit()
    flash(_("A new link to invoice %(number)s has been sent to the billing address of %(customer)s.",
            number=invoice.number, customer=invoice.customer.name))
    return redirect(url_for("payer.invoice_page", token=token), 303)
