"""Create, step by step as a reseller clicks through it (seed 000, "Add a new customer")."""

import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import db
from domain.clock import utcnow
from domain.models import (
    AuditEvent,
    Customer,
    Invoice,
    InvoiceStatus,
    Order,
    OutboxMessage,
    Subscription,
    SubscriptionStatus,
)
from tests.conftest import HTMX, login


def form(**values) -> dict:
    data = {"name": "Nordlicht Studio GmbH", "street": "Alexanderplatz 1", "postal_code": "10178", "city": "Berlin",
            "country": "DE", "contact_name": "Nina Nord", "contact_email": "nina@nordlicht.test",
            "billing_email": "billing@nordlicht.test", "vat_number": "", "po_reference": "PO-4711",
            "licenses": "8", "term_months": "12", "payment_method": "bank_transfer",
            "idempotency_key": uuid.uuid4().hex}
    data.update(values)
    return data


def counts() -> dict:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Customer, Subscription, Order, Invoice, OutboxMessage)}


@pytest.fixture
def reseller(make):
    make.seller()
    return make.reseller("Northwind IT SAS", discount_bp=2000, allowed_organizations=3)


@pytest.fixture
def admin(client, make, reseller):
    user = make.reseller_admin(reseller)
    login(client, user)
    return user


def test_the_create_page_has_the_customer_fields_and_a_fresh_idempotency_key(client, admin):
    page = client.get("/console/create/").text
    for label in ("Company name", "Street", "Postal code", "City", "Country", "Contact name", "Contact e-mail",
                  "Billing e-mail", "VAT number", "Purchase order reference", "Number of licenses", "1 month",
                  "12 months", "Card", "Bank transfer"):
        assert label in page, label
    keys = {re.search(r'name="idempotency_key" type="hidden" value="(\w+)"', client.get("/console/create/").text)
            .group(1) for _ in range(2)}
    assert len(keys) == 2
    part = client.get("/console/create/", headers={**HTMX, "HX-Target": "content"}).text
    assert "<html" not in part and 'id="create-form"' in part


def test_the_live_quote_takes_the_reseller_discount_and_explains_the_vat(client, admin):
    part = client.post("/console/create/quote", data=form(country="FR", vat_number="FR 61 954 506 077",
                                                          payment_method="card"), headers=HTMX).text
    assert 'id="quote-panel"' in part and "<html" not in part
    assert "8 licenses × 12 months × €10.00" in part and "€960.00" in part
    assert "Reseller discount 20 %" in part and "−€192.00" in part
    assert "Reverse charge: valid French VAT number FR61954506077" in part and "€768.00" in part
    assert re.search(r'<fieldset id="term-field"[^>]*hx-swap-oob="true"', part)


def test_a_domestic_quote_charges_the_sellers_vat(client, admin):
    part = client.post("/console/create/quote", data=form(), headers=HTMX).text
    assert "German VAT 19 %" in part and "€145.92" in part and "€913.92" in part


def test_an_invalid_vat_number_shows_under_the_field_and_the_quote_charges_vat(client, admin):
    part = client.post("/console/create/quote", data=form(country="FR", vat_number="FR04409414264"),
                       headers=HTMX).text
    vat_check = re.search(r'<div id="vat-check" hx-swap-oob="true">(.*?)</div>', part, re.S).group(1)
    assert "check digits" in vat_check
    assert "French VAT 20 %" in part and "The VAT number is not valid, so VAT is charged." in part


def test_choosing_bank_transfer_fixes_the_term_at_twelve_months_and_says_why(client, admin):
    part = client.post("/console/create/quote", data=form(term_months="1"), headers=HTMX).text
    term = re.search(r'<fieldset id="term-field".*?</fieldset>', part, re.S).group(0)
    assert re.search(r'aria-describedby="term_months-help".*id="term_months-help">Bank transfer is yearly', term, re.S)
    assert re.search(r'value="1"[^>]*disabled|disabled[^>]*value="1"', term)
    assert re.search(r'checked[^>]*value="12"|value="12"[^>]*checked', term)
    assert "12 months × €10.00" in part


def test_without_javascript_the_quote_button_re_renders_the_whole_page(client, admin):
    page = client.post("/console/create/quote", data=form()).text
    assert "<html" in page and "German VAT 19 %" in page and 'value="Nordlicht Studio GmbH"' in page
    assert "hx-swap-oob" not in page


def test_bank_transfer_issues_the_invoice_and_activates_at_once(client, admin, reseller):
    response = client.post("/console/create/", data=form())
    assert response.status_code == 303
    order = db.session.scalars(sa.select(Order)).one()
    assert response.headers["Location"] == f"/console/create/orders/{order.id}"
    customer = db.session.get(Customer, order.customer_id)
    subscription = customer.subscription
    assert (customer.name, customer.reseller_id, customer.po_reference) == ("Nordlicht Studio GmbH", reseller.id,
                                                                           "PO-4711")
    assert (subscription.status, subscription.licenses, subscription.term_months) == (SubscriptionStatus.ACTIVE, 8, 12)
    assert subscription.period_end.year == subscription.period_start.year + 1
    invoice = db.session.scalars(sa.select(Invoice)).one()
    assert (invoice.status, invoice.gross_minor) == (InvoiceStatus.OPEN, 91392)
    page = client.get(response.headers["Location"]).text
    for expected in ("Subscription active", "DE89 3704 0044 0532 0130 00", "COBADEFFXXX", "€913.92",
                     f"Download invoice {invoice.number}", "data:image/svg+xml", "Add members under Manage"):
        assert expected in page, expected
    # the reseller now acts on the new customer, and is its administrator without a license
    assert "Nordlicht Studio GmbH" in client.get("/console/manage/").text
    assert subscription.members.count() == 0


def test_bank_transfer_mails_the_invoice_with_a_payer_link_and_welcomes_the_contact(client, admin):
    client.post("/console/create/", data=form())
    mails = {m.kind: m for m in db.session.scalars(sa.select(OutboxMessage))}
    assert set(mails) == {"invoice", "subscription_created"}
    invoice = db.session.scalars(sa.select(Invoice)).one()
    assert mails["invoice"].to_address == "billing@nordlicht.test" and invoice.number in mails["invoice"].subject
    assert invoice.rf_reference in mails["invoice"].body_text.replace(" ", "")
    assert mails["subscription_created"].to_address == "nina@nordlicht.test"
    assert "Business subscription" in mails["subscription_created"].subject
    link = re.search(r"http://localhost(/pay/\S+)", mails["invoice"].body_text).group(1)
    client.post("/logout")
    page = client.get(link)  # a payer without an account
    assert page.status_code == 200 and invoice.number in page.text
    pdf = client.get(f"{link}/invoice.pdf")
    assert pdf.status_code == 200 and pdf.data == invoice.pdf
    assert client.get(f"{link}x/invoice.pdf").status_code == 404
    token = link.split("/")[2]
    assert client.get(f"/pay/{token[:-3]}abc/invoice.pdf").status_code == 404


def test_an_expired_payer_link_shows_no_invoice_and_offers_a_new_one(client, admin, app):
    client.post("/console/create/", data=form())
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "invoice")).one()
    link = re.search(r"http://localhost(/pay/\S+)", mail.body_text).group(1)
    with time_machine.travel(utcnow() + timedelta(days=401)):
        expired = client.get(link)
        assert expired.status_code == 410 and "Send a new link" in expired.text and "IBAN" not in expired.text
        assert client.get(f"{link}/invoice.pdf").status_code == 404


def test_the_same_form_submitted_twice_makes_one_order(client, admin):
    data = form()
    first, second = client.post("/console/create/", data=data), client.post("/console/create/", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert counts() == {"Customer": 1, "Subscription": 1, "Order": 1, "Invoice": 1, "OutboxMessage": 2}


def test_a_refused_form_changes_nothing_and_keeps_what_was_typed(client, admin):
    before = counts()
    page = client.post("/console/create/", data=form(
        name="", contact_email="not-an-address", country="XX", licenses="0", vat_number="DE136695978")).text
    assert counts() == before
    assert "Required." in page and "not a valid e-mail address" in page and "Not a valid choice" in page
    assert "Choose between 1 and 10,000 licenses." in page
    assert 'value="Alexanderplatz 1"' in page and 'value="not-an-address"' in page


@pytest.mark.parametrize("values, message", [
    ({"vat_number": "DE136695978"}, "check digits"),
    ({"vat_number": "FR61954506077"}, "French VAT number, but the customer is in DE"),
    ({"vat_number": "EU372022452"}, "OSS registration"),
    ({"licenses": "10001"}, "Choose between 1 and 10,000 licenses."),
    ({"licenses": "abc"}, "Enter a whole number of licenses"),
    ({"billing_email": "x@"}, "not a valid e-mail address"),
    ({"payment_method": "cash"}, "Not a valid choice"),
    ({"term_months": "6", "payment_method": "card"}, "Not a valid choice"),
])
def test_each_field_is_validated_with_a_message_next_to_it(client, admin, values, message):
    before = counts()
    page = client.post("/console/create/", data=form(**values)).text
    assert message in page and counts() == before


def test_a_radio_groups_error_is_named_by_the_group_for_a_screen_reader(client, admin):
    page = client.post("/console/create/", data=form(payment_method="cash")).text
    group = re.search(r'<fieldset class="choices"[^>]*>\s*<legend>Payment.*?</fieldset>', page, re.S).group(0)
    assert re.search(r'aria-describedby="payment_method-error".*id="payment_method-error">Not a valid choice', group,
                     re.S)
    term = re.search(r'<fieldset id="term-field".*?</fieldset>', client.post(
        "/console/create/", data=form(term_months="6", payment_method="card")).text, re.S).group(0)
    assert re.search(r'aria-describedby="term_months-error".*id="term_months-error">Not a valid choice', term, re.S)


def test_a_reseller_at_its_organization_limit_is_refused(client, admin, make, reseller):
    for _ in range(3):
        make.customer(reseller)
    assert "reached your limit of 3 organizations" in client.get("/console/create/").text
    before = counts()
    page = client.post("/console/create/", data=form()).text
    assert "reached your limit of 3 organizations" in page and counts() == before


def test_the_last_allowed_organization_can_still_be_created(client, admin, make, reseller):
    make.customer(reseller), make.customer(reseller)
    assert client.post("/console/create/", data=form()).status_code == 303
    assert "reached your limit" in client.get("/console/create/").text


def test_creating_is_audited(client, admin):
    client.post("/console/create/", data=form())
    actions = [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["customer.created", "order.placed", "invoice.issued"]


def test_another_resellers_order_page_is_not_found(client, admin, make):
    theirs = make.order(make.customer(make.reseller()))
    assert client.get(f"/console/create/orders/{theirs.id}").status_code == 404
