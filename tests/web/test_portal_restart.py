"""A new start from the customer portal: a customer administrator starts its ended subscription again, at list
price (R3), paid as the reseller's new start is."""

import re
from datetime import timedelta

import sqlalchemy as sa
import time_machine

from app import db
from domain.clock import utcnow
from domain.models import Invoice, Order, OrderKind, OrderStatus, OutboxMessage, SubscriptionStatus, User
from tests.conftest import HTMX, login
from tests.security.test_access_matrix import _row_counts
from tests.web import test_portal_top_up, test_restart

# the same customer as the console's new-start tests: 5 licenses, 4 members, expired a month ago; its administrator
# logged in to the portal as for a Top Up there
acme, today, restart = test_restart.acme, test_restart.today, test_restart.restart
carol, url = test_portal_top_up.carol, test_portal_top_up.url


def test_the_portal_leads_an_ended_subscription_to_its_new_term(carol, acme):
    home = carol.get("/portal/").text
    assert re.search(rf'href="{url(acme)}">Start it again<', home) and "Ended" in home and "Renews" not in home
    members = carol.get(f"/portal/customers/{acme.id}/members").text
    assert re.search(rf'href="{url(acme)}">Start it again<', members) and "/console/" not in members
    assert "<dt>Ended</dt><dd>Nov 1, 2026</dd>" in members and "Renewal date" not in members


def test_the_new_term_is_offered_and_priced_at_list_price(carol, acme):
    page = carol.get(url(acme)).text
    assert "Purchase licenses · Acme GmbH" in page and "This subscription has ended." in page
    assert f'action="{url(acme, "/restart")}"' in page and f'hx-post="{url(acme, "/restart/quote")}"' in page
    assert re.search(r'<input[^>]*name="licenses"[^>]*value="5"', page) and "/console/" not in page
    part = carol.post(url(acme, "/restart/quote"), data=restart(), headers=HTMX).text
    assert part.lstrip().startswith('<aside id="restart-quote"')
    assert "6 licenses × 12 months × €10.00" in part and "discount" not in part  # its own administrator (R3)
    assert "€856.80" in part  # 720.00 + 19 % German VAT
    assert "has an administrator of its own" not in part  # said to the reseller, not to the administrator


def test_a_bank_transfer_from_the_portal_starts_it_again_and_shows_how_to_pay(carol, acme):
    response = carol.post(url(acme, "/restart"), data=restart())
    order = db.session.scalars(sa.select(Order)).one()
    assert response.headers["Location"] == f"/portal/customers/{acme.id}/orders/{order.id}"
    assert (order.kind, order.licenses_added, order.net_minor, db.session.get(User, order.placed_by_id).email) == \
        (OrderKind.RESTART, 6, 72000, "carol@acme.test")
    subscription = acme.subscription
    assert (subscription.status, subscription.licenses, subscription.term_months) == (SubscriptionStatus.ACTIVE, 6, 12)
    page = carol.get(response.headers["Location"]).text
    invoice = db.session.scalars(sa.select(Invoice)).one()
    assert "6 licenses for 12 months, from Dec 1, 2026." in page and "IBAN" in page
    assert f"/portal/invoices/{invoice.id}.pdf" in page and "/console/" not in page
    assert 'id="top-up-form"' in carol.get(url(acme)).text  # active again: Top Up


def test_a_card_payment_from_the_portal_comes_back_here_and_follows_the_portal(carol, acme):
    response = carol.post(url(acme, "/restart"), data=restart(payment_method="card", term_months="1"))
    order = db.session.scalars(sa.select(Order)).one()
    assert response.headers["Location"].endswith(f"/sandbox/checkout/{order.provider_ref}")
    waiting = carol.get(url(acme)).text
    assert "A card payment to start this subscription again is under way." in waiting
    assert f'href="/portal/customers/{acme.id}/orders/{order.id}/payment">Go back to the payment page' in waiting
    assert f'href="/portal/customers/{acme.id}/orders/{order.id}">Follow the payment' in waiting
    paid = carol.post(f"/sandbox/checkout/{order.provider_ref}")
    assert paid.headers["Location"] == f"/portal/customers/{acme.id}/orders/{order.id}"
    assert carol.get(paid.headers["Location"]).headers["Location"] == f"/portal/customers/{acme.id}/members"
    db.session.expire_all()
    assert (db.session.get(Order, order.id).status, acme.subscription.status) == \
        (OrderStatus.PAID, SubscriptionStatus.ACTIVE)


def test_a_lapsed_card_start_from_the_portal_leads_back_to_a_new_one(app, carol, acme):
    carol.post(url(acme, "/restart"), data=restart(payment_method="card"))
    order = db.session.scalars(sa.select(Order)).one()
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
        app.test_cli_runner().invoke(args=["billing", "run-daily"])
        page = carol.get(f"/portal/customers/{acme.id}/orders/{order.id}").text
    assert "the order lapsed" in page and re.search(rf'href="{url(acme)}">Start it again<', page)


def test_a_wrong_new_term_from_the_portal_is_refused_next_to_its_field_and_changes_nothing(carol, acme):
    before = _row_counts()
    response = carol.post(url(acme, "/restart"), data=restart(licenses="3"))
    assert response.status_code == 200 and "start with at least 4" in response.text
    assert 'id="restart-form"' in response.text and _row_counts() == before


def test_an_administrator_of_another_organization_cannot_start_it_again(client, make, acme):
    other = make.customer(acme.reseller, "Other GmbH")
    login(client, make.customer_admin(other, "olga@other.test"))
    before = _row_counts()
    assert client.get(url(acme)).status_code == 404
    assert client.post(url(acme, "/restart"), data=restart()).status_code == 404
    assert _row_counts() == before and acme.subscription.status == SubscriptionStatus.EXPIRED


def test_the_resellers_administrators_are_told_once_the_card_payment_is_confirmed(carol, make, acme):
    make.reseller_admin(acme.reseller, "anna@northwind.test")
    carol.post(url(acme, "/restart"), data=restart(payment_method="card", term_months="1"))
    told = sa.select(OutboxMessage).where(OutboxMessage.kind == "ordered_in_portal")
    assert db.session.scalars(told).all() == []  # not before the payment
    carol.post(f"/sandbox/checkout/{db.session.scalars(sa.select(Order)).one().provider_ref}")
    mail = db.session.scalars(told).one()
    assert (mail.to_address, mail.subject) == ("anna@northwind.test", "Acme GmbH started its subscription again")
    assert "6 licenses for 1 month." in mail.body_text and "at list price" in mail.body_text
