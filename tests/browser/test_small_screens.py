"""On a phone (390 px wide) no page of the reseller's console, the vendor's or the customer portal scrolls sideways:
a table wider than the screen scrolls itself, and a menu is one row that scrolls, however short the page."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_acting_on import _log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
RESELLER_PAGES = ["/console/", "/console/create/", "/console/manage/", "/console/licenses/", "/console/business/",
                  "/console/billing/", "/console/billing/orders", "/console/account/team", "/console/account/audit"]
VENDOR_PAGES = ["/vendor/", "/vendor/invoices", "/vendor/payments", "/vendor/audit", "/vendor/outbox",
                "/vendor/settings"]


def _sideways(page) -> int:
    """How many pixels the page is wider than the screen."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _menu_rows(page, name: str) -> int:
    """How many rows of links the menu is high: a row with its padding is about three of its lines."""
    menu = page.get_by_role("navigation", name=name)
    line = float(menu.get_by_role("link").first.evaluate("a => parseFloat(getComputedStyle(a).lineHeight)"))
    return round(menu.bounding_box()["height"] / line / 3)


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def test_no_console_page_is_wider_than_a_phone(phone, live_server, make, output_path):
    make.seller()
    reseller = make.reseller("Northwind IT SAS")
    customer = make.customer(reseller, "Acme Consulting GmbH", members=4, licenses=10, vat_number="DE136695976")
    make.invoice(customer)
    _log_in(phone, live_server, make.reseller_admin(reseller).email)
    phone.get_by_label("Acting On").select_option(label="Acme Consulting GmbH")
    expect(phone.locator("#acting-on-summary")).to_contain_text("Acme Consulting GmbH")
    wide, tall = {}, {}
    for path in RESELLER_PAGES:
        phone.goto(live_server + path)
        wide[path], tall[path] = _sideways(phone), _menu_rows(phone, "Side menu")
        phone.screenshot(path=f"{output_path}/phone{path.replace('/', '-')}.png", full_page=True)
    phone.goto(live_server + "/console/manage/")
    members, remove = phone.locator("#member-table table"), phone.get_by_role("link", name="Remove Members").first
    assert remove.bounding_box()["x"] > PHONE["width"]  # the member table is wider than the phone ...
    members.evaluate("t => t.scrollLeft = t.scrollWidth")  # ... and scrolls by itself to its row actions
    box = remove.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    phone.get_by_role("button", name="Log out").click()

    _log_in(phone, live_server, make.operator().email, landing="/vendor/")
    for path in VENDOR_PAGES:
        phone.goto(live_server + path)
        wide[path], tall[path] = _sideways(phone), _menu_rows(phone, "Vendor menu")
        phone.screenshot(path=f"{output_path}/phone{path.replace('/', '-')}.png", full_page=True)
    assert wide == dict.fromkeys(RESELLER_PAGES + VENDOR_PAGES, 0)
    assert tall == dict.fromkeys(RESELLER_PAGES + VENDOR_PAGES, 1)  # one row of links, on short pages too


def test_no_page_of_the_customer_portal_is_wider_than_a_phone(phone, live_server, make, output_path):
    make.seller()
    customer = make.customer(make.reseller(), "Acme Consulting GmbH", members=4, licenses=10)
    make.invoice(customer)
    _log_in(phone, live_server, make.customer_admin(customer).email, landing="/portal/")
    wide = {}
    for page in ("", "members", "licenses", "audit"):
        path = f"/portal/customers/{customer.id}/{page}" if page else "/portal/"
        phone.goto(live_server + path)
        wide[page or "home"] = _sideways(phone)
        phone.screenshot(path=f"{output_path}/phone-portal-{page or 'home'}.png", full_page=True)
    assert wide == {"home": 0, "members": 0, "licenses": 0, "audit": 0}
