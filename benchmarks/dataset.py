"""Fill a database fast with a realistic large data set, by bulk inserts (never the ORM row by row).

At scale 1: 50 resellers, 20,000 customers, 400,000 members, 60,000 invoices, 1,000,000 audit events.
Scale 0.01 is the same shape 100x smaller. Reseller 1's first customer is the "big" one: 2,000
members at scale 1 (its Manage page is measured). Its first invoice is issued for real (PDF and
all) so a stored invoice can be downloaded; the other invoices carry their data without a PDF.

    .venv/bin/python -m benchmarks.dataset postgresql://postgres@127.0.0.1:5432/seatdesk_bench 1
"""

import sys
import time
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app import create_app, db
from domain.customers import recount_members
from domain.models import (
    AuditEvent,
    Base,
    Customer,
    Invoice,
    Member,
    Reseller,
    ResellerUser,
    SellerSettings,
    Subscription,
    User,
    VendorOperator,
)

PASSWORD = "bench password"
BATCH = 5000
START = date(2026, 1, 15)
FULL = {"resellers": 50, "customers": 20_000, "members": 400_000, "invoices": 60_000, "events": 1_000_000,
        "big_members": 2_000}
ACTIONS = ["member.added", "member.removed", "order.placed", "order.paid", "invoice.issued", "customer.created",
           "subscription.renewed", "business_information.updated"]


def _insert(table, rows) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[start:start + BATCH])


def _create_database(url: str) -> None:
    """Start from an empty database (PostgreSQL: dropped and created again)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def generate(url: str, scale: float) -> dict:
    """Build the data set at ``url``; return the ids and logins the load run needs."""
    _create_database(url)
    sizes = {key: max(1, int(value * scale)) for key, value in FULL.items()}
    sizes["resellers"] = FULL["resellers"]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PASSWORD_TIME_COST": 1,
                      "PASSWORD_MEMORY_COST": 8, "PASSWORD_PARALLELISM": 1})
    started = time.perf_counter()
    with app.app_context():
        from domain.accounts import hash_password
        from domain.demo import DEMO_SELLER
        from invoices import issuing

        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        db.session.add(SellerSettings(**DEMO_SELLER))
        password = hash_password(PASSWORD)
        now = datetime(2026, 11, 1, 9, 0)
        _insert(Reseller, [{"id": r, "name": f"Reseller {r:02d}", "country": "FR", "contact_email": f"r{r}@bench.test",
                            "billing_email": f"r{r}@bench.test", "discount_bp": 2000} for r in range(1, 51)])
        _insert(User, [{"id": r, "email": f"admin{r}@bench.test" if r <= 50 else "operator@bench.test",
                        "password_hash": password, "activated_at": now} for r in range(1, 52)])
        _insert(ResellerUser, [{"user_id": r, "reseller_id": r} for r in range(1, 51)])
        _insert(VendorOperator, [{"user_id": 51}])

        customers, subscriptions = [], []
        per_member = (sizes["members"] - sizes["big_members"]) // max(1, sizes["customers"] - 1)
        for c in range(1, sizes["customers"] + 1):
            reseller = (c - 1) % 50 + 1
            members = sizes["big_members"] if c == 1 else per_member
            customers.append({"id": c, "reseller_id": reseller, "name": f"Customer {c:05d}", "street": f"{c} Main St",
                              "postal_code": "10115", "city": "Berlin", "country": "DE", "contact_name": "Contact",
                              "contact_email": f"contact{c}@customer{c}.test",
                              "billing_email": f"billing{c}@customer{c}.test", "created_at": now})
            spare = 1_000_000 if c == 1 else 5  # the load run adds members to the big customer
            subscriptions.append({"id": c, "customer_id": c, "term_months": 12, "licenses": members + spare,
                                  "period_start": START, "period_end": date(2027, 1, 15), "status": "active",
                                  "payment_method": "bank_transfer", "renewal_mode": "same", "created_at": now})
        _insert(Customer, customers)
        _insert(Subscription, subscriptions)

        member_rows = []
        for c in range(1, sizes["customers"] + 1):
            count = sizes["big_members"] if c == 1 else per_member
            member_rows.extend({"subscription_id": c, "email": f"user{n}@customer{c}.test", "status": "active",
                                "invited_at": now} for n in range(count))
            if len(member_rows) >= 50_000:
                _insert(Member, member_rows)
                member_rows = []
        _insert(Member, member_rows)
        recount_members()  # the counter the ORM keeps, for rows inserted around it
        db.session.commit()

        # One invoice issued for real (number 2026-000001, PDF/A-3b, Factur-X), to download
        from domain import orders, pricing
        from domain.models import OrderKind, OrderStatus, PaymentMethod

        big = db.session.get(Customer, 1)
        quote = pricing.price(reseller_discount_bp=2000, country="DE", vat_number=None, licenses=10, months=12,
                              on=START, customer_id=1)
        order = orders.record(big, quote, kind=OrderKind.CREATE, payment_method=PaymentMethod.BANK_TRANSFER,
                              idempotency_key="bench-1", supply_start=START, supply_end=date(2027, 1, 15),
                              placed_by=None, status=OrderStatus.INVOICED)
        real = issuing.issue(order, on=START)
        db.session.commit()
        snapshot, invoice_rows = real.snapshot, []
        for n in range(2, sizes["invoices"] + 1):
            c = (n - 1) % sizes["customers"] + 1
            invoice_rows.append({
                "number": f"2026-{n:06d}", "customer_id": c, "reseller_id": (c - 1) % 50 + 1,
                "issued_on": START + timedelta(days=n % 300), "due_on": START + timedelta(days=n % 300 + 30),
                "supply_start": START, "supply_end": date(2027, 1, 15), "currency": "EUR", "net_minor": 9600,
                "vat_minor": 1824, "gross_minor": 11424, "paid_minor": 11424 if n % 3 else 0,
                "status": "paid" if n % 3 else "open", "payment_method": "bank_transfer",
                "vat_treatment": real.vat_treatment, "rf_reference": f"RF00BENCH{n:09d}", "snapshot": snapshot,
                "created_at": now})
        _insert(Invoice, invoice_rows)
        db.session.commit()

        events = []
        for n in range(sizes["events"]):
            c = n % sizes["customers"] + 1
            events.append({"created_at": now - timedelta(seconds=sizes["events"] - n), "actor_id": (c - 1) % 50 + 1,
                           "actor_label": f"admin{(c - 1) % 50 + 1}@bench.test", "reseller_id": (c - 1) % 50 + 1,
                           "customer_id": c, "action": ACTIONS[n % len(ACTIONS)], "subject_type": "Member",
                           "subject_id": str(n), "before": None, "after": {"email": f"user{n}@customer{c}.test"},
                           "ip_address": "127.0.0.1"})
            if len(events) >= 50_000:
                _insert(AuditEvent, events)
                events = []
        _insert(AuditEvent, events)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            for table in Base.metadata.sorted_tables:
                if "id" in table.c and isinstance(table.c.id.type, sa.Integer):
                    db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                               f"(SELECT coalesce(max(id), 1) FROM \"{table.name}\"))"))
            db.session.commit()
            # Vacuumed and analysed now, so autovacuum does not wake up on the fresh rows in the middle of
            # a measurement (it did, and slowed the large set's first endpoints), and counts can read
            # the visibility map.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM (ANALYZE)"))
        result = {"reseller_admin": "admin1@bench.test", "operator": "operator@bench.test", "password": PASSWORD,
                  "big_customer": 1, "invoice": real.id, "sizes": sizes,
                  "seconds": round(time.perf_counter() - started, 1)}
        db.session.remove()
        db.engine.dispose()
    return result


if __name__ == "__main__":
    print(generate(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0))
