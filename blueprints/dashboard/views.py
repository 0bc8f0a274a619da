"""The reseller dashboard: its customers with license use, term, renewal and status."""

from flask import Response, current_app, request
from flask_login import current_user

from blueprints.access import acting_on, current_reseller
from blueprints.console import console_blueprint
from blueprints.htmx import render
from domain import spreadsheets
from domain.customers import EXPORT_HEADER, SORTS, STATUSES, customer_export, customer_page, reseller_usage
from domain.resellers import usage_notice
from domain.seats import assigned_count

bp = console_blueprint("dashboard", __name__, "/console")


def _filters() -> tuple[str, str, str]:
    """The list's search, status (or "" for all) and order, as the filters form or a link asked them."""
    search, status, sort = request.args.get("q", "")[:200], request.args.get("status", ""), request.args.get("sort")
    return search, status if status in STATUSES else "", sort if sort in SORTS else "name"


@bp.get("/")
def index():
    """List the reseller's customers, searched, kept to a status, by name or renewal date; htmx refreshes only
    the table when filtering or paging."""
    search, status, sort = _filters()
    customers = customer_page(current_user, search=search, status=status, sort=sort,
                              page=request.args.get("page", 1, type=int), size=current_app.config["PAGE_SIZE"])
    customer = acting_on()
    subscription = customer.subscription if customer else None
    usage = reseller_usage(current_reseller())
    asked = {"q": search, "status": status, "sort": "" if sort == "name" else sort}
    filters = {name: value for name, value in asked.items() if value}  # kept by the pager's links
    return render("dashboard/index.html", "customer_table", customers=customers, search=search, status=status,
                  sort=sort, filters=filters, statuses=STATUSES,
                  usage=usage, limits=usage_notice(current_reseller(), usage),
                  subscription=subscription,
                  assigned=assigned_count(subscription) if subscription else 0)


@bp.get("/customers.csv")
def customers_csv():
    """Every customer the list keeps with its filters (not only the page shown), as a CSV file: contacts, VAT
    number, licenses and members, term, payment, renewal date (ISO 8601) and status."""
    search, status, sort = _filters()
    rows = customer_export(current_user, search=search, status=status, sort=sort)
    return Response(spreadsheets.to_csv(EXPORT_HEADER, rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="customers.csv"'})
