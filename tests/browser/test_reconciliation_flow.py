"""The vendor operator uploads a bank statement in Chromium and settles the invoices it pays."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_acting_on import _log_in
from tests.domain.test_reconciliation import euros, fixture

pytestmark = pytest.mark.browser


def test_the_operator_uploads_a_statement_and_settles_an_invoice(page, live_server, make, output_path, tmp_path):
    named = make.invoice(make.customer(make.reseller("Northwind IT SAS"), "Acme Consulting GmbH"))
    unnamed = make.invoice(make.customer(make.reseller("Baltic Reseller"), "Bellevue Architectes SARL", licenses=4))
    statement = tmp_path / "statement.xml"
    statement.write_bytes(fixture("camt053_several.xml", amount1=euros(named.gross_minor), number=named.number,
                                  amount2="10.00", amount3=euros(unnamed.gross_minor)))
    _log_in(page, live_server, make.operator().email, landing="/vendor/")
    page.get_by_role("link", name="Payments").click()
    page.get_by_label("Bank statement (CAMT.053 XML or MT940)").set_input_files(statement)
    page.get_by_role("button", name="Import").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("3 new credit lines, 1 matched, 2 to look at")
    expect(report).to_contain_text(f"Invoice {named.number} · by invoice number")
    page.screenshot(path=f"{output_path}/statement-imported.png", full_page=True)
    # the line with no reference: its amount suggests Bellevue's invoice; the operator settles it
    line = page.locator(".statement-line", has_text="Carlsen ApS")
    expect(line).to_contain_text(f"Same amount: {unnamed.number} (Bellevue Architectes SARL)")
    expect(line.get_by_label("Invoice number")).to_have_value(unnamed.number)
    for field, button in (("Invoice number", "Settle invoice"), ("Reason", "Dismiss")):  # side by side, one height
        boxes = line.get_by_label(field).bounding_box(), line.get_by_role("button", name=button).bounding_box()
        assert len({(round(box["y"]), round(box["height"])) for box in boxes}) == 1
    line.get_by_role("button", name="Settle invoice").click()
    expect(page.get_by_text(f"recorded on invoice {unnamed.number}")).to_be_visible()
    other = page.locator(".statement-line", has_text="Unknown Payer Ltd")
    other.get_by_label("Reason").fill("Not one of our customers: refunded")
    other.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_text("Nothing waiting")).to_be_visible()
    page.get_by_role("link", name=unnamed.number).click()
    expect(page.locator("h1")).to_contain_text("paid")
    page.screenshot(path=f"{output_path}/invoice-settled.png", full_page=True)
