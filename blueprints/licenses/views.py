"""Purchase License: the acting-on customer's licenses and period."""

from blueprints.access import acting_on
from blueprints.console import console_blueprint
from blueprints.htmx import render
from domain.seats import assigned_count

bp = console_blueprint("licenses", __name__, "/console/licenses")


@bp.get("/")
def index():
    """Show how many licenses the acting-on customer has and how many are in use."""
    customer = acting_on()
    subscription = customer.subscription if customer else None
    return render("licenses/index.html", subscription=subscription,
                  assigned=assigned_count(subscription) if subscription else 0)
