"""Order history: who bought what, when, for how much, and where it stands; filtered, paged, exported.

One query per page whatever its length: the customer's name, the buyer and the invoice come joined.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app import db
from domain import spreadsheets
from domain.access import visible_orders
from domain.models import Customer, Invoice, Order, OrderKind, OrderStatus, User
from domain.money import to_decimal
from domain.pages import Page, on_days, paginate

KIND_LABELS = {OrderKind.CREATE: _l("created"), OrderKind.TOP_UP: _l("topped up"), OrderKind.RENEWAL: _l("renewed"),
               OrderKind.RESTART: _l("started again"), OrderKind.CANCELLATION: _l("cancelled"),
               OrderKind.EXPIRY: _l("expired")}
STATUS_LABELS = {OrderStatus.AWAITING_PAYMENT: _l("awaiting payment"), OrderStatus.INVOICED: _l("invoiced"),
                 OrderStatus.PAID: _l("paid"), OrderStatus.LAPSED: _l("lapsed"), OrderStatus.REFUNDED: _l("refunded"),
                 OrderStatus.NO_CHARGE: _l("no charge")}


@dataclass(frozen=True)
class Filters:
    customer_id: int | None = None
    kind: str | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class OrderRow:
    id: int
    created_at: datetime
    customer_id: int
    customer: str
    who: str
    kind: str
    licenses_before: int
    licenses_added: int
    gross_minor: int
    currency: str
    payment_method: str
    status: str
    invoice_id: int | None
    invoice_number: str | None

    @property
    def reduced(self) -> bool:
        return self.kind == OrderKind.RENEWAL and self.licenses_added < self.licenses_before

    @property
    def what(self) -> str:
        return str(_l("reduced at renewal") if self.reduced else KIND_LABELS[OrderKind(self.kind)])

    @property
    def total(self) -> int:
        """The licenses after the order: a renewal or a new start buys its whole quantity, an ending keeps the
        count it had."""
        if self.kind in (OrderKind.RENEWAL, OrderKind.RESTART):
            return self.licenses_added
        return self.licenses_before + self.licenses_added

    @property
    def quantity(self) -> str:
        """As resellers read it: "50, added 12" (the total after, and what the order added)."""
        if self.kind == OrderKind.TOP_UP:
            return _("%(total)s, added %(num)s", total=self.total, num=self.licenses_added)
        if self.reduced:
            return _("%(total)s, down from %(num)s", total=self.total, num=self.licenses_before)
        return f"{self.total}"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[OrderStatus(self.status)])


def _query(viewer: User, filters: Filters) -> sa.Select:
    buyer = aliased(User)
    query = (visible_orders(viewer)
             .join(Customer, Customer.id == Order.customer_id)
             .outerjoin(buyer, buyer.id == Order.placed_by_id)
             .outerjoin(Invoice, Invoice.order_id == Order.id)
             .with_only_columns(Order.id, Order.created_at, Order.customer_id, Customer.name,
                                sa.func.coalesce(buyer.email, "system"), Order.kind, Order.licenses_before,
                                Order.licenses_added, Order.gross_minor, Order.currency, Order.payment_method,
                                Order.status, Invoice.id, Invoice.number))
    if filters.customer_id:
        query = query.where(Order.customer_id == filters.customer_id)
    if filters.kind in {k.value for k in OrderKind}:
        query = query.where(Order.kind == OrderKind(filters.kind))
    if filters.status in {s.value for s in OrderStatus}:
        query = query.where(Order.status == OrderStatus(filters.status))
    return on_days(query, Order.created_at, filters.date_from, filters.date_to)


def _row(values) -> OrderRow:
    return OrderRow(*values[:10], payment_method=str(values[10]), status=str(values[11]), invoice_id=values[12],
                    invoice_number=values[13])


def page(viewer: User, filters: Filters, *, number: int, size: int) -> Page:
    """One page of ``viewer``'s orders, newest first."""
    result = paginate(_query(viewer, filters), page=number, size=size, order_by=(Order.created_at.desc(),
                                                                                 Order.id.desc()), scalars=False)
    return Page([_row(values) for values in result.rows], result.number, result.size, result.total)


def to_csv(viewer: User, filters: Filters) -> str:
    """Every order the filters select, as CSV (amounts in major units with a dot, dates in ISO 8601)."""
    query = _query(viewer, filters).order_by(Order.created_at.desc(), Order.id.desc())
    rows = (_csv_row(_row(values)) for values in db.session.execute(query.execution_options(yield_per=500)))
    return spreadsheets.to_csv(["date", "customer", "who", "what", "licenses", "added", "amount", "currency",
                                "payment method", "status", "invoice"], rows)


def _csv_row(row) -> list:
    return [row.created_at.isoformat(timespec="seconds"), row.customer, row.who, row.what, row.total,
            row.licenses_added if row.kind == OrderKind.TOP_UP else "", to_decimal(row.gross_minor, row.currency),
            row.currency, row.payment_method, row.status, row.invoice_number or ""]
