"""In Chromium: a reseller's administrator changes the password from the top bar (the other browser's session
ends), then removes a colleague who left, after its confirmation page."""

import pytest
from playwright.sync_api import expect

from app import db
from tests.browser.test_acting_on import _log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
NEW = "a brand new password"


def test_a_new_password_then_a_colleague_removed(page, browser, live_server, make, output_path):
    reseller = make.reseller("Northwind IT SAS")
    anna = make.reseller_admin(reseller, "anna@northwind.test")
    anna.name = "Anna Berg"
    db.session.commit()
    make.reseller_admin(reseller, "ben@northwind.test")
    other = browser.new_context().new_page()  # the same person in another browser
    _log_in(other, live_server, anna.email)
    _log_in(page, live_server, anna.email)

    page.get_by_role("link", name="Anna Berg").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill(NEW)
    page.get_by_label("Repeat the password").fill(NEW)
    page.get_by_role("button", name="Change the password").click()
    expect(page.get_by_text("Your other sessions have been logged out.")).to_be_visible()
    page.screenshot(path=f"{output_path}/1-password-changed.png", full_page=True)
    other.goto(f"{live_server}/console/account/team")
    expect(other.get_by_role("heading", name="Log in")).to_be_visible()  # that session ended
    other.context.close()

    page.get_by_role("link", name="Back").click()  # to the console
    page.get_by_role("link", name="Team").click()
    page.get_by_role("link", name="Remove ben@northwind.test").click()
    expect(page.get_by_role("heading", name="Remove ben@northwind.test?")).to_be_visible()
    page.screenshot(path=f"{output_path}/2-confirm-removal.png", full_page=True)
    page.get_by_role("button", name="Remove the administrator").click()
    expect(page.get_by_text("ben@northwind.test is no longer an administrator.")).to_be_visible()
    expect(page.get_by_role("link", name="Remove ben@northwind.test")).to_have_count(0)
    page.screenshot(path=f"{output_path}/3-team.png", full_page=True)
