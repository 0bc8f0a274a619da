"""Manage: the licenses and members of the customer chosen under Acting On."""

from flask import current_app, request

from blueprints.access import acting_on
from blueprints.console import console_blueprint
from blueprints.htmx import render
from domain.customers import assigned_count
from domain.seats import member_page

bp = console_blueprint("manage", __name__, "/console/manage")


@bp.get("/")
def index():
    """Show the license counts and the members of the acting-on customer."""
    customer = acting_on()
    subscription = customer.subscription if customer else None
    members = assigned = None
    search = request.args.get("q", "")[:200]
    if subscription is not None:
        members = member_page(subscription, search=search, page=request.args.get("page", 1, type=int),
                              size=current_app.config["PAGE_SIZE"])
        assigned = assigned_count(subscription)
    return render("manage/index.html", "member_table", subscription=subscription, members=members,
                  assigned=assigned, search=search)
