"""Manage: the licenses, members and administrators of the customer chosen under Acting On."""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import db
from blueprints import members
from blueprints.access import acting_on, customer_admin_or_404, member_or_404
from blueprints.console import console_blueprint
from blueprints.forms import RenewalForm
from blueprints.htmx import render, wants_fragment
from domain import renewals, seats
from domain.errors import DomainError
from domain.models import RenewalMode

bp = console_blueprint("manage", __name__, "/console/manage")
TEMPLATE = "manage/index.html"


def _customer():
    customer = acting_on()
    if customer is None or customer.subscription is None:
        abort(404)
    return customer


def _urls(customer) -> members.MemberUrls:
    return members.MemberUrls("manage", customer.id)


@bp.get("/")
def index():
    """Show license counts, the renewal, the add form, administrators and members of the acting-on customer."""
    customer = acting_on()
    if customer is None:
        return render(TEMPLATE, "member_table", subscription=None)
    return render(TEMPLATE, "member_table", **_page(customer, search=request.args.get("q", "")[:200],
                                                    page=request.args.get("page", 1, type=int)))


def _page(customer, renewal_form: RenewalForm | None = None, **query) -> dict:
    context = members.page_context(customer, _urls(customer), size=current_app.config["PAGE_SIZE"], **query)
    if renewal_form is not None:
        context["renewal_form"] = renewal_form
    return {**context, "form": members.AddMembersForm(formdata=None), "oob": set()}


@bp.post("/renewal")
def change_renewal():
    """Choose how the acting-on customer's subscription renews; htmx swaps the renewal card."""
    customer = _customer()
    subscription = customer.subscription
    form = RenewalForm()
    if form.validate_on_submit():
        try:
            renewals.change_settings(subscription, RenewalMode(form.mode.data), form.renewal_licenses.data,
                                     actor=current_user)
        except DomainError as error:
            db.session.rollback()
            (form.renewal_licenses if error.field else form.mode).errors.append(str(error))
        else:
            db.session.commit()
            if not wants_fragment():
                flash(_("Renewal setting saved."))
                return redirect(url_for("manage.index"), 303)
            plan = renewals.plan(subscription)
            return render(TEMPLATE, "renewal", subscription=subscription, renewal=plan,
                          renewal_form=members.saved_renewal(plan), saved=True)
    if wants_fragment():
        return render(TEMPLATE, "renewal", subscription=subscription, renewal=renewals.plan(subscription),
                      renewal_form=form)
    return render(TEMPLATE, **_page(customer, form))


@bp.post("/members")
def add_members():
    """Give unused licenses to the pasted or uploaded addresses (all or none)."""
    customer = _customer()
    return members.add(customer, TEMPLATE, _urls(customer))


def _own_member(member_id: int):
    """A member of the acting-on customer (another customer's, even the reseller's own, is not found here)."""
    member = member_or_404(member_id)
    customer = _customer()
    if member.subscription.customer_id != customer.id:
        abort(404)
    return member, customer


@bp.get("/members/<int:member_id>/remove")
def confirm_remove_member(member_id: int):
    """Ask before removing (the page used without JavaScript; htmx asks with a dialog)."""
    member, _ = _own_member(member_id)
    return render("manage/confirm_remove.html", member=member, urls=_urls(member.subscription.customer),
                  layout="console.html")


@bp.post("/members/<int:member_id>/remove")
def remove_member(member_id: int):
    """Remove a member; the license becomes unused, nothing is refunded."""
    member, customer = _own_member(member_id)
    return members.remove(member, TEMPLATE, _urls(customer))


@bp.post("/members/<int:member_id>/resend")
def resend_invitation(member_id: int):
    """Send the invitation again."""
    member, customer = _own_member(member_id)
    return members.resend(member, _urls(customer))


@bp.get("/members/<int:member_id>/promote")
def confirm_promote_member(member_id: int):
    """Warn what making this member administrator costs before anything is changed (R3)."""
    member, customer = _own_member(member_id)
    return render("manage/promote.html", member=member, stake=seats.discount_at_stake(customer))


@bp.post("/members/<int:member_id>/promote")
def promote_member(member_id: int):
    """Make the member an administrator of its customer."""
    member, customer = _own_member(member_id)
    try:
        seats.promote(member, actor=current_user)
    except DomainError as error:
        flash(str(error))
    else:
        db.session.commit()
        flash(_("%(email)s is now an administrator of %(customer)s. Purchases for %(customer)s are at list price "
                "from now on.", email=member.email, customer=customer.name))
    return redirect(url_for("manage.index"), 303)


@bp.post("/administrators/<int:admin_id>/revoke")
def revoke_admin(admin_id: int):
    """Take a customer user's administration back; with none left the reseller discount applies again."""
    admin = customer_admin_or_404(admin_id)
    if admin.customer_id != _customer().id:
        abort(404)
    email = admin.user.email
    try:
        restored = seats.revoke(admin, actor=current_user)
    except DomainError as error:
        flash(str(error))
    else:
        db.session.commit()
        flash(_("%(email)s is no longer an administrator. Your reseller discount applies again to future purchases.",
                email=email) if restored else _("%(email)s is no longer an administrator.", email=email))
    return redirect(url_for("manage.index"), 303)
