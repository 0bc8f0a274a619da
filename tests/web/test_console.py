import csv
import re
from datetime import date

import pytest
import sqlalchemy as sa

from app import db
from domain.models import Customer, Invoice, PaymentMethod, SubscriptionStatus
from tests.conftest import HTMX, exported, login

CONTENT = {**HTMX, "HX-Target": "content"}
PAGES = ["/console/", "/console/create/", "/console/manage/", "/console/licenses/", "/console/business/",
         "/console/billing/"]


@pytest.fixture
def north(make):
    """A reseller with three customers, logged in as its admin."""
    reseller = make.reseller("Northwind IT", allowed_organizations=20, allowed_users=50)
    customers = [make.customer(reseller, "Acme GmbH", members=3, licenses=5, vat_number="DE136695976"),
                 make.customer(reseller, "Bellevue SARL", country="FR", contact_email="it@bellevue.test"),
                 make.customer(reseller, "Canal BV", country="NL", term=1)]
    return reseller, make.reseller_admin(reseller), customers


@pytest.fixture
def logged_in(client, north):
    login(client, north[1])
    return client


def test_the_dashboard_has_the_side_menu_and_the_reseller_customers(logged_in, north, make):
    make.customer(make.reseller(), "Other Reseller Customer")
    page = logged_in.get("/console/").text
    for label in ("Create", "Manage", "Purchase License", "Business Information", "Billing", "Acting On"):
        assert label in page
    assert all(name in page for name in ("Acme GmbH", "Bellevue SARL", "Canal BV"))
    assert "Other Reseller Customer" not in page
    assert "3 of 20 organizations" in page and "3 of 50 users" in page


def test_the_dashboard_shows_licenses_used_term_renewal_and_status(logged_in, north):
    table = logged_in.get("/console/").text.split('id="customer-table"')[1]
    row = re.search(r"Acme GmbH.*?</tr>", table, re.S).group(0)
    subscription = north[2][0].subscription
    assert "3 / 5" in row and "12 mo" in row and "active" in row
    assert subscription.period_end.strftime("%Y") in row


@pytest.mark.parametrize("query, expected", [("acme", {"Acme GmbH"}), ("IT@BELLEVUE", {"Bellevue SARL"}),
                                             ("DE1366", {"Acme GmbH"}), ("zzz", set())])
def test_the_dashboard_searches_name_email_and_vat_number(logged_in, north, query, expected):
    table = logged_in.get(f"/console/?q={query}", headers=HTMX).text
    assert table.lstrip().startswith('<div id="customer-table">')
    assert {n for n in ("Acme GmbH", "Bellevue SARL", "Canal BV") if n in table} == expected


def test_a_search_is_paged_and_its_first_page_reads_the_customers_once(logged_in, north, app):
    app.config["PAGE_SIZE"] = 2
    searches = []

    def record(_connection, _cursor, statement, *args):
        if "LIKE" in statement.upper():
            searches.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        first = logged_in.get("/console/?q=A", headers=HTMX).text  # every name has an "a"
        on_first = len(searches)
        second = logged_in.get("/console/?q=A&page=2", headers=HTMX).text
        past_the_end = logged_in.get("/console/?q=A&page=9", headers=HTMX).text
        none = logged_in.get("/console/?q=zzz", headers=HTMX).text
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert "Acme GmbH" in first and "Bellevue SARL" in first and "Canal BV" not in first
    assert "Page 1 of 2 · 3 in all" in first and on_first == 1  # counted by the page's own query
    assert "Canal BV" in second and "Acme GmbH" not in second and "Page 2 of 2 · 3 in all" in second
    assert "Canal BV" in past_the_end and "Page 2 of 2" in past_the_end
    assert "No customer matches “zzz”." in none


def test_the_dashboard_keeps_a_status_and_sorts_by_renewal_date(logged_in, north, app):
    acme, bellevue, canal = north[2]
    bellevue.subscription.status = SubscriptionStatus.EXPIRED
    bellevue.subscription.period_end = date(2026, 1, 1)
    db.session.commit()

    def names(table: str) -> list[str]:
        return re.findall(r'\?customer=\d+">([^<]+)</a>', table)

    page = logged_in.get("/console/").text
    assert '<select name="status">' in page and '<option value="expired" >expired</option>' in page
    assert names(logged_in.get("/console/?status=expired", headers=HTMX).text) == ["Bellevue SARL"]
    assert names(logged_in.get("/console/?status=active&q=a", headers=HTMX).text) == ["Acme GmbH", "Canal BV"]
    assert "No customer with the status “lapsed”." in logged_in.get("/console/?status=lapsed", headers=HTMX).text
    assert names(logged_in.get("/console/?status=nonsense", headers=HTMX).text) == \
        ["Acme GmbH", "Bellevue SARL", "Canal BV"]  # anything else: all
    # the monthly Canal renews first, then the yearly Acme; the expired Bellevue's date is the oldest
    assert names(logged_in.get("/console/?sort=renewal", headers=HTMX).text) == \
        ["Bellevue SARL", "Canal BV", "Acme GmbH"]
    app.config["PAGE_SIZE"] = 1
    paged = logged_in.get("/console/?sort=renewal&status=active", headers=HTMX).text
    assert names(paged) == ["Canal BV"] and 'href="/console/?page=2&amp;status=active&amp;sort=renewal"' in paged


def test_the_customer_list_exports_as_csv_with_its_filters_every_row_not_one_page(logged_in, north, make, app):
    acme, bellevue, canal = north[2]
    bellevue.subscription.status = SubscriptionStatus.EXPIRED
    make.customer(make.reseller("Other reseller"), "Acme Other GmbH")  # not this reseller's
    make.customer(north[0], '=HYPERLINK("https://evil.test")')  # would be a formula in a spreadsheet
    db.session.commit()
    app.config["PAGE_SIZE"] = 1
    table = logged_in.get("/console/?status=active&sort=renewal", headers=HTMX).text
    link = "/console/customers.csv?status=active&amp;sort=renewal"
    assert f'href="{link}"' in table  # the table's link follows the filters, swapped with it
    response = logged_in.get(link.replace("&amp;", "&"))
    assert response.mimetype == "text/csv" and 'filename="customers.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(exported(response)))
    assert rows[0][:3] == ["customer", "contact", "contact e-mail"] and rows[0][-2:] == ["renewal date", "status"]
    # by renewal date, then by name: the two yearly ones renew on the same day
    assert [row[0] for row in rows[1:]] == ["Canal BV", "'=HYPERLINK(\"https://evil.test\")", "Acme GmbH"]
    acme_row = rows[3]
    assert acme_row[4] == "DE136695976" and acme_row[7:10] == ["5", "3", "12"]
    assert acme_row[-2:] == [acme.subscription.period_end.isoformat(), "active"]
    searched = list(csv.reader(exported(logged_in.get("/console/customers.csv?q=acme"))))
    assert [row[0] for row in searched[1:]] == ["Acme GmbH"]  # another reseller's Acme is never there
    assert "Export these customers" not in logged_in.get("/console/?q=nobody", headers=HTMX).text


def test_the_customer_acted_on_comes_with_its_subscription_in_one_statement(logged_in, north):
    acme_id = north[2][0].id
    statements = []

    def record(_connection, _cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        chosen = logged_in.get(f"/console/manage/?customer={acme_id}").text  # chosen under Acting On ...
        again = logged_in.get("/console/manage/").text  # ... and remembered in the session
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert "Manage · Acme GmbH" in chosen and "Manage · Acme GmbH" in again
    by_id = [s for s in statements if re.search(r"\bFROM customers\b", s) and "customers.id = " in s]
    assert len(by_id) == 2 and all("JOIN subscriptions" in s for s in by_id)  # one a request, with it
    assert not [s for s in statements if re.search(r"\bFROM subscriptions\b", s)]


def test_the_customer_list_is_paginated(logged_in, north, make, app):
    app.config["PAGE_SIZE"] = 2
    first = logged_in.get("/console/").text.split('id="customer-table"')[1]
    second = logged_in.get("/console/?page=2", headers=HTMX).text
    assert "Acme GmbH" in first and "Canal BV" not in first and "Page 1 of 2" in first
    assert "Canal BV" in second and "Acme GmbH" not in second
    assert "Canal BV" in logged_in.get("/console/?page=99", headers=HTMX).text  # past the end shows the last page


def test_every_console_page_renders_whole_and_as_the_content_region(logged_in, north):
    for url in PAGES:
        whole = logged_in.get(url)
        assert whole.status_code == 200 and "<html" in whole.text and 'id="acting-on"' in whole.text, url
        part = logged_in.get(url, headers=CONTENT)
        assert part.status_code == 200 and "<html" not in part.text and 'id="acting-on"' not in part.text, url
        assert "HX-Request" in part.headers["Vary"]


def _current_menu_item(page: str) -> list[str]:
    menu = page.split('<nav class="side-menu"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'aria-current="page">([^<]+)</a>', menu)


@pytest.mark.parametrize(("method", "path", "data", "item"), [
    ("GET", "/console/", None, "Customers"),
    ("GET", "/console/billing/orders", None, "Billing"),
    ("POST", "/console/account/team", {"email": "not an address"}, "Team"),  # the form again, with its error
    ("POST", "/console/business/", {"name": ""}, "Business Information"),
])
def test_the_side_menu_marks_the_section_of_every_page_of_it(logged_in, north, method, path, data, item):
    logged_in.get(f"/console/?customer={north[2][0].id}")
    response = logged_in.open(path, method=method, data=data)
    assert response.status_code == 200
    assert _current_menu_item(response.text) == [item]


def test_a_boosted_request_gets_the_whole_page(logged_in, north):
    response = logged_in.get("/console/", headers={**HTMX, "HX-Boosted": "true"})
    assert "<html" in response.text


def test_acting_on_swaps_the_content_region_and_is_remembered(logged_in, north):
    acme = north[2][0]
    part = logged_in.get(f"/console/manage/?customer={acme.id}", headers=CONTENT)
    assert "<html" not in part.text and "Manage · Acme GmbH" in part.text and "m0." in part.text
    # remembered in the session for the other pages
    assert "Acme GmbH" in logged_in.get("/console/business/").text
    assert f'<option value="{acme.id}" selected>' in logged_in.get("/console/billing/").text
    # an empty choice clears it
    cleared = logged_in.get("/console/manage/?customer=").text
    assert "Choose a customer under Acting On" in cleared


def test_acting_on_works_without_javascript_as_a_plain_get_form(logged_in, north):
    page = logged_in.get("/console/").text
    form = re.search(r'<form id="acting-on"[^>]*>', page).group(0)
    assert 'method="get"' in form and 'action="/console/"' in form
    assert "<noscript><button>Go</button></noscript>" in page
    canal = north[2][2]
    whole = logged_in.get(f"/console/?customer={canal.id}").text
    assert '<p class="eyebrow">Acting On</p>' in whole and "<h2>Canal BV</h2>" in whole


def test_the_acting_on_list_holds_only_the_reseller_customers(logged_in, north, make):
    other = make.customer(make.reseller(), "Not Mine")
    options = re.findall(r'<option value="(\d+)"', logged_in.get("/console/").text)
    assert sorted(map(int, options)) == sorted(c.id for c in north[2]) and str(other.id) not in options


def test_pages_that_need_a_customer_ask_for_one(logged_in, north):
    for url in ("/console/manage/", "/console/licenses/", "/console/business/"):
        assert "Choose a customer under Acting On" in logged_in.get(url).text


def test_manage_shows_license_counts_and_members_with_search(logged_in, north):
    acme = north[2][0]
    page = logged_in.get(f"/console/manage/?customer={acme.id}").text
    figures = re.findall(r"<dt>(\w[\w ]*)</dt><dd>([^<]+)</dd>", page)
    assert ("Licenses", "5") in figures and ("Assigned", "3") in figures and ("Unused", "2") in figures
    table = logged_in.get("/console/manage/?q=m1.", headers=HTMX).text
    assert table.lstrip().startswith('<div id="member-table"') and "m1." in table and "m0." not in table


def test_create_tells_a_reseller_at_its_organization_limit_before_filling_anything(client, make):
    reseller = make.reseller(allowed_organizations=1)
    make.customer(reseller)
    login(client, make.reseller_admin(reseller))
    page = client.get("/console/create/").text
    assert "reached your limit of 1 organizations" in page


def test_billing_lists_invoices_of_the_acting_on_customer_or_all(logged_in, north, make):
    from datetime import date

    reseller, _, (acme, bellevue, _canal) = north
    for n, customer in enumerate((acme, bellevue)):
        db.session.add(Invoice(number=f"2026-00000{n + 1}", customer_id=customer.id, reseller_id=reseller.id,
                               issued_on=date(2026, 11, 1 + n), due_on=date(2026, 12, 1),
                               supply_start=date(2026, 11, 1), supply_end=date(2027, 11, 1),
                               currency="EUR", net_minor=10000, vat_minor=1900, gross_minor=11900,
                               payment_method=PaymentMethod.BANK_TRANSFER, vat_treatment="domestic",
                               rf_reference=f"RF0{n}", snapshot={}))
    db.session.commit()
    everything = logged_in.get("/console/billing/").text
    assert "2026-000001" in everything and "2026-000002" in everything and "€119.00" in everything
    only_acme = logged_in.get(f"/console/billing/?customer={acme.id}", headers=HTMX).text
    assert only_acme.lstrip().startswith('<div id="invoice-table">')
    assert "2026-000001" in only_acme and "2026-000002" not in only_acme


def test_customer_users_and_operators_cannot_enter_the_reseller_console(client, north, make):
    acme = north[2][0]
    for user in (make.customer_admin(acme), make.member(acme)[0], make.operator()):
        login(client, user)
        for url in PAGES:
            assert client.get(url).status_code == 404, (user, url)
        client.post("/logout")


def test_the_vendor_home_lists_resellers_with_their_use_against_their_limits(client, north, make):
    make.reseller("Baltic AB")
    login(client, make.operator())
    page = client.get("/vendor/").text
    row = re.search(r"Northwind IT.*?</tr>", page, re.S).group(0)
    cells = re.findall(r'<td class="num[^"]*">([^<]+)</td>', row)
    assert [c.strip() for c in cells][:2] == ["3 / 20", "3 / 50"]
    assert "Baltic AB" in page


def test_the_vendor_home_is_for_operators_only(client, north):
    login(client, north[1])
    assert client.get("/vendor/").status_code == 404


def test_the_portal_shows_an_administrator_its_organization_and_a_member_its_license(client, north, make):
    acme = north[2][0]
    login(client, make.customer_admin(acme))
    page = client.get("/portal/").text
    assert "You administer" in page and "Acme GmbH" in page and "Bellevue" not in page
    client.post("/logout")
    login(client, make.member(acme)[0])
    page = client.get("/portal/").text
    assert "Your license" in page and "Acme GmbH" in page and "You administer" not in page


def choices(client) -> list[str]:
    db.session.expire_all()  # nothing loaded before a request, as in production
    page = client.get("/console/").text
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', page)


def test_the_acting_on_list_is_kept_per_worker_and_read_again_when_another_changes_a_customer(app, logged_in,
                                                                                               north, make):
    """A worker keeps each reseller's list under the reseller's customers version: a customer added or
    renamed through another worker (another connection to the database) shows at the next request."""
    assert choices(logged_in) == ["Acme GmbH", "Bellevue SARL", "Canal BV"]
    reads = []
    listener = lambda *args: reads.extend(re.findall(r"^SELECT customers.id, customers.name\s+FROM", args[2]))  # noqa
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert choices(logged_in) == ["Acme GmbH", "Bellevue SARL", "Canal BV"] and reads == []  # kept
        engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])  # another worker's connection
        with sa.orm.Session(engine) as other:
            other.get(Customer, north[2][0].id).name = "Zephyr GmbH"
            other.add(Customer(reseller_id=north[0].id, name="Delta AG", country="DE",
                               contact_email="it@delta.test", billing_email="it@delta.test"))
            other.commit()
        engine.dispose()
        assert choices(logged_in) == ["Bellevue SARL", "Canal BV", "Delta AG", "Zephyr GmbH"] and len(reads) == 1
        make.customer(make.reseller("Elsewhere"), "Not Mine")  # another reseller's change keeps this list
        assert "Not Mine" not in choices(logged_in) and len(reads) == 1
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


def test_the_acting_on_list_escapes_names_and_marks_only_the_chosen_customer(logged_in, north, make):
    tricky = make.customer(north[0], '<script>alert("x")</script> & Co')
    page = logged_in.get(f"/console/?customer={tricky.id}").text
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co"
    assert f'<option value="{tricky.id}" selected>{escaped}</option>' in page
    acting_on = page.split('id="acting-on-select"')[1].split("</select>")[0]
    assert "<script>alert" not in page and acting_on.count(" selected>") == 1
