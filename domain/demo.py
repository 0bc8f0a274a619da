"""Demo data for a new installation: a vendor, two resellers with customers, members and logins."""

import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import fields
from datetime import date, datetime, time, timedelta
from functools import partial

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import db
from domain import audit, dunning, orders, pricing
from domain.accounts import hash_password
from domain.clock import today, utcnow
from domain.models import (
    AuditEvent,
    Customer,
    CustomerAdmin,
    Invoice,
    Member,
    MemberStatus,
    OrderKind,
    OrderStatus,
    OutboxMessage,
    PaymentMethod,
    Reseller,
    ResellerUser,
    SellerSettings,
    Subscription,
    SubscriptionStatus,
    User,
    VendorOperator,
)
from domain.money import to_decimal
from domain.periods import add_months
from domain.subscriptions import BusinessInfo

DEMO_PASSWORD = "seatdesk-demo"
OPERATOR = "operator@seatdesk.test"
RESELLER_A_ADMIN = "anna@northwind-it.test"
RESELLER_B_ADMIN = "bjorn@baltic-reseller.test"
CUSTOMER_ADMIN = "carol@acme-consulting.test"
MEMBER = "dave@acme-consulting.test"
INVITED = "erin@acme-consulting.test"

_CUSTOMERS_A = [
    ("Acme Consulting GmbH", "DE", "Berlin", "10115", "Friedrichstraße 12", "DE136695976", 10, 12),
    ("Bellevue Architectes SARL", "FR", "Lyon", "69002", "4 quai Saint-Antoine", "FR61954506077", 5, 12),
    ("Canal Logistics BV", "NL", "Rotterdam", "3011", "Blaak 31", "NL004495445B01", 25, 12),
    ("Dolomiti Design Srl", "IT", "Bolzano", "39100", "Via Museo 5", "IT00743110157", 3, 1),
    ("Eastside Dental Ltd", "IE", "Dublin", "D02", "12 Baggot Street", "IE6433435F", 8, 12),
    ("Fjord Analytics AS", "NO", "Bergen", "5003", "Bryggen 7", None, 12, 12),
    ("Gran Vía Abogados SL", "ES", "Madrid", "28013", "Gran Vía 28", "ESA78109592", 6, 12),
    ("Hanse Audit AG", "DE", "Hamburg", "20095", "Mönckebergstraße 7", None, 40, 12),
    ("Iberia Foods SA", "ES", "Sevilla", "41001", "Calle Sierpes 10", None, 15, 1),
    ("Jutland Wind ApS", "DK", "Aarhus", "8000", "Åboulevarden 3", "DK10150817", 20, 12),
    ("Kraków Software sp. z o.o.", "PL", "Kraków", "31-042", "Rynek Główny 1", "PL5261025421", 9, 12),
    ("Lumière Studio SAS", "FR", "Paris", "75003", "12 rue de Bretagne", None, 4, 1),
]
_CUSTOMERS_B = [
    ("Malmö Bygg AB", "SE", "Malmö", "211 20", "Stortorget 1", "SE556043606401", 7, 12),
    ("Nordic Clinics Oy", "FI", "Helsinki", "00100", "Mannerheimintie 5", None, 30, 12),
    ("Oslo Media AS", "NO", "Oslo", "0150", "Karl Johans gate 1", None, 2, 1),
]


def _user(email: str, name: str, password_hash: str, *, active: bool = True) -> User:
    user = User(email=email, name=name, password_hash=password_hash if active else None,
                activated_at=utcnow() if active else None)
    db.session.add(user)
    return user


def _customer(reseller: Reseller, row: tuple, index: int) -> Customer:
    name, country, city, postal_code, street, vat, licenses, term = row
    slug = unicodedata.normalize("NFKD", name.split()[0]).encode("ascii", "ignore").decode().lower()
    customer = Customer(reseller=reseller, name=name, street=street, postal_code=postal_code, city=city,
                        country=country, contact_name=f"Contact {name.split()[0]}",
                        contact_email=f"it@{slug}.test", billing_email=f"billing@{slug}.test", vat_number=vat,
                        locale="fr" if country == "FR" else "en")  # French customers are invoiced in French
    start = today() - timedelta(days=(20 + 37 * index) % (term * 28))
    subscription = Subscription(customer=customer, term_months=term, licenses=licenses, period_start=start,
                                period_end=add_months(start, term), status=SubscriptionStatus.ACTIVE,
                                payment_method=PaymentMethod.BANK_TRANSFER if term == 12 else PaymentMethod.CARD)
    customer.created_at = _first_day(customer)
    db.session.add_all([customer, subscription])
    for n in range(min(licenses - 1, 4)):
        db.session.add(Member(subscription=subscription, email=f"user{n + 1}@{slug}.test",
                              status=MemberStatus.ACTIVE if n % 2 == 0 else MemberStatus.INVITED,
                              invited_at=customer.created_at, activated_at=customer.created_at if n % 2 == 0 else None))
    return customer


def _first_day(customer: Customer) -> datetime:
    """When the reseller's administrator set ``customer`` up: 9 o'clock on its subscription's first day."""
    return datetime.combine(customer.subscription.period_start, time(9, 0))


def _invoice(customer: Customer, admin: User) -> Invoice:
    """Order and invoice the customer's current period, as Create would have for ``admin``."""
    from invoices import issuing

    subscription = customer.subscription
    quote = pricing.price(reseller_discount_bp=customer.reseller.discount_bp, country=customer.country,
                          vat_number=customer.vat_number, licenses=subscription.licenses,
                          months=subscription.term_months, on=subscription.period_start, customer_id=customer.id,
                          description=_l("Business subscription, %(term)s",
                                         term=pricing.lazy_term(subscription.term_months)))
    order = orders.record(customer, quote, kind=OrderKind.CREATE, payment_method=subscription.payment_method,
                          idempotency_key=f"demo-{customer.id}", supply_start=subscription.period_start,
                          supply_end=subscription.period_end, placed_by=admin,
                          status=OrderStatus.PAID if subscription.payment_method == PaymentMethod.CARD
                          else OrderStatus.INVOICED)
    order.created_at = _first_day(customer)
    if order.status == OrderStatus.PAID:
        order.paid_at = order.created_at + timedelta(minutes=30)
    audit.record(admin, "order.placed", order, acting_on=customer,
                 after={"licenses": subscription.licenses, "term_months": subscription.term_months,
                        "payment_method": str(subscription.payment_method), "gross_minor": order.gross_minor,
                        "currency": order.currency})
    return issuing.issue(order, on=subscription.period_start)


@contextmanager
def _on(when: datetime):
    """The audit events and e-mails written inside carry ``when``: the demo's past happened over past days."""
    def stamp(session, flush_context, instances) -> None:
        for row in session.new:
            if isinstance(row, AuditEvent | OutboxMessage):
                row.created_at = when

    session = db.session()
    sa.event.listen(session, "before_flush", stamp)
    try:
        yield
        session.flush()
    finally:
        sa.event.remove(session, "before_flush", stamp)


def _created(customer: Customer, admin: User) -> None:
    """What Create and Add Members record when the reseller's administrator sets ``customer`` up (the demo
    writes its rows directly, the product's events with them)."""
    audit.record(admin, "customer.created", customer, acting_on=customer,
                 after={info.name: getattr(customer, info.name) for info in fields(BusinessInfo)})
    for member in customer.subscription.members:
        audit.record(admin, "member.added", member, acting_on=customer,
                     after={"email": member.email, "status": str(member.status)})


def _statement(booked_on: date, credits: list[tuple[str, int, str, str]]) -> bytes:
    """An MT940 statement of the seller's account (the demo IBAN) booked on ``booked_on``, with one credit per
    (bank reference, amount in cents, payer, the payer's text), as the vendor's bank would send it."""
    day = f"{booked_on:%y%m%d}"
    lines = [f":20:STMT{booked_on:%Y%m%d}", ":25:37040044/0532013000", ":28C:1/1", f":60F:C{day}EUR0,00"]
    for reference, amount_minor, payer, text in credits:
        amount = str(to_decimal(amount_minor, "EUR")).replace(".", ",")
        lines += [f":61:{day}{booked_on:%m%d}C{amount}NTRFNONREF//{reference}",
                  f":86:166?00SEPA-GUTSCHRIFT?20EREF+NOTPROVIDED?21SVWZ+{text}?32{payer}"]
    closing = str(to_decimal(sum(credit[1] for credit in credits), "EUR")).replace(".", ",")
    return "\n".join([*lines, f":62F:C{day}EUR{closing}"]).encode()


def _play_the_past(customers: list[Customer], admins: dict[int, User], operator: User) -> None:
    """Replay the demo's past in the order it happened, each event on its day, so the audit log reads as the
    days went: each customer set up by its reseller's administrator on its first day, the first four of
    Northwind invoiced then (numbers follow dates); Canal paid its transfer three days before the due date,
    with the invoice's RF reference, and the operator imported that day's statement, which matched it. Acme's
    invoice is not due yet; Bellevue's fell due 27 days ago, so the daily run of each day since reminded it on
    that day and a week later, and suspended its subscription a week after that (R9). Today's statement brings
    a transfer of Bellevue's amount without a reference: it waits under Payments for the operator to assign it,
    which starts the subscription again."""
    from invoices.issuing import PAYMENT_DAYS
    from invoices.reconciliation import import_statement

    invoiced = {customer.id for customer in customers[:4]}
    invoices: dict[str, Invoice] = {}

    def set_up(customer: Customer) -> None:
        admin = admins[customer.reseller_id]
        _created(customer, admin)
        if customer.id in invoiced:
            invoices[customer.name] = _invoice(customer, admin)

    def canal_pays() -> None:
        canal = invoices["Canal Logistics BV"]
        import_statement(_statement(canal.due_on - timedelta(days=3), [
            ("DEMO-0001", canal.gross_minor, "Canal Logistics BV", canal.rf_reference)]), actor=operator)

    canal = next(customer for customer in customers if customer.name == "Canal Logistics BV")
    steps: list[tuple[datetime, Callable[[], object]]] = [(_first_day(customer), partial(set_up, customer))
                                                          for customer in customers]
    steps.append((_first_day(canal) + timedelta(days=PAYMENT_DAYS - 3, hours=2), canal_pays))
    first_due = min(customer.subscription.period_start for customer in customers) + timedelta(days=PAYMENT_DAYS)
    steps += [(datetime.combine(day, time(6, 0)), partial(dunning.run, day))
              for day in (first_due + timedelta(days=n) for n in range((today() - first_due).days + 1))]
    for when, step in sorted(steps, key=lambda step: step[0]):
        with _on(when):
            step()
    bellevue = invoices["Bellevue Architectes SARL"]
    import_statement(_statement(today(), [("DEMO-0002", bellevue.gross_minor, "BELLEVUE ARCHITECTES",
                                           "Virement facture octobre")]), actor=operator)


DEMO_SELLER = {
    "list_price_minor": 1000, "currency": "EUR", "legal_name": "Example Software GmbH", "street": "Musterstraße 1",
    "postal_code": "10115", "city": "Berlin", "country": "DE", "vat_number": "DE136695976",
    "iban": "DE89370400440532013000", "bic": "COBADEFFXXX",
    "invoice_footer": "Example Software GmbH · Managing director: Jane Example · Amtsgericht Berlin HRB 12345"}


def seed(*, fast_hash: str | None = None) -> dict | None:
    """Load the demo data once; return the logins, or None when it is already there."""
    if db.session.scalar(sa.select(User.id).where(User.email == OPERATOR)) is not None:
        return None
    password_hash = fast_hash or hash_password(DEMO_PASSWORD)
    db.session.add(SellerSettings(**DEMO_SELLER))
    operator = _user(OPERATOR, "Olivia Operator", password_hash)
    db.session.add(VendorOperator(user=operator))

    reseller_a = Reseller(name="Northwind IT SAS", street="10 rue de la Paix", postal_code="75002", city="Paris",
                          country="FR", vat_number="FR61954506077", contact_email=RESELLER_A_ADMIN,
                          billing_email="billing@northwind-it.test", discount_bp=2000,
                          allowed_organizations=20, allowed_users=200)
    reseller_b = Reseller(name="Baltic Reseller AB", street="Drottninggatan 1", postal_code="111 51",
                          city="Stockholm", country="SE", vat_number="SE556043606401",
                          contact_email=RESELLER_B_ADMIN, billing_email="billing@baltic-reseller.test",
                          discount_bp=1500)
    db.session.add_all([reseller_a, reseller_b])

    anna = _user(RESELLER_A_ADMIN, "Anna Northwind", password_hash)
    bjorn = _user(RESELLER_B_ADMIN, "Björn Baltic", password_hash)
    db.session.add_all([ResellerUser(user=anna, reseller=reseller_a), ResellerUser(user=bjorn, reseller=reseller_b)])
    customers = [_customer(reseller_a, row, i) for i, row in enumerate(_CUSTOMERS_A)]
    customers += [_customer(reseller_b, row, i) for i, row in enumerate(_CUSTOMERS_B)]
    acme = customers[0]
    carol = _user(CUSTOMER_ADMIN, "Carol Acme", password_hash)
    db.session.add(CustomerAdmin(customer=acme, user=carol))
    dave = _user(MEMBER, "Dave Acme", password_hash)
    erin = _user(INVITED, None, password_hash, active=False)
    db.session.add(Member(subscription=acme.subscription, email=MEMBER, user=dave, status=MemberStatus.ACTIVE,
                          invited_at=acme.created_at, activated_at=acme.created_at))
    db.session.add(Member(subscription=acme.subscription, email=INVITED, user=erin, status=MemberStatus.INVITED,
                          invited_at=acme.created_at))
    db.session.flush()
    _play_the_past(customers, {reseller_a.id: anna, reseller_b.id: bjorn}, operator)
    return {"vendor operator": OPERATOR, "reseller admin (Northwind IT)": RESELLER_A_ADMIN,
            "reseller admin (Baltic Reseller)": RESELLER_B_ADMIN, "customer admin (Acme)": CUSTOMER_ADMIN,
            "member (Acme)": MEMBER, "invited, not yet active": erin}
