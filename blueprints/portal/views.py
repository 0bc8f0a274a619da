"""The customer portal: a customer administrator's organizations, members and invoices; a member's license.

Member management here runs the same views' building blocks and the same domain rules as the
reseller's Manage page (``blueprints/members.py``, ``domain/seats.py``).
"""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from app import db
from blueprints import audit_log, checkout, members
from blueprints.access import customer_or_404, invoice_or_404, member_or_404, order_or_404
from blueprints.downloads import stored_pdf
from blueprints.htmx import render
from blueprints.licenses.forms import TopUpForm
from blueprints.licenses.views import (
    ended,
    place_restart,
    place_top_up,
    restart_page,
    restart_quote_part,
    top_up_context,
)
from domain import dunning
from domain.access import visible_customers, visible_invoices
from domain.models import MEMBER_IS_LIVE, Customer, Invoice, Member, Reseller, Subscription
from domain.seats import activate_memberships, administrators_of, assigned_count

bp = Blueprint("portal", __name__, url_prefix="/portal")
TEMPLATE = "portal/members.html"
LICENSES = "portal/licenses.html"


@bp.before_request
@login_required
def require_login():
    """Everything in the portal needs a logged-in person; what they see is scoped per object."""


@bp.get("/")
def home():
    """Show the organizations the user administers, their invoices, and the licenses the user holds (a
    license given while the user was logged in begins here: the e-mail's link leads to this page)."""
    if activate_memberships(current_user):
        db.session.commit()
    administered = db.session.scalars(visible_customers(current_user).options(joinedload(Customer.reseller))
                                      .order_by(Customer.name)).all() \
        if current_user.reseller_id is None and not current_user.is_operator else []
    memberships = db.session.execute(
        sa.select(Member, Customer.name, Subscription, Reseller)
        .join(Subscription, Subscription.id == Member.subscription_id)
        .join(Customer, Customer.id == Subscription.customer_id)
        .join(Reseller, Reseller.id == Customer.reseller_id)
        .where(Member.user_id == current_user.id, MEMBER_IS_LIVE)
        .order_by(Customer.name)
    ).all()
    ask = administrators_of([subscription.customer_id for _, _, subscription, _ in memberships], besides=current_user)
    organizations = [(c, c.subscription, assigned_count(c.subscription) if c.subscription else 0)
                     for c in administered]
    invoices = db.session.scalars(visible_invoices(current_user).order_by(Invoice.issued_on.desc()).limit(50)).all() \
        if administered else []
    to_pay = {c.id: dunning.what_to_pay(c.subscription) for c in administered}
    return render("portal/home.html", organizations=organizations, memberships=memberships, invoices=invoices,
                  to_pay=to_pay, ask=ask)


def _customers_own_people_only() -> None:
    """The portal's organization pages are for the customer's own administrators: resellers and the
    vendor work from their consoles."""
    if current_user.reseller_id is not None or current_user.is_operator:
        abort(404)


def _administered(customer_id: int) -> Customer:
    _customers_own_people_only()
    customer = customer_or_404(customer_id)
    if customer.subscription is None:
        abort(404)
    return customer


def _member_of(customer: Customer, member_id: int) -> Member:
    member = member_or_404(member_id)
    if member.subscription.customer_id != customer.id:
        abort(404)
    return member


@bp.get("/customers/<int:customer_id>/members")
def members_page(customer_id: int):
    """The customer administrator's own Manage page: licenses and members."""
    customer = _administered(customer_id)
    context = members.page_context(customer, members.MemberUrls("portal", customer.id),
                                   search=request.args.get("q", "")[:200], page=request.args.get("page", 1, type=int),
                                   size=current_app.config["PAGE_SIZE"])
    return render(TEMPLATE, "member_table", customer=customer, form=members.AddMembersForm(formdata=None), oob=set(),
                  **context)


@bp.post("/customers/<int:customer_id>/members")
def add_members(customer_id: int):
    """Add members within the unused licenses."""
    customer = _administered(customer_id)
    return members.add(customer, TEMPLATE, members.MemberUrls("portal", customer.id))


@bp.get("/customers/<int:customer_id>/members/<int:member_id>/remove")
def confirm_remove_member(customer_id: int, member_id: int):
    """Ask before removing a member."""
    customer = _administered(customer_id)
    return render("manage/confirm_remove.html", member=_member_of(customer, member_id),
                  urls=members.MemberUrls("portal", customer.id), layout="base.html")


@bp.post("/customers/<int:customer_id>/members/<int:member_id>/remove")
def remove_member(customer_id: int, member_id: int):
    """Remove a member; the license becomes unused."""
    customer = _administered(customer_id)
    return members.remove(_member_of(customer, member_id), TEMPLATE, members.MemberUrls("portal", customer.id))


@bp.post("/customers/<int:customer_id>/members/<int:member_id>/resend")
def resend_invitation(customer_id: int, member_id: int):
    """Send the invitation again."""
    customer = _administered(customer_id)
    return members.resend(_member_of(customer, member_id), members.MemberUrls("portal", customer.id))


@bp.get("/customers/<int:customer_id>/licenses")
def licenses_page(customer_id: int):
    """Purchase licenses for the organization, at list price (R3), for the rest of the period; once its
    subscription has ended, a new term."""
    customer = _administered(customer_id)
    if ended(customer):
        return restart_page(customer, **_restart_urls(customer))
    return render(LICENSES, **top_up_context(customer, TopUpForm(formdata=None)), customer=customer)


@bp.post("/customers/<int:customer_id>/licenses/quote")
def licenses_quote(customer_id: int):
    """Re-price the Top Up as the number changes (htmx), or re-render the page (no JavaScript)."""
    customer = _administered(customer_id)
    return render(LICENSES, "top_up_quote", **top_up_context(customer, TopUpForm()), customer=customer)


@bp.post("/customers/<int:customer_id>/licenses")
def top_up(customer_id: int):
    """Top Up from the portal: the same order, payment and idempotency as the reseller's Purchase License."""
    customer = _administered(customer_id)
    form = TopUpForm()
    return place_top_up(customer, form) or render(LICENSES, **top_up_context(customer, form), customer=customer)


def _restart_urls(customer: Customer) -> dict:
    return {"submit_url": url_for("portal.restart", customer_id=customer.id),
            "quote_url": url_for("portal.restart_quote", customer_id=customer.id)}


@bp.post("/customers/<int:customer_id>/licenses/restart/quote")
def restart_quote(customer_id: int):
    """Re-price the new term of the ended subscription (htmx), or re-render the page (no JavaScript)."""
    customer = _administered(customer_id)
    return restart_quote_part(customer, **_restart_urls(customer))


@bp.post("/customers/<int:customer_id>/licenses/restart")
def restart(customer_id: int):
    """Start the ended subscription again from the portal: the same order, payment and rules as the reseller's,
    at list price (R3)."""
    customer = _administered(customer_id)
    return place_restart(customer, **_restart_urls(customer)) or licenses_page(customer_id)


@bp.get("/customers/<int:customer_id>/orders/<int:order_id>")
def order(customer_id: int, order_id: int):
    """The result of a Top Up or a new start made here: bank details to pay, or the card payment's state."""
    customer, order = _administered_order(customer_id, order_id)
    return checkout.order_status(order, layout="base.html",
                                 status_url=url_for("portal.order", customer_id=customer.id, order_id=order.id),
                                 payment_url=url_for("portal.order_payment", customer_id=customer.id,
                                                     order_id=order.id),
                                 members_url=url_for("portal.members_page", customer_id=customer.id),
                                 restart_url=url_for("portal.licenses_page", customer_id=customer.id),
                                 invoice_endpoint="portal.invoice_pdf")


def _administered_order(customer_id: int, order_id: int):
    """An organization the user administers and one of its orders, else 404."""
    customer, order = _administered(customer_id), order_or_404(order_id)
    if order.customer_id != customer.id:
        abort(404)
    return customer, order


@bp.get("/customers/<int:customer_id>/orders/<int:order_id>/payment")
def order_payment(customer_id: int, order_id: int):
    """Back to the card payment of an order made here (a Top Up, a new start) that waits for it."""
    customer, order = _administered_order(customer_id, order_id)
    return checkout.back_to_payment(order, order_page_url=url_for("portal.order", customer_id=customer.id,
                                                                   order_id=order.id))


@bp.get("/invoices/<int:invoice_id>.pdf")
def invoice_pdf(invoice_id: int):
    """Download one of the organization's invoices, as issued."""
    _customers_own_people_only()
    return stored_pdf(invoice_or_404(invoice_id))


@bp.get("/customers/<int:customer_id>/audit")
def audit(customer_id: int):
    """What happened in the organization, by whom: members, purchases, business information."""
    customer = _administered(customer_id)
    return audit_log.page("portal.audit", "portal.audit_csv", "portal/wide.html", show_reseller=False,
                          customer_id=customer.id)


@bp.get("/customers/<int:customer_id>/audit.csv")
def audit_csv(customer_id: int):
    return audit_log.csv(customer_id=_administered(customer_id).id)
