"""Top Up in Chromium, as a reseller buys more licenses for the rest of the period, or starts an ended
subscription again."""

import pytest
from playwright.sync_api import expect

from app import db
from domain.clock import today
from domain.models import SubscriptionStatus
from domain.periods import add_months
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


def test_an_expired_subscription_is_started_again_from_manage(page, live_server, make, output_path):
    make.seller()
    reseller = make.reseller("Northwind IT SAS", discount_bp=2000)
    customer = make.customer(reseller, "Acme Consulting GmbH", licenses=5, members=4)
    subscription = customer.subscription  # cancelled: it ended with its last term, a year long
    subscription.period_start, subscription.period_end = add_months(today(), -13), add_months(today(), -1)
    subscription.status = SubscriptionStatus.EXPIRED
    db.session.commit()
    _log_in(page, live_server, make.reseller_admin(reseller).email)
    page.get_by_label("Acting On").select_option(label="Acme Consulting GmbH")
    expect(page.locator("#acting-on-summary")).to_contain_text("Acme Consulting GmbH")
    page.get_by_role("link", name="Manage", exact=True).click()
    page.get_by_role("link", name="Start it again under Purchase License").click()
    page.wait_for_url("**/console/licenses/?customer=*")
    expect(page.get_by_text("This subscription has ended.")).to_be_visible()
    page.get_by_label("Number of licenses").fill("6")
    page.get_by_label("1 month").check()
    quote = page.locator("#restart-quote")
    expect(quote).to_contain_text("6 licenses × 1 month × €10.00")
    page.get_by_label("Bank transfer (invoice)").check()  # yearly: 1 month is no longer offered
    expect(page.get_by_label("1 month")).to_be_disabled()
    expect(quote).to_contain_text("6 licenses × 12 months × €10.00")
    expect(quote.locator(".total")).to_contain_text("€685.44")  # 6 x 12 x 8.00 = 576.00 + 19 %
    page.screenshot(path=f"{output_path}/restart-quote.png", full_page=True)
    page.get_by_role("button", name="Order and issue the invoice").click()
    expect(page.get_by_text("6 licenses for 12 months")).to_be_visible(timeout=20_000)
    page.screenshot(path=f"{output_path}/restart-done.png", full_page=True)


def test_the_customer_administrator_starts_it_again_by_card_from_the_portal(page, live_server, make, output_path):
    make.seller()
    customer = make.customer(make.reseller("Northwind IT SAS", discount_bp=2000), "Acme Consulting GmbH",
                             licenses=5, members=4)
    customer.subscription.status = SubscriptionStatus.EXPIRED
    db.session.commit()
    _log_in(page, live_server, make.customer_admin(customer, "carol@acme.test").email, landing="/portal/")
    page.get_by_role("link", name="Start it again").click()
    page.wait_for_url("**/portal/customers/*/licenses")
    expect(page.get_by_role("heading", name="Purchase licenses · Acme Consulting GmbH")).to_be_visible()
    page.get_by_label("Number of licenses").fill("6")
    page.get_by_label("1 month").check()
    quote = page.locator("#restart-quote")
    expect(quote).to_contain_text("6 licenses × 1 month × €10.00")  # list price: its own administrator (R3)
    expect(quote.locator(".total")).to_contain_text("€71.40")  # 60.00 + 19 %
    page.screenshot(path=f"{output_path}/portal-restart-quote.png", full_page=True)
    page.get_by_role("button", name="Continue to card payment").click()
    expect(page.get_by_role("heading", name="Test payment")).to_be_visible()
    page.get_by_role("button", name="Pay (test payment)").click()
    expect(page.get_by_text("Payment confirmed: Acme Consulting GmbH has 6 licenses.")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("heading", name="Members · Acme Consulting GmbH")).to_be_visible()
    expect(page.locator("#seat-figures")).to_contain_text("Statusactive")
    page.screenshot(path=f"{output_path}/portal-restart-done.png", full_page=True)
