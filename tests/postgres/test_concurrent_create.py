"""The same Create form submitted from two tabs at the same moment makes one order (PostgreSQL)."""

import os
import threading
import uuid

import pytest
import sqlalchemy as sa

from app import db
from domain.models import Customer, Invoice, Order
from tests.conftest import login
from tests.web.test_create import form

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                reason="needs PostgreSQL: run with TEST_DATABASE_URL (the CI's second run does)")


def _race(app, user, forms) -> list[int]:
    clients = [app.test_client() for _ in forms]
    for client in clients:
        login(client, user)
    start, statuses = threading.Barrier(len(forms)), []

    def submit(client, data):
        start.wait()
        statuses.append(client.post("/console/create/", data=data).status_code)

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(clients, forms, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def test_two_tabs_submitting_the_same_form_make_one_order(app, make):
    make.seller()
    user = make.reseller_admin(make.reseller())
    data = form()
    statuses = _race(app, user, [data] * 4)
    db.session.remove()
    assert statuses == [303] * 4
    assert [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Customer, Order, Invoice)] == \
        [1, 1, 1]


def test_the_last_allowed_organization_goes_to_one_of_two_concurrent_creations(app, make):
    make.seller()
    reseller = make.reseller(allowed_organizations=1)
    user = make.reseller_admin(reseller)
    statuses = _race(app, user, [form(idempotency_key=uuid.uuid4().hex) for _ in range(2)])
    db.session.remove()
    assert sorted(statuses) == [200, 303]  # the loser gets the form back with the limit message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 1
