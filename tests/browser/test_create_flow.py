"""Create, as a reseller clicks through it in Chromium: live quote, bank transfer, then Manage."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_acting_on import _log_in

pytestmark = pytest.mark.browser


def test_create_a_customer_paying_by_bank_transfer_then_manage_it(page, live_server, make, output_path):
    make.seller()
    admin = make.reseller_admin(make.reseller("Northwind IT SAS", discount_bp=2000, allowed_organizations=20))
    _log_in(page, live_server, admin.email)
    page.get_by_role("link", name="Create").click()
    page.wait_for_url("**/console/create/")  # the load event: htmx (deferred) hears the first keystroke
    page.get_by_label("Company name").fill("Nordlicht Studio GmbH")
    page.get_by_label("Street").fill("Mariahilfer Straße 1")
    page.get_by_label("Postal code").fill("1060")
    page.get_by_label("City").fill("Wien")
    page.get_by_label("Country").select_option(label="Austria")
    page.get_by_label("Contact name").fill("Nina Nord")
    page.get_by_label("Contact e-mail").fill("nina@nordlicht.test")
    page.get_by_label("Billing e-mail").fill("billing@nordlicht.test")
    page.get_by_label("Number of licenses").fill("8")

    quote = page.locator("#quote-panel")
    page.get_by_label("VAT number (optional, EU)").fill("ATU 57194904")
    expect(page.locator("#vat-check")).to_contain_text("check digits")
    expect(quote).to_contain_text("Austrian VAT 20 %")
    page.get_by_label("VAT number (optional, EU)").fill("ATU 57194903")
    expect(quote).to_contain_text("Reverse charge: valid Austrian VAT number ATU57194903")
    expect(page.locator("#vat-check")).to_be_empty()
    expect(quote).to_contain_text("8 licenses × 12 months × €10.00")
    expect(quote).to_contain_text("Reseller discount 20 %")
    expect(quote.locator(".total")).to_contain_text("€768.00")

    page.get_by_label("1 month").check()
    expect(quote).to_contain_text("8 licenses × 1 month × €10.00")
    expect(page.get_by_role("button", name="Continue to card payment")).to_be_visible()
    page.get_by_label("Bank transfer (invoice)").check()
    expect(page.locator("#term-field")).to_contain_text("Bank transfer is yearly")
    expect(quote).to_contain_text("8 licenses × 12 months")
    page.screenshot(path=f"{output_path}/create-live-quote.png", full_page=True)

    page.get_by_role("button", name="Order and issue the invoice").click()
    # issuing the invoice renders a PDF: give it the time a person gives a page to load
    expect(page.get_by_text("Subscription active · invoice issued")).to_be_visible(timeout=20_000)
    expect(page.locator("#order-status")).to_contain_text("RF")
    expect(page.locator("#order-status img.qr")).to_be_visible()
    page.screenshot(path=f"{output_path}/bank-transfer-confirmation.png", full_page=True)

    page.get_by_role("link", name="Add members under Manage").click()
    expect(page.get_by_role("heading", name="Manage · Nordlicht Studio GmbH")).to_be_visible()
    expect(page.get_by_label("Acting On").locator("option:checked")).to_have_text("Nordlicht Studio GmbH")
    page.screenshot(path=f"{output_path}/manage-new-customer.png", full_page=True)
