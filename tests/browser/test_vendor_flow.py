"""In Chromium: the operator creates a reseller and sets its limits; the reseller's administrator sees its use."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app import db
from domain.models import OutboxMessage
from tests.browser.test_acting_on import _log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_operator_creates_a_reseller_who_sees_its_usage(page, live_server, make, output_path):
    make.seller()
    _log_in(page, live_server, make.operator().email, landing="/vendor/")
    page.get_by_role("link", name="New reseller").click()
    page.get_by_label("Company name").fill("Danube Digital GmbH")
    page.get_by_label("Street").fill("Ring 1")
    page.get_by_label("Postal code").fill("1010")
    page.get_by_label("City").fill("Wien")
    page.get_by_label("Country").select_option(label="Austria")
    page.get_by_label("Contact e-mail").fill("office@danube.test")
    page.get_by_label("Billing e-mail").fill("billing@danube.test")
    page.get_by_label("Discount (%)").fill("15")
    page.get_by_label("Allowed Organizations").fill("20")
    page.get_by_label("Allowed Users").fill("100")
    page.get_by_label("First administrator's e-mail").fill("ida@danube.test")
    page.screenshot(path=f"{output_path}/new-reseller.png", full_page=True)
    page.get_by_role("button", name="Create reseller and send the invitation").click()
    expect(page.get_by_text("ida@danube.test has been sent an invitation.")).to_be_visible()
    page.get_by_role("link", name="Resellers", exact=True).click()
    row = page.locator("tr", has_text="Danube Digital GmbH")
    expect(row).to_contain_text("0 / 20")
    expect(row).to_contain_text("0 / 100")
    page.screenshot(path=f"{output_path}/resellers.png", full_page=True)
    # suspending asks first: dismissed, nothing changes; accepted, the reseller is suspended
    page.get_by_role("link", name="Danube Digital GmbH").click()
    page.wait_for_url("**/vendor/resellers/*")  # the load event: htmx, deferred, asks before a click submits
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Suspend").click()
    expect(page.get_by_role("button", name="Suspend")).to_be_visible()
    assert questions and questions[0].startswith("Suspend Danube Digital GmbH?")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Suspend").click()
    expect(page.get_by_role("button", name="Reactivate")).to_be_visible()
    page.screenshot(path=f"{output_path}/reseller-suspended.png", full_page=True)
    page.get_by_role("button", name="Reactivate").click()
    expect(page.get_by_role("button", name="Suspend")).to_be_visible()
    # the invitation, read in the outbox as the embedded default keeps it
    page.get_by_role("link", name="Outbox").click()
    page.get_by_role("link", name="You are an administrator of Danube Digital GmbH on Seatdesk").click()
    link = page.locator(".mail-body a").first.get_attribute("href")
    body = db.session.scalars(sa.select(OutboxMessage.body_text)).first()
    assert link in body
    page.get_by_role("button", name="Log out").click()
    page.goto(live_server + re.sub(r"^https?://[^/]+", "", link))
    page.get_by_label("Your name").fill("Ida Donau")
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Save the password").click()
    expect(page.locator(".usage")).to_contain_text("0 of 20 organizations · 0 of 100 users")
    page.screenshot(path=f"{output_path}/reseller-dashboard.png", full_page=True)
