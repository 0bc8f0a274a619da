"""Every form, fuzzed with hypothesis: random and hostile values and files, missing fields. Never a 500; a refused
submission changes nothing (row counts of every table compared before and after). The forms are checked against
the app's URL map, so a new POST route fails here until it is fuzzed or said to take no input."""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.accounts import make_link_token
from tests.conftest import login
from tests.security.test_access_matrix import TOKEN_PARAMS, _row_counts
from tests.web.test_vendor_resellers import SETTINGS

HOSTILE = st.sampled_from(["", " ", "0", "-1", "-0.01", "1e309", "NaN", "9" * 40, "12.345", "<script>x</script>",
                           "' OR 1=1 --", "\x00", "ℵ", "名字", "👩‍💻" * 50, "a@b", "x" * 5000, "DE136695976",
                           "2027-02-30", "bank_transfer", "card", "12", "cancel", "number"])
VALUE = st.one_of(HOSTILE, st.text(max_size=300), st.integers(min_value=-10**12, max_value=10**12).map(str))


# Hostile files for the upload fields: not the expected format, another encoding, entities, a script.
HOSTILE_FILES = [
    b"", b"\xef\xbb\xbfemail\nann@example.test\n", "email\nzoë@exämple.test\n".encode("utf-16"),
    b"email\n" + b"a@example.test\n" * 1200, b"\xff\xfe\x00\x00garbage",
    b'<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"><title>Caf\xe9</title></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>',
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    b"<Document>&d;</Document>",
    b":20:STMT\r\n:25:DE89370400440532013000\r\n:28C:1\r\n:60F:C270101EUR0,\r\n:61:2701010101CR1,00NTRF//x\r\n",
]
FILES = st.one_of(st.sampled_from(HOSTILE_FILES), st.binary(max_size=2000))
FILE_FIELDS = {"csv_file", "statement", "logo"}
VALID = {"/vendor/settings": SETTINGS}  # a form that reads its file only once its other fields are valid


def payload(fields: list[str]):
    """Each field present with a value (a hostile file for an upload field), or missing."""
    def value(name: str):
        return FILES.map(lambda data: (io.BytesIO(data), "upload")) if name in FILE_FIELDS else VALUE

    return st.fixed_dictionaries({}, optional={name: value(name) for name in fields})


BUSINESS = ["name", "street", "postal_code", "city", "country", "contact_name", "contact_email", "billing_email",
            "vat_number", "po_reference", "locale"]
RESELLER = ["name", "street", "postal_code", "city", "country", "vat_number", "contact_email", "billing_email",
            "discount", "allowed_organizations", "allowed_users"]
FORMS = [
    ("reseller", "/console/create/", BUSINESS + ["licenses", "term_months", "payment_method", "idempotency_key"]),
    ("reseller", "/console/create/quote", BUSINESS + ["licenses", "term_months", "payment_method"]),
    ("reseller", "/console/business/", BUSINESS),
    ("reseller", "/console/manage/members", ["emails", "csv_file"]),
    ("reseller", "/console/manage/renewal", ["mode", "renewal_licenses"]),
    ("reseller", "/console/licenses/", ["licenses", "payment_method", "idempotency_key"]),
    ("reseller", "/console/licenses/quote", ["licenses", "payment_method"]),
    ("reseller", "/console/licenses/restart", ["licenses", "term_months", "payment_method", "idempotency_key"]),
    ("reseller", "/console/licenses/restart/quote", ["licenses", "term_months", "payment_method"]),
    ("reseller", "/console/account/team", ["email"]),
    ("customer admin", "/portal/customers/{customer}/members", ["emails", "csv_file"]),
    ("customer admin", "/portal/customers/{customer}/licenses", ["licenses", "payment_method", "idempotency_key"]),
    ("customer admin", "/portal/customers/{customer}/licenses/quote", ["licenses", "payment_method"]),
    ("customer admin", "/portal/customers/{customer}/licenses/restart",
     ["licenses", "term_months", "payment_method", "idempotency_key"]),
    ("customer admin", "/portal/customers/{customer}/licenses/restart/quote",
     ["licenses", "term_months", "payment_method"]),
    ("operator", "/vendor/resellers/new", RESELLER + ["first_admin"]),
    ("operator", "/vendor/resellers/{reseller}", RESELLER),
    ("operator", "/vendor/resellers/{reseller}/admins", ["email"]),
    ("operator", "/vendor/operators", ["email"]),
    ("operator", "/vendor/resellers/{reseller}/status", ["status"]),
    ("operator", "/vendor/settings", ["list_price", "currency", "legal_name", "street", "postal_code", "city",
                                      "country", "vat_number", "iban", "bic", "invoice_footer", "vies_enabled",
                                      "logo"]),
    ("operator", "/vendor/invoices/{invoice}/payments", ["amount", "received_on", "reference"]),
    ("operator", "/vendor/invoices/{invoice}/credit-notes", ["amount", "reason"]),
    ("operator", "/vendor/payments/statements", ["statement"]),
    ("operator", "/vendor/payments/lines/{line}/assign", ["invoice"]),
    ("operator", "/vendor/payments/lines/{line}/dismiss", ["reason"]),
    ("reseller", "/profile/name", ["name"]),
    ("customer admin", "/profile/password", ["current_password", "password", "confirm"]),
    (None, "/login", ["email", "password"]),
    (None, "/password/forgot", ["email"]),
    (None, "/password/reset/{reset}", ["password", "confirm"]),
    (None, "/activate/{activation}", ["name", "password", "confirm"]),
    (None, "/language", ["locale", "next"]),
]
# POST routes that take nothing typed (a button on a row, or a signed body), so they have no form to fuzz.
NO_INPUT = {
    "auth.logout": "a button", "auth.renew_activation": "a button on the expired-link page",
    "payer.renew_link": "a button on the expired-link page",
    "account.remove_admin": "a button on its confirmation page", "vendor.remove_reseller_admin": "the same",
    "vendor.remove_operator": "the same", "account.resend_admin_invitation": "a button on a row",
    "vendor.resend_reseller_admin_invitation": "a button on a row", "vendor.resend_operator_invitation": "the same",
    "manage.promote_member": "a button", "manage.remove_member": "a button",
    "manage.resend_invitation": "a button", "manage.revoke_admin": "a button",
    "portal.remove_member": "a button", "portal.resend_invitation": "a button",
    "vendor.retry_message": "a button", "payments.sandbox_pay": "the sandbox's Pay button",
    "payments.webhook": "a signed body, fuzzed below",
}


@pytest.fixture
def world(app, make):
    from app import db
    from domain.models import StatementLine

    app.config.update(LOGIN_LIMIT="100000/minute", RESET_LIMIT="100000/minute")
    make.seller()
    reseller = make.reseller("Northwind IT SAS", discount_bp=2000)
    customer = make.customer(reseller, "Acme GmbH", licenses=50, members=3)
    invoice = make.invoice(customer)
    line = StatementLine(bank_reference="B-1", statement_id="S", booked_on=invoice.issued_on, amount_minor=100,
                         currency="EUR", remittance="?")
    db.session.add(line)
    db.session.commit()
    people = {"reseller": make.reseller_admin(reseller), "customer admin": make.customer_admin(customer),
              "operator": make.operator(), None: None}
    tokens = {"reset": make_link_token(make.user(), "reset"),
              "activation": make_link_token(make.user(active=False), "activate")}
    return {"people": people, "ids": {"customer": customer.id, "invoice": invoice.id, "line": line.id,
                                      "reseller": reseller.id, **tokens}}


def test_every_post_route_is_fuzzed_or_takes_no_input(app, world):
    adapter = app.url_map.bind("localhost")
    fuzzed = {adapter.match(url.format(**world["ids"]), method="POST")[0] for _, url, _ in FORMS}
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts - fuzzed - NO_INPUT.keys() == set(), "fuzz these forms, or say why they take no input"
    assert fuzzed & NO_INPUT.keys() == set()


@pytest.mark.parametrize("who, url, fields", FORMS, ids=[url for _, url, _ in FORMS])
def test_a_fuzzed_form_never_fails_and_a_refusal_changes_nothing(app, world, who, url, fields):
    client = app.test_client()
    if world["people"][who] is not None:
        login(client, world["people"][who])
        client.get(f"/console/?customer={world['ids']['customer']}") if who == "reseller" else None
    target = url.format(**world["ids"])
    assert client.post(target, data={}).status_code not in (404, 405), f"{target} is not a form of this role"

    def check(data: dict):
        before = _row_counts()
        response = client.post(target, data=data)
        assert response.status_code < 500, (target, data, response.status_code)
        # accepted: redirected, or a statement import answering with its report (importing again adds nothing)
        accepted = response.status_code == 303 or 'id="import-report"' in response.text
        if not accepted:  # refused with its messages, or rate limited
            assert _row_counts() == before, (target, data)

    for name in FILE_FIELDS.intersection(fields):  # every hostile file once, not left to the draw
        for content in HOSTILE_FILES:
            check({**VALID.get(url, {}), name: (io.BytesIO(content), "upload")})

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(data=payload(fields))
    def submit(data):
        check(data)

    submit()


@pytest.mark.parametrize("provider", ["sandbox", "stripe", "unknown"])
def test_a_fuzzed_webhook_is_refused_and_changes_nothing(app, world, provider):
    client = app.test_client()

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(body=st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(str.encode)),
           signature=st.one_of(st.none(), VALUE, st.text(max_size=80).map(lambda v: f"t=1,v1={v}"))
           .filter(lambda v: v is None or not {"\r", "\n"} & set(v)))  # no header can carry a line break
    def deliver(body, signature):
        before = _row_counts()
        headers = {"Stripe-Signature": signature} if signature is not None else {}
        response = client.post(f"/webhooks/{provider}", data=body, headers=headers,
                               content_type="application/json")
        assert response.status_code in (400, 404), (provider, body, signature, response.status_code)
        assert _row_counts() == before

    deliver()


# Every query parameter a page reads: searches, filters, dates, pages, keyset cursors, the Acting On choice.
QUERY = ["q", "page", "status", "kind", "sort", "from", "to", "actor", "action", "reseller", "customer", "before",
         "text"]
# Not plain row ids (a superscript digit, beyond 32 and 64 bits, signed), and days at the calendar's ends
NASTY = ["²", "١٢", str(2**31), "9" * 40, "-5", "0", "1e3", "9999-12-31", "0001-01-01", "2027-02-30", "x" * 300]


@pytest.mark.parametrize("who", ["reseller", "customer admin", "operator"])
def test_fuzzed_query_strings_never_fail_on_any_page(app, world, who):
    client = app.test_client()
    login(client, world["people"][who])
    ids = {"customer_id": world["ids"]["customer"], "invoice_id": world["ids"]["invoice"],
           "reseller_id": world["ids"]["reseller"], "token": world["ids"]["reset"]}
    pages = sorted(rule.build({k: ids[k] for k in rule.arguments})[1] for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and rule.endpoint != "static" and set(rule.arguments) <= ids.keys())
    before = _row_counts()

    def visit(url: str, args: dict):
        response = client.get(url, query_string=args)
        assert response.status_code < 500, (url, args, response.status_code)

    for url in pages:  # each nasty value in every parameter of every page, not left to the draw
        for value in NASTY:
            visit(url, dict.fromkeys(QUERY, value))
        visit(url, {"from": "0001-01-01", "to": "9999-12-31"})

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(url=st.sampled_from(pages), args=st.fixed_dictionaries({}, optional={name: VALUE for name in QUERY}))
    def draw(url, args):
        visit(url, args)

    draw()
    assert _row_counts() == before


@pytest.mark.parametrize("who", ["reseller", "operator"])
@pytest.mark.parametrize("number", [2**31, 10**30])
def test_an_id_too_large_for_the_database_is_not_found_on_any_route(app, world, who, number):
    client = app.test_client()
    login(client, world["people"][who])
    before, tried = _row_counts(), 0
    for rule in app.url_map.iter_rules():
        ids = set(rule.arguments) - TOKEN_PARAMS
        if not ids:
            continue
        url = rule.build({name: number if name in ids else "x" for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            # 405 where a route's twin for another method matches the address before its id is checked
            assert client.open(url, method=method).status_code in (404, 405), (method, url)
            tried += 1
    assert tried > 30 and _row_counts() == before
