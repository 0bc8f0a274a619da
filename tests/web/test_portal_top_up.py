"""Top Up from the customer portal: a customer administrator buys licenses at list price (R3, R4)."""

import pytest
import sqlalchemy as sa

from app import db
from domain.models import Invoice, Order, OrderKind, OrderStatus, OutboxMessage, Subscription, User
from tests.conftest import HTMX, login
from tests.web import test_top_up

# the same customer, 50 days before its period ends, as the console's Top Up tests
acme, fifty_days_left, top_up = test_top_up.acme, test_top_up.fifty_days_left, test_top_up.top_up


@pytest.fixture
def carol(client, make, acme):
    login(client, make.customer_admin(acme, "carol@acme.test"))
    return client


def url(acme, rest: str = "") -> str:
    return f"/portal/customers/{acme.id}/licenses{rest}"


def test_the_portal_links_to_purchase_and_quotes_at_list_price(carol, acme):
    home = carol.get("/portal/").text
    assert url(acme) in home
    contact = acme.reseller.contact_email  # who to ask, on the organization's card
    assert f'Your reseller: Northwind IT · <a href="mailto:{contact}">{contact}</a>' in home
    page = carol.get(url(acme)).text
    assert "Purchase licenses · Acme GmbH" in page and 'id="top-up-form"' in page
    part = carol.post(url(acme, "/quote"), data=top_up(), headers=HTMX).text
    assert part.lstrip().startswith('<aside id="top-up-quote"')
    assert "charged for 2 months" in part and "3 licenses × 2 months × €10.00" in part
    assert "discount" not in part  # a customer with its own administrator pays list price (R3)
    assert "€71.40" in part  # 60.00 + 19 % German VAT


def test_a_bank_transfer_top_up_from_the_portal_adds_the_licenses_and_shows_how_to_pay(carol, acme):
    response = carol.post(url(acme), data=top_up())
    order = db.session.scalars(sa.select(Order)).one()
    assert response.headers["Location"] == f"/portal/customers/{acme.id}/orders/{order.id}"
    assert (order.kind, order.licenses_added, order.net_minor, db.session.get(User, order.placed_by_id).email) == \
        (OrderKind.TOP_UP, 3, 6000, "carol@acme.test")
    assert db.session.get(Subscription, acme.subscription.id).licenses == 8
    page = carol.get(response.headers["Location"]).text
    invoice = db.session.scalars(sa.select(Invoice)).one()
    assert "IBAN" in page and f"/portal/invoices/{invoice.id}.pdf" in page and "/console/" not in page
    assert carol.get(f"/portal/invoices/{invoice.id}.pdf").data.startswith(b"%PDF")


def test_a_card_top_up_from_the_portal_goes_through_the_checkout_and_comes_back_here(carol, acme):
    response = carol.post(url(acme), data=top_up(payment_method="card"))
    order = db.session.scalars(sa.select(Order)).one()
    assert response.headers["Location"].endswith(f"/sandbox/checkout/{order.provider_ref}")
    waiting = carol.get(f"/portal/customers/{acme.id}/orders/{order.id}").text
    back = f"/portal/customers/{acme.id}/orders/{order.id}/payment"
    assert f'href="{back}">Go back to the payment page' in waiting
    assert carol.get(back).headers["Location"] == response.headers["Location"]
    paid = carol.post(f"/sandbox/checkout/{order.provider_ref}")
    assert paid.headers["Location"] == f"/portal/customers/{acme.id}/orders/{order.id}"
    assert carol.get(paid.headers["Location"]).headers["Location"] == f"/portal/customers/{acme.id}/members"
    assert db.session.get(Order, order.id).status == OrderStatus.PAID
    assert db.session.get(Subscription, acme.subscription.id).licenses == 8


def test_a_wrong_number_is_refused_next_to_the_field(carol, acme):
    page = carol.post(url(acme), data=top_up(licenses="0")).text
    assert 'class="error"' in page and db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_another_organizations_administrator_cannot_buy_or_see_the_order(client, make, acme, carol):
    carol.post(url(acme), data=top_up())
    order = db.session.scalars(sa.select(Order)).one()
    carol.post("/logout")
    other = make.customer(acme.reseller, "Bellevue")
    login(client, make.customer_admin(other))
    assert client.get(url(acme)).status_code == 404
    assert client.post(url(acme), data=top_up()).status_code == 404
    assert client.get(f"/portal/customers/{acme.id}/orders/{order.id}").status_code == 404
    assert client.get(f"/portal/customers/{other.id}/orders/{order.id}").status_code == 404
    assert client.get(f"/portal/customers/{other.id}/orders/{order.id}/payment").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1


def test_the_resellers_administrators_are_told_what_the_customer_bought(carol, make, acme):
    anna = make.reseller_admin(acme.reseller, "anna@northwind.test")
    anna.locale = "fr"
    db.session.commit()
    carol.post(url(acme), data=top_up())
    order = db.session.scalars(sa.select(Order)).one()
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "ordered_in_portal")).one()
    assert mail.to_address == "anna@northwind.test" and mail.subject == "Acme GmbH a acheté des licences"  # hers
    assert "carol@acme.test" in mail.body_text and "(5 → 8)" in mail.body_text
    assert f"/console/create/orders/{order.id}" in mail.body_text


def test_a_top_up_by_the_reseller_tells_nobody_else(client, make, acme):
    login(client, make.reseller_admin(acme.reseller))
    assert client.post(f"/console/licenses/?customer={acme.id}", data=top_up()).status_code == 303
    assert db.session.scalars(sa.select(Order)).one().kind == OrderKind.TOP_UP
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "ordered_in_portal")) == 0
