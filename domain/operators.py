"""The vendor's own people: operators invite other operators and take an operator's access away.

The first operator is made on the command line (``flask --app app create-operator``); after that the
console does it. Invitations follow the resellers' rules: one address, one role; a new person gets a
seven-day activation link. An operator removed loses the vendor console at their next request (every
request reads the role again); the account stays, its name in the audit log. Nobody removes
themselves, and there is always one operator left.
"""

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app import db
from domain import accounts, audit, notifications
from domain.errors import DomainError
from domain.models import User, VendorOperator


def operators() -> list[VendorOperator]:
    """Every operator, oldest first, each with its user."""
    return list(db.session.scalars(sa.select(VendorOperator).options(joinedload(VendorOperator.user))
                                   .order_by(VendorOperator.created_at)))


def invite(email: str, *, actor: User) -> User:
    """Make ``email`` a vendor operator; the caller commits."""
    email = accounts.validate_address(email)
    user = accounts.invitable(email, accounts.user_by_email(email))
    db.session.add(VendorOperator(user_id=user.id))
    db.session.flush()
    audit.record(actor, "operator.invited", user, after={"email": email})
    _send_invitation(user)
    return user


def resend_invitation(operator: VendorOperator, *, actor: User) -> User:
    """Send the invitation again, with a new seven-day link, to an operator who has not activated yet."""
    user = operator.user
    if user.is_active:
        raise DomainError(_("%(email)s has activated the account already.", email=user.email))
    audit.record(actor, "operator.invitation_resent", user, after={"email": user.email})
    _send_invitation(user)
    return user


def _send_invitation(user: User) -> None:
    notifications.send(user.email, _l("You are an operator of the vendor console on Seatdesk"),
                       "email/operator_invited.txt", kind="invitation", fallback=str(get_locale()), user=user,
                       link=accounts.way_in(user))


def remove(operator: VendorOperator, *, actor: User) -> User:
    """Take an operator's access to the vendor console away; the caller commits."""
    user = operator.user
    if user.id == actor.id:
        raise DomainError(_("You cannot remove yourself. Another operator can."))
    if db.session.scalar(sa.select(sa.func.count()).select_from(VendorOperator)) <= 1:
        raise DomainError(_("The vendor needs at least one operator: invite another one first."))
    db.session.delete(operator)
    audit.record(actor, "operator.removed", user, before={"email": user.email})
    notifications.send(user.email, _l("You are no longer an operator of the vendor console on Seatdesk"),
                       "email/operator_removed.txt", kind="admin_removed", user=user)
    db.session.flush()
    return user
