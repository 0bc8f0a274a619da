"""The vendor's Invoices and Payments: statement upload, the queue, payments by hand, credit notes."""

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from app import db
from domain.models import CreditNote, Invoice, InvoiceStatus, Payment, StatementLine
from domain.money import to_decimal
from invoices.issuing import amount_due
from tests.conftest import HTMX, exported, login
from tests.domain.test_reconciliation import euros, fixture


@pytest.fixture(autouse=True)
def in_january():
    with time_machine.travel(datetime(2027, 1, 5, 9, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def invoice(make):
    return make.invoice(make.customer(make.reseller(), "Acme GmbH"))


@pytest.fixture
def operator(client, make):
    login(client, make.operator())
    return client


def upload(client, data: bytes, name: str = "statement.xml"):
    return client.post("/vendor/payments/statements", data={"statement": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_an_uploaded_statement_settles_the_invoice_it_names(operator, invoice):
    page = upload(operator, fixture("camt053_structured.xml", amount=euros(invoice.gross_minor),
                                    rf=invoice.rf_reference, closing="1")).text
    assert "Statement STMT-20270115-0001" in page and "1 new credit line, 1 matched, 0 to look at" in page
    assert f"Invoice {invoice.number} · by RF reference" in page
    db.session.refresh(invoice)
    assert invoice.status == InvoiceStatus.PAID
    again = upload(operator, fixture("camt053_structured.xml", amount=euros(invoice.gross_minor),
                                     rf=invoice.rf_reference, closing="1")).text
    assert "0 new credit lines, 0 matched, 0 to look at, 1 imported before (skipped)" in again
    assert count(Payment) == 1


def test_a_malformed_statement_is_refused_next_to_the_field(operator):
    page = upload(operator, b"<Document><Stmt></Document>").text
    assert 'class="error"' in page and "Line 1: not well-formed XML" in page and count(StatementLine) == 0
    assert "Choose the statement file." in operator.post("/vendor/payments/statements", data={}).text


def test_an_unmatched_line_is_assigned_by_hand_or_dismissed_with_a_reason(operator, make, invoice):
    upload(operator, fixture("camt053_several.xml", amount1=euros(invoice.gross_minor), number="1999-000001",
                             amount2="10.00", amount3="20.00"))
    page = operator.get("/vendor/payments").text
    assert "To look at (3)" in page and f"Same amount: {invoice.number} (Acme GmbH)" in page
    lines = {line.bank_reference: line.id for line in db.session.scalars(sa.select(StatementLine))}
    refused = operator.post(f"/vendor/payments/lines/{lines['BANKREF-0101']}/assign", data={"invoice": "2000-000009"},
                            follow_redirects=True).text
    assert "There is no invoice 2000-000009." in refused
    operator.post(f"/vendor/payments/lines/{lines['BANKREF-0101']}/assign", data={"invoice": invoice.number})
    db.session.refresh(invoice)
    assert invoice.status == InvoiceStatus.PAID
    no_reason = operator.post(f"/vendor/payments/lines/{lines['BANKREF-0102']}/dismiss", data={"reason": " "},
                              follow_redirects=True).text
    assert "Say why the line is dismissed." in no_reason
    operator.post(f"/vendor/payments/lines/{lines['BANKREF-0102']}/dismiss", data={"reason": "Not ours"})
    page = operator.get("/vendor/payments").text
    assert "To look at (1)" in page and "dismissed: Not ours" in page and invoice.number in page


def test_messages_never_read_do_not_grow_the_session_cookie_past_what_a_browser_keeps(operator, invoice):
    upload(operator, fixture("camt053_several.xml", amount1="1.00", number="1999-000001", amount2="10.00",
                             amount3="20.00"))
    line = db.session.scalars(sa.select(StatementLine.id)).first()
    for n in range(120):  # each refusal flashes a message; none of the pages showing them is ever asked for
        response = operator.post(f"/vendor/payments/lines/{line}/assign", data={"invoice": f"2000-{n:06d}"})
        assert len(response.headers["Set-Cookie"].split(";")[0]) < 4093
    page = operator.get("/vendor/payments").text
    assert "There is no invoice 2000-000119." in page and "There is no invoice 2000-000115." in page
    assert "There is no invoice 2000-000114." not in page


@pytest.mark.parametrize("values, message", [
    ({"amount": "abc", "received_on": "2027-01-05", "reference": "x"}, "Not a valid decimal value."),
    ({"amount": "-5", "received_on": "2027-01-05", "reference": "x"}, "Between 0.01 and 10,000,000."),
    ({"amount": "1.234", "received_on": "2027-01-05", "reference": "x"}, "At most two decimals."),
    ({"amount": "10", "received_on": "yesterday", "reference": "x"}, "Not a valid date value."),
    ({"amount": "10", "received_on": "2027-01-05", "reference": ""}, "Say where the money came from."),
])
def test_a_wrong_payment_by_hand_is_refused_and_changes_nothing(operator, invoice, values, message):
    page = operator.post(f"/vendor/invoices/{invoice.id}/payments", data=values).text
    assert message in page and count(Payment) == 0


def test_a_payment_by_hand_partly_pays(operator, invoice):
    response = operator.post(f"/vendor/invoices/{invoice.id}/payments",
                             data={"amount": "100.00", "received_on": "2027-01-05", "reference": "cheque 42"})
    assert response.status_code == 303
    page = operator.get(f"/vendor/invoices/{invoice.id}").text
    assert "cheque 42" in page and 'status-partly-paid">partly paid<' in page
    db.session.refresh(invoice)
    assert amount_due(invoice) == invoice.gross_minor - 10000


def test_a_credit_note_lowers_what_is_due_and_never_exceeds_what_is_left(operator, invoice):
    too_much = operator.post(f"/vendor/invoices/{invoice.id}/credit-notes",
                             data={"amount": "5000.00", "reason": "Too much"}).text
    assert "cannot exceed what is left" in too_much and count(CreditNote) == 0
    assert "Give the reason" in operator.post(f"/vendor/invoices/{invoice.id}/credit-notes",
                                              data={"amount": "100.00", "reason": ""}).text
    operator.post(f"/vendor/invoices/{invoice.id}/credit-notes", data={"amount": "100.00", "reason": "Goodwill"})
    note = db.session.scalars(sa.select(CreditNote)).one()
    db.session.refresh(invoice)
    assert note.number.startswith("CN2027-") and note.gross_minor == 11900  # 100.00 + 19 % as on the invoice
    assert amount_due(invoice) == invoice.gross_minor - 11900
    pdf = operator.get(f"/vendor/credit-notes/{note.id}.pdf")
    assert pdf.data.startswith(b"%PDF") and pdf.data == note.pdf
    page = operator.get(f"/vendor/invoices/{invoice.id}").text
    assert note.number in page and "Goodwill" in page


def test_the_invoice_list_searches_and_filters(operator, make, invoice):
    make.invoice(make.customer(make.reseller("Canal Partners BV"), "Bellevue SARL"))
    page = operator.get("/vendor/invoices?q=acme").text
    assert "Acme GmbH" in page and "Bellevue SARL" not in page
    # each customer with the reseller it buys through, beneath its name
    row = operator.get("/vendor/invoices?q=bellevue").text.split("<tbody>")[1]
    assert '<td>Bellevue SARL<span class="small muted">via Canal Partners BV</span></td>' in row


def test_the_invoice_list_exports_what_it_selects_as_csv(operator, make, invoice):
    canal = make.reseller("Canal Partners BV")
    other = make.invoice(make.customer(canal, "@Bellevue SARL"))
    page = operator.get(f"/vendor/invoices?reseller={canal.id}&q=bell").text
    assert f'href="/vendor/invoices.csv?q=bell&amp;reseller={canal.id}"' in page
    response = operator.get(f"/vendor/invoices.csv?q=bell&reseller={canal.id}")
    assert response.mimetype == "text/csv" and 'filename="invoices.csv"' in response.headers["Content-Disposition"]
    (row,) = csv.DictReader(exported(response))
    assert row == {"invoice": other.number, "issued": other.issued_on.isoformat(), "due": other.due_on.isoformat(),
                   "customer": "'@Bellevue SARL", "reseller": "Canal Partners BV",  # no formula for a spreadsheet
                   "net": str(to_decimal(other.net_minor, "EUR")), "VAT": str(to_decimal(other.vat_minor, "EUR")),
                   "total": str(to_decimal(other.gross_minor, "EUR")),
                   "left to pay": str(to_decimal(other.gross_minor, "EUR")), "currency": "EUR", "status": "open"}
    every = list(csv.DictReader(exported(operator.get("/vendor/invoices.csv"))))
    assert [row["invoice"] for row in every] == [other.number, invoice.number]  # newest first
    assert len(list(csv.DictReader(exported(operator.get("/vendor/invoices.csv?status=paid"))))) == 0


def test_the_invoice_list_filters_by_reseller_linked_from_the_resellers_page(operator, make, invoice):
    canal = make.reseller("Canal Partners BV")
    make.invoice(make.customer(canal, "Bellevue SARL"))
    reseller_page = operator.get(f"/vendor/resellers/{canal.id}").text
    assert f'href="/vendor/invoices?reseller={canal.id}">Its invoices</a>' in reseller_page
    page = operator.get(f"/vendor/invoices?reseller={canal.id}").text
    assert f'<option value="{canal.id}" selected>Canal Partners BV</option>' in page
    assert "Bellevue SARL" in page and "Acme GmbH" not in page
    part = operator.get(f"/vendor/invoices?reseller={canal.id}&status=paid", headers=HTMX).text
    assert "No invoices match." in part and "<select" not in part  # the table alone, the filters left as they are
    for unknown in ("0", "abc", "99999999999", "-1"):  # no such reseller: the filter is left out
        assert "Acme GmbH" in operator.get(f"/vendor/invoices?reseller={unknown}").text
    assert "Bellevue SARL" in operator.get("/vendor/invoices?status=open").text
    assert "No invoices match." in operator.get("/vendor/invoices?status=paid").text


def test_resellers_cannot_reach_the_vendors_money(client, make, invoice):
    login(client, make.reseller_admin(invoice.customer.reseller))
    for url in ("/vendor/invoices", f"/vendor/invoices/{invoice.id}", "/vendor/payments"):
        assert client.get(url).status_code == 404
    assert upload(client, b"x").status_code == 404


def test_the_invoice_list_counts_what_its_filter_keeps_newest_first(app, operator, make, invoice):
    app.config["PAGE_SIZE"] = 2
    for name in ("Bellevue SARL", "Canal BV", "Delta AG"):
        make.invoice(make.customer(make.reseller(), name))
    paid = db.session.scalar(sa.select(Invoice).where(Invoice.id != invoice.id).order_by(Invoice.id))
    paid.status, paid.paid_minor = InvoiceStatus.PAID, paid.gross_minor
    db.session.commit()
    first = operator.get("/vendor/invoices").text
    assert "Page 1 of 2 · 4 in all" in first
    assert first.index("Delta AG") < first.index("Canal BV") and "Acme GmbH" not in first  # newest first
    assert "Page 1 of 2 · 3 in all" in operator.get("/vendor/invoices?status=open").text
    only = operator.get("/vendor/invoices?status=paid").text
    assert "Bellevue SARL" in only and "in all" not in only  # one page: no pager
    searched = operator.get("/vendor/invoices?q=a").text  # every name has an a: counted with the joins
    assert "Page 1 of 2 · 4 in all" in searched
