import json
import re

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _hx_headers_token(page: str) -> str:
    return json.loads(re.search(r"hx-headers='([^']+)'", page).group(1))["X-CSRFToken"]


def test_a_post_without_the_token_is_refused_and_with_the_hx_headers_token_accepted(csrf_app, make):
    client = csrf_app.test_client()
    user = make.reseller_admin()
    login_page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400
    assert client.post("/login", data={"email": user.email, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 303

    page = client.get("/console/").text
    refused = client.post("/logout", headers={"HX-Request": "true"})
    assert refused.status_code == 400 and client.get("/console/").status_code == 200  # still logged in
    accepted = client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": _hx_headers_token(page)})
    assert accepted.headers["HX-Redirect"] == "/login"  # to the login page, as htmx is told to go there
    assert client.get("/console/").status_code == 302


def test_every_page_carries_the_token_once_on_body(csrf_app, make):
    client = csrf_app.test_client()
    page = client.get("/login").text
    assert page.count("hx-headers=") == 1 and re.search(r"<body hx-headers='", page)


def test_every_state_changing_route_refuses_a_post_without_the_token(csrf_app, make):
    """Every POST route of the URL map, as a logged-in operator and reseller: 400 and nothing changed.

    Only the provider's webhook is exempt: it is authenticated by its signature instead.
    """
    from tests.security.test_access_matrix import _row_counts

    reseller = make.reseller()
    customer = make.customer(reseller, members=1)
    tried = 0
    for user in (make.operator(), make.reseller_admin(reseller)):
        client = csrf_app.test_client()
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        before = _row_counts()
        for rule in csrf_app.url_map.iter_rules():
            if "POST" not in rule.methods or rule.endpoint == "payments.webhook":
                continue
            values = {name: customer.id if name == "customer_id" else 1 for name in rule.arguments}
            values.update({k: "x" for k in ("token", "reference", "provider") if k in rule.arguments})
            response = client.post(rule.build(values)[1], data={"emails": "x@example.test", "licenses": "1"})
            assert response.status_code == 400, (rule.rule, response.status_code)
            tried += 1
        assert _row_counts() == before
    assert tried > 60


def test_a_nul_character_anywhere_is_refused_before_it_reaches_the_database(client, make):
    from tests.conftest import login

    login(client, make.reseller_admin())
    assert client.get("/console/?q=a%00b").status_code == 400
    response = client.post("/console/create/", data={"name": "A\x00B", "idempotency_key": "\x00"})
    assert response.status_code == 400 and "NUL character" in response.text
