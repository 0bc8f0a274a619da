"""Who may see what, as queries. Every view loads objects through these, so a reseller can never
see or touch what another reseller owns: an object outside the scope simply is not found.

- a vendor operator sees everything;
- a reseller's user sees the customers of its reseller (it administers them without a license);
- a customer administrator sees the customers it administers;
- a member sees no customer: only its own memberships, in the portal.
"""

import sqlalchemy as sa

from domain.models import Customer, CustomerAdmin, Invoice, Member, Order, Subscription, User


def visible_customers(user: User) -> sa.Select:
    """Select the customers ``user`` may see and administer."""
    query = sa.select(Customer)
    if user.is_operator:
        return query
    if user.reseller_id is not None:
        return query.where(Customer.reseller_id == user.reseller_id)
    administered = sa.select(CustomerAdmin.customer_id).where(CustomerAdmin.user_id == user.id)
    return query.where(Customer.id.in_(administered))


def visible_customer_ids(user: User) -> sa.Select:
    """The ids of ``visible_customers`` as a subquery."""
    return visible_customers(user).with_only_columns(Customer.id)


def visible_subscriptions(user: User) -> sa.Select:
    return sa.select(Subscription).where(Subscription.customer_id.in_(visible_customer_ids(user)))


def visible_members(user: User) -> sa.Select:
    subscriptions = sa.select(Subscription.id).where(Subscription.customer_id.in_(visible_customer_ids(user)))
    return sa.select(Member).where(Member.subscription_id.in_(subscriptions))


def visible_customer_admins(user: User) -> sa.Select:
    return sa.select(CustomerAdmin).where(CustomerAdmin.customer_id.in_(visible_customer_ids(user)))


def visible_orders(user: User) -> sa.Select:
    return sa.select(Order).where(Order.customer_id.in_(visible_customer_ids(user)))


def visible_invoices(user: User) -> sa.Select:
    return sa.select(Invoice).where(Invoice.customer_id.in_(visible_customer_ids(user)))


