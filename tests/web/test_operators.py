"""The vendor's operators: one invites another (an activation link), removes one who left; never oneself nor the
last one. A reseller, a customer and anyone else never reach the page."""

import re

import pytest
import sqlalchemy as sa

from app import db
from domain.models import AuditEvent, OutboxMessage, User, VendorOperator
from tests.conftest import login
from tests.security.test_access_matrix import _row_counts


@pytest.fixture
def olga(client, make):
    user = make.operator("olga@vendor.test")
    login(client, user)
    return user


def test_an_operator_invites_another_who_activates_and_reaches_the_console(app, client, olga):
    assert 'href="/vendor/operators"' in client.get("/vendor/").text
    response = client.post("/vendor/operators", data={"email": "Piet@Vendor.test"})
    assert response.status_code == 303
    assert "piet@vendor.test is invited" in client.get("/vendor/operators").text.lower()
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    assert (mail.to_address, mail.kind) == ("piet@vendor.test", "invitation") and "/activate/" in mail.body_text
    link = re.search(r"http://localhost(/activate/\S+)", mail.body_text).group(1)
    piet = app.test_client()
    assert piet.post(link, data={"name": "Piet", "password": "a long enough password",
                                 "confirm": "a long enough password"}).status_code == 303
    assert piet.get("/vendor/").status_code == 200
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.actor_id == olga.id)) == "operator.invited"


@pytest.mark.parametrize("email, message", [
    ("not an address", "is not a valid e-mail address."),
    ("olga@vendor.test", "This address cannot be invited: it has another role on Seatdesk already."),
])
def test_a_refused_invitation_says_why_next_to_the_field_and_changes_nothing(client, olga, email, message):
    before = _row_counts()
    response = client.post("/vendor/operators", data={"email": email})
    assert response.status_code == 200 and message in response.text and _row_counts() == before


def test_an_address_with_another_role_cannot_become_an_operator(client, make, olga):
    reseller_admin = make.reseller_admin(make.reseller("Northwind IT"))
    before = _row_counts()
    refused = client.post("/vendor/operators", data={"email": reseller_admin.email}).text
    assert "This address cannot be invited: it has another role on Seatdesk already." in refused
    assert _row_counts() == before


def test_an_operator_removes_another_who_loses_the_console_at_once(app, client, make, olga):
    piet = make.operator("piet@vendor.test")
    elsewhere = app.test_client()
    login(elsewhere, piet)
    page = client.get("/vendor/operators").text
    assert f'href="/vendor/operators/{piet.id}/remove"' in page and f"/operators/{olga.id}/remove" not in page
    assert "Remove piet@vendor.test?" in client.get(f"/vendor/operators/{piet.id}/remove").text
    assert client.post(f"/vendor/operators/{piet.id}/remove").headers["Location"] == "/vendor/operators"
    assert "piet@vendor.test is no longer an operator." in client.get("/vendor/operators").text
    assert elsewhere.get("/vendor/").status_code == 404 and db.session.get(User, piet.id) is not None
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    assert (mail.to_address, mail.kind) == ("piet@vendor.test", "admin_removed")
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "operator.removed")).one()
    assert event.before == {"email": "piet@vendor.test"}


def test_nobody_removes_themselves_nor_the_last_operator(client, make, olga):
    before = _row_counts()
    refused = client.post(f"/vendor/operators/{olga.id}/remove", follow_redirects=True).text
    assert "You cannot remove yourself. Another operator can." in refused and _row_counts() == before
    piet = make.operator("piet@vendor.test")
    db.session.delete(db.session.get(VendorOperator, olga.id))  # olga alone would be last: piet tries on her
    db.session.commit()
    client.post("/logout")
    login(client, piet)
    assert "/remove" not in client.get("/vendor/operators").text  # the last one: no link


@pytest.mark.parametrize("role", ["anonymous", "reseller admin", "customer admin"])
def test_nobody_else_reaches_the_operators(client, make, role):
    operator = make.operator()
    customer = make.customer(make.reseller("Northwind IT"), "Acme GmbH")
    person = {"anonymous": None, "reseller admin": make.reseller_admin(customer.reseller),
              "customer admin": make.customer_admin(customer)}[role]
    if person is not None:
        login(client, person)
    before = _row_counts()
    for method, url in [("GET", "/vendor/operators"), ("POST", "/vendor/operators"),
                        ("GET", f"/vendor/operators/{operator.id}/remove"),
                        ("POST", f"/vendor/operators/{operator.id}/remove")]:
        response = client.open(url, method=method, data={"email": "x@evil.test"})
        assert response.status_code in ((302,) if person is None else (404,)), (role, method, url)
    assert _row_counts() == before


def test_an_operator_who_has_not_activated_is_sent_the_invitation_again(client, olga):
    client.post("/vendor/operators", data={"email": "piet@vendor.test"})
    piet = db.session.scalars(sa.select(User).where(User.email == "piet@vendor.test")).one()
    assert f'action="/vendor/operators/{piet.id}/resend"' in client.get("/vendor/operators").text
    assert client.post(f"/vendor/operators/{piet.id}/resend").headers["Location"] == "/vendor/operators"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.to_address == "piet@vendor.test")) == 2
    before = _row_counts()
    refused = client.post(f"/vendor/operators/{olga.id}/resend", follow_redirects=True).text
    assert "olga@vendor.test has activated the account already." in refused and _row_counts() == before
