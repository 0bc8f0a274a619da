"""The audit log (R12): who sees what, filters, CSV, keyset pages over a large table; and the outbox view."""

import csv
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app import db
from domain import audit_log, outbox
from domain.models import AuditEvent, OutboxMessage, OutboxStatus
from tests.conftest import exported, login


@pytest.fixture
def world(client, make):
    """Two resellers, each with a customer whose member was added through the product, so events are real."""
    north, south = make.reseller("North"), make.reseller("South")
    acme, zeta = make.customer(north, "Acme GmbH"), make.customer(south, "Zeta SA")
    anna, sven = make.reseller_admin(north, "anna@north.test"), make.reseller_admin(south, "sven@south.test")
    carol = make.customer_admin(acme, "carol@acme.test")
    for admin, customer, email in ((anna, acme, "dave@acme.test"), (sven, zeta, "zoe@zeta.test")):
        login(client, admin)
        client.get(f"/console/manage/?customer={customer.id}")
        client.post("/console/manage/members", data={"emails": email})
        client.post("/logout")
    return {"anna": anna, "sven": sven, "carol": carol, "acme": acme, "zeta": zeta, "north": north}


def table(html: str) -> str:
    return html.split('<div id="event-table">')[1]


def test_each_role_sees_its_own_events_only(client, make, world):
    login(client, world["anna"])
    mine = table(client.get("/console/account/audit").text)
    assert "dave@acme.test" in mine and "zoe@zeta.test" not in mine and "member.added" in mine
    client.post("/logout")
    login(client, world["carol"])
    theirs = table(client.get(f"/portal/customers/{world['acme'].id}/audit").text)
    assert "dave@acme.test" in theirs and "zoe@zeta.test" not in theirs
    assert client.get(f"/portal/customers/{world['zeta'].id}/audit").status_code == 404
    # the customer cannot widen its view with a filter
    widened = table(client.get(f"/portal/customers/{world['acme'].id}/audit?customer={world['zeta'].id}").text)
    assert "zoe@zeta.test" not in widened
    client.post("/logout")
    login(client, make.operator())
    everything = table(client.get("/vendor/audit").text)
    assert "dave@acme.test" in everything and "zoe@zeta.test" in everything


def test_a_reseller_cannot_see_another_resellers_events_by_filtering(client, world):
    login(client, world["sven"])
    for query in (f"?reseller={world['north'].id}", "?actor=anna", "?text=dave"):
        assert "dave@acme.test" not in table(client.get(f"/console/account/audit{query}").text), query
    # in the console, ?customer= is the Acting On choice: another reseller's customer is not found
    assert client.get(f"/console/account/audit?customer={world['acme'].id}").status_code == 404


def test_filters_and_before_after_side_by_side(client, make, world):
    login(client, make.operator())
    by_actor = table(client.get("/vendor/audit?actor=anna@north").text)
    assert "anna@north.test" in by_actor and "sven@south.test" not in by_actor
    by_action = table(client.get("/vendor/audit?action=member.").text)
    assert by_action.count("<code>member.added</code>") == 2
    assert "No events match." in table(client.get("/vendor/audit?action=reseller.").text)
    by_text = table(client.get("/vendor/audit?text=zoe@").text)
    assert "zoe@zeta.test" in by_text and "dave@acme.test" not in by_text
    tomorrow = (datetime.now() + timedelta(days=1)).date().isoformat()
    assert "No events match." in table(client.get(f"/vendor/audit?from={tomorrow}").text)
    assert "dave@acme.test" in table(client.get(f"/vendor/audit?to={tomorrow}").text)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "member.added")).first()
    row = re.search(r"<table class=\"changes\" translate=\"no\">.*?</table>", by_action, re.S).group(0)
    assert "<th>Before</th><th>After</th>" in row and "email" in row and event.after["email"] in by_action


def test_amounts_read_as_money_and_the_csv_keeps_what_was_recorded(client, make, world):
    from invoices.reconciliation import record_payment

    invoice = make.invoice(world["acme"])
    operator = make.operator()
    record_payment(invoice, 1000, received_on=invoice.due_on, method="bank transfer", reference="RF18", actor=operator)
    db.session.commit()
    login(client, operator)
    shown = table(client.get("/vendor/audit?action=invoice.").text)
    gross = f"€{invoice.gross_minor // 100:,}.{invoice.gross_minor % 100:02}"
    assert f"<tr><th>gross</th><td>—</td><td>{gross}</td></tr>" in shown
    assert "<tr><th>paid</th><td>€0.00</td><td>€10.00</td></tr>" in shown
    assert "<tr><th>amount</th><td>—</td><td>€10.00</td></tr>" in shown
    assert "_minor" not in shown and "<th>currency</th>" not in shown
    exported = client.get("/vendor/audit.csv?action=invoice.").text
    assert f'""gross_minor"": {invoice.gross_minor}' in exported and '""paid_minor"": 1000' in exported


def test_each_event_names_whom_it_was_about_and_links_to_its_events(client, make, world):
    acme, zeta, north = world["acme"], world["zeta"], world["north"]
    login(client, make.operator())
    everything = table(client.get("/vendor/audit?action=member.").text)
    assert f'<a href="/vendor/audit?action=member.&amp;customer={acme.id}" title="customer {acme.id}">Acme GmbH</a>' \
        in everything
    assert f'<a href="/vendor/audit?action=member.&amp;reseller={north.id}" title="reseller {north.id}">North</a>' \
        in everything and ">Zeta SA</a>" in everything and ">South</a>" in everything
    reseller_page = client.get(f"/vendor/resellers/{north.id}").text
    assert f'href="/vendor/audit?reseller={north.id}">Its audit log</a>' in reseller_page
    its_own = table(client.get(f"/vendor/audit?reseller={north.id}").text)
    assert "dave@acme.test" in its_own and "zoe@zeta.test" not in its_own
    assert ">North</a>" not in its_own and ">Acme GmbH</a>" in its_own  # the filter's own name is not repeated
    assert "Member dave@acme.test · " in everything and "Member zoe@zeta.test · " in everything
    invoice = make.invoice(acme)
    from domain import audit
    audit.record(None, "invoice.issued", invoice, acting_on=acme)
    db.session.commit()
    assert f"Invoice {invoice.number} · " in table(client.get("/vendor/audit?action=invoice.").text)
    by_customer = table(client.get(f"/vendor/audit?action=member.&customer={zeta.id}").text)
    assert "zoe@zeta.test" in by_customer and "dave@acme.test" not in by_customer
    client.post("/logout")
    login(client, world["anna"])
    mine = table(client.get("/console/account/audit").text)
    assert f'href="/console/account/audit?customer={acme.id}"' in mine and ">Acme GmbH</a>" in mine
    assert "Zeta SA" not in mine and ">North</a>" not in mine  # a reseller's own name is not repeated on its rows
    client.post("/logout")
    login(client, world["carol"])
    theirs = table(client.get(f"/portal/customers/{acme.id}/audit").text)
    assert "dave@acme.test" in theirs and "Acme GmbH" not in theirs  # the page is that customer's already
    client.post("/language", data={"locale": "fr"})
    assert "Membre dave@acme.test" in table(client.get(f"/portal/customers/{acme.id}/audit").text)


def test_in_the_console_acting_on_narrows_the_log_to_that_customer(client, make, world):
    acme, north = world["acme"], world["north"]
    other = make.customer(north, "Other AG")
    login(client, world["anna"])
    client.get(f"/console/manage/?customer={other.id}")
    client.post("/console/manage/members", data={"emails": "olga@other.test"})
    page = client.get(f"/console/account/audit?customer={acme.id}").text  # the link on Acme's name
    assert "<h1>Audit log · Acme GmbH</h1>" in page and 'type="number" name="customer"' not in page
    assert "dave@acme.test" in table(page) and "olga@other.test" not in table(page)
    again = client.get("/console/account/audit").text  # Acting On stays chosen
    assert "dave@acme.test" in table(again) and "olga@other.test" not in table(again)
    found = list(csv.DictReader(exported(client.get("/console/account/audit.csv"))))
    assert found and {row["customer"] for row in found} == {str(acme.id)}
    everything = client.get("/console/account/audit?customer=").text  # "— No customer —"
    assert "dave@acme.test" in table(everything) and "olga@other.test" in table(everything)
    assert 'type="number" name="customer"' in everything


def test_the_csv_follows_the_filters(client, make, world):
    login(client, make.operator())
    response = client.get("/vendor/audit.csv?action=member.added")
    assert response.mimetype == "text/csv"
    found = list(csv.DictReader(exported(response)))
    assert sorted(row["actor"] for row in found) == ["anna@north.test", "sven@south.test"]
    assert all(row["action"] == "member.added" and '"email"' in row["after"] for row in found)
    client.post("/logout")
    login(client, world["anna"])
    own = list(csv.DictReader(exported(client.get("/console/account/audit.csv"))))
    assert own and all(row["reseller"] == str(world["north"].id) for row in own)


def test_keyset_pages_walk_a_100000_event_table_without_gaps_or_repeats(make):
    operator = make.operator()
    north, south = make.reseller("North"), make.reseller("South")
    start = datetime(2026, 1, 1)
    rows = [{"created_at": start + timedelta(seconds=n), "actor_label": "system", "action": f"test.{n % 7}",
             "subject_type": "Test", "reseller_id": north.id if n % 3 else south.id, "after": {"n": n}}
            for n in range(100_000)]
    db.session.execute(sa.insert(AuditEvent), rows)
    db.session.commit()
    seen, before, pages = [], None, 0
    while True:
        result = audit_log.page(operator, audit_log.Filters(), before=before, size=1000)
        seen.extend(event.id for event in result.events)
        pages += 1
        if result.next_before is None:
            break
        before = result.next_before
    assert pages == 100 and len(seen) == len(set(seen)) == 100_000 and seen == sorted(seen, reverse=True)
    # filtered: the South events (n divisible by 3), page by page
    south_only, before = [], None
    while True:
        result = audit_log.page(operator, audit_log.Filters(reseller_id=south.id), before=before, size=5000)
        south_only.extend(event.after["n"] for event in result.events)
        if result.next_before is None:
            break
        before = result.next_before
    assert south_only == [n for n in range(99_999, -1, -1) if n % 3 == 0]


def test_events_cannot_be_changed_or_deleted_through_the_app(app):
    writes = [rule.rule for rule in app.url_map.iter_rules()
              if ("audit" in rule.rule or "events" in rule.rule) and rule.methods - {"GET", "HEAD", "OPTIONS"}]
    assert writes == []


# The outbox, where demo e-mails are read

def test_the_outbox_lists_messages_with_clickable_links_and_retries_failed_ones(client, make, app):
    login(client, make.operator())
    message = outbox.enqueue("ida@example.test", "Welcome", "Open http://localhost/activate/abc to start.",
                             kind="invitation")
    failed = outbox.enqueue("bob@example.test", "Invoice", "See you.", kind="invoice")
    failed.status, failed.last_error, failed.attempts = OutboxStatus.FAILED, "SMTPRecipientsRefused: 550", 5
    db.session.commit()
    listing = client.get("/vendor/outbox").text
    assert "Welcome" in listing and "SMTPRecipientsRefused: 550" in listing
    assert "Welcome" not in client.get("/vendor/outbox?status=failed").text
    page = client.get(f"/vendor/outbox/{message.id}").text
    assert '<a href="http://localhost/activate/abc">http://localhost/activate/abc</a>' in page
    assert "Retry" not in page
    client.post(f"/vendor/outbox/{failed.id}/retry")
    assert db.session.get(OutboxMessage, failed.id).status == OutboxStatus.QUEUED
    hostile = outbox.enqueue("x@example.test", "<b>bold</b>", "<script>alert(1)</script> http://a.test/?q=<x>",
                             kind="test")
    db.session.commit()
    shown = client.get(f"/vendor/outbox/{hostile.id}").text
    assert "<script>alert(1)</script>" not in shown and "&lt;script&gt;" in shown
