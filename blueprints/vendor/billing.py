"""The vendor's money: invoices with their payments and credit notes, and bank statement reconciliation."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app import db
from blueprints.access import operator_required
from blueprints.downloads import INVOICE_STATUSES, invoice_columns, stored_pdf
from blueprints.downloads import invoices_csv as invoices_file
from blueprints.htmx import render
from blueprints.params import row_id
from domain.clock import today
from domain.errors import DomainError
from domain.models import CreditNote, Customer, Invoice, Payment, Reseller, StatementLine
from domain.money import format_money, to_decimal, to_minor
from domain.pages import paginate
from invoices import issuing, reconciliation

from .forms import AssignForm, CreditForm, DismissForm, PaymentForm, StatementForm
from .views import bp


@dataclass(frozen=True)
class InvoiceFilters:
    """The invoice list's filters, read from the query string: the page and its CSV select the same invoices."""

    search: str
    status: str
    reseller_id: int | None

    @classmethod
    def from_request(cls) -> "InvoiceFilters":
        return cls(request.args.get("q", "").strip()[:100], request.args.get("status", ""),
                   row_id(request.args.get("reseller", "")))

    @property
    def args(self) -> dict:
        return {k: v for k, v in {"q": self.search, "status": self.status, "reseller": self.reseller_id}.items() if v}

    def on_invoices(self) -> list:
        """The conditions on the invoice row alone (they can be counted without the joins)."""
        return [*([Invoice.reseller_id == self.reseller_id] if self.reseller_id else []),
                *issuing.with_payer_status(self.status)]

    def select(self, *columns):
        """``columns`` of the selected invoices, joined to their customer and reseller."""
        query = (sa.select(*columns).join(Customer, Customer.id == Invoice.customer_id)
                 .join(Reseller, Reseller.id == Invoice.reseller_id).where(*self.on_invoices()))
        if self.search:
            like = f"%{self.search}%"
            query = query.where(sa.or_(Invoice.number.ilike(like), Customer.name.ilike(like),
                                       Invoice.rf_reference.ilike(like.replace(" ", ""))))
        return query


@bp.get("/invoices")
@operator_required
def invoices():
    """Every invoice, newest first; search by number, customer or RF reference; filter by status and reseller."""
    chosen = InvoiceFilters.from_request()
    query = chosen.select(Invoice, Customer.name, Reseller.name)
    total = None
    if not chosen.search:  # every invoice has its customer and reseller: counted without the joins
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Invoice).where(*chosen.on_invoices()))
    page = paginate(query, page=request.args.get("page", 1, type=int), size=current_app.config["PAGE_SIZE"],
                    order_by=(Invoice.issued_on.desc(), Invoice.id.desc()), scalars=False, total=total)
    return render("vendor/invoices.html", "invoice_table", page=page, search=chosen.search, status=chosen.status,
                  statuses=INVOICE_STATUSES, resellers=_reseller_choices, reseller_id=chosen.reseller_id,
                  args=chosen.args)


@bp.get("/invoices.csv")
@operator_required
def invoices_csv():
    """Every invoice the list's filters select, with its customer and reseller, as CSV."""
    return invoices_file(InvoiceFilters.from_request().select(*invoice_columns(reseller=True)), reseller=True)


def _reseller_choices() -> list:
    """(id, name) of every reseller by name, for the filter; read only when the whole page is drawn."""
    return db.session.execute(sa.select(Reseller.id, Reseller.name).order_by(Reseller.name, Reseller.id)).all()


def _invoice_page(invoice: Invoice, payment_form: PaymentForm | None = None, credit_form: CreditForm | None = None):
    notes = invoice_credit_notes(invoice)
    credited_net = sum(note.net_minor for note in notes)
    credit_form = credit_form or CreditForm(formdata=None, amount=to_decimal(invoice.net_minor - credited_net,
                                                                           invoice.currency))
    payment_form = payment_form or PaymentForm(formdata=None, received_on=today(),
                                               amount=to_decimal(issuing.amount_due(invoice), invoice.currency))
    payments = db.session.scalars(sa.select(Payment).where(Payment.invoice_id == invoice.id)
                                  .order_by(Payment.received_on, Payment.id)).all()
    return render("vendor/invoice.html", invoice=invoice, payments=payments, notes=notes,
                  due=issuing.amount_due(invoice), overpaid=reconciliation.overpaid_minor(invoice),
                  status=issuing.payer_status(invoice), payment_form=payment_form, credit_form=credit_form)


def invoice_credit_notes(invoice: Invoice) -> list[CreditNote]:
    return db.session.scalars(sa.select(CreditNote).where(CreditNote.invoice_id == invoice.id)
                              .order_by(CreditNote.id)).all()


@bp.get("/invoices/<int:invoice_id>")
@operator_required
def invoice(invoice_id: int):
    """One invoice: what is due, its payments and credit notes, and the forms to add either."""
    return _invoice_page(db.get_or_404(Invoice, invoice_id))


@bp.post("/invoices/<int:invoice_id>/payments")
@operator_required
def record_payment(invoice_id: int):
    """Record a payment by hand (a transfer to another account, a cheque…)."""
    invoice = db.get_or_404(Invoice, invoice_id)
    form = PaymentForm()
    if form.validate_on_submit():
        try:
            reconciliation.record_payment(invoice, to_minor(form.amount.data, invoice.currency),
                                          received_on=form.received_on.data, method="manual",
                                          reference=form.reference.data.strip(), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            form.amount.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Payment of %(amount)s recorded on %(number)s.", number=invoice.number,
                    amount=format_money(to_minor(form.amount.data, invoice.currency), invoice.currency)))
            return redirect(url_for("vendor.invoice", invoice_id=invoice.id), 303)
    return _invoice_page(invoice, payment_form=form)


@bp.post("/invoices/<int:invoice_id>/credit-notes")
@operator_required
def credit(invoice_id: int):
    """Credit the invoice wholly or in part, with a reason: a credit note of its own series."""
    invoice = db.get_or_404(Invoice, invoice_id)
    form = CreditForm()
    if form.validate_on_submit():
        try:
            note = issuing.credit(invoice, [(_l("Credit of invoice %(number)s: %(reason)s", number=invoice.number,
                                                         reason=form.reason.data.strip()),
                                             to_minor(form.amount.data, invoice.currency))],
                                  form.reason.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            (form.reason if error.field == "reason" else form.amount).errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Credit note %(note)s issued for %(number)s.", note=note.number, number=invoice.number))
            return redirect(url_for("vendor.invoice", invoice_id=invoice.id), 303)
    return _invoice_page(invoice, credit_form=form)


@bp.get("/invoices/<int:invoice_id>.pdf")
@operator_required
def invoice_pdf(invoice_id: int):
    return stored_pdf(db.get_or_404(Invoice, invoice_id))


@bp.get("/credit-notes/<int:credit_note_id>.pdf")
@operator_required
def credit_note_pdf(credit_note_id: int):
    return stored_pdf(db.get_or_404(CreditNote, credit_note_id))


def _payments_page(form: StatementForm | None = None, report: reconciliation.ImportReport | None = None):
    queue = db.session.scalars(sa.select(StatementLine).where(StatementLine.state == "unmatched")
                               .order_by(StatementLine.booked_on, StatementLine.id).limit(200)).all()
    recent = db.session.execute(
        sa.select(StatementLine, Invoice.number, Invoice.id).outerjoin(Payment, Payment.statement_line_id ==
                                                                       StatementLine.id)
        .outerjoin(Invoice, Invoice.id == Payment.invoice_id).where(StatementLine.state != "unmatched")
        .order_by(StatementLine.id.desc()).limit(20)).all()
    return render("vendor/payments.html", form=form or StatementForm(formdata=None), report=report,
                  queue=queue, suggested_for=reconciliation.suggestions(queue), recent=recent,
                  assign_form=AssignForm(formdata=None), dismiss_form=DismissForm(formdata=None))


@bp.get("/payments")
@operator_required
def payments():
    """Import a bank statement; the lines no reference matched wait here to be assigned or dismissed."""
    return _payments_page()


@bp.post("/payments/statements")
@operator_required
def import_statement():
    """Read a CAMT.053 or MT940 file and match its credits; a malformed file changes nothing."""
    form = StatementForm()
    if not form.validate_on_submit():
        return _payments_page(form)
    try:
        report = reconciliation.import_statement(form.statement.data.read(), actor=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        form.statement.errors.append(str(error))
        return _payments_page(form)
    except IntegrityError:  # the same statement imported at the same moment by another request
        db.session.rollback()
        form.statement.errors.append(_("This statement is being imported already; reload the page in a moment."))
        return _payments_page(form)
    return _payments_page(report=report)


@bp.post("/payments/lines/<int:line_id>/assign")
@operator_required
def assign_line(line_id: int):
    """Settle an unmatched line against the invoice the operator names."""
    line, form = db.get_or_404(StatementLine, line_id), AssignForm()
    error = None
    if form.validate_on_submit():
        invoice = db.session.scalar(sa.select(Invoice).where(Invoice.number == form.invoice.data.strip()))
        try:
            if invoice is None:
                raise DomainError(_("There is no invoice %(number)s.", number=form.invoice.data.strip()))
            reconciliation.settle(line, invoice, actor=current_user)
        except DomainError as failure:
            db.session.rollback()
            error = str(failure)
        else:
            db.session.commit()
            amount = format_money(line.amount_minor, line.currency)
            flash(_("%(amount)s from %(payer)s recorded on invoice %(number)s.", amount=amount,
                    payer=line.payer_name or _("the payer"), number=invoice.number))
            return redirect(url_for("vendor.payments"), 303)
    else:
        error = " ".join(map(str, form.invoice.errors))
    flash(_("Line %(reference)s: %(error)s", reference=line.bank_reference, error=error), "error")
    return redirect(url_for("vendor.payments"), 303)


@bp.post("/payments/lines/<int:line_id>/dismiss")
@operator_required
def dismiss_line(line_id: int):
    """Take a line out of the queue, with the reason kept."""
    line, form = db.get_or_404(StatementLine, line_id), DismissForm()
    try:
        reconciliation.dismiss(line, form.reason.data or "", actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(_("Line %(reference)s: %(error)s", reference=line.bank_reference, error=error), "error")
    else:
        db.session.commit()
        flash(_("Line %(reference)s dismissed.", reference=line.bank_reference))
    return redirect(url_for("vendor.payments"), 303)
