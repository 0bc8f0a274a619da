"""Reading customers for lists: one query per page, whatever the number of rows."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app import db
from domain import audit
from domain.access import visible_customers
from domain.models import MEMBER_IS_LIVE, Customer, Member, Reseller, Subscription, SubscriptionStatus, User
from domain.pages import Page, paginate


@dataclass(frozen=True)
class CustomerRow:
    id: int
    name: str
    contact_email: str
    vat_number: str | None
    licenses: int | None
    assigned: int
    term_months: int | None
    renewal_date: date | None
    status: str


def search_filter(search: str):
    """Match a customer by name, contact or billing e-mail, or VAT number (case-insensitive)."""
    pattern = f"%{search.strip().lower()}%"
    return sa.or_(
        sa.func.lower(Customer.name).like(pattern),
        sa.func.lower(Customer.contact_email).like(pattern),
        sa.func.lower(Customer.billing_email).like(pattern),
        sa.func.lower(sa.func.coalesce(Customer.vat_number, "")).like(pattern),
    )


SORTS = ("name", "renewal")  # by name; by renewal date, soonest first (no date last)
STATUSES = tuple(status.value for status in SubscriptionStatus)


def customer_page(user: User, *, search: str = "", status: str = "", sort: str = "name", page: int = 1,
                  size: int = 25) -> Page:
    """One page of the customers ``user`` may see, with license use, term, renewal and status; ``status`` keeps
    those whose subscription is in it (any other value: all), ``sort`` is one of ``SORTS``.

    License use is the subscription's ``assigned`` counter: no member is counted to draw the list.
    """
    result = paginate(row_query(user, search, status), page=page, size=size, order_by=_order(sort), scalars=False,
                      counted_with_rows=bool(search.strip()) or status in STATUSES)
    rows = [CustomerRow(*r[:8], status=str(r[8]) if r[8] else "no subscription") for r in result.rows]
    return Page(rows=rows, number=result.number, size=result.size, total=result.total)


def row_query(user: User, search: str = "", status: str = "") -> sa.Select:
    """The list's customers with what each row shows, neither ordered nor paged. On PostgreSQL the customers'
    part is read from ``ix_customers_reseller_list`` alone (``LISTED_CUSTOMER_COLUMNS``)."""
    return _listed(user, search, status).with_only_columns(
        Customer.id, Customer.name, Customer.contact_email, Customer.vat_number, Subscription.licenses,
        sa.func.coalesce(Subscription.assigned, 0), Subscription.term_months, Subscription.period_end,
        Subscription.status,
    )


EXPORT_HEADER = ["customer", "contact", "contact e-mail", "billing e-mail", "VAT number", "country",
                 "PO reference", "licenses", "members", "term (months)", "payment", "renewal date", "status"]


def customer_export(user: User, *, search: str = "", status: str = "", sort: str = "name"):
    """Every customer of the list as the filters keep it (not only one page), in its order, as rows under
    ``EXPORT_HEADER``: read in batches, so a reseller's whole list streams, whatever its size."""
    query = _listed(user, search, status).with_only_columns(
        Customer.name, Customer.contact_name, Customer.contact_email, Customer.billing_email, Customer.vat_number,
        Customer.country, Customer.po_reference, Subscription.licenses, sa.func.coalesce(Subscription.assigned, 0),
        Subscription.term_months, Subscription.payment_method, Subscription.period_end, Subscription.status,
    ).order_by(*_order(sort)).execution_options(yield_per=1000)
    for row in db.session.execute(query):
        *fields, payment, renewal, state = row
        yield [*fields, str(payment) if payment else "", renewal.isoformat() if renewal else "",
               str(state) if state else "no subscription"]


def _listed(user: User, search: str, status: str) -> sa.Select:
    """The customers of the list: ``user``'s, matching ``search``, in ``status``, each with its subscription."""
    query = visible_customers(user).outerjoin(Subscription, Subscription.customer_id == Customer.id)
    if search.strip():
        query = query.where(search_filter(search))
    if status in STATUSES:
        query = query.where(Subscription.status == SubscriptionStatus(status))
    return query


def _order(sort: str) -> tuple:
    order = (sa.func.lower(Customer.name), Customer.id)
    if sort == "renewal":
        order = (Subscription.period_end.is_(None), Subscription.period_end, *order)
    return order


def acting_on_choices(user: User) -> list[tuple[int, str]]:
    """(id, name) of every customer ``user`` may act on, for the Acting On drop-down."""
    query = visible_customers(user).with_only_columns(Customer.id, Customer.name)
    return [tuple(row) for row in db.session.execute(query.order_by(sa.func.lower(Customer.name), Customer.id))]


def reseller_usage(reseller: Reseller) -> dict:
    """Organizations and users in use against the reseller's Allowed Organizations and Allowed Users."""
    organizations = db.session.scalar(
        sa.select(sa.func.count()).select_from(Customer).where(Customer.reseller_id == reseller.id))
    return {"organizations": organizations, "allowed_organizations": reseller.allowed_organizations,
            "users": reseller.users_assigned, "allowed_users": reseller.allowed_users}


def live_members_of_reseller():
    """Licenses given (invited or active members) across all of a reseller's customers, counted: the
    reference for the ``Reseller.users_assigned`` counter (a correlated count over ``resellers``)."""
    return (sa.select(sa.func.count()).select_from(Member)
            .join(Subscription, Subscription.id == Member.subscription_id)
            .join(Customer, Customer.id == Subscription.customer_id)
            .where(Customer.reseller_id == Reseller.id, MEMBER_IS_LIVE)
            .correlate(Reseller).scalar_subquery())


def live_members_of_subscription():
    """The reference for the ``Subscription.assigned`` counter (a correlated count over ``subscriptions``)."""
    return (sa.select(sa.func.count()).select_from(Member)
            .where(Member.subscription_id == Subscription.id, MEMBER_IS_LIVE)
            .correlate(Subscription).scalar_subquery())


def recount_members() -> None:
    """Set the member counters from the members, after rows were written around the ORM (bulk)."""
    db.session.execute(sa.update(Subscription).values(assigned=live_members_of_subscription())
                       .execution_options(synchronize_session=False))
    db.session.execute(sa.update(Reseller).values(users_assigned=live_members_of_reseller())
                       .execution_options(synchronize_session=False))
    db.session.expire_all()


def update_business_information(customer: Customer, info, *, actor: User) -> dict:
    """Change a customer's business information; audit what changed. Issued invoices keep their snapshot."""
    from dataclasses import asdict

    changes = {key: (getattr(customer, key), value) for key, value in asdict(info).items()
               if getattr(customer, key) != value}
    if not changes:
        return {}
    for key, (_, new) in changes.items():
        setattr(customer, key, new)
    if "vat_number" in changes:
        customer.vies_valid = customer.vies_checked_at = None
    audit.record(actor, "customer.updated", customer, acting_on=customer,
                 before={key: old for key, (old, _) in changes.items()},
                 after={key: new for key, (_, new) in changes.items()})
    db.session.flush()
    return changes
