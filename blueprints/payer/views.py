"""What a payer reaches from an invoice e-mail, without an account: a signed link to the invoice."""

from flask import Blueprint, abort, current_app

from app import db
from blueprints.downloads import stored_pdf
from domain import links
from domain.models import Invoice

bp = Blueprint("payer", __name__, url_prefix="/pay")


@bp.get("/<token>/invoice.pdf")
def invoice_pdf(token: str):
    """The invoice's stored PDF; a tampered or expired link is not found."""
    invoice_id = links.unsign("payer-invoice", token, current_app.config["PAYER_LINK_MAX_AGE"])
    invoice = db.session.get(Invoice, invoice_id) if invoice_id is not None else None
    if invoice is None:
        abort(404)
    return stored_pdf(invoice)
