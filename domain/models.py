"""The tables of Seatdesk. Money is integer minor units plus an ISO 4217 currency code.

Times are stored as naive UTC datetimes and dates are calendar dates in UTC; every
lookup a page makes has an index.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from domain.clock import utcnow


class Base(DeclarativeBase):
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def _enum(cls: type[enum.Enum]) -> sa.Enum:
    """Store an enum by value as a plain string column (portable, readable in SQL)."""
    return sa.Enum(cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e],
                   validate_strings=True)


def _created() -> Mapped[datetime]:
    return mapped_column(sa.DateTime, default=utcnow, nullable=False)


class ResellerStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class SubscriptionStatus(enum.StrEnum):
    PENDING = "pending"  # ordered by card, waiting for the payment
    ACTIVE = "active"
    SUSPENDED = "suspended"  # bank transfer unpaid 14 days after due date
    EXPIRED = "expired"  # ended (cancelled at term end, or not renewed)
    LAPSED = "lapsed"  # first card payment never came


class RenewalMode(enum.StrEnum):
    SAME = "same"  # renew with the same number of licenses
    ASSIGNED = "assigned"  # renew with the members actually assigned
    NUMBER = "number"  # renew with renewal_licenses
    CANCEL = "cancel"  # end at the term's end


class PaymentMethod(enum.StrEnum):
    CARD = "card"
    BANK_TRANSFER = "bank_transfer"


class MemberStatus(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    REMOVED = "removed"


class OrderKind(enum.StrEnum):
    CREATE = "create"
    TOP_UP = "top_up"
    RENEWAL = "renewal"
    RESTART = "restart"  # a subscription that had ended (expired or lapsed) started again, for a new term
    CANCELLATION = "cancellation"  # no charge: the subscription ended at its term's end, as its renewal setting said
    EXPIRY = "expiry"  # no charge: the renewal was never paid, the subscription ended


class OrderStatus(enum.StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    INVOICED = "invoiced"  # bank transfer: active at once, invoice open
    LAPSED = "lapsed"
    REFUNDED = "refunded"
    NO_CHARGE = "no_charge"  # a cancellation or an expiry: recorded for the history, nothing to pay


class InvoiceStatus(enum.StrEnum):
    OPEN = "open"
    PAID = "paid"
    CREDITED = "credited"


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class User(Base):
    """A person who can log in. E-mail is unique case-insensitively (stored lower-cased)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    activated_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = _created()

    operator: Mapped[VendorOperator | None] = relationship(back_populates="user", lazy="joined")
    reseller_user: Mapped[ResellerUser | None] = relationship(back_populates="user", lazy="joined")

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.activated_at is not None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What the session keeps: the id and the password's digest, so a new password (a reset, a change) ends
        every session opened with the old one (``blueprints/web.py`` loads the user only if both match)."""
        return f"{self.id}:{self.password_digest}"

    @property
    def password_digest(self) -> str:
        """A short digest of the password hash ("unset" before activation): sessions and one-use links carry it,
        so a new password makes both stale."""
        return hashlib.sha256((self.password_hash or "unset").encode()).hexdigest()[:16]

    @property
    def is_operator(self) -> bool:
        return self.operator is not None

    @property
    def reseller_id(self) -> int | None:
        return self.reseller_user.reseller_id if self.reseller_user else None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class VendorOperator(Base):
    __tablename__ = "vendor_operators"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = _created()
    user: Mapped[User] = relationship(back_populates="operator")


class Reseller(Base):
    """A company selling the subscription. Limits of None mean unlimited (R11)."""

    __tablename__ = "resellers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    street: Mapped[str] = mapped_column(sa.String(200), default="")
    postal_code: Mapped[str] = mapped_column(sa.String(20), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    country: Mapped[str] = mapped_column(sa.String(2))
    vat_number: Mapped[str | None] = mapped_column(sa.String(20))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    billing_email: Mapped[str] = mapped_column(sa.String(254))
    discount_bp: Mapped[int] = mapped_column(default=0)  # basis points: 2000 = 20 %
    allowed_organizations: Mapped[int | None]
    allowed_users: Mapped[int | None]
    # Live members (invited or active) across all its customers, against Allowed Users. Kept by the
    # flush hook at the end of this module, in the transaction that writes the member, so the console
    # reads one column instead of counting thousands of members on every page.
    users_assigned: Mapped[int] = mapped_column(default=0, server_default="0")
    # Goes up whenever one of its customers is added, renamed or deleted (the same flush hook): the
    # Acting On list is cached under it, so every worker sees a change at its next request.
    customers_version: Mapped[int] = mapped_column(default=0, server_default="0")
    status: Mapped[ResellerStatus] = mapped_column(_enum(ResellerStatus), default=ResellerStatus.ACTIVE)
    created_at: Mapped[datetime] = _created()

    users: Mapped[list[ResellerUser]] = relationship(back_populates="reseller")
    customers: Mapped[list[Customer]] = relationship(back_populates="reseller")

    __table_args__ = (sa.CheckConstraint("discount_bp >= 0 AND discount_bp <= 10000", name="discount_range"),)


class ResellerUser(Base):
    """A reseller's administrator; administrator of every customer of the reseller, without a license."""

    __tablename__ = "reseller_users"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    reseller_id: Mapped[int] = mapped_column(sa.ForeignKey("resellers.id"), index=True)
    created_at: Mapped[datetime] = _created()
    user: Mapped[User] = relationship(back_populates="reseller_user")
    reseller: Mapped[Reseller] = relationship(back_populates="users", lazy="joined")


# What the customer list shows and searches besides its order (domain/customers: row_query, search_filter).
LISTED_CUSTOMER_COLUMNS = ["name", "contact_email", "billing_email", "vat_number"]


class Customer(Base):
    """A reseller's customer and its business information."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    reseller_id: Mapped[int] = mapped_column(sa.ForeignKey("resellers.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    street: Mapped[str] = mapped_column(sa.String(200), default="")
    postal_code: Mapped[str] = mapped_column(sa.String(20), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    country: Mapped[str] = mapped_column(sa.String(2))
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    billing_email: Mapped[str] = mapped_column(sa.String(254))
    vat_number: Mapped[str | None] = mapped_column(sa.String(20))
    vies_valid: Mapped[bool | None]
    vies_checked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    po_reference: Mapped[str | None] = mapped_column(sa.String(80))
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    created_at: Mapped[datetime] = _created()

    reseller: Mapped[Reseller] = relationship(back_populates="customers")
    subscription: Mapped[Subscription | None] = relationship(back_populates="customer")
    admins: Mapped[list[CustomerAdmin]] = relationship(back_populates="customer")

    __table_args__ = (
        # The customer list and Acting On sort by lower(name), id: read in index order, a page stops early. On
        # PostgreSQL the index also carries what the list shows and searches, so a page, and a search through
        # all of a reseller's customers, reads the index alone and not one table page per customer.
        sa.Index("ix_customers_reseller_list", "reseller_id", sa.text("lower(name)"), "id",
                 postgresql_include=LISTED_CUSTOMER_COLUMNS),
        sa.Index("ix_customers_reseller_contact_email", "reseller_id", "contact_email"),
        sa.Index("ix_customers_reseller_vat_number", "reseller_id", "vat_number"),
    )


class CustomerAdmin(Base):
    """A customer user made administrator; while any exists the reseller discount is off (R3)."""

    __tablename__ = "customer_admins"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = _created()
    customer: Mapped[Customer] = relationship(back_populates="admins")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (sa.UniqueConstraint("customer_id", "user_id", name="uq_customer_admins_customer_user"),)


class Subscription(Base):
    """One customer's Business subscription: a number of licenses for a period [start, end)."""

    __tablename__ = "subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), unique=True)
    term_months: Mapped[int]
    licenses: Mapped[int]
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    period_end: Mapped[date | None] = mapped_column(sa.Date, index=True)  # exclusive
    status: Mapped[SubscriptionStatus] = mapped_column(_enum(SubscriptionStatus), index=True)
    payment_method: Mapped[PaymentMethod] = mapped_column(_enum(PaymentMethod))
    renewal_mode: Mapped[RenewalMode] = mapped_column(_enum(RenewalMode), default=RenewalMode.SAME)
    renewal_licenses: Mapped[int | None]  # with RenewalMode.NUMBER: the scheduled reduction (R5)
    suspended_reason: Mapped[str | None] = mapped_column(sa.String(200))
    card_ref: Mapped[str | None] = mapped_column(sa.String(255))  # the provider's saved card (customer) for renewals
    renewal_notices_sent: Mapped[int] = mapped_column(default=0, server_default="0")  # 0, 1 (30 d), 2 (3 d)
    # Licenses given: its live members (invited or active), kept at each flush like Reseller.users_assigned.
    assigned: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = _created()

    customer: Mapped[Customer] = relationship(back_populates="subscription")
    members: Mapped[list[Member]] = relationship(back_populates="subscription", lazy="dynamic")

    __table_args__ = (
        sa.CheckConstraint("term_months IN (1, 12)", name="term"),
        sa.CheckConstraint("licenses >= 1", name="licenses_positive"),
    )


class Member(Base):
    """A license given to an e-mail address; removed members are kept for the history."""

    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(sa.ForeignKey("subscriptions.id"))
    email: Mapped[str] = mapped_column(sa.String(254))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[MemberStatus] = mapped_column(_enum(MemberStatus), default=MemberStatus.INVITED)
    invited_at: Mapped[datetime] = _created()
    invite_sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    activated_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    removed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    subscription: Mapped[Subscription] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()

    @property
    def shown_name(self) -> str | None:
        """The account's name once the member has accepted the license; before, it would tell whoever added
        the address that it has an account."""
        return self.user.name if self.status == MemberStatus.ACTIVE and self.user else None

    __table_args__ = (
        # One live membership per address; removed rows may repeat.
        sa.Index("uq_members_live_email", "subscription_id", "email", unique=True,
                 sqlite_where=sa.text("status != 'removed'"), postgresql_where=sa.text("status != 'removed'")),
        sa.Index("ix_members_subscription_status", "subscription_id", "status", "email"),
    )


# A live member (invited or active), with 'removed' written into the SQL rather than bound: a prepared
# statement's generic plan then still matches the partial index above, which orders a 2,000-member page.
MEMBER_IS_LIVE = Member.status != sa.literal_column(f"'{MemberStatus.REMOVED}'")


class SellerSettings(Base):
    """The vendor's price list and the seller details printed on invoices (one row)."""

    __tablename__ = "seller_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    list_price_minor: Mapped[int]  # per license per month (R1)
    currency: Mapped[str] = mapped_column(sa.String(3))
    legal_name: Mapped[str] = mapped_column(sa.String(200))
    street: Mapped[str] = mapped_column(sa.String(200))
    postal_code: Mapped[str] = mapped_column(sa.String(20))
    city: Mapped[str] = mapped_column(sa.String(100))
    country: Mapped[str] = mapped_column(sa.String(2))
    vat_number: Mapped[str] = mapped_column(sa.String(20))
    iban: Mapped[str] = mapped_column(sa.String(34))
    bic: Mapped[str] = mapped_column(sa.String(11))
    invoice_footer: Mapped[str] = mapped_column(sa.Text, default="")
    logo_svg: Mapped[str | None] = mapped_column(sa.Text)
    vies_enabled: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)


class Order(Base):
    """A purchase: creation, top-up or renewal. The idempotency key makes a resubmitted form one order."""

    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    reseller_id: Mapped[int] = mapped_column(sa.ForeignKey("resellers.id"))
    subscription_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subscriptions.id"))
    kind: Mapped[OrderKind] = mapped_column(_enum(OrderKind))
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus))
    payment_method: Mapped[PaymentMethod] = mapped_column(_enum(PaymentMethod))
    licenses_before: Mapped[int] = mapped_column(default=0)
    licenses_added: Mapped[int]
    months_charged: Mapped[int]
    supply_start: Mapped[date] = mapped_column(sa.Date)
    supply_end: Mapped[date] = mapped_column(sa.Date)
    currency: Mapped[str] = mapped_column(sa.String(3))
    net_minor: Mapped[int]
    vat_minor: Mapped[int]
    gross_minor: Mapped[int]
    vat_treatment: Mapped[str] = mapped_column(sa.String(40))
    vat_reason: Mapped[str] = mapped_column(sa.String(200))
    po_reference: Mapped[str | None] = mapped_column(sa.String(80))
    provider: Mapped[str | None] = mapped_column(sa.String(20))
    provider_ref: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    placed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = _created()
    paid_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    customer: Mapped[Customer] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.position")

    __table_args__ = (
        sa.Index("ix_orders_reseller_created", "reseller_id", "created_at"),
        sa.Index("ix_orders_customer_created", "customer_id", "created_at"),
        sa.Index("ix_orders_status_created", "status", "created_at"),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(300))
    quantity: Mapped[int]
    months: Mapped[int]
    unit_price_minor: Mapped[int]  # per license per month, before discount
    amount_minor: Mapped[int]  # signed: the discount line is negative
    vat_rate_bp: Mapped[int]
    order: Mapped[Order] = relationship(back_populates="lines")


class DocumentCounter(Base):
    """The last number taken in a gapless series (one row per series and year), locked to take the next."""

    __tablename__ = "document_counters"
    series: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Invoice(Base):
    """An issued invoice: a frozen snapshot and its stored PDF, never edited (R8)."""

    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    reseller_id: Mapped[int] = mapped_column(sa.ForeignKey("resellers.id"))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    supply_start: Mapped[date] = mapped_column(sa.Date)
    supply_end: Mapped[date] = mapped_column(sa.Date)
    currency: Mapped[str] = mapped_column(sa.String(3))
    net_minor: Mapped[int]
    vat_minor: Mapped[int]
    gross_minor: Mapped[int]
    paid_minor: Mapped[int] = mapped_column(default=0)
    credited_minor: Mapped[int] = mapped_column(default=0)
    status: Mapped[InvoiceStatus] = mapped_column(_enum(InvoiceStatus), default=InvoiceStatus.OPEN)
    payment_method: Mapped[PaymentMethod] = mapped_column(_enum(PaymentMethod))
    vat_treatment: Mapped[str] = mapped_column(sa.String(40))
    vat_mention: Mapped[str | None] = mapped_column(sa.String(300))
    rf_reference: Mapped[str] = mapped_column(sa.String(25), unique=True)
    snapshot: Mapped[dict] = mapped_column(sa.JSON)  # seller, buyer, lines, totals per rate
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    reminders_sent: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = _created()

    customer: Mapped[Customer] = relationship()

    __table_args__ = (
        sa.Index("ix_invoices_issued", "issued_on", "id"),  # the vendor's list, newest first, read in order
        # a reseller's invoices in date order, and every figure the vendor's reseller list sums of them, so that
        # list reads this index alone, never the wide rows (domain/resellers.rows)
        sa.Index("ix_invoices_reseller_sums", "reseller_id", "issued_on", "status", "due_on", "net_minor",
                 "gross_minor", "paid_minor", "credited_minor"),
        sa.Index("ix_invoices_customer_issued", "customer_id", "issued_on"),
        sa.Index("ix_invoices_status_due", "status", "due_on"),
    )


class CreditNote(Base):
    """A correction of an invoice in its own gapless series."""

    __tablename__ = "credit_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    issued_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(500))
    currency: Mapped[str] = mapped_column(sa.String(3))
    net_minor: Mapped[int]
    vat_minor: Mapped[int]
    gross_minor: Mapped[int]
    snapshot: Mapped[dict] = mapped_column(sa.JSON)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = _created()
    invoice: Mapped[Invoice] = relationship()


class Payment(Base):
    """Money received against an invoice: card capture, bank transfer line or manual entry."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    received_on: Mapped[date] = mapped_column(sa.Date)
    method: Mapped[str] = mapped_column(sa.String(20))  # card, bank_transfer, manual
    reference: Mapped[str | None] = mapped_column(sa.String(140))
    payer_name: Mapped[str | None] = mapped_column(sa.String(200))
    statement_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("statement_lines.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = _created()


class StatementLine(Base):
    """A credit line of an imported bank statement; the bank reference makes re-imports no-ops."""

    __tablename__ = "statement_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    bank_reference: Mapped[str] = mapped_column(sa.String(140), unique=True)
    statement_id: Mapped[str] = mapped_column(sa.String(140))
    booked_on: Mapped[date] = mapped_column(sa.Date)
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    payer_name: Mapped[str | None] = mapped_column(sa.String(200))
    payer_iban: Mapped[str | None] = mapped_column(sa.String(34))
    remittance: Mapped[str | None] = mapped_column(sa.String(500))
    state: Mapped[str] = mapped_column(sa.String(20), default="unmatched", index=True)  # matched, dismissed
    dismiss_reason: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = _created()


class ProviderEvent(Base):
    """A payment provider's webhook event id, kept so a replayed event changes nothing."""

    __tablename__ = "provider_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(20))
    event_id: Mapped[str] = mapped_column(sa.String(255))
    received_at: Mapped[datetime] = _created()
    __table_args__ = (sa.UniqueConstraint("provider", "event_id", name="uq_provider_events_provider_event"),)


class AuditEvent(Base):
    """One change of state (R12). Rows are only ever inserted."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    created_at: Mapped[datetime] = _created()
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(sa.String(254))  # e-mail, or "system"
    reseller_id: Mapped[int | None] = mapped_column(sa.ForeignKey("resellers.id"))
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"))
    action: Mapped[str] = mapped_column(sa.String(60))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[str | None] = mapped_column(sa.String(40))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))

    __table_args__ = (
        sa.Index("ix_audit_events_reseller_id", "reseller_id", "id"),
        sa.Index("ix_audit_events_customer_id", "customer_id", "id"),
        sa.Index("ix_audit_events_actor_id", "actor_id", "id"),
        sa.Index("ix_audit_events_action_id", "action", "id"),
        sa.Index("ix_audit_events_created_at", "created_at"),
    )


class OutboxMessage(Base):
    """An e-mail written in the same transaction as the change it reports, sent later by a worker."""

    __tablename__ = "outbox_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = _created()
    to_address: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    __table_args__ = (sa.Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)


@sa.event.listens_for(Session, "before_flush")
def _version_customer_lists(session: Session, flush_context, instances) -> None:
    """Move ``Reseller.customers_version`` on when one of its customers comes, goes or is renamed."""
    changed = {obj for obj in [*session.new, *session.deleted] if isinstance(obj, Customer)}
    changed |= {obj for obj in session.dirty if isinstance(obj, Customer)
                and (sa.inspect(obj).attrs.name.history.added or sa.inspect(obj).attrs.reseller_id.history.added)}
    for reseller in {customer.reseller or session.get(Reseller, customer.reseller_id) for customer in changed}:
        _add(reseller, Reseller.customers_version, 1)


@sa.event.listens_for(Session, "before_flush")
def _count_live_members(session: Session, flush_context, instances) -> None:
    """Keep ``Subscription.assigned`` and ``Reseller.users_assigned`` equal to their live members,
    whichever code adds, removes or deletes one, in the flush that writes the member.

    Each counter is written as ``n = n + delta`` (one atomic UPDATE, which also locks the row until
    commit: concurrent changes to one subscription or reseller take turns). Rows written with bulk
    Core inserts bypass this; ``customers.recount_members`` recounts.
    """
    deltas: dict[Subscription, int] = {}

    def count(member: Member, step: int) -> None:
        subscription = member.subscription or session.get(Subscription, member.subscription_id)
        deltas[subscription] = deltas.get(subscription, 0) + step

    for obj in session.new:
        if isinstance(obj, Member) and obj.status != MemberStatus.REMOVED:
            count(obj, +1)
    for obj in session.deleted:
        if isinstance(obj, Member) and obj.status != MemberStatus.REMOVED:
            count(obj, -1)
    for obj in session.dirty:
        if not isinstance(obj, Member):
            continue
        history = sa.inspect(obj).attrs.status.history
        if not history.added:
            continue
        before = history.deleted[0] if history.deleted else session.scalar(
            sa.select(Member.status).where(Member.id == obj.id))
        was_live, is_live = before != MemberStatus.REMOVED, history.added[0] != MemberStatus.REMOVED
        if was_live != is_live:
            count(obj, +1 if is_live else -1)
    resellers: dict[Reseller, int] = {}
    for subscription, delta in deltas.items():
        reseller = subscription.customer.reseller
        resellers[reseller] = resellers.get(reseller, 0) + delta
        _add(subscription, Subscription.assigned, delta)
    for reseller, delta in resellers.items():
        _add(reseller, Reseller.users_assigned, delta)


def _add(row: Base, column, delta: int) -> None:
    """Add ``delta`` to a counter: in Python for a row not inserted yet, else as ``SET n = n + delta``."""
    if not delta:
        return
    if sa.inspect(row).pending:
        setattr(row, column.key, (getattr(row, column.key) or 0) + delta)
    else:
        setattr(row, column.key, column + delta)
