"""Member management shared by the reseller's Manage page and the customer portal: one form, one set of
views' building blocks, the same domain rules (domain/seats.py) whoever acts."""

from dataclasses import dataclass

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Length

from app import db
from blueprints.forms import RenewalForm
from blueprints.htmx import render, wants_fragment
from domain import dunning, renewals, seats
from domain.errors import DomainError
from domain.models import Customer, Member, RenewalMode


class AddMembersForm(FlaskForm):
    emails = TextAreaField(_l("E-mail addresses"), validators=[Length(max=200_000)],
                           description=_l("One per line, or separated by commas."))
    csv_file = FileField(_l("Or a CSV file"),
                         description=_l("A column named “email”, or the addresses in the first column."))


@dataclass(frozen=True)
class MemberUrls:
    """Where the member controls post to: the Manage page's routes or the portal's."""

    prefix: str  # "manage" or "portal"
    customer_id: int

    def _url(self, name: str, **values) -> str:
        if self.prefix == "portal":
            values["customer_id"] = self.customer_id
        return url_for(f"{self.prefix}.{name}", **values)

    @property
    def page_endpoint(self) -> str:
        return "portal.members_page" if self.prefix == "portal" else "manage.index"

    @property
    def page_args(self) -> dict:
        return {"customer_id": self.customer_id} if self.prefix == "portal" else {}

    def page(self, **values) -> str:
        return url_for(self.page_endpoint, **self.page_args, **values)

    def add(self) -> str:
        return self._url("add_members")

    def remove(self, member: Member) -> str:
        return self._url("remove_member", member_id=member.id)

    def confirm_remove(self, member: Member) -> str:
        return self._url("confirm_remove_member", member_id=member.id)

    def resend(self, member: Member) -> str:
        return self._url("resend_invitation", member_id=member.id)

    def promote(self, member: Member) -> str | None:
        return self._url("confirm_promote_member", member_id=member.id) if self.prefix == "manage" else None


def page_context(customer: Customer, urls: MemberUrls, *, search: str = "", page: int = 1, size: int = 25) -> dict:
    """Everything the members blocks show for ``customer``."""
    subscription = customer.subscription
    if subscription is None:
        return {"subscription": None, "urls": urls}
    assigned = seats.assigned_count(subscription)
    plan = renewals.plan(subscription)
    administrators = seats.administrators(customer)
    admin_ids = {admin.user_id for admin in administrators}
    return {"subscription": subscription, "assigned": assigned, "urls": urls,
            "members": seats.member_page(subscription, search=search, page=page, size=size,
                                         total=None if search else assigned), "search": search,
            "admin_ids": admin_ids, "administrators": administrators,
            "unnamed_ids": seats.invited_user_ids(subscription, admin_ids),
            "renewal": plan, "renewal_form": saved_renewal(plan), "to_pay": dunning.what_to_pay(subscription),
            "adding_closed": seats.adding_closed(subscription)}


def saved_renewal(plan: renewals.RenewalPlan | None) -> RenewalForm:
    """The renewal form showing the subscription's current setting."""
    form = RenewalForm(formdata=None)
    if plan is not None:
        form.mode.data = plan.mode.value
        form.renewal_licenses.data = plan.licenses if plan.mode == RenewalMode.NUMBER else None
    return form


def add(customer: Customer, template: str, urls: MemberUrls):
    """Add the pasted and uploaded addresses; htmx gets the form, the seat counter and the table together."""
    form = AddMembersForm()
    batch, error = None, None
    if form.validate_on_submit():
        raws = seats.split_addresses(form.emails.data)
        try:
            if form.csv_file.data:
                raws += seats.read_csv(form.csv_file.data.read())
            batch = seats.add_members(customer, raws, actor=current_user)
        except DomainError as failure:
            db.session.rollback()
            if failure.field in form:  # said next to the field it is about
                form[failure.field].errors = [*form[failure.field].errors, str(failure)]
            else:
                error = str(failure)
        else:
            if batch.added:
                db.session.commit()
            else:
                db.session.rollback()
    if batch and batch.added and not wants_fragment():
        flash(ngettext("%(num)s member added.", "%(num)s members added.", len(batch.added)))
        return redirect(urls.page(), 303)
    context = page_context(customer, urls)
    fresh = AddMembersForm(formdata=None) if batch and batch.added else form
    return render(template, "member_form", "seat_figures", "member_table", form=fresh, batch=batch, error=error,
                  oob={"seat_figures", "member_table"}, trigger="members-changed" if batch and batch.added else None,
                  customer=customer, **context)


def remove(member: Member, template: str, urls: MemberUrls):
    """Remove a member: its license becomes unused."""
    try:
        seats.remove_member(member, actor=current_user)
    except DomainError as error:
        flash(str(error))
    else:
        db.session.commit()
        flash(_("%(email)s removed. The license is unused: keep it or give it to someone else.", email=member.email))
    if not wants_fragment():
        return redirect(urls.page(), 303)
    customer = member.subscription.customer
    return render(template, "member_table", "seat_figures", oob={"seat_figures"}, form=AddMembersForm(formdata=None),
                  customer=customer, **page_context(customer, urls, search=request.args.get("q", "")))


def resend(member: Member, urls: MemberUrls):
    """Send a new invitation e-mail to a member who has not activated yet."""
    try:
        seats.resend_invitation(member, actor=current_user)
    except DomainError as error:
        flash(str(error))
    else:
        db.session.commit()
        flash(_("A new invitation has been sent to %(email)s.", email=member.email))
    return redirect(urls.page(), 303)
