"""Every page of the app passes axe-core's checks (WCAG 2.x A and AA, and axe's best practices) in Chromium, on a
laptop and on a phone: each field and button named, contrast enough, landmarks, headings, tables with their headers,
the page's language, a table that scrolls reachable by keyboard. The rules run against the page as drawn, after
htmx and the page's scripts have run. And the keyboard's first stop skips the top bar and the menu."""

from datetime import timedelta

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app import db
from domain import audit, links, outbox
from domain.clock import utcnow
from domain.models import OrderStatus, PaymentMethod, SubscriptionStatus
from tests.browser.test_acting_on import _log_in
from tests.browser.test_small_screens import RESELLER_PAGES, SCREENS, VENDOR_PAGES

pytestmark = pytest.mark.browser


@pytest.fixture(params=["laptop", "phone"], autouse=True)
def screen(request, page):
    page.set_viewport_size({"width": 1280, "height": 900} if request.param == "laptop" else SCREENS["phone"])


def _violations(page, base: str, paths: list[str]) -> dict:
    """Each path's violations, as rule: the elements it failed on."""
    axe, found = Axe(), {}
    for path in paths:
        page.goto(base + path)
        for rule in axe.run(page).response["violations"]:
            found[f"{path} {rule['id']}"] = [node["target"] for node in rule["nodes"]]
    return found


@pytest.fixture
def site(make):
    """A reseller's customer with members (no administrator of its own, so promoting one shows the discount at
    stake), an invoice, a card order awaiting payment, an audit event with changes and an e-mail in the outbox;
    a customer whose subscription has ended; and a second reseller for the vendor's pages."""
    make.seller()
    reseller = make.reseller("Northwind IT SAS", discount_bp=2000)
    admin = make.reseller_admin(reseller)
    colleague = make.reseller_admin(reseller)  # a second administrator: its removal can be asked
    customer = make.customer(reseller, "Acme Consulting GmbH", members=3, licenses=10, vat_number="DE136695976")
    _, member = make.member(customer)
    invoice = make.invoice(customer)
    card = make.order(customer, payment_method=PaymentMethod.CARD)
    card.status, card.provider, card.provider_ref = OrderStatus.AWAITING_PAYMENT, "sandbox", "sbx_a11y"
    ended = make.customer(reseller, "Dolomiti Design Srl", members=2, licenses=3)
    ended.subscription.status = SubscriptionStatus.EXPIRED
    audit.record(admin, "customer.updated", customer, acting_on=customer, before={"city": "Berlin"},
                 after={"city": "München"})
    db.session.commit()
    message = outbox.enqueue(customer.billing_email, customer.name, "Your invoice", kind="test")
    db.session.commit()
    make.customer(make.reseller("Bellevue Partners"), "Bellevue SARL")
    return {"reseller": reseller, "admin": admin, "customer": customer, "member": member, "invoice": invoice,
            "card": card, "message": message, "ended": ended, "colleague": colleague}


def test_the_pages_anyone_reaches_pass_axe(page, live_server, site):
    payer = f"/pay/{links.sign('payer-invoice', site['invoice'].id)}"
    assert _violations(page, live_server, ["/login", "/password/forgot", payer, "/sandbox/checkout/sbx_a11y"]) == {}


@pytest.mark.console_errors("status of 410 (GONE)")  # the page of an expired link says so in its status
def test_an_expired_payer_link_passes_axe(page, live_server, site):
    with time_machine.travel(utcnow() - timedelta(days=401), tick=False):
        expired = f"/pay/{links.sign('payer-invoice', site['invoice'].id)}"
    assert _violations(page, live_server, [expired]) == {}
    expect(page.get_by_role("button", name="Send a new link")).to_be_visible()


def test_the_resellers_console_passes_axe(page, live_server, site):
    _log_in(page, live_server, site["admin"].email)
    page.get_by_label("Acting On").select_option(label="Acme Consulting GmbH")
    page.wait_for_url(f"**customer={site['customer'].id}*")
    member = site["member"].id
    paths = [*RESELLER_PAGES, f"/console/create/orders/{site['card'].id}",
             f"/console/manage/members/{member}/promote", f"/console/manage/members/{member}/remove",
             f"/console/account/team/{site['colleague'].id}/remove",
             f"/console/licenses/?customer={site['ended'].id}"]  # last: it chooses another customer
    assert _violations(page, live_server, paths) == {}


def test_the_customer_portal_passes_axe(page, live_server, make, site):
    customer = site["customer"]
    _log_in(page, live_server, make.customer_admin(customer).email, landing="/portal/")
    paths = ["/portal/", *(f"/portal/customers/{customer.id}/{name}" for name in ("members", "licenses", "audit")),
             "/profile"]
    assert _violations(page, live_server, paths) == {}


def test_the_vendors_console_passes_axe(page, live_server, make, site):
    _log_in(page, live_server, make.operator().email, landing="/vendor/")
    other_operator = make.operator()
    paths = [*VENDOR_PAGES, f"/vendor/operators/{other_operator.id}/remove", "/vendor/resellers/new",
             f"/vendor/resellers/{site['reseller'].id}",
             f"/vendor/invoices/{site['invoice'].id}", f"/vendor/outbox/{site['message'].id}",
             f"/vendor/resellers/{site['reseller'].id}/admins/{site['colleague'].id}/remove"]
    assert _violations(page, live_server, paths) == {}


def test_the_keyboard_skips_the_top_bar_and_the_menu_to_the_content(page, live_server, site):
    _log_in(page, live_server, site["admin"].email)
    page.goto(f"{live_server}/console/manage/?customer={site['customer'].id}")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).not_to_be_in_viewport()  # out of sight until the keyboard reaches it...
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # ... its first stop
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the next stop is in the content, not in the top bar or the side menu
    assert page.evaluate("document.activeElement.closest('main')?.id") == "content"


def test_the_portal_pages_of_an_ended_subscription_pass_axe(page, live_server, make, site):
    ended = site["ended"]
    _log_in(page, live_server, make.customer_admin(ended).email, landing="/portal/")
    paths = ["/portal/", *(f"/portal/customers/{ended.id}/{name}" for name in ("members", "licenses"))]
    assert _violations(page, live_server, paths) == {}
