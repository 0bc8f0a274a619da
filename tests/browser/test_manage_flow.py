"""Manage in Chromium: pick a customer, add three members, remove one, promote one after the warning."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_acting_on import _log_in

pytestmark = pytest.mark.browser


def test_add_remove_and_promote_members(page, live_server, make, output_path):
    make.seller()
    reseller = make.reseller("Northwind IT SAS", discount_bp=2000)
    make.customer(reseller, "Acme Consulting GmbH", licenses=5)
    make.customer(reseller, "Bellevue Architectes SARL", licenses=5)
    _log_in(page, live_server, make.reseller_admin(reseller).email)

    page.get_by_role("link", name="Manage").click()
    page.wait_for_url("**/console/manage/")  # the load event: htmx (deferred) is ready for the Acting On change
    expect(page.get_by_text("Choose a customer under Acting On")).to_be_visible()
    page.get_by_label("Acting On").select_option(label="Acme Consulting GmbH")
    expect(page.get_by_role("heading", name="Manage · Acme Consulting GmbH")).to_be_visible()

    page.get_by_label("E-mail addresses").fill("ann@acme.test\nben@acme.test, carol@acme.test")
    page.get_by_role("button", name="Add Members").click()
    expect(page.locator("#member-form")).to_contain_text("3 members added")
    figures = page.locator("#seat-figures")
    expect(figures).to_contain_text("Assigned3")
    table = page.locator("#member-table")
    for email in ("ann@acme.test", "ben@acme.test", "carol@acme.test"):
        expect(table).to_contain_text(email)
    page.screenshot(path=f"{output_path}/members-added.png", full_page=True)

    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("tr", has_text="ben@acme.test").get_by_role("link", name="Remove Members").click()
    expect(table.locator("tbody")).not_to_contain_text("ben@acme.test")
    expect(table).to_contain_text("ben@acme.test removed")
    expect(figures).to_contain_text("Unused3")
    page.screenshot(path=f"{output_path}/member-removed.png", full_page=True)

    page.locator("tr", has_text="carol@acme.test").get_by_role("link", name="Make administrator").click()
    expect(page.get_by_text("Your reseller discount of 20 % will no longer apply")).to_be_visible()
    page.screenshot(path=f"{output_path}/promote-warning.png", full_page=True)
    page.get_by_role("button", name="Make administrator").click()
    expect(page.get_by_text("carol@acme.test is now an administrator")).to_be_visible()
    expect(page.locator("#admin-list")).to_contain_text("carol@acme.test")
    page.screenshot(path=f"{output_path}/administrator-made.png", full_page=True)
