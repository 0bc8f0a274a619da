"""The audit log (R12): who, acting on which customer, what, before and after, when, from where."""

from contextvars import ContextVar

from app import db
from domain.models import AuditEvent, Customer, Reseller, User

# Set by the web layer for each request, so that services need not know about requests.
request_address: ContextVar[str | None] = ContextVar("request_address", default=None)


def record(actor: User | None, action: str, subject, *, acting_on: Customer | None = None,
           reseller: Reseller | None = None, before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Append one event; ``actor`` None means the system itself (daily runs, webhooks).

    ``subject`` is the changed row, or a name for what has no row of its own (an imported statement).
    """
    reseller_id = (reseller.id if reseller else None) or (acting_on.reseller_id if acting_on else None)
    if reseller_id is None and actor is not None:
        reseller_id = actor.reseller_id
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_label=actor.email if actor else "system",
        reseller_id=reseller_id,
        customer_id=acting_on.id if acting_on else None,
        action=action,
        subject_type=subject if isinstance(subject, str) else type(subject).__name__,
        subject_id=str(getattr(subject, "id", "") or "") or None,
        before=before,
        after=after,
        ip_address=request_address.get(),
    )
    db.session.add(event)
    return event
