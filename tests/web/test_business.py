"""Business Information: the acting-on customer's details, corrected in place and audited."""

import pytest
import sqlalchemy as sa

from app import db
from domain.models import AuditEvent, Customer
from tests.conftest import HTMX, login


def info(customer, **values) -> dict:
    data = {key: getattr(customer, key) or "" for key in ("name", "street", "postal_code", "city", "country",
                                                           "contact_name", "contact_email", "billing_email",
                                                           "vat_number", "po_reference")}
    data.update(values)
    return data


@pytest.fixture
def acme(client, make):
    reseller = make.reseller()
    customer = make.customer(reseller, "Acme GmbH", street="Friedrichstraße 12", postal_code="10115", city="Berlin",
                             contact_name="Carla Acme", vat_number="DE136695976")
    login(client, make.reseller_admin(reseller))
    client.get(f"/console/business/?customer={customer.id}")
    return customer


def test_the_page_shows_the_information_in_an_editable_form(client, acme):
    page = client.get("/console/business/").text
    assert 'id="business-form"' in page and 'value="Friedrichstraße 12"' in page and 'value="DE136695976"' in page
    part = client.get("/console/business/", headers={**HTMX, "HX-Target": "content"}).text
    assert "<html" not in part and 'id="business-form"' in part


def test_an_inline_save_swaps_the_form_and_audits_before_and_after(client, acme):
    part = client.post("/console/business/", data=info(acme, street="Unter den Linden 5", po_reference="PO-9"),
                       headers=HTMX).text
    assert part.lstrip().startswith('<form id="business-form"') and "Saved." in part
    db.session.refresh(acme)
    assert (acme.street, acme.po_reference) == ("Unter den Linden 5", "PO-9")
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "customer.updated")).one()
    assert event.before == {"street": "Friedrichstraße 12", "po_reference": None}
    assert event.after == {"street": "Unter den Linden 5", "po_reference": "PO-9"}
    assert event.customer_id == acme.id


def test_without_javascript_a_save_redirects_with_a_message(client, acme):
    response = client.post("/console/business/", data=info(acme, city="Potsdam"))
    assert response.status_code == 303
    assert "Saved." in client.get(response.headers["Location"]).text


def test_saving_without_changes_records_nothing(client, acme):
    assert "Nothing changed." in client.post("/console/business/", data=info(acme), headers=HTMX).text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


@pytest.mark.parametrize("values, message", [
    ({"vat_number": "FR61954506077"}, "French VAT number, but the customer is in DE"),
    ({"country": "FR"}, "German VAT number, but the customer is in FR"),
    ({"vat_number": "DE136695978"}, "check digits"),
    ({"billing_email": "nope"}, "not a valid e-mail address"),
    ({"name": " "}, "Required."),
])
def test_bad_input_is_refused_next_to_the_field_and_changes_nothing(client, acme, values, message):
    part = client.post("/console/business/", data=info(acme, **values), headers=HTMX).text
    assert message in part
    db.session.refresh(acme)
    assert (acme.name, acme.country, acme.vat_number, acme.billing_email) == \
        ("Acme GmbH", "DE", "DE136695976", acme.billing_email)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_a_changed_vat_number_changes_future_vat_but_not_issued_invoices(client, acme, make):
    invoice = make.invoice(acme)
    pdf = bytes(invoice.pdf)
    client.post("/console/business/", data=info(acme, country="FR", vat_number="FR 61 954 506 077",
                                                name="Acme France SAS"), headers=HTMX)
    db.session.refresh(acme)
    assert (acme.country, acme.vat_number) == ("FR", "FR61954506077")
    assert make.order(acme).vat_treatment == "reverse_charge"
    db.session.refresh(invoice)
    assert invoice.pdf == pdf and invoice.snapshot["buyer"]["name"] == "Acme GmbH"


def test_another_resellers_customer_cannot_be_edited(client, acme, make):
    theirs = make.customer(make.reseller(), "Theirs")
    assert client.post(f"/console/business/?customer={theirs.id}", data=info(theirs, name="Hacked")).status_code == 404
    assert db.session.get(Customer, theirs.id).name == "Theirs"
