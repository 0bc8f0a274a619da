"""Top Up in Chromium, as a reseller buys more licenses for the rest of the period."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_acting_on import _log_in

pytestmark = pytest.mark.browser


def test_top_up_by_bank_transfer(page, live_server, make, output_path):
    make.seller()
    reseller = make.reseller("Northwind IT SAS", discount_bp=2000)
    make.customer(reseller, "Acme Consulting GmbH", licenses=5, members=5)
    _log_in(page, live_server, make.reseller_admin(reseller).email)
    page.get_by_label("Acting On").select_option(label="Acme Consulting GmbH")
    expect(page.locator("#acting-on-summary")).to_contain_text("Acme Consulting GmbH")
    page.get_by_role("link", name="Purchase License").click()
    page.wait_for_url("**/console/licenses/")  # the load event: htmx (deferred) hears the first keystroke
    page.get_by_label("Additional licenses").fill("3")
    quote = page.locator("#top-up-quote")
    expect(quote).to_contain_text("3 licenses × 12 months × €10.00")
    expect(quote).to_contain_text("charged for 12 months")
    expect(quote.locator(".total")).to_contain_text("€342.72")  # 3 x 12 x 8.00 = 288.00 + 19 %
    page.screenshot(path=f"{output_path}/top-up-quote.png", full_page=True)
    page.get_by_label("Bank transfer (invoice)").check()
    page.get_by_role("button", name="Top Up").click()
    # issuing the invoice renders a PDF: give it the time a person gives a page to load
    expect(page.get_by_text("Top Up: 3 more licenses (5 → 8)")).to_be_visible(timeout=20_000)
    page.get_by_role("link", name="Add members under Manage").click()
    expect(page.locator("#seat-figures")).to_contain_text("Unused3")
