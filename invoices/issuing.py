"""Issuing invoices and credit notes (R8, R9).

``issue(order)`` takes the next number of the year in the same transaction that freezes the
invoice: a snapshot of seller, buyer, lines, VAT per rate and legal mentions, and the PDF rendered
once and stored with its SHA-256. Every later download serves those bytes; nothing is re-rendered.
If rendering fails the transaction rolls back and the number is given back, so there is no gap.
"""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from babel.numbers import get_currency_precision
from flask_babel import force_locale, format_currency
from flask_babel import gettext as _

from app import db
from domain import audit, seller, vat
from domain.clock import today
from domain.errors import DomainError
from domain.models import (
    CreditNote,
    Customer,
    Invoice,
    InvoiceStatus,
    Order,
    OrderStatus,
    Reseller,
    User,
)
from domain.pricing import Line, vat_totals
from invoices import numbering, pdf
from invoices.payment import rf_reference

PAYMENT_DAYS = 30


def _party(record, name: str | None = None) -> dict:
    return {"name": name or record.name, "street": record.street, "postal_code": record.postal_code,
            "city": record.city, "country": record.country, "vat_number": record.vat_number}


def _totals(lines: list[dict], category: str) -> list[dict]:
    as_lines = [Line(x["description"], x["quantity"], x["months"], x["unit_price_minor"], x["amount_minor"],
                     x["vat_rate_bp"], "") for x in lines]
    return [{"rate_bp": t.rate_bp, "category": t.category, "taxable_minor": t.taxable_minor, "vat_minor": t.vat_minor}
            for t in vat_totals(as_lines, category)]


class RenderingFailed(DomainError):
    """The PDF could not be produced: the caller rolls back, so no number is taken and nothing is kept."""


def _store_pdf(document) -> None:
    try:
        document.pdf = pdf.render_pdf(document)
    except Exception as error:  # any failure of WeasyPrint (fonts, memory, a bug) must not leave half an invoice
        raise RenderingFailed(_("The invoice could not be produced just now, so nothing was saved or charged. "
                                "Please try again in a moment.")) from error
    document.pdf_sha256 = hashlib.sha256(document.pdf).hexdigest()


def issue(order: Order, *, on: date | None = None, actor: User | None = None) -> Invoice:
    """Issue the invoice of ``order`` (once); the caller commits."""
    if db.session.scalar(sa.select(Invoice.id).where(Invoice.order_id == order.id)) is not None:
        raise DomainError(_("This order has been invoiced already."))
    on = on or today()
    customer = db.session.get(Customer, order.customer_id)
    with force_locale(customer.locale or "en"):  # the invoice speaks the customer's language, mentions included
        invoice = _invoice(order, customer, on)
    _check_totals(invoice)
    db.session.add(invoice)
    db.session.flush()
    _store_pdf(invoice)
    audit.record(actor, "invoice.issued", invoice, acting_on=customer,
                 after={"number": invoice.number, "gross_minor": invoice.gross_minor, "currency": invoice.currency})
    db.session.flush()
    return invoice


def _invoice(order: Order, customer: Customer, on: date) -> Invoice:
    settings = seller.settings()
    reseller = db.session.get(Reseller, order.reseller_id)
    category = vat.CATEGORY[order.vat_treatment]
    lines = [{"description": line.description, "quantity": line.quantity, "months": line.months,
              "unit_price_minor": line.unit_price_minor, "amount_minor": line.amount_minor,
              "vat_rate_bp": line.vat_rate_bp} for line in order.lines]
    number = numbering.take_number("INV", on.year)
    paid = order.status == OrderStatus.PAID
    return Invoice(
        number=number, order_id=order.id, customer_id=customer.id, reseller_id=reseller.id, issued_on=on,
        due_on=on + timedelta(days=PAYMENT_DAYS), supply_start=order.supply_start, supply_end=order.supply_end,
        currency=order.currency, net_minor=order.net_minor, vat_minor=order.vat_minor, gross_minor=order.gross_minor,
        paid_minor=order.gross_minor if paid else 0, status=InvoiceStatus.PAID if paid else InvoiceStatus.OPEN,
        payment_method=order.payment_method, vat_treatment=order.vat_treatment,
        vat_mention=vat.mention(order.vat_treatment), rf_reference=rf_reference(number),
        snapshot={
            "kind": "invoice", "locale": customer.locale or "en",
            "seller": {**_party(settings, settings.legal_name), "iban": settings.iban, "bic": settings.bic,
                       "footer": settings.invoice_footer, "logo_svg": settings.logo_svg},
            "buyer": {**_party(customer), "contact_name": customer.contact_name,
                      "billing_email": customer.billing_email, "po_reference": order.po_reference},
            "reseller": _party(reseller),
            "lines": lines, "vat_totals": _totals(lines, category),
            "vat": {"treatment": order.vat_treatment, "category": category, "reason": order.vat_reason,
                    "mention": vat.mention(order.vat_treatment)},
            "supply_start": order.supply_start.isoformat(), "supply_end": order.supply_end.isoformat(),
            "rf_reference": rf_reference(number),
            "payment_terms": (_("Paid by card") if paid else
                              _("Payable by bank transfer within %(days)s days, quoting the RF reference",
                                days=PAYMENT_DAYS)),
            "paid_on": order.paid_at.date().isoformat() if paid and order.paid_at else None,
        },
    )


def _check_totals(document) -> None:
    """Refuse a document whose totals disagree with its lines: a bug must never reach a customer."""
    snap = document.snapshot
    net = sum(line["amount_minor"] for line in snap["lines"])
    tax = sum(total["vat_minor"] for total in snap["vat_totals"])
    if (net, tax, net + tax) != (document.net_minor, document.vat_minor, document.gross_minor):
        raise DomainError(_("The document's totals do not add up; nothing was issued."))


def amount_due(invoice: Invoice) -> int:
    """What is left to pay: total less payments and credit notes (never below zero)."""
    return max(0, invoice.gross_minor - invoice.paid_minor - invoice.credited_minor)


def payer_status(invoice: Invoice) -> str:
    """open, partly paid, overdue, paid or credited: as the payer needs to read it."""
    if invoice.status != InvoiceStatus.OPEN:
        return str(invoice.status)
    if amount_due(invoice) > 0 and invoice.due_on < today():
        return "overdue"
    return "partly paid" if invoice.paid_minor > 0 else "open"


def with_payer_status(status: str) -> list:
    """The conditions on an invoice row that select the invoices a list filtered by ``status`` shows: open (left
    to pay, the overdue ones with them), overdue (left to pay after the due day, as ``payer_status`` reads it),
    paid or credited. Any other value selects every invoice."""
    if status == "overdue":
        return [Invoice.status == InvoiceStatus.OPEN, Invoice.due_on < today()]
    if status in ("open", "paid", "credited"):
        return [Invoice.status == InvoiceStatus(status)]
    return []


def credit(invoice: Invoice, lines: list[tuple[str, int]], reason: str, *, on: date | None = None,
           actor: User | None = None) -> CreditNote:
    """Credit ``invoice`` with (description, net amount) lines, at its own VAT treatment; the caller commits.

    The credit note takes a number of its own gapless series and refers to the invoice. Its total
    including VAT can never exceed what is left of the invoice.
    """
    if not reason.strip():
        raise DomainError(_("Give the reason for the credit note."), field="reason")
    if not lines or any(amount <= 0 for _text, amount in lines):
        raise DomainError(_("Each credited amount must be more than zero."), field="amount")
    on = on or today()
    rates = {total["rate_bp"] for total in invoice.snapshot["vat_totals"]}
    rate = max(rates)
    category = invoice.snapshot["vat"]["category"]
    with force_locale(invoice.snapshot.get("locale", "en")):  # the credit note speaks its invoice's language
        texts = [str(text) for text, _amount in lines]
        payment_terms = _("Credit of invoice %(number)s", number=invoice.number)
    credit_lines = [{"description": text, "quantity": 1, "months": 1, "unit_price_minor": amount,
                     "amount_minor": amount, "vat_rate_bp": rate}
                    for text, (_text, amount) in zip(texts, lines, strict=True)]
    totals = _totals(credit_lines, category)
    net = sum(amount for _text, amount in lines)
    tax = sum(total["vat_minor"] for total in totals)
    left = invoice.gross_minor - invoice.credited_minor
    if net + tax > left:
        raise DomainError(_("A credit note cannot exceed what is left of the invoice (%(left)s including VAT).",
                            left=format_currency(Decimal(left).scaleb(-get_currency_precision(invoice.currency)),
                                                      invoice.currency)), field="amount")
    number = numbering.take_number("CN", on.year)
    note = CreditNote(
        number=number, invoice_id=invoice.id, issued_on=on, reason=reason.strip(), currency=invoice.currency,
        net_minor=net, vat_minor=tax, gross_minor=net + tax, created_by_id=actor.id if actor else None,
        snapshot={**{k: invoice.snapshot[k] for k in ("locale", "seller", "buyer", "reseller", "vat",
                                                       "supply_start", "supply_end")},
                  "kind": "credit_note", "lines": credit_lines, "vat_totals": totals, "reason": reason.strip(),
                  "invoice_number": invoice.number, "invoice_issued_on": invoice.issued_on.isoformat(),
                  "rf_reference": None, "payment_terms": payment_terms},
    )
    _check_totals(note)
    db.session.add(note)
    invoice.credited_minor += note.gross_minor
    if invoice.credited_minor >= invoice.gross_minor:
        invoice.status = InvoiceStatus.CREDITED
    elif amount_due(invoice) == 0:
        invoice.status = InvoiceStatus.PAID
    db.session.flush()
    _store_pdf(note)
    audit.record(actor, "credit_note.issued", note, acting_on=invoice.customer,
                 after={"number": number, "invoice": invoice.number, "gross_minor": note.gross_minor,
                        "currency": note.currency})
    db.session.flush()
    return note


def verify() -> list[str]:
    """Re-hash every stored PDF; return the numbers whose bytes no longer match their SHA-256."""
    mismatches = []
    for model in (Invoice, CreditNote):
        query = sa.select(model.number, model.pdf, model.pdf_sha256).order_by(model.id)
        for number, data, digest in db.session.execute(query.execution_options(yield_per=50)):
            if data is None or hashlib.sha256(data).hexdigest() != digest:
                mismatches.append(number)
    return mismatches


