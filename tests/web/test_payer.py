"""The payer page behind an invoice e-mail's signed link: no account, what is due and how to pay it."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import db
from domain import dunning, links
from invoices import reconciliation


@pytest.fixture
def invoice(make):
    with time_machine.travel(datetime(2027, 3, 1, 8, tzinfo=UTC), tick=False):
        return make.invoice(make.customer(make.reseller(), "Acme GmbH"))


def url(invoice) -> str:
    return f"/pay/{links.sign('payer-invoice', invoice.id)}"


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=UTC), tick=False)


def test_the_page_shows_what_is_due_and_how_to_pay_it(client, invoice):
    with at(date(2027, 3, 2)):
        link = url(invoice)
        page = client.get(link).text
        pdf = client.get(f"{link}/invoice.pdf")
    assert invoice.number in page and "Acme GmbH" in page and 'status-open">open<' in page
    assert "DE89 3704 0044 0532 0130 00" in page and "COBADEFFXXX" in page
    assert f'data-copy="{invoice.rf_reference}"' in page and 'data-copy="DE89370400440532013000"' in page
    assert 'alt="EPC QR code for the bank transfer"' in page and "€1,428.00" in page
    assert pdf.status_code == 200 and pdf.data == invoice.pdf


def test_partly_paid_overdue_and_paid(client, invoice):
    reconciliation.record_payment(invoice, 42800, received_on=date(2027, 3, 5), method="bank_transfer", reference="a")
    db.session.commit()
    with at(date(2027, 3, 6)):
        page = client.get(url(invoice)).text
    assert 'status-partly-paid">partly paid<' in page and "€428.00" in page and "€1,000.00" in page
    with at(date(2027, 4, 2)):
        page = client.get(url(invoice)).text
    suspends_on = (invoice.due_on + timedelta(days=14)).strftime("%b %-d, %Y")
    assert 'status-overdue">overdue<' in page
    assert f"still unpaid on {suspends_on}, the subscription is suspended." in page
    reconciliation.record_payment(invoice, 100000, received_on=date(2027, 4, 2), method="bank_transfer", reference="b")
    db.session.commit()
    with at(date(2027, 4, 3)):
        page = client.get(url(invoice)).text
    assert 'status-paid">paid<' in page and "this invoice is paid" in page and "IBAN" not in page


def test_an_overdue_invoice_says_what_its_lateness_does_to_the_subscription(client, invoice):
    """Before the 14th day late, the day it is suspended; once the daily run has suspended it, that it is; once the
    subscription is no longer active for another reason, neither."""
    later = invoice.due_on + timedelta(days=15)
    with at(later):
        dunning.run(later)
        db.session.commit()
        page = client.get(url(invoice)).text
    assert "The subscription is suspended: its members have no access until it is paid" in page
    assert "is suspended on" not in page
    invoice.customer.subscription.status = "expired"
    db.session.commit()
    with at(later):
        page = client.get(url(invoice)).text
    assert f"This invoice was due on {invoice.due_on.strftime('%b %-d, %Y')}. Please pay it now.</p>" in page
    assert "suspended" not in page


def test_a_tampered_link_is_not_found_and_an_expired_one_serves_nothing(client, invoice, app):
    with at(date(2027, 3, 2)):
        link = url(invoice)
        other = links.sign("payer-invoice", invoice.id + 1)
        assert client.get(link[:-2] + ("AA" if not link.endswith("AA") else "BB")).status_code == 404
        assert client.get(f"/pay/{other}").status_code == 404  # a well-signed link to no invoice
        assert client.get(f"/pay/{links.sign('reset', invoice.id)}").status_code == 404  # signed for another use
    later = date(2027, 3, 2) + timedelta(seconds=app.config["PAYER_LINK_MAX_AGE"] + 86400)
    with at(later):
        assert client.get(link).status_code == 410 and client.get(f"{link}/invoice.pdf").status_code == 404


def test_an_expired_link_offers_a_new_one_sent_to_the_billing_address_only(client, invoice, app):
    from domain.models import OutboxMessage

    with at(date(2027, 3, 2)):
        link = url(invoice)
    invoice.customer.billing_email = "accounts@acme.test"  # changed under Business Information since
    db.session.commit()
    later = date(2027, 3, 2) + timedelta(seconds=app.config["PAYER_LINK_MAX_AGE"] + 86400)
    with at(later):
        expired = client.get(link)
        assert expired.status_code == 410
        assert "This link has expired" in expired.text and "400 days" in expired.text
        assert f"A new link to invoice {invoice.number} can be sent to the billing address of Acme GmbH" in expired.text
        assert "IBAN" not in expired.text and "€1,428.00" not in expired.text  # nothing of the invoice but its number
        sent = client.post(f"{link}/renew", data={"email": "attacker@evil.test"})
        assert sent.status_code == 303 and sent.headers["Location"] == link
        assert "A new link to invoice" in client.get(link).text
        mail = db.session.scalars(sa.select(OutboxMessage)).one()
        assert (mail.to_address, mail.kind) == ("accounts@acme.test", "invoice")
        fresh = re.search(r"http://localhost(/pay/\S+)", mail.body_text).group(1)
        page = client.get(fresh)
        assert page.status_code == 200 and invoice.number in page.text and "IBAN" in page.text
        assert client.post(f"/pay/{links.sign('payer-invoice', invoice.id)}/renew").status_code == 404  # valid
        assert client.post(f"{link[:-2]}AA/renew").status_code == 404  # tampered
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_new_links_for_one_invoice_are_rate_limited_from_any_address(client, invoice, app):
    with at(date(2027, 3, 2)):
        link = url(invoice)
    with at(date(2027, 3, 2) + timedelta(seconds=app.config["PAYER_LINK_MAX_AGE"] + 86400)):
        answers = [client.post(f"{link}/renew", environ_base={"REMOTE_ADDR": f"192.0.2.{n}"}).status_code
                   for n in range(7)]
    assert answers == [303] * 5 + [429, 429]  # RESET_LIMIT: 5 in 15 minutes, for the invoice
