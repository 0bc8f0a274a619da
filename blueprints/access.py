"""Access control in one place: load an object only if the current user may see it, else 404.

Roles are checked here too; a template never decides who may see what.
"""

from functools import wraps

from flask import abort, g, request, session
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from app import db
from blueprints.params import row_id
from domain import access
from domain.models import Customer, CustomerAdmin, Invoice, Member, Order, Reseller, ResellerStatus, Subscription

ACTING_ON = "acting_on"


def _one_or_404(query, object_id):
    object_id = row_id(object_id)
    if object_id is None:
        abort(404)
    entity = query.column_descriptions[0]["entity"]
    found = db.session.scalar(query.where(entity.id == object_id))
    if found is None:
        abort(404)
    return found


def customer_or_404(customer_id) -> Customer:
    return _one_or_404(access.visible_customers(current_user), customer_id)


def subscription_or_404(subscription_id) -> Subscription:
    return _one_or_404(access.visible_subscriptions(current_user), subscription_id)


def member_or_404(member_id) -> Member:
    return _one_or_404(access.visible_members(current_user), member_id)


def customer_admin_or_404(admin_id) -> CustomerAdmin:
    return _one_or_404(access.visible_customer_admins(current_user), admin_id)


def order_or_404(order_id) -> Order:
    return _one_or_404(access.visible_orders(current_user), order_id)


def invoice_or_404(invoice_id) -> Invoice:
    return _one_or_404(access.visible_invoices(current_user), invoice_id)


def reseller_read_only() -> bool:
    """Whether the signed-in person works for a reseller the vendor has suspended: they read everything of theirs
    and change nothing (seed 003). ``web.suspended_resellers_read_only`` refuses their changes; the pages, through
    ``read_only()``, offer none: each form or button that would change something gives way to a notice or is left
    out, so no one fills in a form only to be refused."""
    return current_user.is_authenticated and current_user.reseller_id is not None \
        and current_reseller().status == ResellerStatus.SUSPENDED


def reseller_required(view):
    """Let only a reseller's users in; everyone else gets 404, as if the page did not exist."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.reseller_id is None:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def operator_required(view):
    """Let only vendor operators in."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_operator:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def current_reseller() -> Reseller:
    return current_user.reseller_user.reseller


def acting_on() -> Customer | None:
    """The customer chosen under Acting On, if the user may still see it (looked up once a request)."""
    customer_id = session.get(ACTING_ON)
    if customer_id is None:
        return None
    known = g.get("acting_on")
    if known is not None and known.id == customer_id:
        return known
    customer = db.session.scalar(_acting_on_query().where(Customer.id == customer_id))
    if customer is None:
        session.pop(ACTING_ON, None)
    g.acting_on = customer
    return customer


def _acting_on_query():
    """The customers the user may act on, each with its subscription in the same statement: every page that
    acts on a customer shows or checks it."""
    return access.visible_customers(current_user).options(joinedload(Customer.subscription))


def apply_acting_on_choice() -> None:
    """Remember ``?customer=ID`` (the Acting On form) in the session; an empty value clears it."""
    if "customer" not in request.args or not current_user.is_authenticated:
        return
    choice = request.args["customer"]
    if choice == "":
        session.pop(ACTING_ON, None)
    else:
        g.acting_on = _one_or_404(_acting_on_query(), choice)
        session[ACTING_ON] = g.acting_on.id
