"""Shared fixtures: a fresh app and database per test, factories, an SMTP server, a live server.

Without ``TEST_DATABASE_URL`` each test gets its own SQLite file. With it (a PostgreSQL URL) each
xdist worker gets its own database on that server, created for the session and emptied after
every test, so tests never share state.
"""

import io
import os
import socket
import threading
from email import message_from_bytes, policy

import psycopg
import pytest
import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from app import create_app, db
from domain import orders, pricing
from domain.accounts import hash_password
from domain.clock import utcnow
from domain.models import (
    Base,
    Customer,
    CustomerAdmin,
    Invoice,
    Member,
    MemberStatus,
    OrderKind,
    OrderStatus,
    PaymentMethod,
    Reseller,
    ResellerUser,
    SellerSettings,
    Subscription,
    SubscriptionStatus,
    User,
    VendorOperator,
)
from domain.periods import add_months

PASSWORD = "correct horse battery"
SELLER = {"list_price_minor": 1000, "currency": "EUR", "legal_name": "Example Software GmbH",
          "street": "Musterstraße 1", "postal_code": "10115", "city": "Berlin", "country": "DE",
          "vat_number": "DE136695976", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX",
          "invoice_footer": "Example Software GmbH · Amtsgericht Berlin HRB 12345"}
HTMX = {"HX-Request": "true"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url(worker_id):
    """A database of this worker's own on the PostgreSQL server named by TEST_DATABASE_URL, or None."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield None
        return
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"{url.database}_{worker_id}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    worker_url = url.set(database=name).render_as_string(hide_password=False)
    engine = sa.create_engine(worker_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield worker_url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``, as in production.

    The test keeps an application context pushed (for ``db.session``), and Flask reuses it for
    requests; without this, ``g`` (and Flask-Login's cached user in it) would leak between requests.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(g):
                g.pop(name)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(request, tmp_path, postgres_url):
    """A fresh app and an empty database for each test; ``@pytest.mark.app_config(NAME=value)`` adds settings
    that ``create_app`` itself must see (those that wire middleware)."""
    marker = request.node.get_closest_marker("app_config")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": postgres_url or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 8, "PASSWORD_PARALLELISM": 1,
        **(marker.kwargs if marker else {}),
    })
    app.test_client_class = FreshGlobalsClient
    with app.app_context():
        if postgres_url is None:
            db.create_all()
        yield app
        db.session.remove()
        if postgres_url is not None:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class Factory:
    """Make the people and objects tests need, committed, with readable defaults."""

    def __init__(self):
        self.password_hash = hash_password(PASSWORD)
        self.count = 0

    def _n(self) -> int:
        self.count += 1
        return self.count

    def user(self, email=None, *, active=True, name=None) -> User:
        user = User(email=email or f"user{self._n()}@example.test", name=name,
                    password_hash=self.password_hash if active else None, activated_at=utcnow() if active else None)
        db.session.add(user)
        db.session.commit()
        return user

    def operator(self, email=None) -> User:
        user = self.user(email)
        db.session.add(VendorOperator(user=user))
        db.session.commit()
        return user

    def reseller(self, name=None, **values) -> Reseller:
        n = self._n()
        reseller = Reseller(name=name or f"Reseller {n}", country="FR", contact_email=f"r{n}@example.test",
                            billing_email=f"r{n}@example.test", **values)
        db.session.add(reseller)
        db.session.commit()
        return reseller

    def reseller_admin(self, reseller=None, email=None) -> User:
        reseller = reseller or self.reseller()
        user = self.user(email)
        db.session.add(ResellerUser(user=user, reseller=reseller))
        db.session.commit()
        return user

    def customer(self, reseller, name=None, *, licenses=10, members=0, term=12, **values) -> Customer:
        n = self._n()
        customer = Customer(reseller=reseller, name=name or f"Customer {n}", country=values.pop("country", "DE"),
                            contact_email=values.pop("contact_email", f"contact{n}@example.test"),
                            billing_email=f"billing{n}@example.test", **values)
        start = utcnow().date()
        subscription = Subscription(customer=customer, term_months=term, licenses=licenses, period_start=start,
                                    period_end=add_months(start, term), status=SubscriptionStatus.ACTIVE,
                                    payment_method=PaymentMethod.BANK_TRANSFER)
        db.session.add_all([customer, subscription])
        for i in range(members):
            db.session.add(Member(subscription=subscription, email=f"m{i}.{n}@example.test",
                                  status=MemberStatus.ACTIVE))
        db.session.commit()
        return customer

    def order(self, customer, *, licenses=None, payment_method=PaymentMethod.BANK_TRANSFER, on=None):
        """An order for the customer's current period, priced by the real price list and VAT rules."""
        subscription = customer.subscription
        on = on or subscription.period_start
        quote = pricing.price(reseller_discount_bp=customer.reseller.discount_bp, country=customer.country,
                              vat_number=customer.vat_number, licenses=licenses or subscription.licenses,
                              months=subscription.term_months, on=on, customer_id=customer.id)
        order = orders.record(customer, quote, kind=OrderKind.CREATE, payment_method=payment_method,
                              idempotency_key=f"test-{self._n()}", supply_start=on, supply_end=subscription.period_end,
                              placed_by=None, status=OrderStatus.INVOICED
                              if payment_method == PaymentMethod.BANK_TRANSFER else OrderStatus.PAID)
        db.session.commit()
        return order

    def invoice(self, customer, **order_values) -> Invoice:
        """An issued invoice (real PDF) of a new order of ``customer``."""
        from invoices import issuing

        self.seller()
        invoice = issuing.issue(self.order(customer, **order_values), on=customer.subscription.period_start)
        db.session.commit()
        return invoice

    def seller(self, **values) -> SellerSettings:
        """The vendor's price list and seller details (EUR 10.00 a license a month, German seller)."""
        existing = db.session.scalar(sa.select(SellerSettings))
        if existing is not None:
            return existing
        settings = SellerSettings(**{**SELLER, **values})
        db.session.add(settings)
        db.session.commit()
        return settings

    def customer_admin(self, customer, email=None) -> User:
        user = self.user(email)
        db.session.add(CustomerAdmin(customer=customer, user=user))
        db.session.commit()
        return user

    def member(self, customer, email=None) -> tuple[User, Member]:
        user = self.user(email)
        member = Member(subscription=customer.subscription, email=user.email, user=user, status=MemberStatus.ACTIVE,
                        activated_at=utcnow())
        db.session.add(member)
        db.session.commit()
        return user, member


@pytest.fixture
def make(app) -> Factory:
    return Factory()


def login(client, user: User, password: str = PASSWORD, **request):
    """Log ``user`` in through the login form, as a person would; ``request`` goes to the client (headers ...)."""
    response = client.post("/login", data={"email": user.email, "password": password}, **request)
    assert response.status_code == 303, response.text
    return response


def exported(response) -> io.StringIO:
    """A CSV download as a spreadsheet opens it: checked to begin with the UTF-8 byte-order mark (which tells Excel
    its encoding), the rest to read with ``csv``."""
    assert response.status_code == 200 and response.mimetype == "text/csv", response.status_code
    assert response.text.startswith("\ufeff"), response.text[:20]
    return io.StringIO(response.text.removeprefix("\ufeff"))


def login_where(client, make, customer, where: str) -> None:
    """Log in as an administrator of ``customer``: its reseller's ("console") or its own ("portal")."""
    login(client, make.reseller_admin(customer.reseller) if where == "console" else make.customer_admin(customer))


# ---------- a real SMTP server on loopback ----------
class Inbox:
    def __init__(self, refuse_first: int = 0):
        self.messages = []
        self.refuse = refuse_first

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 Try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    """Start an SMTP server on 127.0.0.1; yield (port, inbox)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


# ---------- a live server for the browser ----------
@pytest.fixture
def live_server(app):
    """Serve ``app`` on a free loopback port in a thread; yield its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
