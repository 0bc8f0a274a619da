"""Every route of the URL map x every role x the objects of another tenant: no unexpected success.

Roles: anonymous, a member, a customer administrator, a reseller administrator (of another
reseller), a suspended reseller's administrator, and the vendor's operator. The objects belong to
reseller B's customer; every role's own objects belong to reseller A. Anonymous visitors are sent
to the login page; everyone else gets 404 (403 for the suspended reseller's writes), except the
operator on the vendor console's own routes, which are the vendor's to see.

Routes without an id in their path act on the customer chosen under Acting On, which lives in the
session: each is asked by each role with B's customer planted there (a stale or forged choice), and
must neither show nor change that customer.
"""

import pytest
import sqlalchemy as sa

from app import db
from blueprints.access import ACTING_ON
from blueprints.web import READ_ONLY_POSTS
from domain.models import Customer, Member, ResellerStatus, Subscription
from tests.conftest import login
from tests.security.test_access_matrix import TOKEN_PARAMS, _row_counts, tenants  # noqa: F401  (a fixture)

ROLES = ["anonymous", "member", "customer admin", "other reseller", "suspended reseller", "operator"]
CONSOLE = {"dashboard", "create", "manage", "licenses", "business", "billing", "account"}  # a reseller's console
PUBLIC = {"healthz", "auth.home", "auth.login", "auth.forgot_password", "auth.language"}
OWN_ACCOUNT = {"auth.profile", "auth.rename", "auth.change_password"}  # every logged-in person's own, nobody else's


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
    if role == "operator" and endpoint in ("vendor.confirm_remove_operator", "vendor.remove_operator",
                                           "vendor.resend_operator_invitation"):
        return {404}  # the user id given is reseller B's administrator, no operator
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


def expected_without_ids(role: str, endpoint: str, method: str) -> set[int]:
    """What a route without ids may answer ``role``; a public route any status but a server error."""
    area = endpoint.split(".")[0]
    if endpoint in PUBLIC:
        return set(range(200, 500))
    if role == "anonymous":
        return {302}
    if role == "suspended reseller" and method == "POST" and endpoint not in READ_ONLY_POSTS:
        return {403}
    if endpoint in OWN_ACCOUNT:
        return {200}  # the form, or the form with its errors: a request without fields changes nothing
    if area == "portal":
        return {200}  # its home lists the customers one administers: none of B's
    if area == "vendor":
        return {200, 303, 400} if role == "operator" else {404}
    if area in CONSOLE:
        return {200, 303, 404} if role in ("other reseller", "suspended reseller") else {404}
    raise AssertionError(f"{endpoint}: say which roles may use it")


def _their_rows(customer_id: int) -> list:
    """Every column of B's customer, its subscription and its members."""
    db.session.expire_all()
    rows = []
    for model, where in ((Customer, Customer.id == customer_id),
                         (Subscription, Subscription.customer_id == customer_id),
                         (Member, Member.subscription_id.in_(
                             sa.select(Subscription.id).where(Subscription.customer_id == customer_id)))):
        table = model.__table__
        rows += [tuple(row) for row in db.session.execute(sa.select(table).where(where).order_by(table.c.id))]
    return rows


@pytest.mark.parametrize("role", ROLES)
def test_no_role_reaches_another_tenants_customer_planted_under_acting_on(app, tenants, people, role):  # noqa: F811
    client = app.test_client()
    app.config["LOGIN_LIMIT"] = "1000/minute"
    if people[role] is not None:
        login(client, people[role])
    theirs = tenants["theirs"]
    their_name, their_email, before = theirs.name, theirs.contact_email, _their_rows(theirs.id)
    tried = 0
    for rule in app.url_map.iter_rules():
        if rule.arguments or rule.endpoint == "auth.logout":  # logging out would end the walk
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            with client.session_transaction() as session:
                session[ACTING_ON] = theirs.id
            response = client.open(rule.rule, method=method)
            case = (role, method, rule.rule, response.status_code)
            assert response.status_code in expected_without_ids(role, rule.endpoint, method), case
            if response.status_code == 302 and role == "anonymous" and rule.endpoint not in PUBLIC:
                assert response.headers["Location"].startswith("/login"), case
            if not (role == "operator" and rule.endpoint.startswith("vendor.")):
                assert their_name not in response.text and their_email not in response.text, case
            tried += 1
    assert _their_rows(theirs.id) == before
    print(f"{role}: {tried} route cases with another tenant's customer under Acting On")
    assert tried >= 30
