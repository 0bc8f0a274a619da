"""Every form, fuzzed with hypothesis: random and hostile values, missing fields. Never a 500; a refused
submission changes nothing (row counts of every table compared before and after)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import login
from tests.security.test_access_matrix import _row_counts

HOSTILE = st.sampled_from(["", " ", "0", "-1", "-0.01", "1e309", "NaN", "9" * 40, "12.345", "<script>x</script>",
                           "' OR 1=1 --", "\x00", "ℵ", "名字", "👩‍💻" * 50, "a@b", "x" * 5000, "DE136695976",
                           "2027-02-30", "bank_transfer", "card", "12", "cancel", "number"])
VALUE = st.one_of(HOSTILE, st.text(max_size=300), st.integers(min_value=-10**12, max_value=10**12).map(str))


def payload(fields: list[str]):
    """Each field present with a value, or missing."""
    return st.fixed_dictionaries({}, optional={name: VALUE for name in fields})


BUSINESS = ["name", "street", "postal_code", "city", "country", "contact_name", "contact_email", "billing_email",
            "vat_number", "po_reference"]
FORMS = [
    ("reseller", "/console/create/", BUSINESS + ["licenses", "term_months", "payment_method", "idempotency_key"]),
    ("reseller", "/console/create/quote", BUSINESS + ["licenses", "term_months", "payment_method"]),
    ("reseller", "/console/business/", BUSINESS),
    ("reseller", "/console/manage/members", ["emails"]),
    ("reseller", "/console/manage/renewal", ["mode", "renewal_licenses"]),
    ("reseller", "/console/licenses/", ["licenses", "payment_method", "idempotency_key"]),
    ("reseller", "/console/licenses/quote", ["licenses", "payment_method"]),
    ("reseller", "/console/account/team", ["email"]),
    ("customer admin", "/portal/customers/{customer}/members", ["emails"]),
    ("customer admin", "/portal/customers/{customer}/licenses", ["licenses", "payment_method", "idempotency_key"]),
    ("operator", "/vendor/resellers/new", ["name", "street", "postal_code", "city", "country", "vat_number",
                                           "contact_email", "billing_email", "discount", "allowed_organizations",
                                           "allowed_users", "first_admin"]),
    ("operator", "/vendor/settings", ["list_price", "currency", "legal_name", "street", "postal_code", "city",
                                      "country", "vat_number", "iban", "bic", "invoice_footer", "vies_enabled"]),
    ("operator", "/vendor/invoices/{invoice}/payments", ["amount", "received_on", "reference"]),
    ("operator", "/vendor/invoices/{invoice}/credit-notes", ["amount", "reason"]),
    ("operator", "/vendor/payments/lines/{line}/assign", ["invoice"]),
    ("operator", "/vendor/payments/lines/{line}/dismiss", ["reason"]),
    (None, "/login", ["email", "password"]),
    (None, "/password/forgot", ["email"]),
]


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
    return {"people": people, "ids": {"customer": customer.id, "invoice": invoice.id, "line": line.id}}


@pytest.mark.parametrize("who, url, fields", FORMS, ids=[url for _, url, _ in FORMS])
def test_a_fuzzed_form_never_fails_and_a_refusal_changes_nothing(app, world, who, url, fields):
    client = app.test_client()
    if world["people"][who] is not None:
        login(client, world["people"][who])
        client.get(f"/console/?customer={world['ids']['customer']}") if who == "reseller" else None
    target = url.format(**world["ids"])
    assert client.post(target, data={}).status_code not in (404, 405), f"{target} is not a form of this role"

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(data=payload(fields))
    def submit(data):
        before = _row_counts()
        response = client.post(target, data=data)
        assert response.status_code < 500, (target, data, response.status_code)
        if response.status_code != 303:  # not accepted: refused with its messages, or rate limited
            assert _row_counts() == before, (target, data)

    submit()
