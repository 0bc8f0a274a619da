"""No N+1: every list page runs as many SQL statements for 100 rows as for 10 (counted, not timed)."""

import itertools
from datetime import date

import pytest
import sqlalchemy as sa

from app import db
from domain.models import (
    AuditEvent,
    Invoice,
    Member,
    MemberStatus,
    OutboxMessage,
    Payment,
    StatementLine,
)
from tests.conftest import login

serial = itertools.count(1)


class Statements:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


def statements(client, url: str) -> int:
    """The statements one request runs, starting from nothing loaded, as every request in production does,
    on a worker that has served the page before (its Acting On list is kept until a customer changes)."""
    client.get(url)
    db.session.expire_all()
    counter = Statements()
    sa.event.listen(db.engine, "before_cursor_execute", counter)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counter)
    assert response.status_code == 200, (url, response.status_code)
    return counter.count


@pytest.fixture
def world(app, make):
    """A reseller with a customer, its administrator, an issued invoice to copy, and the vendor."""
    app.config["PAGE_SIZE"] = 100
    make.seller()
    reseller = make.reseller("Northwind IT SAS", allowed_organizations=1000)
    acme = make.customer(reseller, "Acme GmbH", licenses=500)
    invoice = make.invoice(acme)
    return {"reseller": reseller, "acme": acme, "invoice": invoice, "admin": make.reseller_admin(reseller),
            "carol": make.customer_admin(acme), "operator": make.operator()}


def add_customers(world, make, n):
    for _ in range(n):
        make.customer(world["reseller"], f"Customer {next(serial):04d}", members=2)


def add_members(world, make, n):
    subscription = world["acme"].subscription
    db.session.add_all([Member(subscription=subscription, email=f"m{next(serial)}@example.test",
                               status=MemberStatus.ACTIVE) for _ in range(n)])
    db.session.commit()


def add_invoices(world, make, n, *, everywhere=False):
    """Copies of the issued invoice (their own numbers and orders), for Acme or each for a new customer."""
    model = world["invoice"]
    for _ in range(n):
        k = next(serial)
        customer = make.customer(world["reseller"], f"Buyer {k:04d}") if everywhere else world["acme"]
        order = make.order(customer)
        columns = {c.key: getattr(model, c.key) for c in Invoice.__table__.columns if c.key not in ("id",)}
        db.session.add(Invoice(**{**columns, "number": f"2099-{k:06d}", "rf_reference": f"RF{k:020d}"[:25],
                                  "order_id": order.id, "customer_id": customer.id}))
    db.session.commit()


def add_invoices_everywhere(world, make, n):
    add_invoices(world, make, n, everywhere=True)


def add_events(world, make, n):
    db.session.execute(sa.insert(AuditEvent), [
        {"actor_label": "system", "action": "test.event", "subject_type": "Test", "reseller_id": world["reseller"].id,
         "customer_id": world["acme"].id, "before": {"a": 1}, "after": {"a": 2}} for _ in range(n)])
    db.session.commit()


def add_messages(world, make, n):
    db.session.add_all([OutboxMessage(to_address=f"x{next(serial)}@example.test", subject="Hello", body_text="Hi",
                                      kind="test") for _ in range(n)])
    db.session.commit()


def add_lines(world, make, n):
    db.session.add_all([StatementLine(bank_reference=f"B-{next(serial)}", statement_id="S", booked_on=date(2027, 1, 1),
                                      amount_minor=1000 + k, currency="EUR", payer_name=f"Payer {k}",
                                      remittance="?") for k in range(n)])
    db.session.commit()


def add_payments(world, make, n):
    db.session.add_all([Payment(invoice_id=world["invoice"].id, amount_minor=100, currency="EUR", method="manual",
                                received_on=date(2027, 1, 1), reference=f"P-{next(serial)}") for _ in range(n)])
    db.session.commit()


def add_admins(world, make, n):
    for _ in range(n):
        make.reseller_admin(world["reseller"], f"admin{next(serial)}@northwind.test")


def add_operators(world, make, n):
    for _ in range(n):
        make.operator(f"operator{next(serial)}@vendor.test")


def add_resellers(world, make, n):
    for _ in range(n):
        make.customer(make.reseller(f"Reseller {next(serial):04d}"), members=1)


PAGES = [
    ("admin", "/console/", add_customers),
    ("admin", "/console/customers.csv", add_customers),
    ("admin", "/console/manage/?customer={acme}", add_members),
    ("admin", "/console/billing/?customer={acme}", add_invoices),
    ("admin", "/console/billing/?customer=", add_invoices_everywhere),
    ("admin", "/console/billing/orders?customer=", add_invoices_everywhere),
    ("admin", "/console/account/audit", add_events),
    ("admin", "/console/account/audit.csv", add_events),
    ("admin", "/console/account/team", add_admins),
    ("admin", "/console/billing/orders.csv?customer=", add_invoices_everywhere),
    ("admin", "/console/billing/invoices.csv?customer=", add_invoices_everywhere),
    ("carol", "/portal/customers/{acme}/members", add_members),
    ("carol", "/portal/customers/{acme}/audit", add_events),
    ("carol", "/portal/customers/{acme}/audit.csv", add_events),
    ("carol", "/portal/", add_invoices),
    ("operator", "/vendor/", add_resellers),
    ("operator", "/vendor/resellers.csv", add_resellers),
    ("operator", "/vendor/invoices", add_invoices_everywhere),
    ("operator", "/vendor/invoices.csv", add_invoices_everywhere),
    ("operator", "/vendor/invoices/{invoice}", add_payments),
    ("operator", "/vendor/audit", add_events),
    ("operator", "/vendor/audit.csv", add_events),
    ("operator", "/vendor/resellers/{reseller}", add_admins),
    ("operator", "/vendor/outbox", add_messages),
    ("operator", "/vendor/payments", add_lines),
    ("operator", "/vendor/operators", add_operators),
]


# Pages that show one thing (an object, a form, a document), or send elsewhere (back to a card payment), so no
# list of rows can grow on them.
NOT_LISTS = {"account.confirm_remove_admin", "vendor.confirm_remove_reseller_admin", "vendor.confirm_remove_operator",
             "auth.home", "auth.profile", "auth.login", "auth.forgot_password", "auth.activate", "auth.reset_password",
             "create.index", "create.order", "create.payment", "portal.order_payment", "licenses.index",
             "business.index", "billing.invoice_pdf", "manage.confirm_remove_member", "manage.confirm_promote_member",
             "payer.invoice_page", "payer.invoice_pdf", "payments.sandbox_checkout", "portal.confirm_remove_member",
             "portal.invoice_pdf", "portal.licenses_page", "portal.order", "vendor.credit_note_pdf",
             "vendor.invoice_pdf", "vendor.new_reseller", "vendor.outbox_message", "vendor.settings", "healthz",
             "static"}


def test_every_page_that_lists_rows_is_counted(app, world):
    adapter = app.url_map.bind("localhost")
    ids = {"acme": world["acme"].id, "reseller": world["reseller"].id, "invoice": world["invoice"].id}
    counted = {adapter.match(url.format(**ids).split("?")[0])[0] for _, url, _ in PAGES}
    pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert pages - counted - NOT_LISTS == set(), "count these pages' statements, or say they list nothing"


@pytest.mark.parametrize("who, url, grow", PAGES, ids=[url for _, url, _ in PAGES])
def test_a_list_page_costs_the_same_statements_for_10_rows_as_for_100(client, make, world, who, url, grow):
    login(client, world[who])
    url = url.format(acme=world["acme"].id, reseller=world["reseller"].id, invoice=world["invoice"].id)
    grow(world, make, 10)
    ten = statements(client, url)
    grow(world, make, 90)
    hundred = statements(client, url)
    assert hundred == ten, f"{url}: {ten} statements for 10 rows, {hundred} for 100"
