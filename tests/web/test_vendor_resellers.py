"""The vendor's resellers (seed 003): creation and invitation, discount and limits, suspension; seller settings."""

import csv
import io
import re

import pytest
import sqlalchemy as sa

from app import db
from blueprints.web import READ_ONLY_POSTS
from domain.models import (
    AuditEvent,
    Base,
    Customer,
    Invoice,
    Member,
    OutboxMessage,
    Reseller,
    ResellerStatus,
    SellerSettings,
    SubscriptionStatus,
)
from domain.money import format_money, to_decimal
from tests.conftest import HTMX, PASSWORD, exported, login
from tests.web.test_create import form as create_form

RESELLER = {"name": "Danube Digital GmbH", "street": "Ring 1", "postal_code": "1010", "city": "Wien", "country": "AT",
            "vat_number": "ATU13585627", "contact_email": "office@danube.test", "billing_email": "billing@danube.test",
            "discount": "15", "allowed_organizations": "2", "allowed_users": "", "first_admin": "ida@danube.test"}


@pytest.fixture
def operator(client, make):
    make.seller()
    login(client, make.operator())
    return client


def rows(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_operator_creates_a_reseller_whose_first_admin_activates_and_logs_in(operator, app):
    response = operator.post("/vendor/resellers/new", data=RESELLER)
    reseller = db.session.scalars(sa.select(Reseller)).one()
    assert response.headers["Location"] == f"/vendor/resellers/{reseller.id}"
    assert (reseller.discount_bp, reseller.allowed_organizations, reseller.allowed_users, reseller.vat_number) == \
        (1500, 2, None, "ATU13585627")
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == "ida@danube.test")).one()
    link = re.search(r"http://localhost(/activate/\S+)", mail.body_text).group(1)
    assert "administer Danube Digital GmbH" in mail.body_text
    operator.post("/logout")
    operator.post(link, data={"name": "Ida", "password": PASSWORD, "confirm": PASSWORD})
    page = operator.get("/console/").text
    assert "Danube Digital GmbH" in page and "0 of 2 organizations" in page
    events = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.reseller_id == reseller.id)).all()
    assert {"reseller.created", "reseller.admin_invited"} <= set(events)


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Required."),
    ("vat_number", "ATU00000000", "VAT"),
    ("discount", "101", "Between 0 and 100 %."),
    ("discount", "12.345", "At most two decimals."),
    ("discount", "1e309", "Between 0 and 100 %."),  # too large to be rounded to cents: the range says no first
    ("discount", "Infinity", "Between 0 and 100 %."),
    ("allowed_organizations", "-1", "A whole number from 0, or empty."),
    ("first_admin", "not an address", "e-mail"),
])
def test_wrong_reseller_data_is_refused_next_to_the_field(operator, field, value, message):
    before = {t.name: rows(t) for t in Base.metadata.sorted_tables}
    page = operator.post("/vendor/resellers/new", data={**RESELLER, field: value}).text
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', page, re.I)
    assert {t.name: rows(t) for t in Base.metadata.sorted_tables} == before


def test_a_new_discount_applies_to_later_quotes_only(client, operator, make):
    reseller = make.reseller("Danube Digital GmbH", discount_bp=2000)
    admin = make.reseller_admin(reseller)
    operator.post("/logout")
    login(client, admin)
    client.post("/console/create/", data=create_form(licenses="10"))
    first = db.session.scalars(sa.select(Invoice)).one()
    assert first.net_minor == 10 * 12 * 800
    client.post("/logout")
    login(client, make.operator())
    values = {**RESELLER, "name": reseller.name, "discount": "30", "allowed_organizations": ""}
    del values["first_admin"]
    assert client.post(f"/vendor/resellers/{reseller.id}", data=values).status_code == 303
    client.post("/logout")
    login(client, admin)
    quote = client.post("/console/create/quote", data=create_form(licenses="10", name="Second GmbH")).text
    assert "Reseller discount 30 %" in quote
    db.session.refresh(first)
    assert first.net_minor == 10 * 12 * 800 and first.pdf_sha256 is not None  # the issued invoice keeps its price
    change = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "reseller.updated")).one()
    assert change.before["discount_bp"] == 2000 and change.after["discount_bp"] == 3000


def test_a_limit_lowered_below_use_blocks_and_says_so_on_both_sides(client, operator, make):
    reseller = make.reseller("Danube Digital GmbH", allowed_organizations=20)
    for n in range(3):
        make.customer(reseller, f"Customer {n}")
    values = {**RESELLER, "name": reseller.name, "allowed_organizations": "2"}
    del values["first_admin"]
    operator.post(f"/vendor/resellers/{reseller.id}", data=values)
    vendor_page = operator.get(f"/vendor/resellers/{reseller.id}").text
    assert "3 of 2 allowed organizations are in use: new customers cannot be created." in vendor_page
    assert rows(Customer) == 3  # nothing taken away
    operator.post("/logout")
    login(client, make.reseller_admin(reseller))
    assert "3 of 2 allowed organizations are in use" in client.get("/console/").text
    page = client.post("/console/create/", data=create_form()).text
    assert "reached your limit of 2 organizations" in page and rows(Customer) == 3


def test_each_limit_shows_what_is_in_use_under_it(operator, make):
    reseller = make.reseller("Danube Digital GmbH", allowed_organizations=20, allowed_users=None)
    make.customer(reseller, "Customer 1", members=3)
    make.customer(reseller, "Customer 2", members=2)

    def helps():
        page = operator.get(f"/vendor/resellers/{reseller.id}").text
        return {name: re.search(rf'id="{name}-help">([^<]*)</p>', page).group(1)
                for name in ("allowed_organizations", "allowed_users")}

    assert helps() == {"allowed_organizations": "In use now: 2. Empty: unlimited.",
                       "allowed_users": "In use now: 5. Empty: unlimited."}
    make.customer(reseller, "Customer 3", members=1)
    assert helps() == {"allowed_organizations": "In use now: 3. Empty: unlimited.",
                       "allowed_users": "In use now: 6. Empty: unlimited."}


def test_a_reseller_admin_invites_another_admin_of_its_own_reseller(client, make):
    reseller = make.reseller("Danube Digital GmbH")
    login(client, make.reseller_admin(reseller))
    assert client.post("/console/account/team", data={"email": "jan@danube.test"}).status_code == 303
    invited = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == "jan@danube.test")).one()
    assert "/activate/" in invited.body_text
    # the invited administrator has no name yet: listed by address, once; the vendor's page lists the team alike
    listed = '<li><span>jan@danube.test <span class="muted"> · invited</span></span>'
    assert listed in client.get("/console/account/team").text
    client.post("/logout")
    login(client, make.operator())
    assert listed in client.get(f"/vendor/resellers/{reseller.id}").text
    client.post("/logout")
    login(client, make.reseller_admin(reseller))
    again = client.post("/console/account/team", data={"email": "jan@danube.test"}).text
    assert "jan@danube.test is already an administrator of Danube Digital GmbH." in again


def test_an_invitation_does_not_tell_which_role_an_address_has_elsewhere(client, make):
    reseller = make.reseller("Danube Digital GmbH")
    login(client, make.reseller_admin(reseller))
    others = [make.reseller_admin(make.reseller("Rival IT")), make.operator(),
              make.customer_admin(make.customer(make.reseller("Third")))]
    before = {t.name: rows(t) for t in Base.metadata.sorted_tables}
    refusals = set()
    for person in others:
        page = client.post("/console/account/team", data={"email": person.email}).text
        refusals.add(re.search(r'id="email-error">([^<]*)<', page).group(1).strip())
    assert refusals == {"This address cannot be invited: it has another role on Seatdesk already. "
                        "Use another address."}
    assert {t.name: rows(t) for t in Base.metadata.sorted_tables} == before


def test_the_list_searches_and_sorts(operator, make):
    make.reseller("Alpha Resale")
    big = make.reseller("Zulu Partners")
    for n in range(2):
        make.customer(big, f"Z{n}")
    page = operator.get("/vendor/?sort=customers").text
    assert page.index("Zulu Partners") < page.index("Alpha Resale")
    by_name = operator.get("/vendor/").text
    assert by_name.index("Alpha Resale") < by_name.index("Zulu Partners")
    searched = operator.get("/vendor/?q=zulu").text
    assert "Zulu Partners" in searched and "Alpha Resale" not in searched
    part = operator.get("/vendor/?q=zulu", headers=HTMX).text  # what the search box swaps for #reseller-table
    assert part.lstrip().startswith('<div id="reseller-table"') and part.count("<table") == 1



def test_the_list_exports_as_csv_searched_and_sorted_as_shown(operator, make):
    make.reseller("Alpha Resale", discount_bp=1250, allowed_organizations=10)
    big = make.reseller("Zulu Partners")
    for n in range(2):
        make.customer(big, f"Z{n}")
    make.reseller("=cmd|' /C calc'!A0")  # a formula in a spreadsheet, unless written as text
    part = operator.get("/vendor/?sort=customers", headers=HTMX).text
    assert 'href="/vendor/resellers.csv?sort=customers"' in part  # the link follows the list, swapped with it
    response = operator.get("/vendor/resellers.csv?sort=customers")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(exported(response)))
    assert rows[0][:2] == ["reseller", "country"] and rows[0][-1] == "status"
    assert rows[1][0] == "Zulu Partners" and rows[1][5] == "2" and rows[1][6] == ""  # unlimited: empty
    alpha = next(row for row in rows if row[0] == "Alpha Resale")
    assert alpha[4:7] == ["12.50", "0", "10"] and alpha[-3:] == ["0.00", "EUR", "active"]
    assert "'=cmd|' /C calc'!A0" in [row[0] for row in rows]
    searched = list(csv.reader(exported(operator.get("/vendor/resellers.csv?q=zulu"))))
    assert [row[0] for row in searched[1:]] == ["Zulu Partners"]


def test_the_list_shows_each_resellers_revenue_open_and_overdue_amounts(operator, make):
    """Revenue this year is net of VAT and of credit notes; open is what is left to pay, overdue the part of it past
    its due day; the list sorts by each and the CSV carries them."""
    from datetime import timedelta

    from domain.clock import today
    from invoices.issuing import credit
    from invoices.reconciliation import record_payment

    late, punctual = make.reseller("Late Resale"), make.reseller("Punctual Partners")
    overdue, not_due = make.invoice(make.customer(late)), make.invoice(make.customer(late))
    overdue.due_on = today() - timedelta(days=1)
    paid = make.invoice(make.customer(punctual, licenses=30))
    record_payment(paid, paid.gross_minor, received_on=today(), method="bank transfer", reference=None)
    credit(not_due, [("Goodwill", 1000)], "Goodwill")
    db.session.commit()
    late_open = overdue.gross_minor + not_due.gross_minor - not_due.credited_minor
    page = operator.get("/vendor/").text
    row = next(row for row in page.split("<tr>") if "Late Resale" in row)
    assert format_money(overdue.net_minor + not_due.net_minor - 1000, "EUR") in row  # revenue, less the credit note
    assert (f'{format_money(late_open, "EUR")}<span class="small overdue nowrap">'
            f'{format_money(overdue.gross_minor, "EUR")} overdue</span>') in row
    row = next(row for row in page.split("<tr>") if "Punctual Partners" in row)
    assert format_money(paid.net_minor, "EUR") in row and "overdue" not in row
    by_overdue = operator.get("/vendor/?sort=overdue").text
    assert by_overdue.index("Late Resale") < by_overdue.index("Punctual Partners")
    by_revenue = operator.get("/vendor/?sort=revenue").text  # 30 licenses against 2 x 10
    assert by_revenue.index("Punctual Partners") < by_revenue.index("Late Resale")
    table = {row["reseller"]: row for row in csv.DictReader(exported(operator.get("/vendor/resellers.csv")))}
    assert (table["Late Resale"]["open"], table["Late Resale"]["overdue"]) == (
        str(to_decimal(late_open, "EUR")), str(to_decimal(overdue.gross_minor, "EUR")))
    assert (table["Punctual Partners"]["open"], table["Punctual Partners"]["overdue"]) == ("0.00", "0.00")


# Seller settings

SETTINGS = {"list_price": "12.50", "currency": "EUR", "legal_name": "Example Software GmbH", "street": "Musterstraße 1",
            "postal_code": "10115", "city": "Berlin", "country": "DE", "vat_number": "DE136695976",
            "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX", "invoice_footer": "HRB 12345",
            "vies_enabled": "y"}


def test_settings_change_future_prices_and_are_audited(operator, client, make):
    response = operator.post("/vendor/settings", data=SETTINGS)
    assert response.status_code == 303
    settings = db.session.scalars(sa.select(SellerSettings)).one()
    db.session.refresh(settings)
    assert (settings.list_price_minor, settings.iban, settings.vies_enabled) == (1250, "DE89370400440532013000", True)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "seller.updated")).one()
    assert event.before["list_price_minor"] == 1000 and event.after["list_price_minor"] == 1250
    assert 'value="12.50"' in operator.get("/vendor/settings").text


@pytest.mark.parametrize("field, value, message", [
    ("iban", "DE00 1234", "This IBAN is not valid"),
    ("bic", "NOTABIC", "This BIC is not valid"),
    ("list_price", "0", "Between 0.01 and 100,000."),
    ("list_price", "-1e309", "Between 0.01 and 100,000."),
    ("vat_number", "", "Required on every invoice."),
])
def test_wrong_settings_are_refused_and_change_nothing(operator, field, value, message):
    page = operator.post("/vendor/settings", data={**SETTINGS, field: value}).text
    assert message in page
    assert db.session.scalars(sa.select(SellerSettings)).one().list_price_minor == 1000


def test_a_logo_must_be_an_svg(operator):
    page = operator.post("/vendor/settings", data={**SETTINGS, "logo": (io.BytesIO(b"GIF89a..."), "logo.gif")},
                         content_type="multipart/form-data").text
    assert "The logo is not a valid SVG file" in page
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    operator.post("/vendor/settings", data={**SETTINGS, "logo": (io.BytesIO(svg), "logo.svg")},
                  content_type="multipart/form-data")
    assert db.session.scalars(sa.select(SellerSettings)).one().logo_svg.startswith("<svg")


def test_a_new_installation_sets_everything_an_invoice_needs_here(client, make):
    login(client, make.operator())
    assert "Nothing is set yet" in client.get("/vendor/settings").text
    assert client.post("/vendor/settings", data=SETTINGS).status_code == 303
    assert db.session.scalars(sa.select(SellerSettings)).one().legal_name == "Example Software GmbH"


# Suspension: read, never write

def test_a_suspended_reseller_reads_and_every_write_route_is_refused(app, client, operator, make):
    reseller = make.reseller("Danube Digital GmbH")
    customer = make.customer(reseller, "Acme GmbH", members=2)
    operator.post(f"/vendor/resellers/{reseller.id}/status", data={"status": "suspended"})
    assert db.session.get(Reseller, reseller.id).status == ResellerStatus.SUSPENDED
    operator.post("/logout")
    login(client, make.reseller_admin(reseller))
    page = client.get(f"/console/manage/?customer={customer.id}").text
    assert "Acme GmbH" in page and "you can read everything, but not buy or change anything" in page
    before = {t.name: rows(t) for t in Base.metadata.sorted_tables}
    tried = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in READ_ONLY_POSTS:  # quotes, its people's own accounts
            continue
        values = {name: 1 for name in rule.arguments}
        values.update({k: v for k, v in {"customer_id": customer.id, "token": "x", "provider": "sandbox",
                                         "reference": "x"}.items() if k in rule.arguments})
        response = client.post(rule.build(values)[1], data={"licenses": "1", "emails": "new@acme.test"})
        if rule.endpoint in {"auth.login", "auth.forgot_password", "auth.activate", "auth.reset_password",
                             "payments.webhook"}:
            continue  # not a reseller's write: signed-out flows and the provider's webhook have their own guards
        assert response.status_code == 403, (rule.rule, response.status_code)
        assert "Your reseller account is suspended" in response.text
        tried += 1
    assert tried >= 20
    assert {t.name: rows(t) for t in Base.metadata.sorted_tables} == before
    client.post("/logout")
    login(client, make.operator())
    client.post(f"/vendor/resellers/{reseller.id}/status", data={"status": "active"})
    assert db.session.get(Reseller, reseller.id).status == ResellerStatus.ACTIVE


def _offers(client, customer, ended) -> dict[str, bool]:
    """Which changes the console's pages offer, by what a person would click or fill in."""
    manage = client.get(f"/console/manage/?customer={customer.id}").text
    team = client.get("/console/account/team").text
    business = client.get(f"/console/business/?customer={customer.id}").text
    return {"create": 'id="create-form"' in client.get("/console/create/").text,
            "top up": 'id="top-up-form"' in client.get(f"/console/licenses/?customer={customer.id}").text,
            "start again": 'id="restart-form"' in client.get(f"/console/licenses/?customer={ended.id}").text,
            "add members": 'name="emails"' in manage, "remove members": "Remove Members" in manage,
            "re-send to a member": ">Re-send<" in manage, "renewal": "Save renewal setting" in manage,
            "revoke an administrator": ">Revoke<" in manage, "invite an administrator": "Send the invitation" in team,
            "re-send to an administrator": ">Re-send<" in team, "remove an administrator": ">Remove<" in team,
            "business information": ">Save<" in business and not re.search(r'<fieldset class="plain"\s+disabled',
                                                                              business)}


def test_a_suspended_resellers_pages_offer_no_change_and_say_why(client, make):
    make.seller()
    reseller = make.reseller("Danube Digital GmbH")
    customer = make.customer(reseller, "Acme GmbH", members=1)
    db.session.add(Member(subscription=customer.subscription, email="invited@acme.test"))
    make.customer_admin(customer)
    ended = make.customer(reseller, "Bygone GmbH")
    ended.subscription.status = SubscriptionStatus.EXPIRED
    invited = make.reseller_admin(reseller, "invited.admin@danube.test")
    invited.password_hash = invited.activated_at = None
    db.session.commit()
    login(client, make.reseller_admin(reseller))
    active = _offers(client, customer, ended)
    assert all(active.values()), active
    reseller.status = ResellerStatus.SUSPENDED
    db.session.commit()
    assert not any(_offers(client, customer, ended).values())
    reasons = {"/console/create/": "no customer can be created",
               f"/console/licenses/?customer={customer.id}": "no licenses can be bought",
               f"/console/licenses/?customer={ended.id}": "no subscription can be started again",
               f"/console/manage/?customer={customer.id}": "no member can be added",
               "/console/account/team": "no administrator can be invited",
               f"/console/business/?customer={customer.id}": "the business information can be read, not changed"}
    for path, reason in reasons.items():
        page = client.get(path).text
        assert f"While your reseller account is suspended, {reason}" in page, path
    # everything is still there to read
    assert "invited@acme.test" in client.get(f"/console/manage/?customer={customer.id}").text
    assert 'value="Acme GmbH"' in client.get(f"/console/business/?customer={customer.id}").text
    assert "invited.admin@danube.test" in client.get("/console/account/team").text


def test_the_twentieth_organization_is_allowed_and_the_twenty_first_refused(client, make):
    make.seller()
    reseller = make.reseller("Danube Digital GmbH", allowed_organizations=20)
    for n in range(19):
        make.customer(reseller, f"Customer {n}")
    login(client, make.reseller_admin(reseller))
    assert client.post("/console/create/", data=create_form(name="Twentieth GmbH")).status_code == 303
    assert rows(Customer) == 20
    page = client.post("/console/create/", data=create_form(name="Twenty-first GmbH")).text
    assert "reached your limit of 20 organizations" in page and rows(Customer) == 20


def test_a_logo_in_another_encoding_is_stored_as_text(operator):
    svg = '<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"><title>Café</title></svg>'
    logo = (io.BytesIO(svg.encode("latin-1")), "logo.svg")
    response = operator.post("/vendor/settings", data={**SETTINGS, "logo": logo}, content_type="multipart/form-data")
    assert response.status_code == 303
    assert "<title>Café</title>" in db.session.scalars(sa.select(SellerSettings)).one().logo_svg
