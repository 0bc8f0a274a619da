"""Renewal settings on Manage: same, assigned, a number (never below the members) or cancel; fixed once invoiced."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import db
from domain.clock import utcnow
from domain.models import AuditEvent, RenewalMode, Subscription
from tests.conftest import HTMX, login


@pytest.fixture
def acme(make):
    make.seller()
    return make.customer(make.reseller("Northwind IT", discount_bp=2000), "Acme GmbH", licenses=10, members=3)


@pytest.fixture
def reseller_client(client, make, acme):
    login(client, make.reseller_admin(acme.reseller))
    client.get(f"/console/manage/?customer={acme.id}")
    return client


def subscription(acme) -> Subscription:
    db.session.expire_all()
    return db.session.get(Subscription, acme.subscription.id)


def test_manage_says_how_the_subscription_renews(reseller_client, acme):
    page = reseller_client.get("/console/manage/").text
    summary = re.search(r'<p id="renewal-summary">(.*?)</p>', page).group(1)
    assert summary.startswith("Renews on ") and summary.endswith(" with 10 licenses.")
    assert re.search(r'<input checked[^>]*value="same"', page)


def test_a_reduction_is_scheduled_and_shown_in_the_header(reseller_client, acme):
    response = reseller_client.post("/console/manage/renewal", data={"mode": "number", "renewal_licenses": "4"},
                                    headers={**HTMX, "HX-Target": "renewal"})
    fragment = response.text.strip()
    assert fragment.startswith('<section id="renewal"') and "Renewal setting saved." in fragment
    assert "renews on" in fragment and "<strong>4 licenses</strong>, down from 10" in fragment
    assert (subscription(acme).renewal_mode, subscription(acme).renewal_licenses, subscription(acme).licenses) == \
        (RenewalMode.NUMBER, 4, 10)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "subscription.renewal_changed")).one()
    assert (event.before["renewal_mode"], event.after) == ("same", {"renewal_mode": "number", "renewal_licenses": 4})
    assert "down from 10" in reseller_client.get("/console/manage/").text


@pytest.mark.parametrize("data, message", [
    ({"mode": "number", "renewal_licenses": "2"}, "3 members are assigned: renew at least 3 licenses"),
    ({"mode": "number", "renewal_licenses": ""}, "Enter the number of licenses to renew."),
    ({"mode": "number", "renewal_licenses": "0"}, "Choose between 1 and 10,000 licenses."),
    ({"mode": "number", "renewal_licenses": "ten"}, "Not a valid integer value."),
    ({"mode": "forever"}, "Not a valid choice."),
])
def test_a_wrong_setting_is_refused_next_to_the_field_and_changes_nothing(reseller_client, acme, data, message):
    for headers in ({**HTMX, "HX-Target": "renewal"}, {}):
        response = reseller_client.post("/console/manage/renewal", data=data, headers=headers)
        assert response.status_code == 200 and message in response.text
        # the group names its error, for a screen reader to read with it
        assert re.search(r'aria-describedby="renewal-error".*class="error" id="renewal-error"', response.text, re.S)
    assert subscription(acme).renewal_mode == RenewalMode.SAME
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "subscription.renewal_changed")) == 0


def test_cancel_and_take_it_back_without_javascript(reseller_client, acme):
    response = reseller_client.post("/console/manage/renewal", data={"mode": "cancel"})
    assert response.status_code == 303
    page = reseller_client.get("/console/manage/").text
    assert "Renewal setting saved." in page and "ends on" in page and "Members lose access then." in page
    reseller_client.post("/console/manage/renewal", data={"mode": "same"})
    assert subscription(acme).renewal_mode == RenewalMode.SAME


def test_once_the_renewal_is_invoiced_the_setting_is_fixed(reseller_client, acme, app, make):
    with time_machine.travel(utcnow() + timedelta(days=340), tick=False):
        app.test_cli_runner().invoke(args=["billing", "run-daily"])
        login(reseller_client, make.reseller_admin(acme.reseller))  # the session of 340 days ago has expired
        page = reseller_client.get(f"/console/manage/?customer={acme.id}").text
        refused = reseller_client.post("/console/manage/renewal", data={"mode": "cancel"},
                                       headers={**HTMX, "HX-Target": "renewal"}).text
    assert "The renewal is invoiced, so its setting can no longer change." in page
    assert "Save renewal setting" not in page
    assert "invoiced already" in refused and subscription(acme).renewal_mode == RenewalMode.SAME


def test_the_customer_administrator_sees_the_renewal_read_only(client, make, acme):
    login(client, make.customer_admin(acme))
    page = client.get(f"/portal/customers/{acme.id}/members").text
    assert "with 10 licenses." in page and "Save renewal setting" not in page
