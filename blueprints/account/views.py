"""The reseller's own account in its console: its team of administrators and its audit log."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import db
from blueprints import audit_log
from blueprints.access import acting_on, current_reseller
from blueprints.admins import invitation_resent, no_longer_admin, run_and_report
from blueprints.console import console_blueprint
from blueprints.htmx import render
from blueprints.vendor.forms import InviteAdminForm
from domain import resellers
from domain.errors import DomainError

bp = console_blueprint("account", __name__, "/console/account")


def _team_page(form: InviteAdminForm):
    reseller = current_reseller()
    return render("account/team.html", admins=resellers.administrators(reseller), form=form,
                  usage=resellers.usage_notice(reseller),
                  remove_url=lambda admin: url_for("account.confirm_remove_admin", user_id=admin.user_id),
                  resend_url=lambda admin: url_for("account.resend_admin_invitation", user_id=admin.user_id))


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


def _admin_or_404(user_id: int):
    return resellers.admin_of(current_reseller(), user_id) or abort(404)


@bp.get("/team/<int:user_id>/remove")
def confirm_remove_admin(user_id: int):
    """Ask before taking an administrator's access away."""
    return render("account/confirm_remove_admin.html", admin=_admin_or_404(user_id), layout="console.html",
                  action=url_for("account.remove_admin", user_id=user_id), back=url_for("account.team"))


@bp.post("/team/<int:user_id>/remove")
def remove_admin(user_id: int):
    """Take an administrator's access to this console away, at once (``resellers.remove_admin``)."""
    admin = _admin_or_404(user_id)
    return run_and_report(lambda: resellers.remove_admin(admin, actor=current_user), done=no_longer_admin,
                          back=url_for("account.team"))


@bp.post("/team/<int:user_id>/resend")
def resend_admin_invitation(user_id: int):
    """Send an administrator who has not activated yet a new invitation (the first one lost, or expired)."""
    admin = _admin_or_404(user_id)
    return run_and_report(lambda: resellers.resend_invitation(admin, actor=current_user), done=invitation_resent,
                          back=url_for("account.team"))


def _acting_on_only() -> dict:
    """The customer chosen under Acting On narrows the log to its events, as it narrows Billing to its invoices;
    with none chosen, the log is the reseller's whole account."""
    customer = acting_on()
    return {"customer_id": customer.id} if customer else {}


@bp.get("/audit")
def audit():
    """What happened in this reseller's account and its customers', by whom."""
    return audit_log.page("account.audit", "account.audit_csv", "console.html", show_reseller=False,
                          **_acting_on_only())


@bp.get("/audit.csv")
def audit_csv():
    return audit_log.csv(**_acting_on_only())
