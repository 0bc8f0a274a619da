"""Seats of a subscription: who holds a license."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app import db
from domain.customers import Page
from domain.models import Member, MemberStatus, Subscription


def member_page(subscription: Subscription, *, search: str = "", page: int = 1, size: int = 25) -> Page:
    """One page of the live members (invited or active) of ``subscription``, by e-mail."""
    query = sa.select(Member).where(Member.subscription_id == subscription.id, Member.status != MemberStatus.REMOVED)
    if search.strip():
        query = query.where(Member.email.like(f"%{search.strip().lower()}%"))
    total = db.session.scalar(query.with_only_columns(sa.func.count()).order_by(None))
    page = max(1, min(page, max(1, -(-total // size))))
    rows = db.session.scalars(query.options(joinedload(Member.user)).order_by(Member.email).limit(size).offset((page - 1) * size)).all()
    return Page(rows=list(rows), number=page, size=size, total=total)
