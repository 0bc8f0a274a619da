"""HTML to PDF with WeasyPrint: PDF/A-3b, fonts embedded, no resource fetched from anywhere."""

import base64
from datetime import date

from babel import Locale
from flask import render_template
from flask_babel import force_locale, get_locale
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from invoices import einvoice
from invoices.payment import transfer_details


def _fetcher() -> URLFetcher:
    """Let a document use only what it carries itself (data: URIs): no file or network is read."""
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def render_html(document) -> str:
    """The HTML of an invoice or credit note, in the buyer's language."""
    snap = document.snapshot
    supply_start, supply_last = einvoice.document_supply(document)
    context = {
        "document": document, "snap": snap, "supply_start": supply_start, "supply_last": supply_last,
        "country_name": country_name, "paid_on": date.fromisoformat(snap["paid_on"]) if snap.get("paid_on") else None,
        "invoice_issued_on": date.fromisoformat(snap["invoice_issued_on"]) if snap.get("invoice_issued_on") else None,
        "logo_uri": "data:image/svg+xml;base64," + base64.b64encode(snap["seller"]["logo_svg"].encode()).decode()
        if snap["seller"].get("logo_svg") else None,
    }
    if snap.get("rf_reference"):
        context["transfer"] = transfer_details(snap, amount_minor=document.gross_minor, currency=document.currency)
    with force_locale(snap.get("locale", "en")):
        return render_template("invoices/document.html", **context)


def country_name(code: str) -> str:
    """The country's name in the current locale (Babel's territory names)."""
    return (get_locale() or Locale("en")).territories.get(code, code)


def html_to_pdf(html: str) -> bytes:
    """Render ``html`` as a PDF/A-3b."""
    return HTML(string=html, url_fetcher=_fetcher()).write_pdf(pdf_variant="pdf/a-3b")


def render_pdf(document) -> bytes:
    """The final PDF of ``document``: PDF/A-3b with its Factur-X XML attached."""
    return einvoice.embed(html_to_pdf(render_html(document)), document,
                          lang=document.snapshot.get("locale", "en").replace("_", "-"))
