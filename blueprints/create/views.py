"""Create: where a reseller starts a new customer; shows the Allowed Organizations limit first (R11)."""

from blueprints.access import current_reseller
from blueprints.console import console_blueprint
from blueprints.htmx import render
from domain.customers import reseller_usage

bp = console_blueprint("create", __name__, "/console/create")


@bp.get("/")
def index():
    """Show the creation page with the reseller's use of its Allowed Organizations."""
    usage = reseller_usage(current_reseller())
    limit = usage["allowed_organizations"]
    return render("create/index.html", usage=usage, at_limit=limit is not None and usage["organizations"] >= limit)
