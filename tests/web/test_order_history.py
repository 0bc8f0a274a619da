"""Order history: when, who, what, quantity, amount, payment, status and invoice; filters and CSV."""

import csv
import re
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import db
from domain.clock import utcnow
from domain.models import Customer, OrderStatus, PaymentMethod
from tests.conftest import HTMX, exported, login
from tests.web.test_create import form


@pytest.fixture
def history(client, make):
    """A reseller with a created customer (bank transfer), a top-up and an unpaid card order."""
    make.seller()
    reseller = make.reseller("Northwind IT", discount_bp=2000)
    admin = make.reseller_admin(reseller, email="anna@northwind.test")
    with time_machine.travel(utcnow() - timedelta(days=40), tick=False):
        login(client, admin)
        client.post("/console/create/", data=form(name="Acme GmbH"))
    client.post("/logout")
    login(client, admin)  # a session signed 40 days ago has expired since
    acme_id = db.session.scalar(sa.select(Customer.id).where(Customer.name == "Acme GmbH"))
    client.get(f"/console/licenses/?customer={acme_id}")
    client.post("/console/licenses/", data={"licenses": "4", "payment_method": "bank_transfer",
                                            "idempotency_key": uuid.uuid4().hex})
    other = make.customer(reseller, "Bellevue SARL")
    card = make.order(other, payment_method=PaymentMethod.CARD)
    card.status = OrderStatus.AWAITING_PAYMENT
    db.session.commit()
    make.order(make.customer(make.reseller(), "Not Mine"))
    client.get("/console/billing/orders?customer=")
    return client


def rows(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [row for row in body.split("<tr>")[1:]]


def test_the_history_lists_the_resellers_orders_newest_first(history):
    page = history.get("/console/billing/orders").text
    found = rows(page)
    assert len(found) == 3 and "Not Mine" not in page
    assert "Bellevue SARL" in found[0] and "system" in found[0] and "awaiting payment" in found[0]
    assert "topped up" in found[1] and "12, added 4" in found[1] and "anna@northwind.test" in found[1]
    assert "created" in found[2] and "Bank transfer" in found[2] and re.search(r">\d{4}-\d{6}</a>", found[2])


def headers(html: str) -> list[str]:
    return re.findall(r"<th[^>]*>([^<]+)</th>", html.split("<thead>")[1].split("</thead>")[0])


def test_acting_on_a_customer_the_history_leaves_out_the_customer_column(history):
    """The page's title names the customer acted on; each of its rows would name it again."""
    every = ["When", "Customer", "Who", "What", "Licenses", "Amount", "Payment", "Status", "Invoice"]
    assert headers(history.get("/console/billing/orders").text) == every
    acme_id = db.session.scalar(sa.select(Customer.id).where(Customer.name == "Acme GmbH"))
    page = history.get(f"/console/billing/orders?customer={acme_id}").text
    assert headers(page) == [name for name in every if name != "Customer"]
    assert all(cell.count("<td") == 8 for cell in rows(page)) and "Acme GmbH</td>" not in page
    part = history.get("/console/billing/orders?to=2000-01-01", headers=HTMX).text  # the filters' fragment too
    assert headers(part) == headers(page) and 'colspan="8"' in part


@pytest.mark.parametrize("query, count", [("kind=top_up", 1), ("kind=create", 2), ("status=awaiting_payment", 1),
                                          ("status=invoiced", 2), ("from=2000-01-01", 3), ("to=2000-01-01", 0)])
def test_the_filters(history, query, count):
    part = history.get(f"/console/billing/orders?{query}", headers=HTMX).text
    assert part.lstrip().startswith('<div id="order-table">') and len(rows(part)) - ("No orders match" in part) == count


def test_the_date_range_selects_by_day(history):
    forty_days_ago = (date.today() - timedelta(days=40)).isoformat()
    part = history.get(f"/console/billing/orders?from={forty_days_ago}&to={forty_days_ago}", headers=HTMX).text
    assert len(rows(part)) == 1 and "created" in part


def test_acting_on_narrows_the_history_to_one_customer(history):
    bellevue = db.session.scalar(sa.select(Customer.id).where(Customer.name == "Bellevue SARL"))
    page = history.get(f"/console/billing/orders?customer={bellevue}").text
    assert len(rows(page)) == 1 and "awaiting payment" in rows(page)[0] and "<h1>Billing · Bellevue SARL</h1>" in page


def test_the_csv_export_follows_the_filters(history):
    response = history.get("/console/billing/orders.csv?kind=create")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    table = list(csv.DictReader(exported(response)))
    assert {row["customer"] for row in table} == {"Acme GmbH", "Bellevue SARL"}
    acme = next(row for row in table if row["customer"] == "Acme GmbH")
    assert (acme["what"], acme["licenses"], acme["amount"], acme["currency"], acme["status"]) == \
        ("created", "8", "913.92", "EUR", "invoiced")
    assert re.fullmatch(r"\d{4}-\d{6}", acme["invoice"])


def test_the_csv_export_writes_no_formula(history, make):
    """A customer name a spreadsheet would run as a formula is written as text (``domain/spreadsheets.py``)."""
    acme = db.session.scalars(sa.select(Customer).where(Customer.name == "Acme GmbH")).one()
    make.order(make.customer(acme.reseller, '=HYPERLINK("https://evil.test","Pay")'))
    table = list(csv.DictReader(exported(history.get("/console/billing/orders.csv"))))
    assert '\'=HYPERLINK("https://evil.test","Pay")' in {row["customer"] for row in table}
    assert all(row["amount"][0].isdigit() for row in table)  # amounts stay numbers


def test_the_history_pages(history, app):
    app.config["PAGE_SIZE"] = 2
    second = history.get("/console/billing/orders?page=2", headers=HTMX).text
    assert len(rows(second)) == 1 and "Page 2 of 2" in second
