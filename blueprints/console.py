"""The reseller console: the side-menu blueprints share one gate and one template context."""

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import login_manager
from blueprints.access import acting_on, apply_acting_on_choice, current_reseller
from domain.customers import acting_on_choices

SIDE_MENU = [
    ("create.index", _l("Create")),
    ("manage.index", _l("Manage")),
    ("licenses.index", _l("Purchase License")),
    ("business.index", _l("Business Information")),
    ("billing.index", _l("Billing")),
    ("account.team", _l("Team")),
    ("account.audit", _l("Audit log")),
]


def _reseller_gate():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.reseller_id is None:
        abort(404)
    apply_acting_on_choice()
    return None


def _console_context() -> dict:
    if not current_user.is_authenticated or current_user.reseller_id is None:
        return {}  # an error page rendered for someone refused at the gate
    # The drop-down's customers are read only if the template draws the top bar (not for fragments).
    return {"side_menu": SIDE_MENU, "reseller": current_reseller(), "acting_on": acting_on(),
            "acting_on_choices": lambda: acting_on_choices(current_user)}


def console_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """A blueprint of the reseller console: reseller users only, Acting On applied, menu in context."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    bp.before_request(_reseller_gate)
    bp.context_processor(_console_context)
    return bp
