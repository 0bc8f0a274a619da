"""The application as a newcomer starts it: configuration, migrations, CLI commands."""

import re
import warnings
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app, db
from domain.clock import utcnow
from domain.models import AuditEvent, Base, Customer, Invoice, Member, OutboxMessage, User, VendorOperator


def test_production_refuses_the_default_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_ENV_NAME", "production")
    monkeypatch.setenv("FLASK_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'x.sqlite'}")
    with pytest.raises(RuntimeError, match="default SECRET_KEY"):
        create_app()
    monkeypatch.setenv("FLASK_SECRET_KEY", "a real secret")
    assert create_app().config["SECRET_KEY"] == "a real secret"


def test_database_url_is_read_from_the_environment(monkeypatch):
    monkeypatch.delenv("FLASK_SQLALCHEMY_DATABASE_URI", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.internal/seatdesk")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db.internal/seatdesk"


def test_the_migrations_build_exactly_the_schema_of_the_models(app):
    """``flask db upgrade`` on an empty database gives the tables, columns and indexes of domain/models.py."""
    db.session.remove()
    Base.metadata.drop_all(db.engine)
    upgrade()
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect an index on an expression, so alembic skips those: checked by name below.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index", sa.exc.SAWarning)
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based", UserWarning)
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
        tables = set(sa.inspect(connection).get_table_names())
        indexes = set(connection.scalars(sa.text(
            "SELECT indexname FROM pg_indexes" if connection.dialect.name == "postgresql"
            else "SELECT name FROM sqlite_master WHERE type = 'index'")))
    expression_indexes = {index.name for table in Base.metadata.sorted_tables for index in table.indexes
                          if any(not isinstance(part, sa.Column) for part in index.expressions)}
    assert expression_indexes and expression_indexes <= indexes
    assert {t.name for t in Base.metadata.sorted_tables} <= tables and "alembic_version" in tables
    db.session.remove()
    Base.metadata.drop_all(db.engine)
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE alembic_version"))
    Base.metadata.create_all(db.engine)


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_demo_loads_once_and_prints_the_logins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    for email in ("operator@seatdesk.test", "anna@northwind-it.test", "bjorn@baltic-reseller.test",
                  "carol@acme-consulting.test", "dave@acme-consulting.test"):
        assert email in first.output
    assert "/activate/" in first.output
    counts = [_count(m) for m in (User, Customer, Member)]
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already loaded" in second.output
    assert [_count(m) for m in (User, Customer, Member)] == counts


def test_the_demo_logins_work(app):
    from tests.conftest import login

    app.test_cli_runner().invoke(args=["seed-demo"])
    client = app.test_client()
    anna = db.session.scalar(sa.select(User).where(User.email == "anna@northwind-it.test"))
    login(client, anna, "seatdesk-demo")
    assert "Acme Consulting GmbH" in client.get("/console/").text


def test_the_demo_audit_log_reads_as_the_days_went(app):
    """Each customer set up by its reseller's administrator on its first day, its invoice issued then, Canal's
    transfer matched from the statement the operator imported, Bellevue reminded and suspended by the daily runs
    of their days: in id order the dates never go back, and only today's statement is today."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    days = [event.created_at for event in events]
    assert days == sorted(days) and days[0] < utcnow() - timedelta(days=30)
    assert [event.action for event in events if event.created_at.date() == utcnow().date()] == ["statement.imported"]
    created = [event for event in events if event.action == "customer.created"]
    assert len(created) == _count(Customer) and {event.actor_label for event in created} == {
        "anna@northwind-it.test", "bjorn@baltic-reseller.test"}
    assert sum(event.action == "member.added" for event in events) == _count(Member)
    paid = next(event for event in events if event.action == "invoice.payment_recorded")
    assert paid.actor_label == "operator@seatdesk.test" and paid.after["paid_minor"] == paid.after["amount_minor"]
    bellevue = db.session.scalar(sa.select(Invoice).join(Customer).where(Customer.name == "Bellevue Architectes SARL"))
    dunned = [(event.action, (event.created_at.date() - bellevue.due_on).days) for event in events
              if event.action in ("invoice.reminder_sent", "subscription.suspended")]
    assert dunned == [("invoice.reminder_sent", 0), ("invoice.reminder_sent", 7), ("subscription.suspended", 14)]
    written = db.session.execute(sa.select(OutboxMessage.kind, OutboxMessage.created_at)
                                 .where(OutboxMessage.kind == "payment_reminder").order_by(OutboxMessage.id)).all()
    assert [(at.date() - bellevue.due_on).days for _, at in written] == [0, 7]


def test_the_demo_statement_line_waits_for_the_operator_and_settling_it_lifts_the_suspension(app):
    """Today's transfer of Bellevue's amount came without a reference: the queue suggests its invoice."""
    from tests.conftest import login

    app.test_cli_runner().invoke(args=["seed-demo"])
    client = app.test_client()
    login(client, db.session.scalar(sa.select(User).where(User.email == "operator@seatdesk.test")), "seatdesk-demo")
    queue = client.get("/vendor/payments").text
    bellevue = db.session.scalar(sa.select(Customer).where(Customer.name == "Bellevue Architectes SARL"))
    number = db.session.scalar(sa.select(Invoice.number).where(Invoice.customer_id == bellevue.id))
    assert "To look at (1)" in queue and f"Same amount: {number} (Bellevue Architectes SARL)" in queue
    line_id = int(re.search(r'action="/vendor/payments/lines/(\d+)/assign"', queue).group(1))
    client.post(f"/vendor/payments/lines/{line_id}/assign", data={"invoice": number})
    assert db.session.get(Customer, bellevue.id).subscription.status == "active"
    assert "To look at (0)" in client.get("/vendor/payments").text


def test_create_operator_makes_a_vendor_operator(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-operator", "Ops@Example.test"], input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "ops@example.test"))
    assert user.is_active and db.session.get(VendorOperator, user.id) is not None
    again = runner.invoke(args=["create-operator", "ops@example.test", "--password", "a long password"])
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["create-operator", "x@example.test", "--password", "short"])
    assert short.exit_code != 0 and _count(VendorOperator) == 1


def test_outbox_send_says_where_mail_stays_without_a_server(app):
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "stay readable in the outbox" in result.output


def test_outbox_send_delivers_over_smtp(app, smtp_server):
    from domain import outbox

    port, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    outbox.enqueue("x@example.test", "Hi", "Body", kind="test")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "1 sent, 0 failed" in result.output and len(inbox.messages) == 1


def test_the_demo_invoices_are_where_their_days_took_them(app):
    """Paid, not yet due, and overdue past the grace period with its subscription suspended (R9): the daily run
    has nothing left to do on the demo's first day."""
    from domain.clock import today
    from domain.dunning import run
    from domain.models import Invoice, OutboxMessage, Subscription, SubscriptionStatus
    from invoices.issuing import payer_status

    app.test_cli_runner().invoke(args=["seed-demo"])
    read = {invoice.customer.name: invoice for invoice in db.session.scalars(sa.select(Invoice))}
    assert {name: payer_status(invoice) for name, invoice in read.items()} == {
        "Canal Logistics BV": "paid", "Acme Consulting GmbH": "open", "Bellevue Architectes SARL": "overdue",
        "Dolomiti Design Srl": "paid"}
    assert read["Bellevue Architectes SARL"].reminders_sent == 2
    suspended = db.session.scalars(sa.select(Subscription).where(Subscription.status == SubscriptionStatus.SUSPENDED))
    assert [s.customer.name for s in suspended] == ["Bellevue Architectes SARL"]
    kinds = db.session.scalars(sa.select(OutboxMessage.kind)).all()
    assert "payment_reminder" in kinds
    assert run(today()) == {"reminded": 0, "suspended": 0}
