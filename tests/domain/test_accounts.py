from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app import db
from domain import accounts
from domain.clock import utcnow
from domain.errors import DomainError
from domain.models import AuditEvent, User
from tests.conftest import PASSWORD


def test_an_email_is_one_account_whatever_its_case(make):
    make.user("Ann@Example.TEST".lower())
    assert accounts.user_by_email("  ANN@example.test ") is not None
    db.session.add(User(email=accounts.normalise_email("ANN@EXAMPLE.TEST")))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()


def test_passwords_are_stored_as_argon2id_hashes(make):
    user = make.user()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_the_right_password_logs_in_and_a_wrong_one_does_not(make):
    user = make.user()
    assert accounts.authenticate(user.email.upper(), PASSWORD) == user
    assert accounts.authenticate(user.email, PASSWORD + "x") is None
    assert accounts.authenticate("nobody@example.test", PASSWORD) is None


def test_an_invited_account_cannot_log_in_before_activation(make):
    user = make.user(active=False)
    assert accounts.authenticate(user.email, PASSWORD) is None


def test_a_reset_link_works_once(make):
    user = make.user()
    token = accounts.make_link_token(user, "reset")
    assert accounts.user_from_token(token, "reset", 3600) == user
    accounts.set_password(user, "another long password")
    db.session.commit()
    assert accounts.user_from_token(token, "reset", 3600) is None
    assert accounts.authenticate(user.email, "another long password") == user


def test_a_reset_link_expires_after_an_hour(make):
    user = make.user()
    with time_machine.travel(utcnow(), tick=False) as traveller:
        token = accounts.make_link_token(user, "reset")
        traveller.shift(timedelta(minutes=59))
        assert accounts.user_from_token(token, "reset", 3600) == user
        traveller.shift(timedelta(minutes=2))
        assert accounts.user_from_token(token, "reset", 3600) is None


def test_a_link_for_one_purpose_does_not_serve_another(make):
    user = make.user(active=False)
    token = accounts.make_link_token(user, "activate")
    assert accounts.user_from_token(token, "reset", 3600) is None
    assert accounts.user_from_token(token + "x", "activate", 3600) is None
    assert accounts.user_from_token(token, "activate", 3600) == user


def test_activation_sets_the_password_and_is_audited(make):
    user = make.user(active=False)
    accounts.set_password(user, "a long enough password", name=" Erin ")
    db.session.commit()
    assert user.is_active and user.name == "Erin"
    event = db.session.scalars(sa.select(AuditEvent)).one()
    assert (event.action, event.before, event.after) == ("user.activated", {"activated": False}, {"activated": True})


def test_a_short_password_is_refused_and_changes_nothing(make):
    user = make.user(active=False)
    with pytest.raises(DomainError, match="at least 10"):
        accounts.set_password(user, "short")
    assert user.password_hash is None and not user.is_active


@pytest.mark.parametrize("raw, expected", [
    ("  Mixed.Case@Example.TEST ", "mixed.case@example.test"),
    ("a+tag@sub.example.com", "a+tag@sub.example.com"),
])
def test_addresses_are_normalised(raw, expected):
    assert accounts.validate_address(raw) == expected


@pytest.mark.parametrize("raw", ["", "no-at-sign", "two@@example.com", "a@b", "spaces in@example.com"])
def test_malformed_addresses_are_refused(raw):
    with pytest.raises(DomainError):
        accounts.validate_address(raw)
