"""Taking someone's role away (a reseller's administrator, a vendor operator), shared by the reseller's Team page
and the vendor's reseller and operator pages."""

from collections.abc import Callable

from flask import flash, redirect
from flask_babel import gettext as _

from app import db
from domain.errors import DomainError
from domain.models import User


def remove_and_report(remove: Callable[[], User], *, done: Callable[[str], str], back: str):
    """Run ``remove`` and go ``back`` saying whose role it took (``done`` of their address), or why not (oneself,
    the last one)."""
    try:
        user = remove()
    except DomainError as error:
        db.session.rollback()
        flash(str(error))
    else:
        db.session.commit()
        flash(done(user.email))
    return redirect(back, 303)


def no_longer_admin(email: str) -> str:
    return _("%(email)s is no longer an administrator.", email=email)
