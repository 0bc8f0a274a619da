"""The reseller console: the side-menu blueprints share one gate and one template context."""

from flask import Blueprint, abort, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

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


def acting_on_options(chosen_id: int | None) -> Markup:
    """The Acting On drop-down's options, the chosen customer's selected.

    Each worker keeps every reseller's options as HTML with the ``Reseller.customers_version`` they
    were drawn at (one entry per reseller). The version comes with the reseller on every request, so
    a customer added or renamed through any worker shows at the next request, and an unchanged list
    is neither read nor drawn again; a fragment, which has no top bar, never asks for it.
    """
    reseller = current_reseller()
    cache = current_app.extensions.setdefault("acting_on_options", {})
    version, options = cache.get(reseller.id, (None, Markup()))
    if version != reseller.customers_version:
        option = Markup('<option value="{}">{}</option>')
        options = Markup("\n").join(option.format(id, name) for id, name in acting_on_choices(current_user))
        cache[reseller.id] = (reseller.customers_version, options)
    if chosen_id is None:
        return options
    html = str(options)  # Markup.replace would escape the tags it is given
    return Markup(html.replace(f'<option value="{chosen_id}">', f'<option value="{chosen_id}" selected>', 1))


def _console_context() -> dict:
    if not current_user.is_authenticated or current_user.reseller_id is None:
        return {}  # an error page rendered for someone refused at the gate
    return {"side_menu": SIDE_MENU, "reseller": current_reseller(), "acting_on": acting_on(),
            "acting_on_options": acting_on_options}


def console_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """A blueprint of the reseller console: reseller users only, Acting On applied, menu in context."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    bp.before_request(_reseller_gate)
    bp.context_processor(_console_context)
    return bp
