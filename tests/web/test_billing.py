import csv
import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from app import db
from domain.models import Invoice
from domain.money import format_money, to_decimal
from tests.conftest import HTMX, exported, login


def test_an_invoice_downloads_as_the_exact_stored_bytes(client, make):
    reseller = make.reseller()
    customer = make.customer(reseller)
    invoice = make.invoice(customer)
    login(client, make.reseller_admin(reseller))
    listing = client.get("/console/billing/").text
    url = f"/console/billing/invoices/{invoice.id}.pdf"
    assert url in listing and invoice.number in listing
    first, second = client.get(url), client.get(url)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data == second.data
    assert hashlib.sha256(first.data).hexdigest() == invoice.pdf_sha256
    assert f'filename="{invoice.number}.pdf"' in first.headers["Content-Disposition"]
    assert client.get(url, headers={"If-None-Match": f'"{invoice.pdf_sha256}"'}).status_code == 304


def test_the_billing_table_pages_with_htmx(client, make, app):
    app.config["PAGE_SIZE"] = 1
    reseller = make.reseller()
    first, second = make.customer(reseller, "First"), make.customer(reseller, "Second")
    make.invoice(first), make.invoice(second)
    login(client, make.reseller_admin(reseller))
    page_two = client.get("/console/billing/?page=2", headers=HTMX).text
    assert page_two.lstrip().startswith('<div id="invoice-table">') and "Page 2 of 2" in page_two


def test_acting_on_a_customer_the_invoices_leave_out_the_customer_column(client, make):
    reseller = make.reseller()
    first, second = make.customer(reseller, "First GmbH"), make.customer(reseller, "Second SARL")
    make.invoice(first), make.invoice(second)
    login(client, make.reseller_admin(reseller))
    every = client.get("/console/billing/").text
    assert "<th>Customer</th>" in every and "<td>First GmbH</td>" in every and "<td>Second SARL</td>" in every
    acting = client.get(f"/console/billing/?customer={second.id}").text
    assert "<h1>Billing · Second SARL</h1>" in acting and "<th>Customer</th>" not in acting
    rows = acting.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 1 and rows[0].count("<td") == 6 and "Second SARL" not in rows[0]


def test_the_invoices_export_as_csv_those_of_the_customer_acted_on_or_all(client, make):
    reseller = make.reseller()
    first, second = make.customer(reseller, "First GmbH"), make.customer(reseller, "-Second SARL")
    older, newer = make.invoice(first), make.invoice(second)
    make.invoice(make.customer(make.reseller(), "Not Mine"))
    login(client, make.reseller_admin(reseller))
    listing = client.get("/console/billing/").text
    assert 'href="/console/billing/invoices.csv">Export these invoices (CSV)</a>' in listing
    response = client.get("/console/billing/invoices.csv")
    assert response.mimetype == "text/csv" and 'filename="invoices.csv"' in response.headers["Content-Disposition"]
    table = list(csv.DictReader(exported(response)))
    assert [(row["invoice"], row["customer"]) for row in table] == [(newer.number, "'-Second SARL"),
                                                                      (older.number, "First GmbH")]
    assert list(table[0]) == ["invoice", "issued", "due", "customer", "net", "VAT", "total", "left to pay",
                              "currency", "status"]
    assert table[0]["total"] == str(to_decimal(newer.gross_minor, "EUR")) and table[0]["status"] == "open"
    client.get(f"/console/billing/?customer={first.id}")  # acting on one customer: its invoices only
    only = list(csv.DictReader(exported(client.get("/console/billing/invoices.csv"))))
    assert [row["invoice"] for row in only] == [older.number]


def test_another_resellers_invoice_is_not_found(client, make):
    theirs = make.invoice(make.customer(make.reseller()))
    login(client, make.reseller_admin())
    assert client.get(f"/console/billing/invoices/{theirs.id}.pdf").status_code == 404
    assert theirs.number not in client.get("/console/billing/").text


def test_invoices_verify_reports_a_changed_pdf(app, make):
    invoice = make.invoice(make.customer(make.reseller()))
    runner = app.test_cli_runner()
    assert "Every stored PDF matches" in runner.invoke(args=["invoices", "verify"]).output
    db.session.execute(sa.update(Invoice).where(Invoice.id == invoice.id).values(pdf=b"%PDF-1.7 forged"))
    db.session.commit()
    result = runner.invoke(args=["invoices", "verify"])
    assert result.exit_code != 0 and invoice.number in result.output


def _status_cell(page: str, number: str) -> str:
    """The status cell of ``number``'s row in a page's invoice table."""
    row = next(row for row in page.split("<tr>") if number in row)
    return row.split("<td>")[-2]


def test_the_invoice_lists_show_what_is_overdue_and_left_to_pay_and_link_to_pay_it(client, make):
    """The reseller's Billing and the customer's portal read an invoice as its payer does (R9)."""
    from domain.clock import today
    from invoices.reconciliation import record_payment

    reseller = make.reseller()
    customer = make.customer(reseller)
    overdue, partly, paid = make.invoice(customer), make.invoice(customer), make.invoice(customer)
    overdue.due_on = today() - timedelta(days=3)
    record_payment(partly, 1000, received_on=today(), method="bank transfer", reference=None)
    record_payment(paid, paid.gross_minor, received_on=today(), method="bank transfer", reference=None)
    db.session.commit()
    pages = {"reseller": (make.reseller_admin(reseller), "/console/billing/"),
             "customer admin": (make.customer_admin(customer), "/portal/")}
    for who, (user, url) in pages.items():
        login(client, user)
        page = client.get(url).text
        cell = _status_cell(page, overdue.number)
        assert '<span class="status status-overdue">overdue</span>' in cell, who
        assert f"Pay {format_money(overdue.gross_minor, 'EUR')} by transfer" in cell, who
        payer_page = client.get(urlsplit(cell.split('href="')[1].split('"')[0]).path)
        assert payer_page.status_code == 200 and overdue.number in payer_page.text, who
        cell = _status_cell(page, partly.number)
        assert '<span class="status status-partly-paid">partly paid</span>' in cell, who
        assert f"Pay {format_money(partly.gross_minor - 1000, 'EUR')} by transfer" in cell, who
        cell = _status_cell(page, paid.number)
        assert '<span class="status status-paid">paid</span>' in cell and "/pay/" not in cell, who
        client.post("/logout")


def test_the_invoices_filter_by_status_as_the_payer_reads_it_and_the_csv_follows(client, make):
    from domain.clock import today
    from invoices.reconciliation import record_payment

    reseller = make.reseller()
    customer = make.customer(reseller)
    due, overdue, paid = make.invoice(customer), make.invoice(customer), make.invoice(customer)
    overdue.due_on = today() - timedelta(days=1)
    record_payment(paid, paid.gross_minor, received_on=today(), method="bank transfer", reference=None)
    db.session.commit()
    login(client, make.reseller_admin(reseller))

    def listed(status: str) -> tuple[set, set]:
        page = client.get("/console/billing/", query_string={"status": status}).text
        rows = {number for number in (due.number, overdue.number, paid.number) if number in page}
        table = csv.DictReader(exported(client.get("/console/billing/invoices.csv",
                                                      query_string={"status": status})))
        return rows, {row["invoice"] for row in table}

    expected = {"open": {due.number, overdue.number}, "overdue": {overdue.number}, "paid": {paid.number},
                "credited": set(), "": {due.number, overdue.number, paid.number},
                "nonsense": {due.number, overdue.number, paid.number}}
    for status, numbers in expected.items():
        assert listed(status) == (numbers, numbers), status
    page = client.get("/console/billing/?status=overdue").text
    assert '<option value="overdue" selected>Overdue</option>' in page
    assert 'href="/console/billing/invoices.csv?status=overdue"' in page
    assert "No invoices match." in client.get("/console/billing/?status=credited").text
    part = client.get("/console/billing/?status=paid", headers=HTMX).text
    assert part.lstrip().startswith('<div id="invoice-table">') and paid.number in part and due.number not in part


def test_the_status_filter_keeps_to_its_pages(client, make, app):
    app.config["PAGE_SIZE"] = 1
    reseller = make.reseller()
    customer = make.customer(reseller)
    make.invoice(customer), make.invoice(customer), make.invoice(customer)
    login(client, make.reseller_admin(reseller))
    page = client.get("/console/billing/?status=open").text
    assert "Page 1 of 3" in page and "/console/billing/?page=2&amp;status=open" in page
