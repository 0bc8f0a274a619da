"""For every route, a reseller admin of reseller A asking for an object of reseller B gets 404 and
nothing changes. The routes come from the app's own URL map, so a new route is covered the day it
is added; a route whose parameters this test cannot fill fails until it learns them."""

import re

import pytest
import sqlalchemy as sa

from app import db
from blueprints.access import ACTING_ON
from domain import outbox
from domain.models import Base, CustomerAdmin, OrderStatus, PaymentMethod, StatementLine
from invoices import issuing
from tests.conftest import login

# URL parameters that are not object ids: they are checked by their own tests (signed links, webhooks).
TOKEN_PARAMS = {"token", "filename", "provider"}
CONSOLE = {"dashboard", "create", "manage", "licenses", "business", "billing"}


def _row_counts() -> dict:
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


@pytest.fixture
def tenants(make):
    a, b = make.reseller("A"), make.reseller("B")
    mine = make.customer(a, "Mine", members=2)
    theirs = make.customer(b, "Theirs", members=2)
    invoice = make.invoice(theirs)
    their_admin = make.customer_admin(theirs)
    order = make.order(theirs, payment_method=PaymentMethod.CARD)
    order.status, order.provider, order.provider_ref = OrderStatus.AWAITING_PAYMENT, "sandbox", "sbx_theirs"
    note = issuing.credit(invoice, [("Goodwill", 100)], "Goodwill")
    line = StatementLine(bank_reference="B-1", statement_id="S-1", booked_on=invoice.issued_on, amount_minor=100,
                         currency="EUR", remittance=invoice.number)
    message = outbox.enqueue(theirs.billing_email, "Theirs", "A message to reseller B's customer", kind="test")
    db.session.add(line)
    db.session.commit()
    return {"admin": make.reseller_admin(a), "mine": mine, "theirs": theirs,
            "objects": {"customer_id": theirs.id, "subscription_id": theirs.subscription.id,
                        "member_id": theirs.subscription.members.first().id, "invoice_id": invoice.id,
                        "order_id": order.id, "reference": order.provider_ref, "credit_note_id": note.id,
                        "line_id": line.id, "reseller_id": b.id, "user_id": make.reseller_admin(b).id,
                        "message_id": message.id,
                        "admin_id": db.session.scalar(sa.select(CustomerAdmin.id).where(
                            CustomerAdmin.user_id == their_admin.id))}}


def test_no_route_gives_reseller_a_an_object_of_reseller_b(app, client, tenants):
    login(client, tenants["admin"])
    client.get(f"/console/?customer={tenants['mine'].id}")
    before = _row_counts()
    tried = 0
    for rule in app.url_map.iter_rules():
        params = set(rule.arguments) - TOKEN_PARAMS
        if rule.arguments & TOKEN_PARAMS:
            continue
        unknown = params - tenants["objects"].keys()
        assert not unknown, f"{rule.rule}: teach this test the parameters {unknown}"
        url = rule.build({k: tenants["objects"][k] for k in params})[1] if params else rule.rule
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            console = rule.endpoint.split(".")[0] in CONSOLE
            if not params and (method == "GET" or console):
                # a console route takes the Acting On choice: B's customer must not be accepted
                url_with_choice = f"{url}?customer={tenants['theirs'].id}"
                response = client.open(url_with_choice, method=method)
                expected = {404} if console else {200, 302, 404}
                assert response.status_code in expected, (method, url_with_choice, response.status_code)
                assert tenants["theirs"].name not in response.text, (method, url_with_choice)
            elif params:
                response = client.open(url, method=method)
                assert response.status_code == 404, (method, url, response.status_code)
            tried += 1
        with client.session_transaction() as session:
            assert session.get(ACTING_ON) == tenants["mine"].id, rule.rule
    assert tried >= 10
    assert _row_counts() == before


def test_the_theirs_customer_never_appears_in_reseller_a_pages(client, tenants):
    login(client, tenants["admin"])
    for url in ("/console/", "/console/manage/", "/console/billing/", "/console/business/"):
        assert "Theirs" not in client.get(url).text


def test_an_id_that_is_not_a_number_is_simply_not_found(client, tenants):
    login(client, tenants["admin"])
    assert client.get("/console/?customer=abc").status_code == 404
    assert client.get("/console/?customer=-1").status_code == 404


def test_security_headers_and_cookie_flags(client, tenants):
    response = client.post("/login", data={"email": tenants["admin"].email, "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/console/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), "inline scripts would need unsafe-inline"
    assert " style=" not in page.text
