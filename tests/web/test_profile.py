"""Your account, for every role: the name you go by and your password; a new password (changed here, or reset
through the mailed link) ends every other session."""

import re

import pytest
import sqlalchemy as sa

from app import db
from domain.models import AuditEvent, OutboxMessage, Reseller, ResellerStatus, User
from tests.conftest import PASSWORD, login
from tests.security.test_access_matrix import _row_counts

NEW = "a brand new password"


def change(current: str = PASSWORD, password: str = NEW, confirm: str | None = None) -> dict:
    return {"current_password": current, "password": password, "confirm": password if confirm is None else confirm}


@pytest.fixture
def anna(make):
    return make.reseller_admin(make.reseller("Northwind IT"), "anna@northwind.test")


@pytest.mark.parametrize("role", ["operator", "reseller admin", "customer admin", "member"])
def test_every_role_reaches_its_account_from_the_top_bar(client, make, role):
    customer = make.customer(make.reseller("Northwind IT"), "Acme GmbH")
    user = {"operator": make.operator, "reseller admin": make.reseller_admin,
            "customer admin": lambda: make.customer_admin(customer), "member": lambda: make.member(customer)[0]}[role]()
    login(client, user)
    home = client.get("/", follow_redirects=True).text
    assert 'href="/profile"' in home
    page = client.get("/profile").text
    assert "Your account" in page and f"Logged in as {user.email}." in page
    assert 'name="current_password"' in page and 'autocomplete="current-password"' in page


def test_the_name_is_saved_and_shown_and_an_empty_one_refused(client, anna):
    login(client, anna)
    response = client.post("/profile/name", data={"name": "  Anna Berg  "})
    assert response.status_code == 303 and "Your name has been saved." in client.get("/profile").text
    assert db.session.get(User, anna.id).name == "Anna Berg"
    assert '<span class="who-name">Anna Berg</span>' in client.get("/console/").text
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.renamed")).one()
    assert (event.before, event.after) == ({"name": None}, {"name": "Anna Berg"})
    before = _row_counts()
    refused = client.post("/profile/name", data={"name": "   "})
    assert refused.status_code == 200 and re.search(r'id="name-error">[^<]+<', refused.text)
    assert _row_counts() == before and db.session.get(User, anna.id).name == "Anna Berg"


@pytest.mark.parametrize("values, field, message", [
    (change(current="not my password"), "current_password", "This is not your current password."),
    (change(password="short"), "password", "Use at least 10 characters."),
    (change(confirm="another new password"), "confirm", "The two passwords differ."),
    (change(current=""), "current_password", "This field is required."),
])
def test_a_refused_change_says_why_next_to_its_field_and_changes_nothing(client, anna, values, field, message):
    login(client, anna)
    before, hash_before = _row_counts(), anna.password_hash
    response = client.post("/profile/password", data=values)
    assert response.status_code == 200
    assert re.search(rf'id="{field}-error">{re.escape(message)}<', response.text), response.text
    assert _row_counts() == before and db.session.get(User, anna.id).password_hash == hash_before
    assert client.get("/console/").status_code == 200  # still logged in


def test_a_changed_password_keeps_this_session_and_ends_the_others(app, client, anna):
    login(client, anna)
    elsewhere = app.test_client()
    login(elsewhere, anna)
    response = client.post("/profile/password", data=change())
    assert response.status_code == 303
    assert "Your other sessions have been logged out." in client.get("/profile").text
    assert client.get("/console/").status_code == 200  # this session goes on
    gone = elsewhere.get("/console/")
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/login")
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    assert (mail.to_address, mail.kind) == ("anna@northwind.test", "password_changed")
    assert "has just been changed" in mail.body_text and "/password/forgot" in mail.body_text
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.actor_id == anna.id)) == \
        "user.password_changed"
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": anna.email, "password": PASSWORD}).status_code == 200  # refused
    login(fresh, anna, NEW)


def test_a_password_reset_through_the_mailed_link_ends_every_session(app, client, anna):
    login(client, anna)
    reset = app.test_client()
    reset.post("/password/forgot", data={"email": anna.email})
    link = re.search(r"http://localhost(/password/reset/\S+)", db.session.scalars(sa.select(OutboxMessage))
                     .one().body_text).group(1)
    assert reset.post(link, data={"password": NEW, "confirm": NEW}).status_code == 303
    assert client.get("/console/").status_code == 302  # the session opened with the old password


def test_guessing_the_current_password_is_rate_limited(client, anna):
    login(client, anna)
    answers = [client.post("/profile/password", data=change(current=f"guess {n}")).status_code for n in range(11)]
    assert answers == [200] * 10 + [429]  # LOGIN_LIMIT: 10 a minute


def test_a_suspended_resellers_people_still_change_their_own_password(client, anna):
    db.session.get(Reseller, anna.reseller_id).status = ResellerStatus.SUSPENDED
    db.session.commit()
    login(client, anna)
    assert client.post("/profile/password", data=change()).status_code == 303
    assert client.post("/profile/name", data={"name": "Anna"}).status_code == 303
    assert client.post("/console/account/team", data={"email": "x@northwind.test"}).status_code == 403


def test_a_session_naming_the_user_without_the_passwords_digest_is_not_accepted(client, anna):
    login(client, anna)
    with client.session_transaction() as session:
        assert session["_user_id"] == f"{anna.id}:{anna.password_digest}"
        session["_user_id"] = str(anna.id)  # a cookie from before the digest, or one made up
    assert client.get("/console/").status_code == 302
