"""The seat rules (R3, R5, R6, R11): adding, removing, inviting, administrators."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import db
from domain import accounts, customers, pricing, seats
from domain.clock import utcnow
from domain.errors import DomainError
from domain.models import AuditEvent, Member, MemberStatus, OutboxMessage, Reseller, Subscription, SubscriptionStatus


@pytest.fixture
def acme(make):
    make.seller()
    return make.customer(make.reseller("Northwind", discount_bp=2000), "Acme", licenses=3)


@pytest.fixture
def actor(make, acme):
    return make.reseller_admin(acme.reseller)


def emails(customer) -> list[str]:
    return sorted(db.session.scalars(seats.live_members(customer.subscription).with_only_columns(Member.email)))


def test_addresses_are_split_on_lines_commas_and_semicolons():
    assert seats.split_addresses(" a@x.test\nb@x.test, c@x.test;d@x.test\r\n\n ") == \
        ["a@x.test", "b@x.test", "c@x.test", "d@x.test"]


def test_a_csv_file_gives_its_email_column_or_its_first():
    assert seats.read_csv(b"name,Email,team\nAnn,ann@x.test,a\nBen,ben@x.test,b\n") == ["ann@x.test", "ben@x.test"]
    assert seats.read_csv("\ufeffann@x.test,Ann\nben@x.test\n".encode()) == ["ann@x.test", "ben@x.test"]
    assert seats.read_csv(b"") == []


def test_a_csv_file_is_read_as_spreadsheets_save_it():
    # Excel in French: semicolons, Windows-1252, a French header; its accented names are no trouble
    assert seats.read_csv("Nom;Prénom;Courriel\nDupont;Jérôme;jerome@x.test\n".encode("cp1252")) == ["jerome@x.test"]
    # Excel's "Unicode Text": UTF-16 with its mark, tabs
    assert seats.read_csv("E-mail\tName\njürgen@x.test\tJürgen\n".encode("utf-16")) == ["jürgen@x.test"]
    assert seats.read_csv("姓名,电子邮件\n张三,zhang@x.test\n".encode()) == ["zhang@x.test"]
    # no header: the separator the lines agree on, the first column
    assert seats.read_csv(b"ann@x.test;Ann\nben@x.test;Ben\n") == ["ann@x.test", "ben@x.test"]
    assert seats.read_csv(b"ann@x.test\nben@x.test") == ["ann@x.test", "ben@x.test"]


@pytest.mark.parametrize("data", [
    "jürgen@x.test\n".encode("cp1252"),  # an accented address whose encoding is a guess
    "姓名,电子邮件\n张三,zhang@x.test\n".encode("gbk"),  # not Windows-1252 at all: its header unreadable
])
def test_a_csv_file_whose_addresses_could_be_misread_is_refused_whole(data):
    with pytest.raises(DomainError, match="not UTF-8 text, and the addresses it holds could be misread"):
        seats.read_csv(data)


@pytest.mark.parametrize("data", [b"PK\x03\x04\x14\x00\x06\x00", b"%PDF-1.7\n\x00\x81", b"a,b\n\x81\x8d\n"])
def test_a_file_that_is_not_csv_text_is_refused_clearly(data):
    with pytest.raises(DomainError, match="cannot be read as CSV text"):
        seats.read_csv(data)


def test_new_people_and_existing_accounts_are_both_invited_and_each_told_how_to_accept(acme, actor, make):
    existing = make.user("ben@x.test")
    batch = seats.add_members(acme, ["Ann@X.test", "ben@x.test"], actor=actor)
    db.session.commit()
    by_email = {m.email: m for m in batch.added}
    assert by_email["ann@x.test"].status == MemberStatus.INVITED and by_email["ann@x.test"].user.password_hash is None
    assert by_email["ben@x.test"].status == MemberStatus.INVITED and by_email["ben@x.test"].user == existing
    mails = {m.to_address: m for m in db.session.scalars(sa.select(OutboxMessage))}
    assert mails["ann@x.test"].kind == "invitation" and "/activate/" in mails["ann@x.test"].body_text
    assert mails["ben@x.test"].kind == "member_added" and "Acme" in mails["ben@x.test"].subject
    assert "/login" in mails["ben@x.test"].body_text and "/activate/" not in mails["ben@x.test"].body_text
    assert seats.activate_memberships(existing) == 1
    assert by_email["ben@x.test"].status == MemberStatus.ACTIVE and by_email["ben@x.test"].activated_at is not None


def test_each_added_member_has_its_event_naming_it(acme, actor):
    batch = seats.add_members(acme, ["ann@x.test", "ben@x.test"], actor=actor)
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "member.added")
                                .order_by(AuditEvent.id)).all()
    assert [(e.subject_type, e.subject_id, e.after["email"]) for e in events] == \
        [("Member", str(m.id), m.email) for m in batch.added]


def test_duplicates_are_reported_per_line_and_added_once(acme, actor):
    seats.add_members(acme, ["ann@x.test"], actor=actor)
    batch = seats.add_members(acme, ["ben@x.test", "BEN@x.test", "ann@x.test"], actor=actor)
    assert [(line.number, line.outcome) for line in batch.problems] == [(2, "duplicate"), (3, "member")]
    assert [m.email for m in batch.added] == ["ben@x.test"]
    assert emails(acme) == ["ann@x.test", "ben@x.test"]


def test_one_bad_address_refuses_the_whole_batch(acme, actor):
    batch = seats.add_members(acme, ["ann@x.test", "not an address", "ben@x.test"], actor=actor)
    assert batch.added == [] and "Nothing was added" in batch.refused
    assert [(line.number, line.outcome) for line in batch.problems] == [(2, "invalid")]
    assert emails(acme) == []


def test_a_batch_needing_more_licenses_than_unused_is_refused_with_how_many_are_missing(acme, actor):
    seats.add_members(acme, ["a@x.test"], actor=actor)
    batch = seats.add_members(acme, ["b@x.test", "c@x.test", "d@x.test", "e@x.test"], actor=actor)
    assert batch.added == [] and batch.missing_licenses == 2 and "Purchase 2 more" in batch.refused
    assert emails(acme) == ["a@x.test"]


def test_the_last_unused_license_can_be_given(acme, actor):
    batch = seats.add_members(acme, ["a@x.test", "b@x.test", "c@x.test"], actor=actor)
    assert len(batch.added) == 3 and seats.assigned_count(acme.subscription) == 3


def test_the_resellers_allowed_users_cap_all_its_customers_together(make, actor, acme):
    acme.reseller.allowed_users = 4
    other = make.customer(acme.reseller, licenses=10, members=2)
    db.session.commit()
    batch = seats.add_members(acme, ["a@x.test", "b@x.test", "c@x.test"], actor=actor)
    assert batch.added == [] and "may assign 2 more users" in batch.refused
    assert len(seats.add_members(acme, ["a@x.test", "b@x.test"], actor=actor).added) == 2
    assert seats.assigned_count(other.subscription) == 2


def test_too_many_addresses_at_once_are_refused(acme, actor):
    with pytest.raises(DomainError, match="10,000 addresses is more than 1,000"):
        seats.add_members(acme, [f"u{i}@x.test" for i in range(10_000)], actor=actor)
    with pytest.raises(DomainError, match="at least one"):
        seats.add_members(acme, [], actor=actor)


def test_members_cannot_join_a_subscription_that_is_not_active(acme, actor):
    acme.subscription.status = SubscriptionStatus.PENDING
    batch = seats.add_members(acme, ["a@x.test"], actor=actor)
    assert batch.added == [] and "while the subscription is active" in batch.refused


def test_removing_frees_the_license_refunds_nothing_and_keeps_the_period(acme, actor):
    member = seats.add_members(acme, ["a@x.test", "b@x.test", "c@x.test"], actor=actor).added[0]
    end = acme.subscription.period_end
    seats.remove_member(member, actor=actor)
    assert (member.status, seats.assigned_count(acme.subscription)) == (MemberStatus.REMOVED, 2)
    assert acme.subscription.period_end == end and acme.subscription.licenses == 3
    with pytest.raises(DomainError):
        seats.remove_member(member, actor=actor)
    # removing and re-adding the same address works
    again = seats.add_members(acme, ["a@x.test"], actor=actor).added
    assert [m.email for m in again] == ["a@x.test"] and again[0].id != member.id


def test_an_invitation_can_be_resent_until_the_account_is_activated(acme, actor):
    member = seats.add_members(acme, ["a@x.test"], actor=actor).added[0]
    seats.resend_invitation(member, actor=actor)
    assert [m.kind for m in db.session.scalars(sa.select(OutboxMessage))] == ["invitation", "invitation"]
    accounts.set_password(member.user, "a long enough password")
    assert member.status == MemberStatus.ACTIVE and member.activated_at is not None
    with pytest.raises(DomainError, match="not activated yet"):
        seats.resend_invitation(member, actor=actor)


def test_every_change_is_audited(acme, actor):
    member = seats.add_members(acme, ["a@x.test"], actor=actor).added[0]
    seats.remove_member(member, actor=actor)
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.customer_id, e.actor_id) for e in events] == \
        [("member.added", acme.id, actor.id), ("member.removed", acme.id, actor.id)]
    assert events[1].before == {"email": "a@x.test", "status": "invited"}


def test_a_promoted_member_costs_the_discount_and_revoking_the_last_admin_restores_it(acme, actor, make):
    member = seats.add_members(acme, ["carol@x.test"], actor=actor).added[0]
    stake = seats.discount_at_stake(acme)
    kept, lost = stake["renewal"]
    assert (kept.discount_bp, lost.discount_bp) == (2000, 0) and lost.gross_minor > kept.gross_minor
    assert stake["extra"][0].licenses == 1
    admin = seats.promote(member, actor=actor)
    assert pricing.discount_for(acme.id, 2000) == 0 and seats.discount_at_stake(acme) is None
    with pytest.raises(DomainError, match="already an administrator"):
        seats.promote(member, actor=actor)
    assert seats.revoke(admin, actor=actor) is True
    assert pricing.discount_for(acme.id, 2000) == 2000


def test_an_administrator_may_hold_no_license(acme, actor, make):
    admin_user = make.customer_admin(acme)
    assert seats.assigned_count(acme.subscription) == 0 and admin_user.id in seats.admin_user_ids(acme)
    member = seats.add_members(acme, [admin_user.email], actor=actor).added[0]
    seats.remove_member(member, actor=actor)
    assert admin_user.id in seats.admin_user_ids(acme)  # removing the license keeps the administration


def test_an_administrator_cannot_revoke_itself(acme, make):
    user = make.customer_admin(acme)
    admin = seats.administrators(acme)[0]
    with pytest.raises(DomainError, match="your own"):
        seats.revoke(admin, actor=user)


def test_an_expired_invitation_names_its_user_so_a_new_link_can_be_sent(acme, actor):
    member = seats.add_members(acme, ["a@x.test"], actor=actor).added[0]
    with time_machine.travel(utcnow(), tick=False) as traveller:
        token = accounts.make_link_token(member.user, "activate")
        traveller.shift(timedelta(days=8))
        assert accounts.user_from_token(token, "activate", 7 * 86400) is None
        assert accounts.user_from_expired_token(token, "activate", 7 * 86400) == member.user
        assert accounts.user_from_expired_token(token + "x", "activate", 7 * 86400) is None
    accounts.set_password(member.user, "a long enough password")
    assert accounts.user_from_expired_token(token, "activate", 0) is None  # used: no new link from it


def counted(customer) -> tuple[int, int, int, int]:
    """The counters kept for the customer's subscription and its reseller, and the same counted."""
    subscription, reseller = customer.subscription, customer.reseller
    db.session.expire_all()
    of_subscription = db.session.scalar(sa.select(customers.live_members_of_subscription())
                                        .where(Subscription.id == subscription.id))
    of_reseller = db.session.scalar(sa.select(customers.live_members_of_reseller()).where(Reseller.id == reseller.id))
    return subscription.assigned, of_subscription, reseller.users_assigned, of_reseller


def test_the_member_counters_follow_every_way_a_member_comes_or_goes(make, actor, acme):
    other = make.customer(acme.reseller, licenses=10, members=4)  # written directly, as a factory does
    make.customer(make.reseller("Elsewhere"), members=5)  # another reseller's members never count here
    assert counted(acme) == (0, 0, 4, 4) and counted(other) == (4, 4, 4, 4)
    added = seats.add_members(acme, ["a@x.test", "b@x.test"], actor=actor).added
    db.session.commit()
    assert counted(acme) == (2, 2, 6, 6)
    seats.remove_member(added[0], actor=actor)
    db.session.commit()
    assert counted(acme) == (1, 1, 5, 5)
    with pytest.raises(DomainError):  # a second removal is refused and counts nothing
        seats.remove_member(added[0], actor=actor)
    db.session.rollback()
    db.session.delete(other.subscription.members[0])
    db.session.commit()
    assert counted(other) == (3, 3, 4, 4)
    added[0].status = MemberStatus.ACTIVE  # restored by hand: counts again
    db.session.commit()
    assert counted(acme) == (2, 2, 5, 5)
    seats.add_members(acme, ["c@x.test"], actor=actor)
    db.session.rollback()  # a rolled-back add leaves the counters as they were
    assert counted(acme) == (2, 2, 5, 5)


def test_a_recount_puts_right_members_written_around_the_orm(make, acme):
    db.session.execute(sa.insert(Member), [{"subscription_id": acme.subscription.id, "email": f"bulk{n}@x.test",
                                            "status": "active"} for n in range(3)])
    assert counted(acme) == (0, 3, 0, 3)
    customers.recount_members()
    db.session.commit()
    assert counted(acme) == (3, 3, 3, 3)


def test_a_member_search_is_paged_with_its_total(make):
    make.seller()
    customer = make.customer(make.reseller(), "Acme", licenses=5, members=5)
    everyone = emails(customer)
    first = seats.member_page(customer.subscription, search="@", size=2)
    second = seats.member_page(customer.subscription, search="@", page=2, size=2)
    assert [m.email for m in first.rows] == everyone[:2] and (first.total, first.pages) == (5, 3)
    assert [m.email for m in second.rows] == everyone[2:4] and second.total == 5
    nobody = seats.member_page(customer.subscription, search="nobody")
    assert (nobody.rows, nobody.total, nobody.number) == ([], 0, 1)
