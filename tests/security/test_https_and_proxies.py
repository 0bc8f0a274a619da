"""HTTPS and load balancers: the session cookie is Secure on every request that came over HTTPS, and only the
proxies the app is told to trust (``PROXY_COUNT``) decide a client's scheme and address, which the login rate
limit and the audit log go by."""

import pytest
import sqlalchemy as sa

from app import db
from domain.models import AuditEvent
from tests.conftest import login

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def _add_member(client, customer, **kwargs) -> AuditEvent:
    client.get(f"/console/manage/?customer={customer.id}", **kwargs)
    assert client.post("/console/manage/members", data={"emails": "ida@example.test"}, **kwargs).status_code == 303
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "member.added")).one()


def test_over_https_the_session_cookie_is_secure_and_hsts_is_sent(app, make):
    client = app.test_client()
    response = login(client, make.user(), base_url="https://console.example.test")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_over_plain_http_the_cookie_is_not_secure_unless_configured(app, make):
    user = make.user()
    response = login(app.test_client(), user)
    assert "Secure" not in response.headers["Set-Cookie"] and "Strict-Transport-Security" not in response.headers
    app.config["SESSION_COOKIE_SECURE"] = True  # a site that is only ever served over HTTPS
    assert "Secure" in login(app.test_client(), user).headers["Set-Cookie"]


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(app, make):
    reseller = make.reseller()
    customer = make.customer(reseller)
    client = app.test_client()
    response = login(client, make.reseller_admin(reseller), headers=FORWARDED)
    assert "Secure" not in response.headers["Set-Cookie"]  # a client cannot claim HTTPS it did not use
    assert _add_member(client, customer, headers=FORWARDED).ip_address == "127.0.0.1"


@pytest.mark.app_config(PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_forwarded_scheme_and_address_count(app, make):
    reseller = make.reseller()
    customer = make.customer(reseller)
    client = app.test_client()
    response = login(client, make.reseller_admin(reseller), headers=FORWARDED)
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert _add_member(client, customer, headers=FORWARDED).ip_address == "203.0.113.7"


@pytest.mark.app_config(PROXY_COUNT=1)
def test_behind_a_proxy_the_login_limit_counts_each_client_not_the_proxy(app, make):
    app.config["LOGIN_LIMIT"] = "3 per minute"
    client = app.test_client()

    def attempt(address: str, n: int) -> int:
        return client.post("/login", data={"email": f"u{n}@example.test", "password": "wrong guess"},
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt("198.51.100.1", n) for n in range(4)] == [200, 200, 200, 429]
    # another client behind the same load balancer is not locked out by the first one
    assert attempt("198.51.100.2", 9) == 200
