"""Manage (seed: "Add users to a customer's account", "Removing or changing users") and the customer portal."""

import io
import re
import time

import pytest
import sqlalchemy as sa

from app import db
from domain import seats
from domain.models import AuditEvent, CustomerAdmin, Member, MemberStatus, OutboxMessage, User
from tests.conftest import HTMX, login, login_where


@pytest.fixture
def acme(make):
    make.seller()
    return make.customer(make.reseller("Northwind IT", discount_bp=2000), "Acme GmbH", licenses=3)


@pytest.fixture
def reseller_client(client, make, acme):
    login(client, make.reseller_admin(acme.reseller))
    client.get(f"/console/manage/?customer={acme.id}")
    return client


def live(acme) -> list[str]:
    return sorted(db.session.scalars(sa.select(Member.email).where(
        Member.subscription_id == acme.subscription.id, Member.status != MemberStatus.REMOVED)))


def figures(html: str) -> dict:
    block = re.search(r'<dl id="seat-figures".*?</dl>', html, re.S).group(0)
    return dict(re.findall(r"<dt>(\w+)</dt><dd>(\d+)</dd>", block))


def test_manage_shows_the_add_form_administrators_and_members(reseller_client, acme):
    page = reseller_client.get("/console/manage/").text
    assert figures(page) == {"Licenses": "3", "Assigned": "0", "Unused": "3"}
    assert "Add Members" in page and "administrator without a license" in page


def test_adding_one_member_with_htmx_updates_form_counter_and_table_in_one_response(reseller_client, acme):
    response = reseller_client.post("/console/manage/members", data={"emails": "Ann@Example.test"}, headers=HTMX)
    part = response.text
    assert part.lstrip().startswith('<form id="member-form"') and "1 member added" in part
    assert re.search(r'<dl id="seat-figures"[^>]*hx-swap-oob="true"', part)
    assert re.search(r'<div id="member-table"[^>]*hx-swap-oob="true"', part) and "ann@example.test" in part
    assert figures(part) == {"Licenses": "3", "Assigned": "1", "Unused": "2"}
    assert response.headers["HX-Trigger"] == "members-changed"
    assert live(acme) == ["ann@example.test"]


def test_adding_without_javascript_redirects_with_a_message(reseller_client, acme):
    response = reseller_client.post("/console/manage/members", data={"emails": "ann@example.test"})
    assert response.status_code == 303
    assert "1 member added." in reseller_client.get(response.headers["Location"]).text


def test_a_pasted_list_is_added_and_its_duplicates_reported(reseller_client, acme):
    part = reseller_client.post("/console/manage/members", headers=HTMX, data={
        "emails": "a@example.test, b@example.test\nA@example.test"}).text
    assert "2 members added" in part and "Line 3: A@example.test — Listed twice: added once." in part
    assert live(acme) == ["a@example.test", "b@example.test"]


def test_a_csv_upload_adds_the_email_column(reseller_client, acme):
    data = {"emails": "", "csv_file": (io.BytesIO(b"name,email\nAnn,ann@example.test\nBen,ben@example.test\n"),
                                       "people.csv")}
    part = reseller_client.post("/console/manage/members", data=data, headers=HTMX,
                                content_type="multipart/form-data").text
    assert "2 members added" in part and live(acme) == ["ann@example.test", "ben@example.test"]


def test_a_workbook_uploaded_for_a_csv_is_refused_next_to_the_field_and_changes_nothing(reseller_client, acme):
    data = {"emails": "ann@example.test",
            "csv_file": (io.BytesIO(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"), "people.xlsx")}
    part = reseller_client.post("/console/manage/members", data=data, headers=HTMX,
                                content_type="multipart/form-data").text
    assert re.search(r'id="csv_file-error">The file cannot be read as CSV text', part) and live(acme) == []
    # the file control names its help and its error, for a screen reader to read with it
    assert re.search(r'<input [^>]*aria-describedby="csv_file-help csv_file-error" aria-invalid="true" id="csv_file"',
                     part)


def test_a_csv_saved_by_excel_in_french_adds_its_courriel_column(reseller_client, acme):
    text = "Nom;Prénom;Courriel\nDupont;Jérôme;jerome@example.test\nMartin;Zoé;zoe@example.test\n"
    data = {"emails": "", "csv_file": (io.BytesIO(text.encode("cp1252")), "membres.csv")}
    part = reseller_client.post("/console/manage/members", data=data, headers=HTMX,
                                content_type="multipart/form-data").text
    assert "2 members added" in part and live(acme) == ["jerome@example.test", "zoe@example.test"]


def test_too_many_new_members_are_refused_with_a_link_to_purchase_the_missing_licenses(reseller_client, acme):
    part = reseller_client.post("/console/manage/members", headers=HTMX, data={
        "emails": "\n".join(f"u{i}@example.test" for i in range(5))}).text
    assert "Purchase 2 more licenses" in part and 'href="/console/licenses/"' in part
    assert live(acme) == [] and db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.parametrize("status", ["suspended", "pending", "expired"])
@pytest.mark.parametrize("where, page_url, submit_url", [
    ("console", "/console/manage/?customer={id}", "/console/manage/members"),
    ("portal", "/portal/customers/{id}/members", "/portal/customers/{id}/members"),
])
def test_no_add_form_while_the_subscription_is_not_active(client, make, acme, status, where, page_url, submit_url):
    """The page says why in the form's place; a form sent from a page opened before is refused the same way."""
    acme.subscription.status = status
    db.session.commit()
    login_where(client, make, acme, where)
    page_url, submit_url = page_url.format(id=acme.id), submit_url.format(id=acme.id)
    message = f"Members can be added while the subscription is active; it is {status}."
    page = client.get(page_url).text
    assert '<section id="member-form"' in page and message in page and 'name="emails"' not in page
    part = client.post(submit_url, data={"emails": "ann@example.test"}, headers=HTMX).text
    assert part.lstrip().startswith('<section id="member-form"') and message in part
    assert live(acme) == [] and db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.parametrize("emails, message", [
    ("not-an-address", "is not a valid e-mail address"),
    ("a@example.test\n@@", "Nothing was added"),
    ("\n".join(f"u{i}@example.test" for i in range(10_000)), "more than 1,000 at once"),
    ("", "Enter at least one e-mail address."),
])
def test_bad_input_gets_a_clear_message_and_changes_nothing(reseller_client, acme, emails, message):
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    part = reseller_client.post("/console/manage/members", data={"emails": emails}, headers=HTMX).text
    assert message in part and live(acme) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users


def test_remove_asks_first_then_frees_the_license(reseller_client, acme, make):
    _, member = make.member(acme, "ann@example.test")
    row = re.search(rf'<tr id="member-{member.id}">.*?</tr>', reseller_client.get("/console/manage/").text, re.S)
    assert 'hx-confirm="Remove ann@example.test?' in row.group(0)
    confirm = reseller_client.get(f"/console/manage/members/{member.id}/remove").text
    assert "Remove ann@example.test?" in confirm and "Nothing is refunded" in confirm
    part = reseller_client.post(f"/console/manage/members/{member.id}/remove", headers=HTMX).text
    assert part.lstrip().startswith('<div id="member-table"') and "ann@example.test removed" in part
    assert figures(part)["Unused"] == "3" and live(acme) == []


def test_removing_without_javascript_redirects(reseller_client, acme, make):
    _, member = make.member(acme)
    assert reseller_client.post(f"/console/manage/members/{member.id}/remove").status_code == 303
    assert live(acme) == []


def test_an_invitation_can_be_resent(reseller_client, acme):
    reseller_client.post("/console/manage/members", data={"emails": "ann@example.test"})
    member = db.session.scalars(sa.select(Member)).one()
    assert reseller_client.post(f"/console/manage/members/{member.id}/resend").status_code == 303
    kinds = [m.kind for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]
    assert kinds == ["invitation", "invitation"]


@pytest.mark.parametrize("where, page_url, resend_url", [
    ("console", "/console/manage/?customer={id}", "/console/manage/members/{member}/resend"),
    ("portal", "/portal/customers/{id}/members", "/portal/customers/{id}/members/{member}/resend"),
])
def test_no_invitation_is_sent_again_while_the_subscription_is_suspended(client, make, acme, where, page_url,
                                                                         resend_url):
    """The invitee would activate into no access: the button goes, a click from a page opened before is refused."""
    member = seats.add_members(acme, ["ann@example.test"], actor=make.reseller_admin(acme.reseller)).added[0]
    db.session.commit()
    login_where(client, make, acme, where)
    page_url, resend_url = page_url.format(id=acme.id), resend_url.format(id=acme.id, member=member.id)
    assert f'action="{resend_url}"' in client.get(page_url).text
    acme.subscription.status = "suspended"
    db.session.commit()
    page = client.get(page_url).text
    assert "ann@example.test" in page and f'action="{resend_url}"' not in page
    refused = client.post(resend_url, follow_redirects=True).text
    assert "Invitations can be sent again while the subscription is active; it is suspended." in refused
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1  # the first invitation


def test_promoting_warns_with_the_price_difference_then_records_the_administrator(reseller_client, acme, make):
    _, member = make.member(acme, "carol@example.test")
    warning = reseller_client.get(f"/console/manage/members/{member.id}/promote").text
    assert "Your reseller discount of 20 % will no longer apply" in warning
    assert "Next renewal (3 licenses, 12 months)" in warning and "+€85.68" in warning  # 360.00 x 20 % x 1.19
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CustomerAdmin)) == 0
    response = reseller_client.post(f"/console/manage/members/{member.id}/promote")
    assert response.status_code == 303
    page = reseller_client.get("/console/manage/").text
    assert "is now an administrator" in page and "at list price" in page
    admin = db.session.scalars(sa.select(CustomerAdmin)).one()
    assert admin.user_id == member.user_id
    assert "administrator" in re.search(rf'<tr id="member-{member.id}">.*?</tr>', page, re.S).group(0)
    reseller_client.post(f"/console/manage/administrators/{admin.id}/revoke")
    assert "discount applies again" in reseller_client.get("/console/manage/").text
    actions = [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["customer_admin.granted", "customer_admin.revoked"]


def test_a_member_of_another_customer_is_not_found_even_of_the_same_reseller(reseller_client, acme, make):
    other = make.customer(acme.reseller, members=1)
    member = other.subscription.members.first()
    for url in (f"/console/manage/members/{member.id}/remove", f"/console/manage/members/{member.id}/resend",
                f"/console/manage/members/{member.id}/promote"):
        assert reseller_client.post(url).status_code == 404
    assert member.status == MemberStatus.ACTIVE


def test_an_invited_member_activates_and_logs_in(client, reseller_client, acme):
    reseller_client.post("/console/manage/members", data={"emails": "ann@example.test"})
    reseller_client.post("/logout")
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    link = re.search(r"http://localhost(/activate/\S+)", mail.body_text).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "ann@example.test" in page.text
    password = "ann's own password"
    response = client.post(link, data={"name": "Ann", "password": password, "confirm": password})
    assert response.status_code == 303
    portal = client.get("/portal/").text
    assert "Your license" in portal and "Acme GmbH" in portal
    assert db.session.scalars(sa.select(Member)).one().status == MemberStatus.ACTIVE
    client.post("/logout")
    login(client, db.session.scalars(sa.select(User).where(User.email == "ann@example.test")).one(),
          "ann's own password")


def _row(page: str, email: str) -> str:
    """A member's row with its address and numbers (ids) blanked."""
    row = re.search(rf'<tr id="member-\d+"><td>{re.escape(email)}.*?</tr>', page, re.S).group(0)
    return re.sub(r"\d+", "N", row.replace(email, "EMAIL"))


def test_the_reseller_cannot_tell_whether_an_added_address_has_an_account(reseller_client, acme, make):
    """Someone who holds a license at another reseller's customer is added exactly as a stranger is."""
    ben, _ = make.member(make.customer(make.reseller("Other IT"), "Bellevue SA"), "ben@example.test")
    ben.name = "Ben Holder"  # the name of an account shows once its owner has accepted, not before
    db.session.commit()
    page = reseller_client.post("/console/manage/members", data={"emails": "ann@example.test\nben@example.test"},
                                headers=HTMX).text
    stranger, holder = _row(page, "ann@example.test"), _row(page, "ben@example.test")
    assert "invited" in stranger and stranger == holder
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "member.added")).all()
    assert sorted((e.after["email"], e.after["status"]) for e in events) == \
        [("ann@example.test", "invited"), ("ben@example.test", "invited")]


def test_someone_with_an_account_begins_the_license_by_logging_in(client, reseller_client, acme, make, app):
    ben = make.user("ben@example.test", name="Ben Holder")
    reseller_client.post("/console/manage/members", data={"emails": "ben@example.test"})
    assert "Ben Holder" not in reseller_client.get("/console/manage/").text
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    assert mail.kind == "member_added" and "http://localhost/login" in mail.body_text
    assert db.session.scalars(sa.select(Member.status)).one() == MemberStatus.INVITED
    login(app.test_client(), ben)
    assert db.session.scalars(sa.select(Member.status)).one() == MemberStatus.ACTIVE
    row = _row(reseller_client.get("/console/manage/").text, "ben@example.test")
    assert "active" in row and "Ben Holder" in row


def _admin_list(page: str) -> str:
    return re.search(r'<section class="card" id="admin-list">.*?</section>', page, re.S).group(0)


def test_an_invited_member_made_administrator_is_listed_by_address_until_they_accept(reseller_client, acme, make):
    ben = make.user("ben@example.test", name="Ben Holder")
    reseller_client.post("/console/manage/members", data={"emails": "ben@example.test"})
    member = db.session.scalars(sa.select(Member)).one()
    assert reseller_client.post(f"/console/manage/members/{member.id}/promote").status_code == 303
    admins = _admin_list(reseller_client.get("/console/manage/").text)
    assert "ben@example.test" in admins and "Ben Holder" not in admins
    login(reseller_client.application.test_client(), ben)
    assert "Ben Holder" in _admin_list(reseller_client.get("/console/manage/").text)


def test_someone_already_logged_in_begins_the_license_on_opening_the_portal(reseller_client, acme, make, app):
    ben = make.user("ben@example.test")
    ben_client = app.test_client()
    login(ben_client, ben)
    assert "Acme GmbH" not in ben_client.get("/portal/").text
    reseller_client.post("/console/manage/members", data={"emails": "ben@example.test"})
    page = ben_client.get("/portal/").text
    assert "Your license" in page and "Acme GmbH" in page
    assert db.session.scalars(sa.select(Member.status)).one() == MemberStatus.ACTIVE


def test_an_expired_invitation_says_so_and_sends_a_new_link(client, reseller_client, acme, app):
    app.config["ACTIVATION_LINK_MAX_AGE"] = 0
    reseller_client.post("/console/manage/members", data={"emails": "ann@example.test"})
    reseller_client.post("/logout")
    link = re.search(r"http://localhost(/activate/\S+)", db.session.scalars(sa.select(OutboxMessage)).one()
                     .body_text).group(1)
    time.sleep(1.1)  # the link's age is counted in whole seconds
    page = client.get(link)
    assert page.status_code == 410 and "This invitation has expired" in page.text
    assert client.post(f"{link}/renew").status_code == 303
    assert [m.kind for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))] == \
        ["invitation", "activation"]


# The customer portal

@pytest.fixture
def customer_admin_client(client, make, acme):
    user = make.customer_admin(acme, "carol@acme.test")
    login(client, user)
    return client


def test_a_customer_administrator_manages_members_with_the_same_rules(customer_admin_client, acme):
    home = customer_admin_client.get("/portal/").text
    assert f"/portal/customers/{acme.id}/members" in home
    page = customer_admin_client.get(f"/portal/customers/{acme.id}/members").text
    assert figures(page)["Unused"] == "3" and "Make administrator" not in page
    part = customer_admin_client.post(f"/portal/customers/{acme.id}/members", headers=HTMX,
                                      data={"emails": "a@acme.test,b@acme.test,c@acme.test,d@acme.test"}).text
    assert "Purchase 1 more license" not in part and "Nothing was added" in part  # no purchase link in the portal
    part = customer_admin_client.post(f"/portal/customers/{acme.id}/members", headers=HTMX,
                                      data={"emails": "a@acme.test"}).text
    assert "1 member added" in part and live(acme) == ["a@acme.test"]
    member = db.session.scalars(sa.select(Member)).one()
    assert customer_admin_client.post(f"/portal/customers/{acme.id}/members/{member.id}/remove").status_code == 303
    assert live(acme) == []


def test_a_customer_administrator_downloads_its_invoices_only(customer_admin_client, acme, make):
    mine = make.invoice(acme)
    theirs = make.invoice(make.customer(make.reseller()))
    assert mine.number in customer_admin_client.get("/portal/").text
    assert customer_admin_client.get(f"/portal/invoices/{mine.id}.pdf").data == mine.pdf
    assert customer_admin_client.get(f"/portal/invoices/{theirs.id}.pdf").status_code == 404


def test_a_customer_administrator_reads_the_business_information_its_invoices_carry(client, make, acme):
    acme.street, acme.postal_code, acme.city, acme.vat_number = "Unter den Linden 1", "10117", "Berlin", "DE136695976"
    db.session.commit()
    login(client, make.customer_admin(acme))
    page = client.get("/portal/").text
    info = page[page.index('<details class="business-info">'):page.index("</details>")]
    assert "Unter den Linden 1<br>10117 Berlin<br>Germany" in info and "DE136695976" in info
    assert acme.billing_email in info and "<dd>English</dd>" in info and "<form" not in info
    assert f"To change them, write to your reseller: {acme.reseller.contact_email}." in info
    client.post("/language", data={"locale": "fr"})
    assert "Allemagne" in client.get("/portal/").text


def test_customer_users_never_reach_another_customer(client, make, acme):
    other = make.customer(acme.reseller, members=1)
    for user in (make.customer_admin(acme), make.member(acme)[0]):
        login(client, user)
        assert client.get(f"/portal/customers/{other.id}/members").status_code == 404
        assert client.post(f"/portal/customers/{other.id}/members", data={"emails": "x@y.test"}).status_code == 404
        assert client.get("/console/manage/").status_code == 404
        client.post("/logout")


def test_a_member_is_told_whom_to_ask_its_administrators_else_its_reseller(client, make, acme):
    user, _ = make.member(acme)
    login(client, user)
    reseller = acme.reseller
    to_reseller = f'ask your organization\'s reseller, {reseller.name}, <a href="mailto:{reseller.contact_email}">'
    assert to_reseller in client.get("/portal/").text
    carol = make.customer_admin(acme, "carol@acme.test")
    carol.name = "Carol Acme"
    db.session.commit()
    asked = client.get("/portal/").text.split("Your license")[1]
    assert 'ask your administrator,\n    Carol Acme <a href="mailto:carol@acme.test">carol@acme.test</a>.' in asked
    assert to_reseller not in asked
    client.post("/logout")
    # an administrator holding a license is not told to ask itself
    db.session.add(Member(subscription=acme.subscription, email=carol.email, user=carol, status=MemberStatus.ACTIVE))
    db.session.commit()
    login(client, carol)
    assert to_reseller in client.get("/portal/").text.split("Your license")[1]


def test_a_member_sees_its_license_and_the_organization_name_only(client, make, acme):
    user, _ = make.member(acme)
    login(client, user)
    page = client.get("/portal/").text
    assert "Your license" in page and "Acme GmbH" in page and "Manage members" not in page
    assert "business-info" not in page
    assert client.get(f"/portal/customers/{acme.id}/members").status_code == 404
