"""Seats of a subscription: who holds a license."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from domain.models import Member, MemberStatus, Subscription
from domain.pages import Page, paginate


def member_page(subscription: Subscription, *, search: str = "", page: int = 1, size: int = 25) -> Page:
    """One page of the live members (invited or active) of ``subscription``, by e-mail."""
    query = sa.select(Member).where(Member.subscription_id == subscription.id, Member.status != MemberStatus.REMOVED)
    if search.strip():
        query = query.where(Member.email.like(f"%{search.strip().lower()}%"))
    return paginate(query, page=page, size=size, order_by=(Member.email,), options=(joinedload(Member.user),))
