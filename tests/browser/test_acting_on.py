"""A reseller logs in and switches Acting On in Debian's Chromium, as a person would."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def reseller_site(live_server, make):
    reseller = make.reseller("Northwind IT SAS", allowed_organizations=20)
    admin = make.reseller_admin(reseller, email="anna@northwind.test")
    make.customer(reseller, "Acme Consulting GmbH", members=3, licenses=10, vat_number="DE136695976")
    make.customer(reseller, "Bellevue Architectes SARL", members=1, licenses=5, country="FR")
    make.customer(make.reseller(), "Other Reseller Ltd")
    return live_server, admin


def _log_in(page, base, email, landing="/console/"):
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{landing}")  # waits for the load event: htmx (deferred) has initialised


def test_acting_on_swaps_only_the_content_region(page, reseller_site, output_path):
    base, admin = reseller_site
    _log_in(page, base, admin.email)
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    options = page.get_by_label("Acting On").locator("option").all_inner_texts()
    assert options == ["— No customer —", "Acme Consulting GmbH", "Bellevue Architectes SARL"]

    # Marks that a full page load would wipe out: a JS property and an attribute outside the content region.
    page.evaluate("window.__stillHere = true; document.querySelector('.side-menu').dataset.mark = 'kept'")
    page.get_by_label("Acting On").select_option(label="Acme Consulting GmbH")
    summary = page.locator("#acting-on-summary")
    expect(summary).to_contain_text("Acme Consulting GmbH")
    expect(summary).to_contain_text("3 / 10")
    assert page.evaluate("window.__stillHere === true")
    assert page.evaluate("document.querySelector('.side-menu').dataset.mark") == "kept"
    assert "customer=" in page.url
    page.screenshot(path=str(output_path) + "/dashboard-acting-on.png", full_page=True)

    # remembered by the session: the side menu leads to Manage for the same customer
    page.get_by_role("link", name="Manage").click()
    expect(page.get_by_role("heading", name="Manage · Acme Consulting GmbH")).to_be_visible()
    expect(page.get_by_label("Acting On").locator("option:checked")).to_have_text("Acme Consulting GmbH")
    page.screenshot(path=str(output_path) + "/manage.png", full_page=True)


def test_acting_on_works_with_javascript_off(browser, reseller_site, output_path):
    base, admin = reseller_site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _log_in(page, base, admin.email)
    page.get_by_label("Acting On").select_option(label="Bellevue Architectes SARL")
    page.get_by_role("button", name="Go").click()
    expect(page.locator("#acting-on-summary")).to_contain_text("Bellevue Architectes SARL")
    page.screenshot(path=str(output_path) + "/no-javascript.png", full_page=True)
    context.close()


def test_searching_customers_refreshes_the_table(page, reseller_site):
    base, admin = reseller_site
    _log_in(page, base, admin.email)
    page.get_by_label("Search customers").fill("bellevue")
    table = page.locator("#customer-table")
    expect(table).not_to_contain_text("Acme Consulting GmbH")
    expect(table).to_contain_text("Bellevue Architectes SARL")
