"""Business Information of the customer chosen under Acting On."""

from blueprints.console import console_blueprint
from blueprints.htmx import render

bp = console_blueprint("business", __name__, "/console/business")


@bp.get("/")
def index():
    """Show the acting-on customer's business information as invoices will print it."""
    return render("business/index.html")
