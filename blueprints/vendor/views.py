"""The vendor console: resellers (limits, discount, administrators, suspension) and the seller settings."""

from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import db
from blueprints import audit_log
from blueprints.access import operator_required
from blueprints.admins import invitation_resent, no_longer_admin, run_and_report
from blueprints.forms import show_error
from blueprints.htmx import render
from domain import audit, operators, resellers, seller, spreadsheets
from domain import outbox as outbox_queue
from domain.clock import today
from domain.customers import reseller_usage
from domain.errors import DomainError
from domain.models import OutboxMessage, OutboxStatus, Reseller, ResellerStatus, SellerSettings, VendorOperator
from domain.money import to_decimal, to_minor
from domain.pages import paginate

from .forms import InviteAdminForm, NewResellerForm, ResellerForm, SellerForm

bp = Blueprint("vendor", __name__, url_prefix="/vendor")


@bp.get("/")
@operator_required
def home():
    """The resellers with their use against their limits, revenue this year and open amount; search and sort."""
    search, sort = _reseller_filters()
    filters = {name: value for name, value in {"q": search, "sort": "" if sort == "name" else sort}.items() if value}
    return render("vendor/home.html", "reseller_table", rows=resellers.rows(search=search, sort=sort, on=today()),
                  search=search, sort=sort, currency=_currency(), filters=filters)


@bp.get("/resellers.csv")
@operator_required
def resellers_csv():
    """The resellers of the list, searched and sorted as it is, as a CSV file: limits empty where unlimited,
    amounts in major units of the seller's currency."""
    search, sort = _reseller_filters()
    currency = _currency()
    rows = ([row.reseller.name, row.reseller.country, row.reseller.vat_number or "", row.reseller.contact_email,
             Decimal(row.reseller.discount_bp).scaleb(-2), row.customers, _limit(row.reseller.allowed_organizations),
             row.members, _limit(row.reseller.allowed_users), to_decimal(row.revenue_minor, currency),
             to_decimal(row.open_minor, currency), to_decimal(row.overdue_minor, currency), currency,
             str(row.reseller.status)]
            for row in resellers.rows(search=search, sort=sort, on=today()))
    header = ["reseller", "country", "VAT number", "contact e-mail", "discount (%)", "customers",
              "allowed organizations", "members", "allowed users", "revenue this year", "open", "overdue", "currency",
              "status"]
    return Response(spreadsheets.to_csv(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="resellers.csv"'})


def _reseller_filters() -> tuple[str, str]:
    return request.args.get("q", "").strip()[:100], request.args.get("sort", "name")


def _currency() -> str:
    return db.session.scalar(sa.select(SellerSettings.currency).limit(1)) or "EUR"


def _limit(value: int | None):
    return "" if value is None else value


def _fail(form, error: DomainError) -> None:
    db.session.rollback()
    show_error(form, error)


@bp.route("/resellers/new", methods=["GET", "POST"])
@operator_required
def new_reseller():
    """Create a reseller with its discount and limits, and invite its first administrator."""

    form = NewResellerForm()
    if form.validate_on_submit():
        try:
            reseller = resellers.create(form.terms(), first_admin_email=form.first_admin.data, actor=current_user)
        except DomainError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("%(reseller)s created; %(email)s has been sent an invitation.", reseller=reseller.name,
                    email=form.first_admin.data))
            return redirect(url_for("vendor.reseller", reseller_id=reseller.id), 303)
    return render("vendor/reseller_new.html", form=form)


def _reseller_page(reseller: Reseller, form=None, invite_form=None):
    form, usage = form or ResellerForm.of(reseller), reseller_usage(reseller)
    form.show_usage(usage)
    return render("vendor/reseller.html", reseller=reseller, form=form,
                  invite_form=invite_form or InviteAdminForm(formdata=None), admins=resellers.administrators(reseller),
                  notices=resellers.usage_notice(reseller, usage),
                  remove_url=lambda admin: url_for("vendor.confirm_remove_reseller_admin", reseller_id=reseller.id,
                                                   user_id=admin.user_id),
                  resend_url=lambda admin: url_for("vendor.resend_reseller_admin_invitation", reseller_id=reseller.id,
                                                   user_id=admin.user_id))


@bp.route("/resellers/<int:reseller_id>", methods=["GET", "POST"])
@operator_required
def reseller(reseller_id: int):
    """A reseller's details, discount and limits; its administrators; suspension."""

    reseller = db.get_or_404(Reseller, reseller_id)
    if request.method == "GET":
        return _reseller_page(reseller)
    form = ResellerForm()
    if form.validate_on_submit():
        try:
            changed = resellers.update(reseller, form.terms(), actor=current_user)
        except DomainError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("%(reseller)s saved.", reseller=reseller.name) if changed else _("Nothing changed."))
            return redirect(url_for("vendor.reseller", reseller_id=reseller.id), 303)
    return _reseller_page(reseller, form=form)


@bp.post("/resellers/<int:reseller_id>/admins")
@operator_required
def invite_reseller_admin(reseller_id: int):
    """Invite another administrator of the reseller."""

    reseller = db.get_or_404(Reseller, reseller_id)
    form = InviteAdminForm()
    if form.validate_on_submit():
        try:
            resellers.invite_admin(reseller, form.email.data, actor=current_user)
        except DomainError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("%(email)s is invited to administer %(reseller)s.", email=form.email.data, reseller=reseller.name))
            return redirect(url_for("vendor.reseller", reseller_id=reseller.id), 303)
    return _reseller_page(reseller, invite_form=form)


def _reseller_admin(reseller_id: int, user_id: int):
    return resellers.admin_of(db.get_or_404(Reseller, reseller_id), user_id) or abort(404)


@bp.get("/resellers/<int:reseller_id>/admins/<int:user_id>/remove")
@operator_required
def confirm_remove_reseller_admin(reseller_id: int, user_id: int):
    """Ask before taking a reseller administrator's access away."""
    return render("account/confirm_remove_admin.html", admin=_reseller_admin(reseller_id, user_id),
                  layout="vendor/layout.html",
                  action=url_for("vendor.remove_reseller_admin", reseller_id=reseller_id, user_id=user_id),
                  back=url_for("vendor.reseller", reseller_id=reseller_id))


@bp.post("/resellers/<int:reseller_id>/admins/<int:user_id>/remove")
@operator_required
def remove_reseller_admin(reseller_id: int, user_id: int):
    """Take a reseller administrator's access away (one who left the reseller, say)."""
    admin = _reseller_admin(reseller_id, user_id)
    return run_and_report(lambda: resellers.remove_admin(admin, actor=current_user), done=no_longer_admin,
                          back=url_for("vendor.reseller", reseller_id=reseller_id))


@bp.post("/resellers/<int:reseller_id>/admins/<int:user_id>/resend")
@operator_required
def resend_reseller_admin_invitation(reseller_id: int, user_id: int):
    """Send a reseller's administrator who has not activated yet a new invitation."""
    admin = _reseller_admin(reseller_id, user_id)
    return run_and_report(lambda: resellers.resend_invitation(admin, actor=current_user), done=invitation_resent,
                          back=url_for("vendor.reseller", reseller_id=reseller_id))


@bp.post("/resellers/<int:reseller_id>/status")
@operator_required
def reseller_status(reseller_id: int):
    """Suspend a reseller (its users keep reading, change nothing) or reactivate it."""
    reseller = db.get_or_404(Reseller, reseller_id)
    wanted = request.form.get("status", "")
    if wanted not in {s.value for s in ResellerStatus}:
        abort(400)
    resellers.set_status(reseller, ResellerStatus(wanted), actor=current_user)
    db.session.commit()
    flash(_("%(reseller)s is suspended. Its users can read but not change anything.", reseller=reseller.name)
          if wanted == ResellerStatus.SUSPENDED else _("%(reseller)s is active.", reseller=reseller.name))
    return redirect(url_for("vendor.reseller", reseller_id=reseller.id), 303)


@bp.route("/settings", methods=["GET", "POST"])
@operator_required
def settings():
    """The price list and seller details: what every future order and invoice uses."""

    current = db.session.scalar(sa.select(SellerSettings).order_by(SellerSettings.id).limit(1))
    if request.method == "GET":
        form = SellerForm(formdata=None, obj=current)
        if current is not None:
            form.list_price.data = to_decimal(current.list_price_minor, current.currency)
        return render("vendor/settings.html", form=form, current=current)
    form = SellerForm()
    if form.validate_on_submit():
        values = {key: getattr(form, key).data for key in seller.SETTINGS_FIELDS if hasattr(form, key)}
        values["list_price_minor"] = to_minor(form.list_price.data, form.currency.data)
        values["invoice_footer"] = (values.get("invoice_footer") or "").strip()
        logo = form.logo.data.read() if form.logo.data else None
        try:
            changed = seller.update(values, logo=logo, actor=current_user)
        except DomainError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("Saved: future orders and invoices use these settings; issued invoices keep theirs.")
                  if changed else _("Nothing changed."))
            return redirect(url_for("vendor.settings"), 303)
    return render("vendor/settings.html", form=form, current=current)


@bp.get("/audit")
@operator_required
def events():
    """Every event of the product, filtered; before and after side by side."""
    return audit_log.page("vendor.events", "vendor.events_csv", "vendor/layout.html", show_reseller=True)


@bp.get("/audit.csv")
@operator_required
def events_csv():
    return audit_log.csv()


@bp.get("/outbox")
@operator_required
def outbox():
    """The e-mails the product wrote: queued, sent or failed (with the error). Without SMTP, read them here."""
    status = request.args.get("status", "")
    query = sa.select(OutboxMessage)
    if status in {s.value for s in OutboxStatus}:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    to = request.args.get("to", "").strip()[:254]
    if to:
        query = query.where(OutboxMessage.to_address.ilike(f"%{to}%"))
    messages = paginate(query, page=request.args.get("page", 1, type=int), size=current_app.config["PAGE_SIZE"],
                        order_by=(OutboxMessage.id.desc(),))
    return render("vendor/outbox.html", "outbox_table", messages=messages, status=status, to=to,
                  smtp=bool(current_app.config["MAIL_SERVER"]), args={k: v for k, v in {"status": status,
                                                                                          "to": to}.items() if v})


@bp.get("/outbox/<int:message_id>")
@operator_required
def outbox_message(message_id: int):
    """One e-mail as it was (or will be) sent, its links clickable."""
    return render("vendor/outbox_message.html", message=db.get_or_404(OutboxMessage, message_id))


@bp.post("/outbox/<int:message_id>/retry")
@operator_required
def retry_message(message_id: int):
    """Queue a failed e-mail again, due now."""
    message = db.get_or_404(OutboxMessage, message_id)
    if message.status != OutboxStatus.FAILED:
        flash(_("Only a failed message can be retried."), "error")
    else:
        outbox_queue.retry(message)
        audit.record(current_user, "outbox.retried", message, after={"to": message.to_address})
        db.session.commit()
        flash(_("The message to %(address)s is queued again.", address=message.to_address))
    return redirect(url_for("vendor.outbox_message", message_id=message.id), 303)


def _operators_page(form: InviteAdminForm):
    return render("vendor/operators.html", operators=operators.operators(), form=form,
                  remove_url=lambda op: url_for("vendor.confirm_remove_operator", user_id=op.user_id),
                  resend_url=lambda op: url_for("vendor.resend_operator_invitation", user_id=op.user_id))


@bp.get("/operators")
@operator_required
def operators_page():
    """The vendor's operators, and an invitation for another."""
    return _operators_page(InviteAdminForm(formdata=None))


@bp.post("/operators")
@operator_required
def invite_operator():
    """Invite another operator (an activation link for a new person)."""
    form = InviteAdminForm()
    if form.validate_on_submit():
        try:
            operators.invite(form.email.data, actor=current_user)
        except DomainError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("%(email)s is invited: an activation link is on its way.", email=form.email.data))
            return redirect(url_for("vendor.operators_page"), 303)
    return _operators_page(form)


def _operator(user_id: int) -> VendorOperator:
    return db.get_or_404(VendorOperator, user_id)


@bp.get("/operators/<int:user_id>/remove")
@operator_required
def confirm_remove_operator(user_id: int):
    """Ask before taking an operator's access away."""
    return render("account/confirm_remove_admin.html", admin=_operator(user_id), layout="vendor/layout.html",
                  action=url_for("vendor.remove_operator", user_id=user_id), back=url_for("vendor.operators_page"))


@bp.post("/operators/<int:user_id>/remove")
@operator_required
def remove_operator(user_id: int):
    """Take an operator's access to the vendor console away (one who left the vendor, say)."""
    operator = _operator(user_id)
    return run_and_report(lambda: operators.remove(operator, actor=current_user),
                          done=lambda email: _("%(email)s is no longer an operator.", email=email),
                          back=url_for("vendor.operators_page"))


@bp.post("/operators/<int:user_id>/resend")
@operator_required
def resend_operator_invitation(user_id: int):
    """Send an operator who has not activated yet a new invitation."""
    operator = _operator(user_id)
    return run_and_report(lambda: operators.resend_invitation(operator, actor=current_user), done=invitation_resent,
                          back=url_for("vendor.operators_page"))
