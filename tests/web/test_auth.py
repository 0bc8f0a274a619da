import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import db
from domain.clock import utcnow
from domain.models import OutboxMessage
from tests.conftest import HTMX, PASSWORD, login

GENERIC = "E-mail or password is incorrect."


def _link(message: OutboxMessage) -> str:
    return re.search(r"http://\S+", message.body_text).group(0).replace("http://localhost", "")


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert client.get("/").headers["Location"] == "/login"
    response = client.get("/console/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_each_role_lands_on_its_own_home(client, make):
    reseller = make.reseller()
    customer = make.customer(reseller)
    for user, home in [(make.operator(), "/vendor/"), (make.reseller_admin(reseller), "/console/"),
                       (make.customer_admin(customer), "/portal/")]:
        login(client, user)
        assert client.get("/").headers["Location"] == home
        assert client.get(home).status_code == 200
        client.post("/logout")


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client, make):
    user = make.user()
    wrong = client.post("/login", data={"email": user.email, "password": "not it at all"})
    unknown = client.post("/login", data={"email": "nobody@example.test", "password": "not it at all"})
    assert wrong.status_code == unknown.status_code == 200
    assert GENERIC in wrong.text and GENERIC in unknown.text
    assert client.get("/console/").status_code == 302


def test_logging_out_ends_the_session(client, make):
    login(client, make.reseller_admin())
    assert client.get("/console/").status_code == 200
    assert client.post("/logout").status_code == 303
    assert client.get("/console/").status_code == 302


def test_logging_out_needs_a_post(client, make):
    login(client, make.reseller_admin())
    assert client.get("/logout").status_code == 405


def test_a_forgotten_password_is_reset_through_the_mailed_link_once(client, make):
    user = make.user()
    response = client.post("/password/forgot", data={"email": user.email.upper()}, follow_redirects=True)
    assert "If an account exists for that address" in response.text
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.to_address == user.email and message.kind == "password_reset"
    link = _link(message)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert response.status_code == 303
    assert client.get(link).status_code == 404  # used once
    login(client, user, "a brand new password")


def test_an_unknown_address_gets_the_same_reset_answer_and_no_mail(client):
    response = client.post("/password/forgot", data={"email": "nobody@example.test"}, follow_redirects=True)
    assert "If an account exists for that address" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_a_reset_link_older_than_an_hour_is_refused(client, make):
    user = make.user()
    with time_machine.travel(utcnow(), tick=False) as traveller:
        client.post("/password/forgot", data={"email": user.email})
        link = _link(db.session.scalars(sa.select(OutboxMessage)).one())
        traveller.shift(timedelta(minutes=61))
        response = client.get(link)
    assert response.status_code == 404 and "no longer valid" in response.text


def test_a_tampered_reset_link_is_refused(client, make):
    user = make.user()
    client.post("/password/forgot", data={"email": user.email})
    link = _link(db.session.scalars(sa.select(OutboxMessage)).one())
    assert client.get(link[:-2] + "xx").status_code == 404


def test_mismatched_passwords_are_shown_next_to_the_field_and_change_nothing(client, make):
    user = make.user()
    client.post("/password/forgot", data={"email": user.email})
    link = _link(db.session.scalars(sa.select(OutboxMessage)).one())
    before = user.password_hash
    response = client.post(link, data={"password": "a brand new password", "confirm": "something else!"})
    assert response.status_code == 200 and "The two passwords differ." in response.text
    db.session.refresh(user)
    assert user.password_hash == before


def test_an_invited_person_activates_their_account_and_is_logged_in(client, make):
    from domain.accounts import make_link_token

    user = make.user(active=False)
    link = f"/activate/{make_link_token(user, 'activate')}"
    page = client.get(link)
    assert page.status_code == 200 and user.email in page.text
    response = client.post(link, data={"name": "Erin", "password": "my own password", "confirm": "my own password"})
    assert response.status_code == 303
    assert client.get("/portal/").status_code == 200
    assert client.get(link).status_code == 404  # an activation link works once
    client.post("/logout")
    login(client, user, "my own password")


def test_an_invited_person_who_forgot_the_link_gets_a_new_activation_mail(client, make):
    user = make.user(active=False)
    client.post("/password/forgot", data={"email": user.email})
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.kind == "activation" and "/activate/" in message.body_text


def test_login_attempts_are_limited_per_account_even_across_addresses(client, make):
    user = make.user()
    statuses = [client.post("/login", data={"email": user.email, "password": "wrong guess " + str(i)},
                            environ_base={"REMOTE_ADDR": f"198.51.100.{i}"}).status_code for i in range(12)]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
    # the right password is refused too while the account is limited
    response = client.post("/login", data={"email": user.email, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "198.51.100.99"})
    assert response.status_code == 429


def test_login_attempts_are_limited_per_address(client, make):
    statuses = [client.post("/login", data={"email": f"u{i}@example.test", "password": "wrong guess"}).status_code
                for i in range(11)]
    assert statuses[-1] == 429 and statuses[:10] == [200] * 10


def test_reset_requests_are_limited(client, make):
    user = make.user()
    statuses = [client.post("/password/forgot", data={"email": user.email}).status_code for _ in range(6)]
    assert statuses == [303] * 5 + [429]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 5


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "/\t/evil.example", "/\n/evil.example",
                                    "/\r\n/evil.example", "https://evil.example/", "\\\\evil.example", "evil.example"])
def test_the_language_switch_never_sends_anyone_to_another_site(client, target):
    response = client.post("/language", data={"locale": "fr", "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_the_language_switch_goes_back_to_the_page_it_was_used_on(client):
    response = client.post("/language", data={"locale": "fr", "next": "/console/billing/orders?kind=topup&page=2"})
    assert response.headers["Location"] == "/console/billing/orders?kind=topup&page=2"


OTHER_SITES = ["//evil.example/", "/\\evil.example", "/\t/evil.example", "https://evil.example/", "evil.example"]


def test_logging_in_goes_back_to_the_page_that_asked_for_it(client, make):
    user = make.reseller_admin()
    asked = client.get("/console/licenses/?customer=7")
    assert asked.headers["Location"] == "/login?next=%2Fconsole%2Flicenses%2F%3Fcustomer%3D7"
    form = client.get(asked.headers["Location"]).text
    assert '<input type="hidden" name="next" value="/console/licenses/?customer=7">' in form
    wrong = client.post("/login", data={"email": user.email, "password": "not it", "next": "/console/licenses/"})
    assert 'name="next" value="/console/licenses/"' in wrong.text  # kept through a wrong password
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/console/licenses/"})
    assert response.status_code == 303 and response.headers["Location"] == "/console/licenses/"


@pytest.mark.parametrize("target", OTHER_SITES)
def test_logging_in_never_sends_anyone_to_another_site(client, make, target):
    user = make.reseller_admin()
    form = client.get("/login", query_string={"next": target}).text.split('action="/login"')[1]
    assert 'name="next"' not in form
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_an_htmx_request_whose_session_ended_takes_the_whole_window_to_the_login_page(client, make):
    """htmx would follow the redirect itself and swap the login page into the part it asked for."""
    login(client, make.reseller_admin())
    client.post("/logout")
    page = {"HX-Current-URL": "http://localhost/console/manage/?customer=3"}
    for response in (client.get("/console/?customer=3", headers=HTMX | {"HX-Target": "content"} | page),
                     client.post("/console/create/quote", data={"licenses": "3"}, headers=HTMX | page)):
        assert response.status_code == 200 and response.data == b""
        assert response.headers["HX-Redirect"] == "/login?next=/console/manage/?customer%3D3"
    assert "Please log in to continue." in client.get("/login?next=/console/manage/").text
    elsewhere = client.get("/console/", headers=HTMX | {"HX-Current-URL": "http://evil.example/console/"})
    assert elsewhere.headers["HX-Redirect"] == "/login"  # no way back to a page of another site
    plain = client.get("/console/")
    assert plain.status_code == 302 and "HX-Redirect" not in plain.headers


def test_an_htmx_post_refused_for_its_token_after_the_session_ended_goes_to_the_login_page_too(app, client, make):
    app.config["WTF_CSRF_ENABLED"] = True
    headers = HTMX | {"HX-Current-URL": "http://localhost/console/create/"}
    response = client.post("/console/create/quote", data={"licenses": "3"}, headers=headers)
    assert response.headers["HX-Redirect"] == "/login?next=/console/create/"
    assert client.post("/console/create/quote", data={"licenses": "3"}).status_code == 400  # not htmx: as before
