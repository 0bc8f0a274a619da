"""R6 under real concurrency: many requests for the last unused licenses, in separate connections."""

import os
import threading

import pytest
import sqlalchemy as sa

from app import db
from domain.models import Member, MemberStatus
from tests.conftest import login

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                reason="needs PostgreSQL: run with TEST_DATABASE_URL (the CI's second run does)")


@pytest.mark.parametrize("round_", range(3))
def test_twenty_requests_for_the_last_three_licenses_give_exactly_three(app, make, round_):
    make.seller()
    reseller = make.reseller()
    customer = make.customer(reseller, licenses=10, members=7)
    user = make.reseller_admin(reseller)
    app.config["LOGIN_LIMIT"] = "100 per minute"  # twenty sessions of one account log in at once
    clients = [app.test_client() for _ in range(20)]
    for client in clients:
        login(client, user)
        client.get(f"/console/manage/?customer={customer.id}")
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
    live = db.session.scalar(sa.select(sa.func.count()).select_from(Member).where(
        Member.subscription_id == customer.subscription.id, Member.status != MemberStatus.REMOVED))
    racers = db.session.scalar(sa.select(sa.func.count()).select_from(Member).where(Member.email.like("racer%")))
    assert (live, racers) == (10, 3)
