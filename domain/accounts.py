"""Accounts: password hashing (Argon2id), signed one-purpose links, login, activation, reset.

Signed links carry a fingerprint of the password hash, so a link stops working as soon as it
has been used to set a password: activation and reset links cannot be replayed.
"""

import contextlib

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app import db
from domain import audit, links
from domain.clock import utcnow
from domain.errors import DomainError
from domain.labels import LANGUAGES
from domain.models import CustomerAdmin, User

MIN_PASSWORD_LENGTH = 10
# Verifying against this keeps the time of a failed login the same whether the e-mail exists or not.
_DUMMY_HASH = None


def normalise_email(email: str) -> str:
    """Return the address as stored: trimmed and lower-cased (one account per mailbox)."""
    return email.strip().lower()


def validate_address(raw: str) -> str:
    """Check an e-mail address's syntax (no DNS lookup) and return it normalised, or raise DomainError."""
    try:
        checked = validate_email(raw.strip(), check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise DomainError(_("“%(address)s” is not a valid e-mail address.", address=raw.strip()[:80]),
                          field="email") from error
    return normalise_email(checked.normalized)


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(time_cost=config["PASSWORD_TIME_COST"], memory_cost=config["PASSWORD_MEMORY_COST"],
                          parallelism=config["PASSWORD_PARALLELISM"])


def hash_password(password: str) -> str:
    """Hash ``password`` with Argon2id."""
    return _hasher().hash(password)


def set_language(user: User, locale: str) -> None:
    """Save the language ``user`` reads the product in; the caller commits."""
    if locale not in LANGUAGES:
        raise DomainError(_("This language is not available."), field="locale")
    user.locale = locale


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_("Use at least %(num)s characters.", num=MIN_PASSWORD_LENGTH), field="password")


def user_by_email(email: str) -> User | None:
    """Find the account of ``email``, whatever its case."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None (never saying which part was wrong)."""
    global _DUMMY_HASH
    user = user_by_email(email)
    hasher = _hasher()
    if user is None or user.password_hash is None:
        _DUMMY_HASH = _DUMMY_HASH or hasher.hash("not a password")
        with contextlib.suppress(VerificationError):
            hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not user.is_active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"seatdesk.{purpose}")


def invitable(email: str, user: User | None) -> User:
    """The account an invitation to a role (a reseller's administrator, a vendor operator) goes to: ``user``, the
    account of ``email`` if there is one, as long as it holds no role; else a new, inactive account (flushed)."""
    if user is not None and (user.reseller_id is not None or user.is_operator or db.session.scalar(
            sa.select(CustomerAdmin.id).where(CustomerAdmin.user_id == user.id))):
        # one address, one role; the same words whichever role it has, so an invitation cannot tell whose it is
        raise DomainError(_("This address cannot be invited: it has another role on Seatdesk already. "
                            "Use another address."), field="email")
    if user is None:
        user = User(email=email)
        db.session.add(user)
        db.session.flush()
    return user


def way_in(user: User) -> str:
    """The link an invitation carries: the login page for an active account, else a seven-day activation link."""
    if user.is_active:
        return links.external_url("auth.login")
    return links.external_url("auth.activate", token=make_link_token(user, "activate"))


def make_link_token(user: User, purpose: str) -> str:
    """Sign a token for ``user`` valid for one ``purpose`` ("reset" or "activate") and one use."""
    return _serializer(purpose).dumps({"u": user.id, "p": user.password_digest})


def user_from_token(token: str, purpose: str, max_age: int) -> User | None:
    """Return the user a valid, unexpired, unused token names, else None."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or data.get("p") != user.password_digest:
        return None
    return user


def user_from_expired_token(token: str, purpose: str, max_age: int) -> User | None:
    """The user of a genuine token older than ``max_age`` and never used, so a new link can be offered."""
    data = links.expired_payload(_serializer(purpose), token, max_age)
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    return user if user is not None and data.get("p") == user.password_digest else None


def change_password(user: User, current: str, new: str) -> None:
    """A logged-in person's new password, once the current one is given; the caller commits. Every other session
    of theirs ends with the old password (``User.get_id``), and they are told by e-mail, in case it was not them."""
    from domain import notifications  # notifications looks accounts up through this module

    try:
        _hasher().verify(user.password_hash or "", current)
    except (VerificationError, InvalidHashError):
        raise DomainError(_("This is not your current password."), field="current_password") from None
    check_password_strength(new)
    user.password_hash = hash_password(new)
    audit.record(user, "user.password_changed", user)
    notifications.password_changed(user)
    db.session.flush()


def rename(user: User, name: str) -> None:
    """The name a person goes by on Seatdesk (the top bar, member lists, audit logs); the caller commits."""
    name = name.strip()
    if not name:
        raise DomainError(_("Required."), field="name")
    if name != user.name:
        audit.record(user, "user.renamed", user, before={"name": user.name}, after={"name": name})
        user.name = name
        db.session.flush()


def set_password(user: User, password: str, *, name: str | None = None) -> None:
    """Set a new password (and activate an invited account); the caller commits."""
    check_password_strength(password)
    before = {"activated": user.is_active}
    user.password_hash = hash_password(password)
    if name:
        user.name = name.strip()
    action = "user.password_reset" if user.is_active else "user.activated"
    if not user.is_active:
        from domain.seats import activate_memberships  # seats sends invitations through this module

        user.activated_at = utcnow()
        activate_memberships(user)
    audit.record(user, action, user, before=before, after={"activated": True})
    db.session.flush()
