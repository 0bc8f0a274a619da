"""Purchase License / Top Up (seed: "Purchase additional member licenses"; R3, R4, R9, R10)."""

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import db
from domain.models import Invoice, InvoiceStatus, Order, OrderKind, OrderStatus, OutboxMessage
from domain.periods import add_months
from tests.conftest import HTMX, login, login_where

PERIOD_START = date(2026, 1, 1)
ON_DAY = date(2026, 11, 12)  # 50 days before the period ends on 2027-01-01


def top_up(**values) -> dict:
    return {"licenses": "3", "payment_method": "bank_transfer", "idempotency_key": uuid.uuid4().hex, **values}


@pytest.fixture
def acme(make):
    make.seller()
    customer = make.customer(make.reseller("Northwind IT", discount_bp=2000), "Acme GmbH", licenses=5)
    customer.subscription.period_start, customer.subscription.period_end = PERIOD_START, add_months(PERIOD_START, 12)
    db.session.commit()
    return customer


@pytest.fixture
def reseller_client(client, make, acme):
    login(client, make.reseller_admin(acme.reseller))
    client.get(f"/console/licenses/?customer={acme.id}")
    return client


@pytest.fixture(autouse=True)
def fifty_days_left():
    with time_machine.travel(ON_DAY, tick=False):
        yield


def test_the_quote_charges_the_remaining_months_rounded_up(reseller_client):
    part = reseller_client.post("/console/licenses/quote", data=top_up(), headers=HTMX).text
    assert part.lstrip().startswith('<aside id="top-up-quote"')
    assert "50 days left in this period: charged for 2 months." in part
    assert "Monthly price per license, after your 20 % discount" in part and "€8.00" in part
    assert "3 licenses × 2 months × €10.00" in part and "€60.00" in part and "−€12.00" in part
    assert "German VAT 19 %" in part and "€57.12" in part  # 48.00 + 9.12


def test_the_page_renders_whole_and_as_the_content_region(reseller_client):
    assert "Top Up" in reseller_client.get("/console/licenses/").text
    part = reseller_client.get("/console/licenses/", headers={**HTMX, "HX-Target": "content"}).text
    assert "<html" not in part and 'id="top-up-form"' in part


def test_a_bank_transfer_top_up_adds_the_licenses_at_once_until_the_period_ends(reseller_client, acme):
    response = reseller_client.post("/console/licenses/", data=top_up())
    assert response.status_code == 303
    order = db.session.scalars(sa.select(Order)).one()
    invoice = db.session.scalars(sa.select(Invoice)).one()
    assert (order.kind, order.licenses_before, order.licenses_added, order.months_charged) == \
        (OrderKind.TOP_UP, 5, 3, 2)
    assert (order.supply_start, order.supply_end) == (ON_DAY, date(2027, 1, 1))
    assert acme.subscription.licenses == 8 and acme.subscription.period_end == date(2027, 1, 1)
    assert (invoice.gross_minor, invoice.status) == (5712, InvoiceStatus.OPEN)
    assert [m.kind for m in db.session.scalars(sa.select(OutboxMessage))] == ["invoice"]
    page = reseller_client.get(response.headers["Location"]).text
    assert "Top Up: 3 more licenses (5 → 8)" in page and "DE89 3704 0044 0532 0130 00" in page


def test_a_card_top_up_adds_the_licenses_once_paid(reseller_client, acme):
    checkout = reseller_client.post("/console/licenses/", data=top_up(payment_method="card")).headers["Location"]
    assert "/sandbox/checkout/" in checkout and acme.subscription.licenses == 5
    reseller_client.post(checkout)
    db.session.refresh(acme.subscription)
    order = db.session.scalars(sa.select(Order)).one()
    assert order.status == OrderStatus.PAID and acme.subscription.licenses == 8
    assert acme.subscription.period_start == PERIOD_START  # a top-up never moves the period
    assert db.session.scalars(sa.select(Invoice)).one().status == InvoiceStatus.PAID


def test_the_same_top_up_submitted_twice_is_one_order(reseller_client, acme):
    data = top_up()
    reseller_client.post("/console/licenses/", data=data)
    reseller_client.post("/console/licenses/", data=data)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1 and acme.subscription.licenses == 8


def test_a_customer_with_its_own_administrator_pays_list_price(reseller_client, acme, make):
    make.customer_admin(acme)
    part = reseller_client.post("/console/licenses/quote", data=top_up(), headers=HTMX).text
    assert "Reseller discount" not in part and "€71.40" in part and "the price is the list price" in part


@pytest.mark.parametrize("licenses, message", [("0", "Choose between 1 and 10,000"), ("x", "whole number")])
def test_a_wrong_number_is_refused_and_changes_nothing(reseller_client, acme, licenses, message):
    page = reseller_client.post("/console/licenses/", data=top_up(licenses=licenses)).text
    assert message in page and acme.subscription.licenses == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_on_the_last_day_of_the_period_one_month_is_charged(client, acme, make):
    with time_machine.travel(date(2026, 12, 31), tick=False):
        login(client, make.reseller_admin(acme.reseller))
        client.get(f"/console/licenses/?customer={acme.id}")
        part = client.post("/console/licenses/quote", data=top_up(licenses="1"), headers=HTMX).text
    assert "1 day left in this period: charged for 1 month." in part


@pytest.mark.parametrize("start, on, days, months", [
    (date(2026, 1, 1), date(2026, 1, 1), 365, 12),  # the first day of a yearly period: all of it
    (date(2026, 1, 29), date(2026, 2, 28), 335, 11),  # 29th: its February anniversary is the 28th
    (date(2026, 1, 30), date(2026, 2, 27), 337, 12),  # 30th: the day before that anniversary
    (date(2026, 1, 31), date(2026, 3, 31), 306, 10),
    (date(2027, 3, 29), date(2028, 2, 29), 29, 1),  # a leap year's 29 February
    (date(2028, 2, 29), date(2028, 3, 1), 364, 12),  # a period that starts on a leap day
])
def test_the_months_charged_follow_the_periods_own_calendar(client, acme, make, start, on, days, months):
    acme.subscription.period_start, acme.subscription.period_end = start, add_months(start, 12)
    db.session.commit()
    with time_machine.travel(on, tick=False):
        login(client, make.reseller_admin(acme.reseller))
        client.get(f"/console/licenses/?customer={acme.id}")
        part = client.post("/console/licenses/quote", data=top_up(licenses="1"), headers=HTMX).text
    label = f"{months} month{'s' if months != 1 else ''}"
    assert f"{days} days left in this period: charged for {label}." in part


def test_a_lapsed_card_top_up_leaves_the_licenses(reseller_client, acme, app):
    reseller_client.post("/console/licenses/", data=top_up(payment_method="card"))
    with time_machine.travel(ON_DAY + timedelta(days=2), tick=False):
        app.test_cli_runner().invoke(args=["billing", "run-daily"])
    assert db.session.scalars(sa.select(Order)).one().status == OrderStatus.LAPSED
    assert acme.subscription.licenses == 5 and acme.subscription.status == "active"


@pytest.mark.parametrize("where, page_url, submit_url", [
    ("console", "/console/licenses/?customer={id}", "/console/licenses/"),
    ("portal", "/portal/customers/{id}/licenses", "/portal/customers/{id}/licenses"),
])
def test_a_suspended_subscription_says_which_invoice_to_pay_and_takes_no_top_up(client, make, acme, where, page_url,
                                                                                 submit_url):
    """R9: nothing is added while the subscription is suspended; the page links to the invoice that lifts it."""
    from domain import dunning

    invoice = make.invoice(acme)  # issued at the period's start: long overdue
    assert dunning.run(ON_DAY)["suspended"] == 1
    db.session.commit()
    login_where(client, make, acme, where)
    page_url, submit_url = page_url.format(id=acme.id), submit_url.format(id=acme.id)
    page = client.get(page_url).text
    assert "Licenses can be added once the subscription is active again: it is suspended until its overdue " \
           "invoice is paid." in page
    assert f"Invoice {invoice.number}:" in page and "/pay/" in page and 'id="top-up-form"' not in page
    orders = db.session.scalar(sa.select(sa.func.count()).select_from(Order))
    refused = client.post(submit_url, data=top_up())
    assert refused.status_code == 200 and "suspended until its overdue invoice is paid" in refused.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == orders
    assert acme.subscription.licenses == 5


def test_a_subscription_waiting_for_its_card_payment_says_so(reseller_client, acme):
    acme.subscription.status = "pending"
    db.session.commit()
    page = reseller_client.get("/console/licenses/").text
    assert "Licenses can be added once the subscription&#39;s card payment is confirmed." in page
    assert 'id="top-up-form"' not in page
