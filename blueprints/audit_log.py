"""The audit log pages of the vendor console, the reseller console and the customer portal: one view."""

from flask import Response, current_app, request, url_for
from flask_login import current_user

from blueprints.htmx import render
from blueprints.params import query_day, query_id
from domain import audit_log


def filters(**fixed) -> audit_log.Filters:
    """The filters of the query string; ``fixed`` ones (a portal's own organization) cannot be changed."""
    args = request.args
    values = {"actor": args.get("actor", "").strip()[:254], "reseller_id": query_id("reseller"),
              "customer_id": query_id("customer"), "action": args.get("action", "").strip()[:60],
              "date_from": query_day("from"), "date_to": query_day("to"), "text": args.get("text", "").strip()[:200]}
    return audit_log.Filters(**{**values, **fixed})


def page(endpoint: str, csv_endpoint: str, layout: str, *, show_reseller: bool, **fixed):
    """The filtered, keyset-paged log as ``current_user`` may see it; htmx refreshes the table."""
    chosen = filters(**fixed)
    before = query_id("before")
    result = audit_log.page(current_user, chosen, before=before, size=current_app.config["PAGE_SIZE"])
    args = {**chosen.query_args(), **{k: v for k, v in request.view_args.items()}}
    for key in fixed:
        args.pop(key.removesuffix("_id"), None)
    return render("audit/log.html", "event_table", layout=layout, result=result, filters=chosen, args=args,
                  endpoint=endpoint, csv_url=url_for(csv_endpoint, **args), changes=audit_log.changes,
                  show_reseller=show_reseller, first_page=before is None, fixed=fixed,
                  about=_about(result, endpoint, args))


def _about(result: audit_log.EventPage, endpoint: str, args: dict) -> dict[tuple[str, int], tuple[str, str]]:
    """The name of each customer and reseller the page's events were about, with the link to their events alone
    (the other filters kept), by ("customer" or "reseller", id): each drawn once however many rows name it."""
    query_args = {"Customer": "customer", "Reseller": "reseller"}
    return {(query_args[kind], id): (label, url_for(endpoint, **{**args, query_args[kind]: id}))
            for (kind, id), label in result.labels.items() if kind in query_args}


def csv(**fixed) -> Response:
    return Response(audit_log.to_csv(current_user, filters(**fixed)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})
