"""Reading the audit log (R12): who sees which events, filters, keyset pages, CSV.

- the vendor's operators see every event;
- a reseller's administrators see their reseller's (``reseller_id``);
- a customer administrator sees its organizations' (``customer_id``).

Pages are keyset pages, newest first: a page is the ``size`` events with an id below the cursor,
found through the (reseller_id, id), (customer_id, id), (actor_id, id) and (action, id) indexes,
so page 5,000 costs what page 1 costs. Events are only ever inserted; nothing here changes them.
"""

import json
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app import db
from domain import spreadsheets
from domain.models import AuditEvent, CreditNote, Customer, CustomerAdmin, Invoice, Member, Reseller, User
from domain.money import format_money
from domain.pages import on_days


@dataclass(frozen=True)
class Filters:
    actor: str = ""  # part of the actor's e-mail, or "system"
    reseller_id: int | None = None
    customer_id: int | None = None
    action: str = ""  # an action or its start: "member." lists every member event
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""  # anywhere in the before or after values

    def query_args(self) -> dict:
        values = {"actor": self.actor, "reseller": self.reseller_id, "customer": self.customer_id,
                  "action": self.action, "from": self.date_from, "to": self.date_to, "text": self.text}
        return {k: v for k, v in values.items() if v not in (None, "")}


def visible(user: User) -> sa.Select:
    query = sa.select(AuditEvent)
    if user.is_operator:
        return query
    if user.reseller_id is not None:
        return query.where(AuditEvent.reseller_id == user.reseller_id)
    administered = sa.select(CustomerAdmin.customer_id).where(CustomerAdmin.user_id == user.id)
    return query.where(AuditEvent.customer_id.in_(administered))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _filtered(user: User, filters: Filters) -> sa.Select:
    query = visible(user)
    if filters.actor:
        query = query.where(AuditEvent.actor_label.ilike(_like(filters.actor), escape="\\"))
    if filters.reseller_id:
        query = query.where(AuditEvent.reseller_id == filters.reseller_id)
    if filters.customer_id:
        query = query.where(AuditEvent.customer_id == filters.customer_id)
    if filters.action:
        query = query.where(AuditEvent.action.startswith(filters.action, autoescape=True))
    query = on_days(query, AuditEvent.created_at, filters.date_from, filters.date_to)
    if filters.text:
        details = sa.func.coalesce(sa.cast(AuditEvent.before, sa.Text), "") + " " + \
            sa.func.coalesce(sa.cast(AuditEvent.after, sa.Text), "")
        query = query.where(details.ilike(_like(filters.text), escape="\\"))
    return query


@dataclass(frozen=True)
class EventPage:
    events: list[AuditEvent]
    next_before: int | None  # the cursor of the next (older) page, None on the last one
    # what a person reads for the rows the page names, by (type, id): the customers, the resellers (for the vendor
    # only), and the subjects with a name of their own (an invoice's number, a member's address)
    labels: dict[tuple[str, int], str] = field(default_factory=dict)

    def subject(self, event: AuditEvent) -> str:
        """What ``event`` is about by its label where it has one, else by its id."""
        id = event.subject_id or ""
        return self.labels.get((event.subject_type, int(id)), id) if id.isdigit() else id


# the column that names each kind of row an event can be about
LABELS = {"Customer": Customer.name, "Reseller": Reseller.name, "Invoice": Invoice.number,
          "CreditNote": CreditNote.number, "Member": Member.email, "User": User.email}


def page(user: User, filters: Filters, *, before: int | None = None, size: int = 50) -> EventPage:
    """``size`` events older than the event ``before`` (the newest without it), with the labels of the rows they
    name, in one more statement for the whole page."""
    query = _filtered(user, filters)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    events = db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(size + 1)).all()
    has_more = len(events) > size
    events = events[:size]
    return EventPage(events, events[-1].id if has_more else None, _labels(events, with_resellers=user.is_operator))


def _labels(events: list[AuditEvent], *, with_resellers: bool) -> dict[tuple[str, int], str]:
    """The labels of what ``events`` name (an event names only what its reader may see), in one statement."""
    wanted: dict[str, set[int]] = {kind: set() for kind in LABELS}
    for event in events:
        if event.customer_id:
            wanted["Customer"].add(event.customer_id)
        if with_resellers and event.reseller_id:
            wanted["Reseller"].add(event.reseller_id)
        if event.subject_type in LABELS and (event.subject_id or "").isdigit():
            wanted[event.subject_type].add(int(event.subject_id))
    parts = []
    for kind, ids in wanted.items():
        if ids:
            model = LABELS[kind].class_
            parts.append(sa.select(sa.literal(kind).label("kind"), model.id, LABELS[kind].label("label"))
                         .where(model.id.in_(ids)))
    if not parts:
        return {}
    rows = db.session.execute(sa.union_all(*parts) if len(parts) > 1 else parts[0])
    return {(kind, id): label for kind, id, label in rows}


def changes(event: AuditEvent) -> list[tuple[str, object, object]]:
    """Before and after side by side: (field, before, after) for every field either mentions.

    An event that names its currency shows its amounts as money, ``gross_minor: 142800`` as ``gross: €1,428.00``,
    and the currency row goes; the CSV keeps what was recorded."""
    before, after = event.before or {}, event.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    currency = after.get("currency") or before.get("currency")
    if currency is None or not any(key.endswith("_minor") for key in keys):
        return [(key, before.get(key), after.get(key)) for key in keys]

    def shown(value: object) -> object:
        return format_money(value, currency) if isinstance(value, int) else value

    return [(key.removesuffix("_minor"), shown(before.get(key)), shown(after.get(key))) if key.endswith("_minor")
            else (key, before.get(key), after.get(key)) for key in keys if key != "currency"]


def to_csv(user: User, filters: Filters) -> str:
    """Every event the filters select, newest first, with before and after as JSON."""
    query = _filtered(user, filters).order_by(AuditEvent.id.desc()).execution_options(yield_per=1000)
    rows = ([event.id, event.created_at.isoformat(timespec="seconds"), event.actor_label, event.action,
             f"{event.subject_type} {event.subject_id or ''}".strip(), event.reseller_id or "",
             event.customer_id or "", json.dumps(event.before, sort_keys=True) if event.before else "",
             json.dumps(event.after, sort_keys=True) if event.after else "", event.ip_address or ""]
            for event in db.session.scalars(query))
    return spreadsheets.to_csv(["id", "when (UTC)", "actor", "action", "subject", "reseller", "customer", "before",
                                "after", "address"], rows)
