"""The reseller dashboard: its customers with license use, term, renewal and status."""

from flask import current_app, request
from flask_login import current_user

from blueprints.access import acting_on, current_reseller
from blueprints.console import console_blueprint
from blueprints.htmx import render
from domain.customers import customer_page, reseller_usage
from domain.resellers import usage_notice
from domain.seats import assigned_count

bp = console_blueprint("dashboard", __name__, "/console")


@bp.get("/")
def index():
    """List the reseller's customers; htmx refreshes only the table when searching or paging."""
    search = request.args.get("q", "")[:200]
    customers = customer_page(current_user, search=search, page=request.args.get("page", 1, type=int),
                              size=current_app.config["PAGE_SIZE"])
    customer = acting_on()
    subscription = customer.subscription if customer else None
    usage = reseller_usage(current_reseller())
    return render("dashboard/index.html", "customer_table", customers=customers, search=search,
                  usage=usage, limits=usage_notice(current_reseller(), usage),
                  subscription=subscription,
                  assigned=assigned_count(subscription) if subscription else 0)
