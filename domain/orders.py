"""Orders: a quote turned into a purchase, with its lines frozen."""

from datetime import date

from app import db
from domain.models import Customer, Order, OrderKind, OrderLine, OrderStatus, PaymentMethod, User
from domain.pricing import Quote


def record(customer: Customer, quote: Quote, *, kind: OrderKind, payment_method: PaymentMethod,
           idempotency_key: str, supply_start: date, supply_end: date, placed_by: User | None,
           status: OrderStatus, licenses_before: int = 0) -> Order:
    """Record an order priced by ``quote``; the caller commits (the idempotency key is unique)."""
    order = Order(
        idempotency_key=idempotency_key, customer_id=customer.id, reseller_id=customer.reseller_id,
        subscription_id=customer.subscription.id if customer.subscription else None, kind=kind, status=status,
        payment_method=payment_method, licenses_before=licenses_before, licenses_added=quote.licenses,
        months_charged=quote.months, supply_start=supply_start, supply_end=supply_end, currency=quote.currency,
        net_minor=quote.net_minor, vat_minor=quote.vat_minor, gross_minor=quote.gross_minor,
        vat_treatment=quote.vat.treatment, vat_reason=quote.vat.reason, po_reference=customer.po_reference,
        placed_by_id=placed_by.id if placed_by else None,
        lines=[OrderLine(position=n, description=line.description, quantity=line.quantity, months=line.months,
                         unit_price_minor=line.unit_price_minor, amount_minor=line.amount_minor,
                         vat_rate_bp=line.vat_rate_bp) for n, line in enumerate(quote.lines)],
    )
    db.session.add(order)
    db.session.flush()
    return order
