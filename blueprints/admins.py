"""A reseller's administrators taken away, shared by the reseller's Team page and the vendor's reseller page."""

from flask import flash, redirect
from flask_babel import gettext as _
from flask_login import current_user

from app import db
from domain import resellers
from domain.errors import DomainError
from domain.models import ResellerUser


def remove_and_report(admin: ResellerUser, *, back: str):
    """Remove ``admin`` and go ``back`` saying so, or saying why not (oneself, or the last administrator)."""
    try:
        user = resellers.remove_admin(admin, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error))
    else:
        db.session.commit()
        flash(_("%(email)s is no longer an administrator.", email=user.email))
    return redirect(back, 303)
