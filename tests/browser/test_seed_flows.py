"""The seed's flows in Chromium not walked by the other browser tests, one screenshot per step:
Create paid by card (the sandbox's test payment), Business Information, Billing's PDF download, the
customer administrator in the portal, and the payer with the invoice e-mail's signed link."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app import db
from domain.models import OutboxMessage
from tests.browser.test_acting_on import _log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def northwind(make):
    make.seller()
    reseller = make.reseller("Northwind IT SAS", discount_bp=2000, allowed_organizations=20)
    return reseller, make.reseller_admin(reseller)


def test_create_paid_by_card_then_business_information_and_billing(page, live_server, make, northwind, output_path):
    _, admin = northwind
    _log_in(page, live_server, admin.email)
    page.get_by_role("link", name="Create").click()
    page.wait_for_url("**/console/create/")  # the load event: htmx (deferred) hears the first keystroke
    for label, value in [("Company name", "Canal Logistics BV"), ("Street", "Keizersgracht 1"),
                         ("Postal code", "1015 CJ"), ("City", "Amsterdam"), ("Contact name", "Cees Canal"),
                         ("Contact e-mail", "cees@canal.test"), ("Billing e-mail", "billing@canal.test"),
                         ("Number of licenses", "4")]:
        page.get_by_label(label).fill(value)
    page.get_by_label("Country").select_option(label="Netherlands")
    page.get_by_label("1 month").check()
    expect(page.locator("#quote-panel")).to_contain_text("4 licenses × 1 month × €10.00")
    page.screenshot(path=f"{output_path}/1-create-card.png", full_page=True)
    page.get_by_role("button", name="Continue to card payment").click()
    expect(page.get_by_role("heading", name="Test payment")).to_be_visible()
    page.screenshot(path=f"{output_path}/2-sandbox-checkout.png", full_page=True)
    page.get_by_role("button", name="Pay (test payment)").click()
    expect(page.get_by_text("Payment confirmed: Canal Logistics BV has 4 licenses.")).to_be_visible(timeout=20_000)
    expect(page.locator("#seat-figures")).to_contain_text("Unused4")
    page.screenshot(path=f"{output_path}/3-paid-manage.png", full_page=True)

    page.get_by_role("link", name="Business Information").click()
    page.wait_for_url("**/console/business/")  # htmx ready: Save answers inline
    page.get_by_label("Purchase order reference (optional)").fill("PO-2027-17")
    page.get_by_label("City").fill("Rotterdam")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#business-form")).to_contain_text("Saved")
    page.screenshot(path=f"{output_path}/4-business-information.png", full_page=True)

    page.get_by_role("link", name="Billing").click()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"Download .* as PDF")).first.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    page.screenshot(path=f"{output_path}/5-billing.png", full_page=True)


def test_the_customer_administrator_and_the_payer(page, live_server, make, northwind, output_path):
    reseller, _ = northwind
    acme = make.customer(reseller, "Acme Consulting GmbH", licenses=3)
    invoice = make.invoice(acme)
    carol = make.customer_admin(acme, "carol@acme.test")
    _log_in(page, live_server, carol.email, landing="/portal/")
    page.get_by_role("link", name="Manage members").click()
    page.get_by_label("E-mail addresses").fill("dave@acme.test, erin@acme.test")
    page.get_by_role("button", name="Add Members").click()
    expect(page.locator("#member-table")).to_contain_text("erin@acme.test")
    expect(page.locator("#seat-figures")).to_contain_text("Unused1")
    page.screenshot(path=f"{output_path}/1-portal-members.png", full_page=True)
    page.get_by_role("button", name="Log out").click()

    # the payer opens the link of the invoice e-mail, without an account
    from domain import notifications

    notifications.invoice_issued(invoice)
    db.session.commit()
    body = db.session.scalars(sa.select(OutboxMessage.body_text).where(OutboxMessage.kind == "invoice")).first()
    link = re.search(r"https?://\S+/pay/\S+", body).group(0)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + re.sub(r"^https?://[^/]+", "", link))
    expect(page.get_by_role("heading", name=re.compile(invoice.number))).to_be_visible()
    expect(page.get_by_text("Pay by bank transfer")).to_be_visible()
    expect(page.get_by_role("img", name="EPC QR code for the bank transfer")).to_be_visible()
    page.screenshot(path=f"{output_path}/2-payer-phone.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the invoice (PDF)").click()
    assert Path(download.value.path()).read_bytes() == invoice.pdf
    # printed: the invoice's figures and the bank details with the QR code, nothing that only works on a screen
    screen_only = (page.locator(".topbar"), page.get_by_role("link", name="Download the invoice (PDF)"),
                   page.get_by_role("button", name="Copy").first)
    for part in screen_only:
        expect(part).to_be_visible()
    page.emulate_media(media="print")
    for part in screen_only:
        expect(part).to_be_hidden()
    grouped = " ".join(invoice.rf_reference[i:i + 4] for i in range(0, len(invoice.rf_reference), 4))
    for shown in (page.get_by_role("heading", name=re.compile(invoice.number)), page.get_by_text(grouped),
                  page.get_by_role("img", name="EPC QR code for the bank transfer")):
        expect(shown).to_be_visible()
    Path(f"{output_path}/3-payer-printed.pdf").write_bytes(page.pdf(format="A4"))


def test_a_chinese_payer_reads_the_invoice_page_in_chinese_and_copies_the_reference(page, live_server, make,
                                                                                      northwind, output_path):
    reseller, _ = northwind
    customer = make.customer(reseller, "上海贸易有限公司", licenses=2, locale="zh_Hans")
    invoice = make.invoice(customer)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.set_viewport_size({"width": 390, "height": 844})
    from domain import links

    page.goto(f"{live_server}/pay/{links.sign('payer-invoice', invoice.id)}")  # a browser in English
    expect(page.get_by_role("heading", name="通过银行转账付款")).to_be_visible()
    expect(page.get_by_role("img", name="银行转账的 EPC 二维码")).to_be_visible()
    copy = page.get_by_role("button", name="复制").nth(1)
    copy.click()
    expect(page.get_by_role("button", name="已复制")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == invoice.rf_reference
    page.screenshot(path=f"{output_path}/payer-zh-phone.png", full_page=True)
    page.get_by_role("button", name="English").click()  # the visitor's own choice wins
    expect(page.get_by_role("heading", name="Pay by bank transfer")).to_be_visible()
