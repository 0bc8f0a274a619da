import time
from datetime import timedelta

import sqlalchemy as sa
import time_machine

from app import db
from domain import audit, outbox
from domain.clock import utcnow
from domain.models import AuditEvent, OutboxMessage, OutboxStatus


def test_an_audit_event_names_actor_reseller_customer_and_address(make):
    reseller = make.reseller()
    admin = make.reseller_admin(reseller)
    customer = make.customer(reseller)
    token = audit.request_address.set("203.0.113.7")
    try:
        audit.record(admin, "customer.updated", customer, acting_on=customer, before={"name": "A"}, after={"name": "B"})
    finally:
        audit.request_address.reset(token)
    db.session.commit()
    event = db.session.scalars(sa.select(AuditEvent)).one()
    assert (event.actor_label, event.reseller_id, event.customer_id, event.ip_address) == \
        (admin.email, reseller.id, customer.id, "203.0.113.7")
    assert (event.subject_type, event.subject_id, event.before, event.after) == \
        ("Customer", str(customer.id), {"name": "A"}, {"name": "B"})


def test_the_system_is_an_actor_too(make):
    customer = make.customer(make.reseller())
    event = audit.record(None, "subscription.renewed", customer.subscription, acting_on=customer)
    assert event.actor_label == "system" and event.actor_id is None


def test_without_a_mail_server_messages_stay_in_the_outbox(app):
    outbox.enqueue("a@example.test", "Hello", "Body", kind="test")
    db.session.commit()
    assert outbox.send_pending() == (0, 0)
    assert db.session.scalars(sa.select(OutboxMessage)).one().status == OutboxStatus.QUEUED


def test_queued_mail_is_delivered_over_smtp_once(app, smtp_server):
    port, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    outbox.enqueue("a@example.test", "Grüße ✓", "Hello there", kind="test")
    outbox.enqueue("b@example.test", "Second", "Body", kind="test")
    db.session.commit()
    assert outbox.send_pending() == (2, 0)
    assert outbox.send_pending() == (0, 0)
    assert sorted(m["To"] for m in inbox.messages) == ["a@example.test", "b@example.test"]
    assert {m["Subject"] for m in inbox.messages} == {"Grüße ✓", "Second"}
    assert all(m.status == OutboxStatus.SENT for m in db.session.scalars(sa.select(OutboxMessage)))


def test_a_refused_delivery_is_kept_and_retried_after_back_off(app, smtp_server):
    port, inbox = smtp_server
    inbox.refuse = 1
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    outbox.enqueue("a@example.test", "Invite", "Body", kind="test")
    db.session.commit()
    with time_machine.travel(utcnow(), tick=False) as traveller:
        assert outbox.send_pending() == (0, 1)
        message = db.session.scalars(sa.select(OutboxMessage)).one()
        assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 1)
        assert "451" in message.last_error
        assert outbox.send_pending() == (0, 0)  # not due yet
        traveller.shift(timedelta(minutes=3))
        assert outbox.send_pending() == (1, 0)
    assert len(inbox.messages) == 1 and message.status == OutboxStatus.SENT


def test_an_unreachable_server_never_loses_the_message(app):
    from tests.conftest import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2, OUTBOX_MAX_ATTEMPTS=2)
    message = outbox.enqueue("a@example.test", "Invite", "Body", kind="test")
    db.session.commit()
    start = time.monotonic()
    with time_machine.travel(utcnow(), tick=False) as traveller:
        for _ in range(2):
            assert outbox.send_pending() == (0, 1)
            traveller.shift(timedelta(hours=7))
    assert time.monotonic() - start < 30
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 2)
    outbox.retry(message)
    db.session.commit()
    assert message.status == OutboxStatus.QUEUED


def test_delivery_logs_in_when_credentials_are_configured(app):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from tests.conftest import Inbox, free_port

    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USERNAME="seatdesk",
                          MAIL_PASSWORD="wrong")
        outbox.enqueue("a@example.test", "Invite", "Body", kind="test")
        db.session.commit()
        assert outbox.send_pending() == (0, 1)  # refused login: kept for later
        app.config["MAIL_PASSWORD"] = "s3cret"
        with time_machine.travel(utcnow() + timedelta(minutes=5), tick=False):
            assert outbox.send_pending() == (1, 0)
    finally:
        controller.stop()
    assert logins == [(b"seatdesk", b"wrong"), (b"seatdesk", b"s3cret")] and len(inbox.messages) == 1
