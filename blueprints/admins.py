"""A reseller's administrators and the vendor's operators: an invitation sent again, a role taken away, shared by
the reseller's Team page and the vendor's reseller and operator pages."""

from collections.abc import Callable

from flask import flash, redirect
from flask_babel import gettext as _

from app import db
from domain.errors import DomainError
from domain.models import User


def run_and_report(change: Callable[[], User], *, done: Callable[[str], str], back: str):
    """Run ``change`` and go ``back`` saying what it did (``done`` of the person's address), or why not (oneself,
    the last one, an account already active)."""
    try:
        user = change()
    except DomainError as error:
        db.session.rollback()
        flash(str(error))
    else:
        db.session.commit()
        flash(done(user.email))
    return redirect(back, 303)


def no_longer_admin(email: str) -> str:
    return _("%(email)s is no longer an administrator.", email=email)


def invitation_resent(email: str) -> str:
    return _("A new invitation has been sent to %(email)s. Its link is valid for seven days.", email=email)
