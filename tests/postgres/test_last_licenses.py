"""R6 under real concurrency: many requests for the last unused licenses, in separate connections."""

import os
import threading

import pytest
import sqlalchemy as sa

from app import db
from domain.customers import live_members_of_reseller
from domain.models import Member, MemberStatus, Reseller, Subscription
from tests.conftest import login

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                reason="needs PostgreSQL: run with TEST_DATABASE_URL (the CI's second run does)")


def race(app, user, customers) -> None:
    """Twenty sessions of ``user``, acting on ``customers`` in turn, each add racer<n>@ at the same instant."""
    app.config["LOGIN_LIMIT"] = "100 per minute"  # twenty sessions of one account log in at once
    clients = [app.test_client() for _ in range(20)]
    for n, client in enumerate(clients):
        login(client, user)
        client.get(f"/console/manage/?customer={customers[n % len(customers)].id}")
    db.session.remove()
    start = threading.Barrier(len(clients))

    def add(n, client):
        start.wait()
        client.post("/console/manage/members", data={"emails": f"racer{n}@example.test"})

    threads = [threading.Thread(target=add, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


@pytest.mark.parametrize("round_", range(3))
def test_twenty_requests_for_the_last_three_licenses_give_exactly_three(app, make, round_):
    make.seller()
    reseller = make.reseller()
    customer = make.customer(reseller, licenses=10, members=7)
    subscription_id = customer.subscription.id
    race(app, make.reseller_admin(reseller), [customer])
    live = db.session.scalar(sa.select(sa.func.count()).select_from(Member).where(
        Member.subscription_id == subscription_id, Member.status != MemberStatus.REMOVED))
    racers = db.session.scalar(sa.select(sa.func.count()).select_from(Member).where(Member.email.like("racer%")))
    counter = db.session.scalar(sa.select(Subscription.assigned).where(Subscription.id == subscription_id))
    assert (live, racers, counter) == (10, 3, 10)


def test_twenty_requests_across_customers_for_the_last_allowed_users_give_exactly_that_many(app, make):
    """Allowed Users (R11) is read from the reseller's counter under its row lock: requests adding
    members to two different customers at once never go past it, and the counter stays exact."""
    make.seller()
    reseller = make.reseller()
    reseller.allowed_users = 10
    customers = [make.customer(reseller, licenses=20, members=4) for _ in range(2)]  # 8 of 10 given
    reseller_id = reseller.id
    race(app, make.reseller_admin(reseller), customers)
    counter, recount = db.session.execute(sa.select(Reseller.users_assigned, live_members_of_reseller())
                                          .where(Reseller.id == reseller_id)).one()
    racers = db.session.scalar(sa.select(sa.func.count()).select_from(Member).where(Member.email.like("racer%")))
    assert (racers, counter, recount) == (2, 10, 10)
