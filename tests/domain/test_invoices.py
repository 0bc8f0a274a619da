"""Invoices and credit notes (R8, R9): numbering, the PDF's legal content, payment data, e-invoice."""

import hashlib
import io
from datetime import date
from decimal import Decimal

import facturx
import pytest
import segno
import sqlalchemy as sa
from lxml import etree
from pypdf import PdfReader
from stdnum import iso11649

from app import db
from domain.errors import DomainError
from domain.models import AuditEvent, DocumentCounter, InvoiceStatus, PaymentMethod
from invoices import issuing, numbering, pdf
from invoices.payment import epc_qr, format_rf, rf_reference


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("reference, rf", [
    ("539007547034", "RF18539007547034"), ("5390 0754 70Y", "RF185390075470Y"), ("2348231", "RF712348231"),
    ("INV-2026-000042", "RF54INV2026000042"), ("2026-000042", "RF022026000042"), ("2026000001", "RF422026000001"),
    ("ABC", "RF45ABC"), ("0", "RF040"), ("1", "RF741"),
])
def test_rf_references_follow_iso_11649(reference, rf):
    assert rf_reference(reference) == rf
    assert iso11649.is_valid(rf)


def test_rf_references_print_in_blocks_of_four():
    assert format_rf("RF18539007547034") == "RF18 5390 0754 7034"
    assert not iso11649.is_valid("RF17539007547034") and not iso11649.is_valid("RF18539007547035")


def test_the_epc_qr_code_carries_exactly_the_epc_payload():
    """billing-rules.md 7.4 (a): version 002, UTF-8, BIC, amount, structured RF reference."""
    expected = (b"BCD\n002\n1\nSCT\nCOBADEFFXXX\nExample Software GmbH\nDE89370400440532013000\nEUR23.03\n\n"
                b"RF54INV2026000042")
    qr = epc_qr(name="Example Software GmbH", iban="DE89370400440532013000", bic="COBADEFFXXX",
                amount=Decimal("23.03"), reference="RF54INV2026000042")
    assert qr.error == "M" and qr.version <= 13
    assert qr.matrix == segno.make_qr(expected, error="m", boost_error=False).matrix


def test_numbers_run_without_gaps_per_series_and_year(app):
    taken = [numbering.take_number("INV", 2026) for _ in range(3)]
    assert taken == ["2026-000001", "2026-000002", "2026-000003"]
    assert numbering.take_number("CN", 2026) == "CN2026-000001"
    assert numbering.take_number("INV", 2027) == "2027-000001"


def test_a_rolled_back_issue_gives_its_number_back(app):
    numbering.take_number("INV", 2026)
    db.session.commit()
    numbering.take_number("INV", 2026)
    db.session.rollback()
    assert numbering.take_number("INV", 2026) == "2026-000002"


@pytest.fixture
def sold(make):
    """A reseller (20 % discount) with a German, a French (valid VAT number) and a US customer."""
    make.seller()
    reseller = make.reseller("Northwind IT SAS", discount_bp=2000, vat_number="FR61954506077")
    return {
        "DE": make.customer(reseller, "Acme GmbH", licenses=10, street="Friedrichstraße 12", postal_code="10115",
                            city="Berlin", vat_number="DE136695976"),
        "FR": make.customer(reseller, "Bellevue SARL", licenses=10, country="FR", street="4 quai Saint-Antoine",
                            postal_code="69002", city="Lyon", vat_number="FR61954506077"),
        "US": make.customer(reseller, "Hudson Inc", licenses=10, country="US", street="1 Main St",
                            postal_code="10001", city="New York"),
    }


def test_a_domestic_invoice_charges_the_sellers_vat(make, sold):
    invoice = make.invoice(sold["DE"])
    text = text_of(invoice.pdf)
    assert (invoice.net_minor, invoice.vat_minor, invoice.gross_minor) == (96000, 18240, 114240)
    for expected in ("Invoice", invoice.number, "Example Software GmbH", "DE136695976", "Acme GmbH",
                     "Reseller discount 20 %", "€960.00", "€182.40", "€1,142.40", "German VAT 19 %",
                     "Ordered through Northwind IT SAS", "Service period", "Due date"):
        assert expected in text, expected
    assert "Reverse charge" not in text


def test_a_reverse_charge_invoice_says_so_and_shows_both_vat_ids(make, sold):
    invoice = make.invoice(sold["FR"])
    text = text_of(invoice.pdf)
    assert (invoice.vat_minor, invoice.gross_minor, invoice.vat_treatment) == (0, 96000, "reverse_charge")
    assert "Reverse charge: VAT to be accounted for by the customer" in text
    assert "DE136695976" in text and "FR61954506077" in text and "€960.00" in text


def test_an_invoice_outside_the_eu_charges_no_vat_and_says_why(make, sold):
    invoice = make.invoice(sold["US"])
    text = text_of(invoice.pdf)
    assert (invoice.vat_minor, invoice.gross_minor) == (0, 96000)
    assert "Outside the EU: no VAT" in text and "Art. 44" in text and "United States" in text


def test_an_open_invoice_carries_the_bank_transfer_block(make, sold):
    invoice = make.invoice(sold["DE"])
    text = text_of(invoice.pdf)
    assert invoice.rf_reference == rf_reference(invoice.number)
    assert "pay by bank transfer" in text.lower()
    for expected in ("DE89 3704 0044 0532 0130 00", "COBADEFFXXX",
                     format_rf(invoice.rf_reference)):
        assert expected in text, expected
    assert invoice.due_on == date.fromordinal(invoice.issued_on.toordinal() + 30)


def test_a_card_invoice_is_issued_paid_without_bank_details(make, sold):
    invoice = make.invoice(sold["DE"], payment_method=PaymentMethod.CARD)
    text = text_of(invoice.pdf)
    assert invoice.status == InvoiceStatus.PAID and issuing.amount_due(invoice) == 0
    assert "Paid by card" in text and "pay by bank transfer" not in text.lower()


def test_the_pdf_is_pdf_a_3b_with_a_schema_valid_factur_x_xml(make, sold):
    invoice = make.invoice(sold["FR"])
    reader = PdfReader(io.BytesIO(invoice.pdf))
    root = reader.trailer["/Root"]
    assert "/OutputIntents" in root
    attachments = root["/AF"]
    assert len(attachments) == 1 and attachments[0].get_object()["/AFRelationship"] == "/Alternative"
    metadata = root["/Metadata"].get_data().decode()
    assert "<pdfaid:part>3<" in metadata and "<pdfaid:conformance>B<" in metadata
    name, xml = facturx.get_facturx_xml_from_pdf(invoice.pdf, check_xsd=True)
    assert name == "factur-x.xml"
    tree = etree.fromstring(xml)
    assert facturx.get_level(tree) == "en16931"
    text = xml.decode()
    for expected in (invoice.number, "FR61954506077", "DE136695976", "<ram:CategoryCode>AE</ram:CategoryCode>",
                     "VATEX-EU-AE", invoice.rf_reference, "960.00"):
        assert expected in text, expected


def test_the_invoice_keeps_its_snapshot_when_the_customer_changes(make, sold):
    customer = sold["DE"]
    invoice = make.invoice(customer)
    before = bytes(invoice.pdf)
    customer.name, customer.street = "Acme Renamed AG", "Elsewhere 1"
    db.session.commit()
    db.session.refresh(invoice)
    assert invoice.snapshot["buyer"]["name"] == "Acme GmbH" and invoice.pdf == before


def test_an_order_is_invoiced_once(make, sold):
    invoice = make.invoice(sold["DE"])
    from domain.models import Order

    with pytest.raises(DomainError, match="invoiced already"):
        issuing.issue(db.session.get(Order, invoice.order_id))


def test_a_failed_rendering_takes_no_number(make, sold, monkeypatch):
    order = make.order(sold["DE"])
    monkeypatch.setattr(pdf, "render_pdf", lambda document: (_ for _ in ()).throw(OSError("fonts gone")))
    with pytest.raises(issuing.RenderingFailed, match="nothing was saved or charged"):
        issuing.issue(order)
    db.session.rollback()
    monkeypatch.undo()
    assert issuing.issue(order).number.endswith("-000001")


def test_issuing_is_audited(make, sold):
    invoice = make.invoice(sold["DE"])
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "invoice.issued")).one()
    assert event.customer_id == sold["DE"].id and event.after["number"] == invoice.number


def test_a_credit_note_has_its_own_series_and_reduces_the_amount_due(make, sold):
    invoice = make.invoice(sold["DE"])
    note = issuing.credit(invoice, [("Two licenses not used", 16000)], "Customer ordered two too many")
    db.session.commit()
    assert note.number.startswith("CN") and note.number.endswith("-000001")
    assert (note.net_minor, note.vat_minor, note.gross_minor) == (16000, 3040, 19040)
    assert issuing.amount_due(invoice) == 114240 - 19040
    text = text_of(note.pdf)
    assert "Credit note" in text and invoice.number in text and "Customer ordered two too many" in text
    _, xml = facturx.get_facturx_xml_from_pdf(note.pdf, check_xsd=True)
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml
    assert invoice.number.encode() in xml


def test_a_credit_note_keeps_the_invoice_vat_treatment(make, sold):
    invoice = make.invoice(sold["FR"])
    note = issuing.credit(invoice, [("Goodwill", 10000)], "Goodwill")
    assert (note.vat_minor, note.snapshot["vat"]["treatment"]) == (0, "reverse_charge")
    assert "Reverse charge" in text_of(note.pdf)


def test_credit_never_exceeds_what_is_left(make, sold):
    invoice = make.invoice(sold["US"])  # 960.00, no VAT
    issuing.credit(invoice, [("Part", 60000)], "Partial")
    with pytest.raises(DomainError, match="cannot exceed"):
        issuing.credit(invoice, [("Too much", 36001)], "Again")
    issuing.credit(invoice, [("The rest", 36000)], "The rest")
    assert invoice.status == InvoiceStatus.CREDITED and issuing.amount_due(invoice) == 0
    numbers = db.session.scalars(sa.select(DocumentCounter.last_number).where(DocumentCounter.series == "CN")).all()
    assert numbers == [2]  # the refused note took no number


@pytest.mark.parametrize("lines, reason", [([], "r"), ([("x", 0)], "r"), ([("x", -5)], "r"), ([("x", 5)], " ")])
def test_a_credit_note_needs_positive_lines_and_a_reason(make, sold, lines, reason):
    invoice = make.invoice(sold["US"])
    with pytest.raises(DomainError):
        issuing.credit(invoice, lines, reason)


def test_ten_lines_fit_one_page_and_longer_documents_number_their_pages(make, sold):
    invoice = make.invoice(sold["US"])
    ten = issuing.credit(invoice, [(f"Line {n}", 100) for n in range(10)], "Ten lines")
    assert len(PdfReader(io.BytesIO(ten.pdf)).pages) == 1
    long = issuing.credit(invoice, [(f"Line {n}", 100) for n in range(60)], "Sixty lines")
    pages = PdfReader(io.BytesIO(long.pdf)).pages
    assert len(pages) > 1 and f"Page 2 of {len(pages)}" in pages[1].extract_text()


def test_verify_finds_a_changed_pdf(make, sold):
    invoice = make.invoice(sold["DE"])
    assert issuing.verify() == []
    assert invoice.pdf_sha256 == hashlib.sha256(invoice.pdf).hexdigest()
    invoice.pdf = invoice.pdf.replace(b"%%EOF", b"%%EOF\n% tampered")
    db.session.commit()
    assert issuing.verify() == [invoice.number]
