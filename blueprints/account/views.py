"""The reseller's own account in its console: its team of administrators and its audit log."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import db
from blueprints import audit_log
from blueprints.access import current_reseller
from blueprints.console import console_blueprint
from blueprints.htmx import render
from blueprints.vendor.forms import InviteAdminForm
from domain import resellers
from domain.errors import DomainError

bp = console_blueprint("account", __name__, "/console/account")


def _team_page(form: InviteAdminForm):
    reseller = current_reseller()
    return render("account/team.html", admins=resellers.administrators(reseller), form=form,
                  usage=resellers.usage_notice(reseller))


@bp.get("/team")
def team():
    """The reseller's administrators, and an invitation for another."""
    return _team_page(InviteAdminForm(formdata=None))


@bp.post("/team")
def invite():
    """Invite another administrator of this reseller (the same activation link as members get)."""
    form = InviteAdminForm()
    if form.validate_on_submit():
        try:
            resellers.invite_admin(current_reseller(), form.email.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(email)s is invited: an activation link is on its way.", email=form.email.data))
            return redirect(url_for("account.team"), 303)
    return _team_page(form)


@bp.get("/audit")
def audit():
    """What happened in this reseller's account and its customers', by whom."""
    return audit_log.page("account.audit", "account.audit_csv", "console.html", show_reseller=False)


@bp.get("/audit.csv")
def audit_csv():
    return audit_log.csv()
