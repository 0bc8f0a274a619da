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
    assert accepted.status_code == 303
    assert client.get("/console/").status_code == 302


def test_every_page_carries_the_token_once_on_body(csrf_app, make):
    client = csrf_app.test_client()
    page = client.get("/login").text
    assert page.count("hx-headers=") == 1 and re.search(r"<body hx-headers='", page)
