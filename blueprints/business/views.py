"""Business Information of the customer chosen under Acting On: read and corrected in place."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import db
from blueprints.access import acting_on
from blueprints.console import console_blueprint
from blueprints.forms import BusinessInfoForm
from blueprints.htmx import render, wants_fragment
from domain.customers import update_business_information

bp = console_blueprint("business", __name__, "/console/business")


@bp.get("/")
def index():
    """Show the acting-on customer's business information in an editable form."""
    customer = acting_on()
    return render("business/index.html", form=BusinessInfoForm(obj=customer) if customer else None)


@bp.post("/")
def save():
    """Save corrections (htmx swaps the form in place; without JavaScript, 303 back to the page)."""
    customer = acting_on()
    if customer is None:
        return redirect(url_for("business.index"), 303)
    form = BusinessInfoForm()
    saved = None
    if form.validate_on_submit():
        changes = update_business_information(customer, form.business_info(), actor=current_user)
        db.session.commit()
        saved = _("Saved. Future invoices use this information; issued invoices keep theirs.") if changes \
            else _("Nothing changed.")
        if not wants_fragment():
            flash(saved)
            return redirect(url_for("business.index"), 303)
    return render("business/index.html", "business_form", form=form, saved=saved)
