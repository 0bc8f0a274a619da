"""Serving documents: stored PDFs, the exact bytes issued, never re-rendered; invoice lists as CSV files."""

import sqlalchemy as sa
from flask import Response, abort, request
from flask_babel import lazy_gettext as _l

from app import db
from domain import spreadsheets
from domain.models import Customer, Invoice, Reseller
from domain.money import to_decimal
from invoices.issuing import amount_due, payer_status

# The invoice lists' status filter (``issuing.with_payer_status``): what the payer reads, "open" with the overdue.
INVOICE_STATUSES = {"open": _l("Open"), "overdue": _l("Overdue"), "paid": _l("Paid"), "credited": _l("Credited")}


def stored_pdf(document) -> Response:
    """Answer with the stored PDF of an invoice or credit note, cacheable by its SHA-256."""
    data = document.pdf  # a deferred column: loaded only here
    if data is None:
        abort(404)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    response.set_etag(document.pdf_sha256)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response.make_conditional(request)


def invoice_columns(*, reseller: bool) -> list:
    """The columns ``invoices_csv`` writes, for a select of invoices joined to their customer (and reseller)."""
    return [Invoice.number, Invoice.issued_on, Invoice.due_on, Customer.name.label("customer"),
            *([Reseller.name.label("reseller")] if reseller else []), Invoice.net_minor, Invoice.vat_minor,
            Invoice.gross_minor, Invoice.paid_minor, Invoice.credited_minor, Invoice.currency, Invoice.status]


def invoices_csv(query: sa.Select, *, reseller: bool) -> Response:
    """The invoices ``query`` selects (``invoice_columns``), newest first, as a CSV file: amounts in major units,
    days in ISO 8601, the status as the payer reads it (open, partly paid, overdue, paid, credited)."""
    query = query.order_by(Invoice.issued_on.desc(), Invoice.id.desc()).execution_options(yield_per=1000)
    rows = ([row.number, row.issued_on.isoformat(), row.due_on.isoformat(), row.customer,
             *([row.reseller] if reseller else []),
             *(to_decimal(minor, row.currency) for minor in (row.net_minor, row.vat_minor, row.gross_minor,
                                                            amount_due(row))),
             row.currency, payer_status(row)] for row in db.session.execute(query))
    header = ["invoice", "issued", "due", "customer", *(["reseller"] if reseller else []), "net", "VAT", "total",
              "left to pay", "currency", "status"]
    return Response(spreadsheets.to_csv(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="invoices.csv"'})
