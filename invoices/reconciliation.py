"""Money received by bank transfer: statement import, matching, manual payments, reactivation.

Matching a statement line (billing-rules.md 3.4), in this order:

1. an ISO 11649 RF reference of an invoice, structured or typed into the free text (spaces and
   case do not matter; only references whose check digits hold are looked up);
2. an invoice number (``2027-000042``) in the free text;
3. otherwise the line waits in the queue, with suggestions (open invoices of exactly that amount,
   the payer's name first) that the operator may take or not: never applied by themselves.

A matched line becomes a payment. Paying exactly what is due marks the invoice paid; less leaves
the rest due; more is recorded and shown as an overpayment. A payment that clears what a
suspended subscription owed reactivates it at once.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from stdnum import iso11649

from app import db
from domain import audit
from domain.clock import today
from domain.errors import DomainError
from domain.models import (
    Customer,
    Invoice,
    InvoiceStatus,
    Order,
    OrderStatus,
    Payment,
    StatementLine,
    Subscription,
    SubscriptionStatus,
    User,
)
from invoices import statements
from invoices.issuing import amount_due

RF_START = re.compile(r"RF\d\d")
INVOICE_NUMBER = re.compile(r"(?<!\d)(\d{4})[-/ ]?(\d{6})(?!\d)")


def rf_candidates(text: str) -> list[str]:
    """Every valid RF reference that can be read in ``text``, ignoring spaces and case.

    With the spaces gone a reference runs into the next word, so every length whose check digits
    hold is a candidate (a wrong one passes by chance 1 time in 97, and then names no invoice).
    """
    compact = re.sub(r"\s+", "", text.upper())
    found = []
    for start in RF_START.finditer(compact):
        for end in range(start.start() + 5, min(len(compact), start.start() + 25) + 1):
            candidate = compact[start.start():end]
            if candidate.isalnum() and iso11649.is_valid(candidate):
                found.append(candidate)
    return found


def find_invoice(remittance: str) -> tuple[Invoice | None, str | None]:
    """The invoice the payer named, and how: by its RF reference, else by its number."""
    references = rf_candidates(remittance)
    if references:
        invoice = db.session.scalar(sa.select(Invoice).where(Invoice.rf_reference.in_(references)))
        if invoice is not None:
            return invoice, "RF reference"
    numbers = [f"{year}-{number}" for year, number in INVOICE_NUMBER.findall(remittance)]
    if numbers:
        invoice = db.session.scalar(sa.select(Invoice).where(Invoice.number.in_(numbers)))
        if invoice is not None:
            return invoice, "invoice number"
    return None, None


def suggestions(lines: list[StatementLine], limit: int = 5) -> dict[int, list[Invoice]]:
    """For each line, open invoices of exactly its amount, those whose buyer resembles the payer first.

    One query for all the lines (the queue page shows many).
    """
    if not lines:
        return {}
    due = Invoice.gross_minor - Invoice.paid_minor - Invoice.credited_minor
    candidates = db.session.execute(
        sa.select(Invoice, Customer.name, due).join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.status == InvoiceStatus.OPEN, due.in_({line.amount_minor for line in lines}))
        .order_by(Invoice.due_on, Invoice.id)).all()
    found = {}
    for line in lines:
        words = re.findall(r"\w{3,}", (line.payer_name or "").lower())
        same = [(invoice, name) for invoice, name, left in candidates
                if left == line.amount_minor and invoice.currency == line.currency]
        same.sort(key=lambda pair: not any(word in pair[1].lower() for word in words))
        found[line.id] = [invoice for invoice, _ in same[:limit]]
    return found


def record_payment(invoice: Invoice, amount_minor: int, *, received_on, method: str, reference: str | None,
                   payer_name: str | None = None, line: StatementLine | None = None,
                   actor: User | None = None) -> Payment:
    """Record money received for ``invoice``; settle it when nothing is left due. The caller commits."""
    if amount_minor <= 0:
        raise DomainError(_("The amount must be more than zero."), field="amount")
    invoice = db.session.scalar(sa.select(Invoice).where(Invoice.id == invoice.id).with_for_update())
    if invoice.status == InvoiceStatus.CREDITED:
        raise DomainError(_("Invoice %(number)s is credited in full: nothing is due.", number=invoice.number),
                          field="invoice")
    before = {"paid_minor": invoice.paid_minor, "status": str(invoice.status)}
    payment = Payment(invoice_id=invoice.id, amount_minor=amount_minor, currency=invoice.currency,
                      received_on=received_on, method=method, reference=reference, payer_name=payer_name,
                      statement_line_id=line.id if line else None, recorded_by_id=actor.id if actor else None)
    db.session.add(payment)
    invoice.paid_minor += amount_minor
    if amount_due(invoice) == 0 and invoice.status == InvoiceStatus.OPEN:
        invoice.status = InvoiceStatus.PAID
        _order_paid(invoice)
        reactivate_if_settled(invoice.customer_id, actor)
    audit.record(actor, "invoice.payment_recorded", invoice, acting_on=invoice.customer, before=before,
                 after={"paid_minor": invoice.paid_minor, "status": str(invoice.status), "amount_minor": amount_minor,
                        "method": method, "reference": reference, "currency": invoice.currency})
    db.session.flush()
    return payment


def overpaid_minor(invoice: Invoice) -> int:
    return max(0, invoice.paid_minor + invoice.credited_minor - invoice.gross_minor)


def _order_paid(invoice: Invoice) -> None:
    if invoice.order_id is None:
        return
    order = db.session.get(Order, invoice.order_id)
    if order.status == OrderStatus.INVOICED:
        order.status = OrderStatus.PAID


def overdue_invoices(customer_id: int, on, grace_days: int) -> list[Invoice]:
    """The customer's bank-transfer invoices still unpaid ``grace_days`` after they fell due."""
    return db.session.scalars(sa.select(Invoice).where(
        Invoice.customer_id == customer_id, Invoice.status == InvoiceStatus.OPEN,
        Invoice.due_on <= on - timedelta(days=grace_days),
        Invoice.gross_minor > Invoice.paid_minor + Invoice.credited_minor).order_by(Invoice.due_on)).all()


def reactivate_if_settled(customer_id: int, actor: User | None) -> bool:
    """Lift a suspension for non-payment once nothing overdue is left (R9)."""
    from domain import dunning

    subscription = db.session.scalar(sa.select(Subscription).where(Subscription.customer_id == customer_id))
    if subscription is None or subscription.status != SubscriptionStatus.SUSPENDED:
        return False
    db.session.flush()
    if overdue_invoices(customer_id, today(), dunning.SUSPEND_AFTER_DAYS):
        return False
    before = {"status": "suspended", "reason": subscription.suspended_reason}
    subscription.status, subscription.suspended_reason = SubscriptionStatus.ACTIVE, None
    audit.record(actor, "subscription.reactivated", subscription, acting_on=subscription.customer, before=before,
                 after={"status": "active"})
    dunning.notify_reactivated(subscription)
    return True


@dataclass
class ImportReport:
    statement_id: str
    new: int = 0
    duplicates: int = 0
    skipped: int = 0
    matched: list[tuple[str, str]] = field(default_factory=list)  # (invoice number, how)
    unmatched: int = 0


def import_statement(data: bytes, *, actor: User) -> ImportReport:
    """Import a CAMT.053 or MT940 file: new credit lines are stored and matched. The caller commits.

    A line whose bank reference was imported before is skipped, so importing a file twice changes
    nothing. A malformed file raises DomainError before anything is stored.
    """
    statement = statements.parse(data)
    report = ImportReport(statement.statement_id, skipped=statement.skipped)
    for entry in statement.entries:
        if db.session.scalar(sa.select(StatementLine.id).where(StatementLine.bank_reference == entry.bank_reference)):
            report.duplicates += 1
            continue
        line = StatementLine(bank_reference=entry.bank_reference, statement_id=statement.statement_id[:140],
                             booked_on=entry.booked_on, amount_minor=entry.amount_minor, currency=entry.currency,
                             payer_name=(entry.payer_name or "")[:200] or None, payer_iban=entry.payer_iban,
                             remittance=entry.remittance[:500] or None)
        db.session.add(line)
        db.session.flush()
        report.new += 1
        invoice, how = find_invoice(entry.remittance)
        if invoice is not None and invoice.currency == entry.currency and invoice.status != InvoiceStatus.CREDITED:
            settle(line, invoice, actor=actor, how=how)
            report.matched.append((invoice.number, how))
        else:
            report.unmatched += 1
    audit.record(actor, "statement.imported", "Statement",
                 after={"statement": statement.statement_id, "new": report.new, "duplicates": report.duplicates,
                        "matched": len(report.matched), "unmatched": report.unmatched})
    return report


def settle(line: StatementLine, invoice: Invoice, *, actor: User, how: str = "by hand") -> Payment:
    """Turn a statement line into a payment of ``invoice``. The caller commits."""
    if line.state != "unmatched":
        raise DomainError(_("This line has been dealt with already."))
    if line.currency != invoice.currency:
        raise DomainError(_("The line is in %(line)s, the invoice in %(invoice)s.", line=line.currency,
                            invoice=invoice.currency), field="invoice")
    payment = record_payment(invoice, line.amount_minor, received_on=line.booked_on, method="bank_transfer",
                             reference=line.bank_reference, payer_name=line.payer_name, line=line, actor=actor)
    line.state = "matched"
    audit.record(actor, "statement_line.matched", line, acting_on=invoice.customer,
                 after={"invoice": invoice.number, "how": how, "amount_minor": line.amount_minor,
                        "currency": line.currency})
    return payment


def dismiss(line: StatementLine, reason: str, *, actor: User) -> None:
    """Take a line out of the queue without a payment (a refund to make, a transfer to another account…)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the line is dismissed."), field="reason")
    if line.state != "unmatched":
        raise DomainError(_("This line has been dealt with already."))
    line.state, line.dismiss_reason = "dismissed", reason[:300]
    audit.record(actor, "statement_line.dismissed", line, after={"reason": line.dismiss_reason})
