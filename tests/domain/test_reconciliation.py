"""Bank statements (CAMT.053, MT940): parsing real-format files, matching to invoices, idempotent imports."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from app import db
from domain.errors import DomainError
from domain.models import InvoiceStatus, Order, OrderStatus, Payment, StatementLine
from invoices import reconciliation, statements
from invoices.issuing import amount_due

FIXTURES = Path(__file__).parent.parent / "fixtures" / "statements"


def fixture(name: str, **values) -> bytes:
    """A real-format statement file with its placeholders ({{amount}}, {{rf}}, …) filled in."""
    text = (FIXTURES / name).read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", str(value))
    assert "{{" not in text
    return text.encode()


def euros(minor: int, comma: bool = False) -> str:
    text = f"{minor // 100}.{minor % 100:02d}"
    return text.replace(".", ",") if comma else text


@pytest.fixture(autouse=True)
def in_january():
    with time_machine.travel(datetime(2027, 1, 5, 9, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def operator(make):
    return make.operator()


@pytest.fixture
def invoice(make):
    """An open bank-transfer invoice of Acme GmbH: 10 licenses for 12 months, € 1,428.00 with German VAT."""
    return make.invoice(make.customer(make.reseller(), "Acme GmbH"))


# Parsing: the fixtures of billing-rules.md 7.7, with the values it lists.

def test_camt053_with_a_structured_rf_reference():
    parsed = statements.parse(fixture("camt053_structured.xml", amount="1190.00", rf="RF18539007547034",
                                      closing="2190.00"))
    (entry,) = parsed.entries
    assert parsed.statement_id == "STMT-20270115-0001" and parsed.skipped == 0
    assert entry == statements.StatementEntry("BANKREF-0001", date(2027, 1, 15), 119000, "EUR", "Acme GmbH",
                                              "DE02120300000000202051", "RF18539007547034")


def test_camt053_with_several_entries_keeps_the_credits_and_the_free_text():
    parsed = statements.parse(fixture("camt053_several.xml", amount1="119.00", amount2="10.00", amount3="20.00",
                                      number="2027-000042"))
    assert parsed.skipped == 1  # the bank fees, a debit
    assert [(e.bank_reference, e.amount_minor, e.payer_name, e.remittance) for e in parsed.entries] == [
        ("BANKREF-0101", 11900, "Bellevue SARL", "Payment invoice 2027-000042 thank you"),
        ("BANKREF-0102", 1000, "Unknown Payer Ltd", "RF71 4444 4444 4444 please"),
        ("BANKREF-0104", 2000, "Carlsen ApS", "subscription")]


def test_mt940_with_structured_86_lines():
    parsed = statements.parse(fixture("mt940_structured.sta", amount1="1190,00", amount2="119,00",
                                      rf="RF18539007547034", number="2027-000042", closing="2309,00"))
    assert parsed.statement_id == "STMT20270115"
    assert [(e.bank_reference, e.amount_minor, e.payer_name, e.remittance) for e in parsed.entries] == [
        ("BANKREF-0201", 119000, "Acme GmbH", "RF18539007547034"),
        ("BANKREF-0202", 11900, None, "Invoice 2027-000042")]


def test_mt940_without_86_lines():
    (entry,) = statements.parse(fixture("mt940_plain.sta", amount="50,00", closing="1050,00")).entries
    assert (entry.bank_reference, entry.booked_on, entry.amount_minor, entry.remittance) == \
        ("BANKREF-0301", date(2027, 1, 17), 5000, "")


@pytest.mark.parametrize("data, where", [
    (b"<Document><Stmt></Document>", "Line 1: not well-formed XML"),
    (fixture("camt053_structured.xml", amount="11,90", rf="RF18539007547034", closing="1"), "Line 11, <Amt>: '11,90'"),
    (fixture("camt053_structured.xml", amount="1.00", rf="X", closing="1").replace(b"<AcctSvcrRef>BANKREF-0001"
                                                                                    b"</AcctSvcrRef>", b""),
     "Line 11, <Ntry>: the entry has no <AcctSvcrRef>"),
    (b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>', "not a CAMT.053"),
    (fixture("mt940_plain.sta", amount="50,00", closing="1").replace(b"2701170117C", b"27011X0117C"),
     "Line 5 (:61:27011X0117C50,00NTRFNONREF//BANKREF"),
    (fixture("mt940_plain.sta", amount="50,00", closing="1").replace(b"//BANKREF-0301", b""),
     "Line 5 (:61:2701170117C50,00NTRFNONREF): the :61: line has no //bank reference"),
    (b"Dear bank, thank you", "neither a CAMT.053 XML statement nor an MT940"),
    (b"", "The file is empty."),
])
def test_a_malformed_file_is_refused_saying_where_and_nothing_is_kept(data, where, operator):
    with pytest.raises(DomainError, match=None) as refused:
        reconciliation.import_statement(data, actor=operator)
    assert where in str(refused.value)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatementLine)) == 0


# Matching and recording

def test_an_exact_payment_by_rf_reference_settles_the_invoice_and_its_order(invoice, operator):
    report = reconciliation.import_statement(fixture("camt053_structured.xml", amount=euros(invoice.gross_minor),
                                                     rf=invoice.rf_reference, closing="9999.00"), actor=operator)
    db.session.commit()
    assert (report.new, report.matched, report.unmatched) == (1, [(invoice.number, "RF reference")], 0)
    assert (invoice.status, invoice.paid_minor, amount_due(invoice)) == (InvoiceStatus.PAID, invoice.gross_minor, 0)
    assert db.session.get(Order, invoice.order_id).status == OrderStatus.PAID
    payment = db.session.scalars(sa.select(Payment)).one()
    assert (payment.reference, payment.payer_name, payment.received_on) == \
        ("BANKREF-0001", "Acme GmbH", date(2027, 1, 15))


def test_the_invoice_number_in_free_text_matches_and_a_typed_rf_with_spaces_too(make, invoice, operator):
    other = make.invoice(make.customer(make.reseller(), "Bellevue SARL"))
    spaced = " ".join(other.rf_reference[i:i + 4] for i in range(0, len(other.rf_reference), 4)).lower()
    data = fixture("camt053_several.xml", amount1=euros(invoice.gross_minor), number=invoice.number,
                   amount2=euros(other.gross_minor), amount3="20.00").replace(b"RF71 4444 4444 4444", spaced.encode())
    report = reconciliation.import_statement(data, actor=operator)
    assert report.matched == [(invoice.number, "invoice number"), (other.number, "RF reference")]
    assert report.unmatched == 1
    assert invoice.status == other.status == InvoiceStatus.PAID


def test_a_partial_payment_leaves_the_rest_due(invoice, operator):
    reconciliation.import_statement(fixture("mt940_structured.sta", amount1="1000,00", amount2="1,00",
                                            rf=invoice.rf_reference, number="0000-000000", closing="1"), actor=operator)
    assert (invoice.status, invoice.paid_minor, amount_due(invoice)) == \
        (InvoiceStatus.OPEN, 100000, invoice.gross_minor - 100000)


def test_an_overpayment_is_recorded_and_shown(invoice, operator):
    reconciliation.import_statement(fixture("camt053_structured.xml", amount=euros(invoice.gross_minor + 500),
                                            rf=invoice.rf_reference, closing="1"), actor=operator)
    assert invoice.status == InvoiceStatus.PAID and reconciliation.overpaid_minor(invoice) == 500


def test_an_unknown_reference_waits_in_the_queue_with_suggestions_only(invoice, operator):
    data = fixture("camt053_structured.xml", amount=euros(invoice.gross_minor), rf="RF18539007547034", closing="1")
    report = reconciliation.import_statement(data.replace(b"<Nm>Acme GmbH</Nm>", b"<Nm>ACME GMBH Berlin</Nm>"),
                                             actor=operator)
    line = db.session.scalars(sa.select(StatementLine)).one()
    assert report.unmatched == 1 and line.state == "unmatched" and invoice.status == InvoiceStatus.OPEN
    # the same amount, and the payer's name resembles the buyer's
    assert reconciliation.suggestions([line]) == {line.id: [invoice]}
    reconciliation.settle(line, invoice, actor=operator)
    assert (line.state, invoice.status) == ("matched", InvoiceStatus.PAID)
    with pytest.raises(DomainError, match="dealt with already"):
        reconciliation.dismiss(line, "twice", actor=operator)


def test_a_line_is_dismissed_only_with_a_reason(operator):
    reconciliation.import_statement(fixture("mt940_plain.sta", amount="50,00", closing="1"), actor=operator)
    line = db.session.scalars(sa.select(StatementLine)).one()
    with pytest.raises(DomainError, match="Say why"):
        reconciliation.dismiss(line, "  ", actor=operator)
    reconciliation.dismiss(line, "Refunded to the sender", actor=operator)
    assert (line.state, line.dismiss_reason) == ("dismissed", "Refunded to the sender")


def test_importing_the_same_statement_twice_changes_nothing(invoice, operator):
    data = fixture("camt053_structured.xml", amount="100.00", rf=invoice.rf_reference, closing="1")
    reconciliation.import_statement(data, actor=operator)
    db.session.commit()
    again = reconciliation.import_statement(data, actor=operator)
    db.session.commit()
    assert (again.new, again.duplicates, again.matched) == (0, 1, [])
    assert invoice.paid_minor == 10000 and db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1


def test_a_payment_by_hand_needs_a_positive_amount(invoice, operator):
    with pytest.raises(DomainError, match="more than zero"):
        reconciliation.record_payment(invoice, 0, received_on=date(2027, 1, 5), method="manual", reference="x",
                                      actor=operator)
    reconciliation.record_payment(invoice, invoice.gross_minor, received_on=date(2027, 1, 5), method="manual",
                                  reference="cash desk", actor=operator)
    assert invoice.status == InvoiceStatus.PAID
