"""Every route of the URL map x every role x the objects of another tenant: no unexpected success.

Roles: anonymous, a member, a customer administrator, a reseller administrator (of another
reseller), a suspended reseller's administrator, and the vendor's operator. The objects belong to
reseller B's customer; every role's own objects belong to reseller A. Anonymous visitors are sent
to the login page; everyone else gets 404 (403 for the suspended reseller's writes), except the
operator on the vendor console's own routes, which are the vendor's to see.
"""

import pytest

from domain.models import ResellerStatus
from tests.conftest import login
from tests.security.test_access_matrix import TOKEN_PARAMS, _row_counts, tenants  # noqa: F401  (a fixture)

ROLES = ["anonymous", "member", "customer admin", "other reseller", "suspended reseller", "operator"]


@pytest.fixture
def people(make, tenants):  # noqa: F811
    mine = tenants["mine"]
    suspended = make.reseller("Suspended", status=ResellerStatus.SUSPENDED)
    make.customer(suspended, "Suspended's customer")
    return {"anonymous": None, "member": make.member(mine)[0], "customer admin": make.customer_admin(mine),
            "other reseller": tenants["admin"], "suspended reseller": make.reseller_admin(suspended),
            "operator": make.operator()}


def expected(role: str, endpoint: str, method: str) -> set[int]:
    if role == "anonymous":
        return {302, 404}
    if role == "operator" and endpoint.startswith("vendor."):
        return {200, 303, 400}  # the vendor's own console sees every tenant by design
    if role == "suspended reseller" and method == "POST":
        return {403, 404}
    return {404}


@pytest.mark.parametrize("role", ROLES)
def test_no_role_reaches_another_tenants_objects(app, make, tenants, people, role):  # noqa: F811
    client = app.test_client()
    app.config["LOGIN_LIMIT"] = "1000/minute"
    if people[role] is not None:
        login(client, people[role])
    before = _row_counts()
    tried = 0
    for rule in app.url_map.iter_rules():
        params = set(rule.arguments)
        if not params or params & TOKEN_PARAMS:
            continue
        url = rule.build({k: tenants["objects"][k] for k in params})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code in expected(role, rule.endpoint, method), (role, method, url,
                                                                                   response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"]
            tried += 1
    if role != "operator":
        assert _row_counts() == before
    print(f"{role}: {tried} route/object cases")
    assert tried >= 30
