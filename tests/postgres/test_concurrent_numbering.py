"""Gapless numbering under real concurrency: 20 issuers in separate connections at once (PostgreSQL)."""

import os
import threading

import pytest
import sqlalchemy as sa

from app import db
from domain.models import Invoice, Order
from invoices import issuing

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                reason="needs PostgreSQL: run with TEST_DATABASE_URL (the CI's second run does)")


def test_twenty_parallel_issuers_take_twenty_consecutive_numbers(app, make):
    make.seller()
    reseller = make.reseller()
    order_ids = [make.order(make.customer(reseller)).id for _ in range(20)]
    db.session.remove()
    start = threading.Barrier(len(order_ids))
    errors = []

    def issue(order_id: int) -> None:
        with app.app_context():
            try:
                start.wait()
                issuing.issue(db.session.get(Order, order_id))
                db.session.commit()
            except Exception as error:  # collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(order_id,)) for order_id in order_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    numbers = sorted(db.session.scalars(sa.select(Invoice.number)))
    year = numbers[0][:4]
    assert numbers == [f"{year}-{n:06d}" for n in range(1, 21)]
