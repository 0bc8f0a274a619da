"""What a person sees when an htmx request cannot do what it was asked: the session ended while the page was open
(the whole window goes to the login page, and back once logged in), the request was refused (its reason shown
above the page), or the server could not be reached; and while it waits, its form cannot be sent again."""

import pytest
from playwright.sync_api import expect

from app import db
from domain.models import ResellerStatus
from tests.browser.test_acting_on import _log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_page_whose_session_ended_goes_to_the_login_page_and_comes_back(page, live_server, make, output_path):
    make.seller()
    admin = make.reseller_admin(make.reseller("Northwind IT SAS"))
    _log_in(page, live_server, admin.email)
    page.goto(f"{live_server}/console/create/")
    page.context.clear_cookies()  # the session ends: logged out in another tab, expired
    page.get_by_label("Number of licenses").fill("7")  # the live quote asks the server
    page.wait_for_url("**/login?next=/console/create/")
    expect(page.get_by_text("Please log in to continue.")).to_be_visible()
    expect(page.locator(".quote")).to_have_count(0)  # the whole window, not a login form inside the price panel
    page.screenshot(path=f"{output_path}/session-ended.png", full_page=True)
    page.get_by_label("E-mail").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/console/create/")
    expect(page.get_by_role("heading", name="Create a customer")).to_be_visible()


@pytest.mark.console_errors("403")  # the browser's and htmx's own report of it
def test_a_refused_request_says_why(page, live_server, make, output_path):
    make.seller()
    reseller = make.reseller("Northwind IT SAS")
    customer = make.customer(reseller, "Acme Consulting GmbH", members=1, licenses=5)
    admin = make.reseller_admin(reseller)
    _log_in(page, live_server, admin.email)
    page.goto(f"{live_server}/console/manage/?customer={customer.id}")
    reseller.status = ResellerStatus.SUSPENDED  # the vendor suspends the reseller while the page is open
    db.session.commit()
    page.get_by_label("E-mail addresses").fill("new.member@acme.test")
    page.get_by_role("button", name="Add Members").click()
    alert = page.locator("#request-failed")
    expect(alert).to_contain_text("Your reseller account is suspended")
    expect(alert).to_contain_text("Contact the vendor to have it reactivated.")
    expect(page.locator("#member-table")).not_to_contain_text("new.member@acme.test")
    page.screenshot(path=f"{output_path}/refused.png", full_page=True)
    alert.click()
    expect(alert).to_be_hidden()


@pytest.mark.console_errors("net::ERR_FAILED", "htmx:sendError")
def test_a_request_that_reaches_no_server_says_so(page, live_server, make):
    make.seller()
    _log_in(page, live_server, make.reseller_admin(make.reseller()).email)
    page.goto(f"{live_server}/console/create/")
    page.get_by_label("Country").select_option(label="Germany")
    page.route("**/console/create/quote", lambda route: route.abort())
    page.get_by_label("Number of licenses").fill("7")
    expect(page.locator("#request-failed")).to_have_text(
        "The server could not be reached. Check the connection, then try again.")
    page.unroute("**/console/create/quote")
    page.get_by_label("Number of licenses").fill("8")  # the next request clears it
    expect(page.locator("#request-failed")).to_be_hidden()
    expect(page.locator(".quote")).to_contain_text("8 licenses")


def test_a_form_waiting_for_the_server_cannot_be_sent_twice(page, live_server, make):
    make.seller()
    reseller = make.reseller("Northwind IT SAS")
    customer = make.customer(reseller, "Acme Consulting GmbH", licenses=5)
    _log_in(page, live_server, make.reseller_admin(reseller).email)
    page.goto(f"{live_server}/console/manage/?customer={customer.id}")
    held = []
    page.route("**/console/manage/members", lambda route: held.append(route))  # the server is slow to answer
    page.get_by_label("E-mail addresses").fill("new.member@acme.test")
    button = page.get_by_role("button", name="Add Members")
    button.click()
    expect(button).to_be_disabled()
    button.click(force=True)  # a second click sends nothing
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#member-table")).to_contain_text("new.member@acme.test")
    expect(page.get_by_role("button", name="Add Members")).to_be_enabled()
