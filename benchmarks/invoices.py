"""Issuing an invoice against rendering a bare WeasyPrint page of the same HTML, and serving a stored one.

Run: ``make bench`` (or ``.venv/bin/python -m benchmarks.invoices``). Everything is measured in one run
on one machine, so the ratios are what matters, not the seconds.
"""

import statistics
import tempfile
import time
from pathlib import Path

from weasyprint import HTML

from app import create_app, db
from domain.clock import utcnow
from domain.models import (
    Customer,
    Invoice,
    PaymentMethod,
    Reseller,
    ResellerUser,
    SellerSettings,
    Subscription,
    SubscriptionStatus,
    User,
)
from domain.periods import add_months

ROUNDS = 15
DOWNLOADS = 300


def _timed(action, rounds: int) -> float:
    """Median seconds of ``action`` over ``rounds`` runs."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="seatdesk-bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}", "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "bench", "PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 8,
                      "PASSWORD_PARALLELISM": 1})
    with app.app_context():
        from domain import orders, pricing
        from domain.accounts import hash_password
        from domain.models import OrderKind, OrderStatus
        from invoices import issuing, pdf

        db.create_all()
        db.session.add(SellerSettings(list_price_minor=1000, currency="EUR", legal_name="Example Software GmbH",
                                      street="Musterstraße 1", postal_code="10115", city="Berlin", country="DE",
                                      vat_number="DE136695976", iban="DE89370400440532013000", bic="COBADEFFXXX"))
        reseller = Reseller(name="Bench Reseller", country="FR", contact_email="r@b.test", billing_email="r@b.test",
                            discount_bp=2000)
        user = User(email="bench@b.test", password_hash=hash_password("bench password"), activated_at=utcnow())
        db.session.add_all([reseller, user, ResellerUser(user=user, reseller=reseller)])
        start = utcnow().date()
        customers = []
        for n in range(ROUNDS + 2):
            customer = Customer(reseller=reseller, name=f"Customer {n}", country="FR", contact_email="c@b.test",
                                billing_email="c@b.test", vat_number="FR61954506077", street="1 rue", city="Lyon",
                                postal_code="69002")
            db.session.add_all([customer, Subscription(
                customer=customer, term_months=12, licenses=10, period_start=start,
                period_end=add_months(start, 12), status=SubscriptionStatus.ACTIVE,
                payment_method=PaymentMethod.BANK_TRANSFER)])
            customers.append(customer)
        db.session.commit()

        def order_for(customer):
            quote = pricing.price(reseller_discount_bp=2000, country="FR", vat_number=customer.vat_number,
                                  licenses=10, months=12, on=start, customer_id=customer.id)
            return orders.record(customer, quote, kind=OrderKind.CREATE, payment_method=PaymentMethod.BANK_TRANSFER,
                                 idempotency_key=f"bench-{customer.id}", supply_start=start,
                                 supply_end=add_months(start, 12), placed_by=None, status=OrderStatus.INVOICED)

        pending = [order_for(customer) for customer in customers]
        db.session.commit()
        warm = issuing.issue(pending.pop())  # imports, fonts and caches, outside the measurement
        db.session.commit()
        html = pdf.render_html(warm)

        bare = _timed(lambda: HTML(string=html).write_pdf(), ROUNDS)

        def issue_one():
            issuing.issue(pending.pop())
            db.session.commit()

        issue = _timed(issue_one, ROUNDS)
        invoice_id = db.session.scalar(db.select(Invoice.id).order_by(Invoice.id.desc()))

    client = app.test_client()
    client.post("/login", data={"email": "bench@b.test", "password": "bench password"})
    url = f"/console/billing/invoices/{invoice_id}.pdf"
    assert client.get(url).status_code == 200
    serve = _timed(lambda: client.get(url).data, DOWNLOADS)

    print(f"bare WeasyPrint page of the invoice HTML : {bare * 1000:8.1f} ms")
    print(f"issue an invoice (number, PDF/A-3b, Factur-X, store): {issue * 1000:8.1f} ms"
          f"  = {issue / bare:.2f} x the bare render")
    print(f"serve a stored invoice (login, scope check, bytes): {serve * 1000:8.2f} ms"
          f"  = {issue / serve:.0f} x faster than issuing, {bare / serve:.0f} x faster than a bare render")


if __name__ == "__main__":
    main()
