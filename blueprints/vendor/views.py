"""The vendor console home: resellers with their customers, licenses and members."""

import sqlalchemy as sa
from flask import Blueprint

from app import db
from blueprints.access import operator_required
from blueprints.htmx import render
from domain.models import Customer, Member, MemberStatus, Reseller, Subscription

bp = Blueprint("vendor", __name__, url_prefix="/vendor")


def reseller_rows() -> list:
    """Each reseller with its customer count, license total and members, in one query."""
    customers = (sa.select(Customer.reseller_id, sa.func.count().label("customers"))
                 .group_by(Customer.reseller_id).subquery())
    licenses = (sa.select(Customer.reseller_id, sa.func.sum(Subscription.licenses).label("licenses"))
                .join(Subscription, Subscription.customer_id == Customer.id)
                .group_by(Customer.reseller_id).subquery())
    members = (sa.select(Customer.reseller_id, sa.func.count().label("members"))
               .join(Subscription, Subscription.customer_id == Customer.id)
               .join(Member, Member.subscription_id == Subscription.id)
               .where(Member.status != MemberStatus.REMOVED)
               .group_by(Customer.reseller_id).subquery())
    query = (sa.select(Reseller, sa.func.coalesce(customers.c.customers, 0),
                       sa.func.coalesce(licenses.c.licenses, 0), sa.func.coalesce(members.c.members, 0))
             .outerjoin(customers, customers.c.reseller_id == Reseller.id)
             .outerjoin(licenses, licenses.c.reseller_id == Reseller.id)
             .outerjoin(members, members.c.reseller_id == Reseller.id)
             .order_by(sa.func.lower(Reseller.name)))
    return db.session.execute(query).all()


@bp.get("/")
@operator_required
def home():
    """List the resellers with their use against their limits."""
    return render("vendor/home.html", resellers=reseller_rows())
