"""Faults: the mail server down, the database connection lost mid-request, the PDF renderer failing."""

import os
import select
import uuid

import psycopg
import pytest
import sqlalchemy as sa
import weasyprint

from app import db
from domain import connections, outbox
from domain.models import Customer, Invoice, Member, Order, OutboxMessage, OutboxStatus
from tests.conftest import free_port, login
from tests.security.test_access_matrix import _row_counts
from tests.web.test_create import form as create_form


@pytest.fixture
def reseller_client(client, make):
    make.seller()
    reseller = make.reseller("Northwind IT SAS")
    customer = make.customer(reseller, "Acme GmbH", licenses=5)
    login(client, make.reseller_admin(reseller))
    client.get(f"/console/manage/?customer={customer.id}")
    return client


def test_with_the_mail_server_down_the_member_is_added_and_the_invitation_waits(reseller_client, app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    response = reseller_client.post("/console/manage/members", data={"emails": "ida@example.test"})
    assert response.status_code == 303
    assert db.session.scalars(sa.select(Member.email)).all() == ["ida@example.test"]
    assert outbox.send_pending() == (0, 1)  # refused: the server is down
    invitation = db.session.scalars(sa.select(OutboxMessage)).one()
    assert invitation.status == OutboxStatus.QUEUED and "ConnectionRefused" in invitation.last_error
    port, inbox = smtp_server
    app.config["MAIL_PORT"] = port
    invitation.next_attempt_at = invitation.created_at  # the back-off has passed
    db.session.commit()
    assert outbox.send_pending() == (1, 0)
    assert inbox.messages[0]["To"] == "ida@example.test"


def _server_url(engine) -> str:
    """``engine``'s database as psycopg itself connects to it."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _end_connections(engine, which: str, *params) -> int:
    """Have PostgreSQL end the connections to ``engine``'s database that match ``which``, waiting until they have
    gone; how many it ended."""
    with psycopg.connect(_server_url(engine), autocommit=True) as other:
        return other.execute("SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                             f"WHERE datname = current_database() AND pid <> pg_backend_pid() AND {which}",
                             params).fetchone()[0]


class ConnectionLost:
    """Lose the database connection at the first statement that writes to ``table``: before it, by raising what
    the driver raises on any database; or ``for_real``, once it has run, by having PostgreSQL end the connection
    (as when the server restarts or a proxy drops it), so that the next statement meets a closed connection."""

    def __init__(self, table: str, *, for_real: bool = False):
        self.table, self.for_real, self.fired = table, for_real, False
        self.event = "after_cursor_execute" if for_real else "before_cursor_execute"

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if self.fired or not statement.lstrip().upper().startswith("INSERT INTO " + self.table.upper()):
            return
        self.fired = True
        if not self.for_real:
            raise sa.exc.OperationalError(statement, parameters, ConnectionResetError("server closed the connection"))
        _end_connections(conn.engine, "pid = %s", conn.connection.dbapi_connection.info.backend_pid)


def _add_members_losing_the_connection(client, app, lost: ConnectionLost) -> None:
    """Two members added while ``lost`` strikes: a clean page and nothing kept; the next request works."""
    before = _row_counts()
    sa.event.listen(db.engine, lost.event, lost)
    try:
        app.config["PROPAGATE_EXCEPTIONS"] = False
        response = client.post("/console/manage/members", data={"emails": "a@example.test, b@example.test"})
    finally:
        sa.event.remove(db.engine, lost.event, lost)
    assert lost.fired and response.status_code == 500
    assert "Something went wrong on our side. Nothing was saved" in response.text
    assert _row_counts() == before  # the audit event and the outbox message were rolled back with the member
    again = client.post("/console/manage/members", data={"emails": "a@example.test"})
    assert again.status_code == 303 and db.session.scalars(sa.select(Member.email)).all() == ["a@example.test"]


def test_a_connection_lost_mid_request_shows_a_clean_page_and_keeps_nothing_half_written(reseller_client, app):
    _add_members_losing_the_connection(reseller_client, app, ConnectionLost("members"))


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL to end a connection")
def test_a_connection_ended_by_the_server_mid_request_keeps_nothing_and_the_next_request_works(reseller_client, app):
    _add_members_losing_the_connection(reseller_client, app, ConnectionLost("members", for_real=True))


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL to end a connection")
def test_connections_ended_between_requests_are_replaced_before_the_next_request_uses_them(reseller_client):
    db.session.close()  # every connection back in the pool, idle, as between two requests of a worker
    assert _end_connections(db.engine, "true") >= 1  # the server restarts, or a proxy drops idle ones
    assert reseller_client.get("/console/manage/").status_code == 200  # the pool saw it had ended, reconnected


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL to end a connection")
def test_a_connection_is_refused_at_checkout_only_once_the_server_has_ended_it(app):
    dialect = db.engine.dialect
    with db.engine.connect() as connection:
        connection.execute(sa.text("LISTEN seatdesk_test"))
        connection.commit()
        idle = connection.connection.dbapi_connection
        connections.refuse_if_ended(dialect, idle)  # open and idle: lent as it is
        with psycopg.connect(_server_url(db.engine), autocommit=True) as other:
            other.execute("NOTIFY seatdesk_test")
        assert select.select([idle.fileno()], [], [], 5)[0]  # the notification waits on the idle connection
        connections.refuse_if_ended(dialect, idle)  # the server spoke without ending it: asked, and kept
        assert connection.execute(sa.select(1)).scalar() == 1
        connection.commit()
        assert _end_connections(db.engine, "pid = %s", idle.info.backend_pid) == 1
        with pytest.raises(sa.exc.DisconnectionError):
            connections.refuse_if_ended(dialect, idle)


def test_a_failing_pdf_renderer_takes_no_number_and_the_order_can_be_placed_again(reseller_client, monkeypatch):
    before = _row_counts()

    def broken(*args, **kwargs):
        raise RuntimeError("Pango: out of memory")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    key = uuid.uuid4().hex
    page = reseller_client.post("/console/create/", data=create_form(idempotency_key=key)).text
    assert "The invoice could not be produced just now, so nothing was saved or charged." in page
    assert 'value="Nordlicht Studio GmbH"' in page  # what was typed is still in the form
    assert _row_counts() == before
    monkeypatch.undo()
    response = reseller_client.post("/console/create/", data=create_form(idempotency_key=key))
    assert response.status_code == 303
    invoice = db.session.scalars(sa.select(Invoice)).one()
    assert invoice.number.endswith("-000001")  # the failed attempt took no number: no gap
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
    assert db.session.scalars(sa.select(Customer.name).where(Customer.name == "Nordlicht Studio GmbH")).one()
