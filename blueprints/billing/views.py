"""Billing: invoices of the acting-on customer, or all of the reseller's with none chosen."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from flask import current_app, request
from flask_login import current_user

from app import db
from blueprints.access import acting_on
from blueprints.console import console_blueprint
from blueprints.htmx import render
from domain.access import visible_invoices
from domain.customers import Page
from domain.models import Invoice

bp = console_blueprint("billing", __name__, "/console/billing")


@bp.get("/")
def index():
    """List invoices newest first with number, dates, amount and status; htmx pages the table."""
    customer = acting_on()
    query = visible_invoices(current_user)
    if customer is not None:
        query = query.where(Invoice.customer_id == customer.id)
    size = current_app.config["PAGE_SIZE"]
    total = db.session.scalar(query.with_only_columns(sa.func.count()).order_by(None))
    number = max(1, min(request.args.get("page", 1, type=int), max(1, -(-total // size))))
    rows = db.session.scalars(query.options(joinedload(Invoice.customer)).order_by(Invoice.issued_on.desc(), Invoice.id.desc())
                              .limit(size).offset((number - 1) * size)).all()
    return render("billing/index.html", "invoice_table", invoices=Page(list(rows), number, size, total))
