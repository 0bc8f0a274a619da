"""Billing: invoices of the acting-on customer, or all of the reseller's with none chosen."""

from flask import Response, current_app, request
from flask_login import current_user
from sqlalchemy.orm import joinedload

from blueprints.access import acting_on, invoice_or_404
from blueprints.console import console_blueprint
from blueprints.downloads import INVOICE_STATUSES, invoice_columns, stored_pdf
from blueprints.downloads import invoices_csv as invoices_file
from blueprints.htmx import render
from blueprints.params import query_day
from domain import order_history
from domain.access import visible_invoices
from domain.models import Customer, Invoice
from domain.pages import paginate
from invoices.issuing import with_payer_status

bp = console_blueprint("billing", __name__, "/console/billing")


@bp.get("/")
def index():
    """List invoices newest first with number, dates, amount and status, filtered by status as the payer reads it
    (open, overdue, paid, credited); htmx pages and filters the table."""
    customer, status = acting_on(), _status()
    invoices = paginate(_listed_invoices(customer, status), page=request.args.get("page", 1, type=int),
                        size=current_app.config["PAGE_SIZE"], order_by=(Invoice.issued_on.desc(), Invoice.id.desc()),
                        options=() if customer else (joinedload(Invoice.customer),))  # acting on one: no name shown
    return render("billing/index.html", "invoice_table", invoices=invoices, status=status,
                  statuses=INVOICE_STATUSES, args={"status": status} if status else {})


@bp.get("/invoices.csv")
def invoices_csv():
    """The invoices of the list (the acting-on customer's, or all of the reseller's, of the status chosen), every
    one, as CSV."""
    query = _listed_invoices(acting_on(), _status()).join(Customer, Customer.id == Invoice.customer_id)
    return invoices_file(query.with_only_columns(*invoice_columns(reseller=False)), reseller=False)


def _status() -> str:
    status = request.args.get("status", "")
    return status if status in INVOICE_STATUSES else ""


def _listed_invoices(customer: Customer | None, status: str):
    """The invoices the list shows: the acting-on customer's, or all of the reseller's with none chosen."""
    query = visible_invoices(current_user).where(*with_payer_status(status))
    return query if customer is None else query.where(Invoice.customer_id == customer.id)


@bp.get("/invoices/<int:invoice_id>.pdf")
def invoice_pdf(invoice_id: int):
    """Serve the stored PDF of an invoice, byte for byte as issued."""
    invoice = invoice_or_404(invoice_id)
    return stored_pdf(invoice)


def _filters() -> order_history.Filters:
    args = request.args
    customer = acting_on()
    return order_history.Filters(customer_id=customer.id if customer else None, kind=args.get("kind") or None,
                                 status=args.get("status") or None, date_from=query_day("from"),
                                 date_to=query_day("to"))


@bp.get("/orders")
def orders():
    """Order history of the acting-on customer, or all of the reseller's, filtered; htmx refreshes the table."""
    filters = _filters()
    history = order_history.page(current_user, filters, number=request.args.get("page", 1, type=int),
                                 size=current_app.config["PAGE_SIZE"])
    return render("billing/orders.html", "order_table", orders=history, filters=filters,
                  kinds=order_history.KIND_LABELS, statuses=order_history.STATUS_LABELS,
                  args={k: v for k, v in request.args.items() if k in {"kind", "status", "from", "to"} and v})


@bp.get("/orders.csv")
def orders_csv():
    """The filtered order history as a CSV file."""
    return Response(order_history.to_csv(current_user, _filters()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="orders.csv"'})
