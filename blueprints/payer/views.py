"""What a payer reaches from an invoice e-mail, without an account: a signed link to the invoice.

The page shows what is due and how to pay it (IBAN, BIC, RF reference with copy buttons, the EPC
QR code) and the PDF. A tampered or expired link is not found. The page speaks the invoice's
language (the one its e-mail was written in) unless the visitor picks another in the header.
"""

from flask import Blueprint, abort, current_app, g
from flask_babel import refresh

from app import db
from blueprints.downloads import stored_pdf
from blueprints.htmx import render
from domain import links
from domain.models import Invoice
from invoices.issuing import amount_due, payer_status
from invoices.payment import transfer_details

bp = Blueprint("payer", __name__, url_prefix="/pay")


def _invoice(token: str) -> Invoice:
    invoice_id = links.unsign("payer-invoice", token, current_app.config["PAYER_LINK_MAX_AGE"])
    invoice = db.session.get(Invoice, invoice_id) if invoice_id is not None else None
    if invoice is None:
        abort(404)
    return invoice


@bp.get("/<token>")
def invoice_page(token: str):
    """The invoice's summary, what is left to pay and how, and its PDF."""
    invoice = _invoice(token)
    g.document_locale = invoice.snapshot.get("locale")
    refresh()  # in case anything was translated before the invoice was known
    due = amount_due(invoice)
    transfer = transfer_details(invoice.snapshot, amount_minor=due, currency=invoice.currency) if due else None
    return render("payer/invoice.html", invoice=invoice, due=due, status=payer_status(invoice), transfer=transfer,
                  token=token)


@bp.get("/<token>/invoice.pdf")
def invoice_pdf(token: str):
    """The invoice's stored PDF."""
    return stored_pdf(_invoice(token))
