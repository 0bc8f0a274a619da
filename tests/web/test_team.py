"""A reseller's administrators taken away, by another administrator on the Team page or by the vendor: the
console is gone at the person's next request, the account and its history stay."""

import re

import pytest
import sqlalchemy as sa

from app import db
from domain.models import AuditEvent, OutboxMessage, ResellerUser, User
from tests.conftest import login
from tests.security.test_access_matrix import _row_counts


@pytest.fixture
def team(make):
    reseller = make.reseller("Northwind IT")
    customer = make.customer(reseller, "Acme GmbH")
    return {"reseller": reseller, "customer": customer, "anna": make.reseller_admin(reseller, "anna@northwind.test"),
            "ben": make.reseller_admin(reseller, "ben@northwind.test")}


def test_an_administrator_removes_another_who_loses_the_console_at_once(app, client, team):
    anna, ben = team["anna"], team["ben"]
    elsewhere = app.test_client()
    login(elsewhere, ben)
    assert elsewhere.get(f"/console/?customer={team['customer'].id}").status_code == 200
    login(client, anna)
    page = client.get("/console/account/team").text
    remove = f"/console/account/team/{ben.id}/remove"
    assert f'href="{remove}"' in page and f'/console/account/team/{anna.id}/remove' not in page  # not oneself
    confirm = client.get(remove).text
    assert "Remove ben@northwind.test?" in confirm and f'action="{remove}"' in confirm
    response = client.post(remove)
    assert response.status_code == 303 and response.headers["Location"] == "/console/account/team"
    done = client.get("/console/account/team").text
    assert "ben@northwind.test is no longer an administrator." in done and "ben@northwind.test</span>" not in done
    assert db.session.get(ResellerUser, ben.id) is None
    assert elsewhere.get(f"/console/?customer={team['customer'].id}").status_code == 404  # the next request
    assert "Acme GmbH" not in elsewhere.get("/portal/").text
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "reseller.admin_removed")).one()
    assert (event.actor_id, event.before) == (anna.id, {"email": "ben@northwind.test"})
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    assert (mail.to_address, mail.kind) == ("ben@northwind.test", "admin_removed")
    assert "no longer an administrator of Northwind IT" in mail.subject


def test_nobody_removes_themselves_nor_the_last_administrator(client, make, team):
    anna = team["anna"]
    login(client, anna)
    before = _row_counts()
    refused = client.post(f"/console/account/team/{anna.id}/remove", follow_redirects=True).text
    assert "You cannot remove yourself. Another administrator of Northwind IT can." in refused
    assert _row_counts() == before
    client.post(f"/console/account/team/{team['ben'].id}/remove")
    client.post("/logout")
    login(client, operator := make.operator())
    page = client.get(f"/vendor/resellers/{team['reseller'].id}").text
    assert f"/admins/{anna.id}/remove" not in page  # the last one: no link
    before = _row_counts()
    refused = client.post(f"/vendor/resellers/{team['reseller'].id}/admins/{anna.id}/remove",
                          follow_redirects=True).text
    assert "Northwind IT needs at least one administrator: invite another one first." in refused
    assert _row_counts() == before and operator.is_operator


def test_the_vendor_removes_an_administrator_of_a_reseller(client, make, team):
    login(client, make.operator())
    url = f"/vendor/resellers/{team['reseller'].id}"
    remove = f"{url}/admins/{team['ben'].id}/remove"
    assert f'href="{remove}"' in client.get(url).text
    assert "Remove ben@northwind.test?" in client.get(remove).text
    assert client.post(remove).headers["Location"] == url
    assert "ben@northwind.test is no longer an administrator." in client.get(url).text
    assert [link.user_id for link in db.session.scalars(sa.select(ResellerUser))] == [team["anna"].id]


def test_the_address_of_a_removed_administrator_can_be_invited_again(client, team):
    login(client, team["anna"])
    client.post(f"/console/account/team/{team['ben'].id}/remove")
    assert client.post("/console/account/team", data={"email": "ben@northwind.test"}).status_code == 303
    assert db.session.get(ResellerUser, team["ben"].id).reseller_id == team["reseller"].id


def test_another_resellers_administrator_cannot_be_removed_or_seen(client, make, team):
    other = make.reseller_admin(make.reseller("Other reseller"))
    login(client, other)
    before = _row_counts()
    assert client.get(f"/console/account/team/{team['ben'].id}/remove").status_code == 404
    assert client.post(f"/console/account/team/{team['ben'].id}/remove").status_code == 404
    assert _row_counts() == before and not re.search("ben@northwind", client.get("/console/account/team").text)


def test_an_administrator_who_has_not_activated_is_sent_the_invitation_again(client, make, team):
    login(client, team["anna"])
    client.post("/console/account/team", data={"email": "tomas@northwind.test"})
    tomas = db.session.scalars(sa.select(ResellerUser).join(ResellerUser.user)
                               .where(User.email == "tomas@northwind.test")).one().user
    page = client.get("/console/account/team").text
    resend = f"/console/account/team/{tomas.id}/resend"
    assert f'action="{resend}"' in page and f"/team/{team['ben'].id}/resend" not in page  # ben is active
    assert client.post(resend).headers["Location"] == "/console/account/team"
    assert "A new invitation has been sent to tomas@northwind.test." in client.get("/console/account/team").text
    mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == "tomas@northwind.test")
                               .order_by(OutboxMessage.id)).all()
    assert len(mails) == 2 and "/activate/" in mails[1].body_text
    assert db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == \
        "reseller.admin_invitation_resent"
    before = _row_counts()
    refused = client.post(f"/console/account/team/{team['ben'].id}/resend", follow_redirects=True).text
    assert "ben@northwind.test has activated the account already." in refused and _row_counts() == before
    other = make.reseller_admin(make.reseller("Other reseller"))
    client.post("/logout")
    login(client, other)
    before = _row_counts()
    assert client.post(resend).status_code == 404 and _row_counts() == before


def test_the_team_shows_when_each_administrator_last_logged_in(client, team):
    login(client, team["anna"])  # ben has never logged in: nothing said
    page = client.get("/console/account/team").text
    day = db.session.get(User, team["anna"].id).last_login_at.date()
    assert f'anna@northwind.test <span class="muted"> · last logged in {day:%b} {day.day}, {day.year}</span>' in page
    assert 'ben@northwind.test <span class="muted"></span>' in page
