"""The customer portal: a customer administrator's organizations, a member's licenses."""

import sqlalchemy as sa
from flask import Blueprint
from flask_login import current_user, login_required

from app import db
from blueprints.htmx import render
from domain.access import visible_customers
from domain.customers import assigned_count
from domain.models import Customer, Member, MemberStatus, Subscription

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.get("/")
@login_required
def home():
    """Show the organizations the user administers and the licenses the user holds."""
    administered = db.session.scalars(visible_customers(current_user).order_by(Customer.name)).all() \
        if current_user.reseller_id is None and not current_user.is_operator else []
    memberships = db.session.execute(
        sa.select(Member, Customer.name, Subscription)
        .join(Subscription, Subscription.id == Member.subscription_id)
        .join(Customer, Customer.id == Subscription.customer_id)
        .where(Member.user_id == current_user.id, Member.status != MemberStatus.REMOVED)
        .order_by(Customer.name)
    ).all()
    organizations = [(c, c.subscription, assigned_count(c.subscription) if c.subscription else 0)
                     for c in administered]
    return render("portal/home.html", organizations=organizations, memberships=memberships)
