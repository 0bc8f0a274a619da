import sqlalchemy as sa

from app import db
from domain import access
from domain.models import Customer


def _names(query):
    return sorted(c.name for c in db.session.scalars(query))


def test_each_role_sees_only_its_own_customers(make):
    north, south = make.reseller("North"), make.reseller("South")
    make.customer(north, "N1"), make.customer(north, "N2")
    s1 = make.customer(south, "S1")
    operator = make.operator()
    north_admin = make.reseller_admin(north)
    customer_admin = make.customer_admin(s1)
    member, _ = make.member(s1)

    assert _names(access.visible_customers(operator)) == ["N1", "N2", "S1"]
    assert _names(access.visible_customers(north_admin)) == ["N1", "N2"]
    assert _names(access.visible_customers(customer_admin)) == ["S1"]
    assert _names(access.visible_customers(member)) == []


def test_members_and_subscriptions_follow_the_customer_scope(make):
    north, south = make.reseller(), make.reseller()
    mine = make.customer(north, members=2)
    make.customer(south, members=3)
    admin = make.reseller_admin(north)
    members = db.session.scalars(access.visible_members(admin)).all()
    assert len(members) == 2 and {m.subscription.customer_id for m in members} == {mine.id}
    assert [s.customer_id for s in db.session.scalars(access.visible_subscriptions(admin))] == [mine.id]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 2
