"""The vendor's resellers: created with their limits and discount, their administrators invited,
suspended and reactivated (seed 003, R3, R11).

- A new discount applies to purchases quoted after the change; orders and invoices keep theirs.
- Limits may be lowered below what is in use: nothing is taken away, but new customers or
  members are refused until the use is under the limit again; both consoles say so.
- A suspended reseller's users can log in and read everything of theirs, and change nothing
  (the console's gate refuses every write; see ``blueprints/console.py``).
- An administrator removed (by another administrator of the reseller, or by the vendor) loses the
  console at their next request, since every request reads the person's role again. The account
  stays, with no role: its name stays in the audit log and on the orders it placed, and the address
  can be invited again. Nobody removes themselves, and a reseller keeps at least one administrator
  (the vendor suspends a reseller to stop it).
"""

from dataclasses import asdict, dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app import db
from domain import accounts, audit, notifications
from domain.customers import reseller_usage
from domain.errors import DomainError
from domain.models import (
    CreditNote,
    Customer,
    Invoice,
    InvoiceStatus,
    Reseller,
    ResellerStatus,
    ResellerUser,
    User,
)


@dataclass(frozen=True)
class ResellerTerms:
    """What the vendor sets for a reseller."""

    name: str
    street: str
    postal_code: str
    city: str
    country: str
    vat_number: str | None
    contact_email: str
    billing_email: str
    discount_bp: int
    allowed_organizations: int | None  # None: unlimited
    allowed_users: int | None


def create(terms: ResellerTerms, *, first_admin_email: str, actor: User) -> Reseller:
    """Create a reseller and invite its first administrator; the caller commits."""
    if db.session.scalar(sa.select(Reseller.id).where(sa.func.lower(Reseller.name) == terms.name.lower())):
        raise DomainError(_("A reseller named %(name)s exists already.", name=terms.name), field="name")
    reseller = Reseller(**asdict(terms))
    db.session.add(reseller)
    db.session.flush()
    audit.record(actor, "reseller.created", reseller, reseller=reseller, after=asdict(terms))
    invite_admin(reseller, first_admin_email, actor=actor)
    return reseller


def update(reseller: Reseller, terms: ResellerTerms, *, actor: User) -> dict:
    """Change a reseller's details, discount or limits; return what changed. The caller commits."""
    if db.session.scalar(sa.select(Reseller.id).where(sa.func.lower(Reseller.name) == terms.name.lower(),
                                                      Reseller.id != reseller.id)):
        raise DomainError(_("A reseller named %(name)s exists already.", name=terms.name), field="name")
    before = {k: getattr(reseller, k) for k in asdict(terms)}
    changed = {k: v for k, v in asdict(terms).items() if before[k] != v}
    for key, value in changed.items():
        setattr(reseller, key, value)
    if changed:
        audit.record(actor, "reseller.updated", reseller, reseller=reseller,
                     before={k: before[k] for k in changed}, after=changed)
    return changed


def set_status(reseller: Reseller, status: ResellerStatus, *, actor: User) -> None:
    if reseller.status == status:
        return
    before = {"status": str(reseller.status)}
    reseller.status = status
    audit.record(actor, "reseller.suspended" if status == ResellerStatus.SUSPENDED else "reseller.reactivated",
                 reseller, reseller=reseller, before=before, after={"status": str(status)})


def administrators(reseller: Reseller) -> list[ResellerUser]:
    """The reseller's team, oldest first, each with its user (one query, however large the team)."""
    return list(db.session.scalars(sa.select(ResellerUser).where(ResellerUser.reseller_id == reseller.id)
                                   .options(joinedload(ResellerUser.user)).order_by(ResellerUser.created_at)))


def invite_admin(reseller: Reseller, email: str, *, actor: User) -> User:
    """Make ``email`` an administrator of ``reseller``: a new person gets an activation link (7 days)."""
    email = accounts.validate_address(email)
    user = accounts.user_by_email(email)
    if user is not None and user.reseller_id == reseller.id:
        raise DomainError(_("%(email)s is already an administrator of %(reseller)s.", email=email,
                            reseller=reseller.name), field="email")
    user = accounts.invitable(email, user)
    db.session.add(ResellerUser(user_id=user.id, reseller_id=reseller.id))
    db.session.flush()
    audit.record(actor, "reseller.admin_invited", user, reseller=reseller, after={"email": email})
    _send_invitation(reseller, user)
    return user


def resend_invitation(link: ResellerUser, *, actor: User) -> User:
    """Send the invitation again, with a new seven-day link, to an administrator who has not activated yet."""
    user, reseller = link.user, link.reseller
    if user.is_active:
        raise DomainError(_("%(email)s has activated the account already.", email=user.email))
    audit.record(actor, "reseller.admin_invitation_resent", user, reseller=reseller, after={"email": user.email})
    _send_invitation(reseller, user)
    return user


def _send_invitation(reseller: Reseller, user: User) -> None:
    template = "email/reseller_admin_added.txt" if user.is_active else "email/reseller_admin_invited.txt"
    notifications.send(user.email, _l("You are an administrator of %(reseller)s on Seatdesk",
                                      reseller=reseller.name),
                       template, kind="invitation", fallback=str(get_locale()), user=user, reseller=reseller,
                       link=accounts.way_in(user))


def admin_of(reseller: Reseller, user_id: int) -> ResellerUser | None:
    """``user_id``'s administration of ``reseller``, if it is one of its administrators."""
    link = db.session.get(ResellerUser, user_id)
    return link if link is not None and link.reseller_id == reseller.id else None


def remove_admin(link: ResellerUser, *, actor: User) -> User:
    """Take away an administrator's access to the reseller's console; the caller commits. The person is told by
    e-mail, in their language."""
    reseller, user = link.reseller, link.user
    if user.id == actor.id:
        raise DomainError(_("You cannot remove yourself. Another administrator of %(reseller)s can.",
                            reseller=reseller.name))
    if db.session.scalar(sa.select(sa.func.count()).select_from(ResellerUser)
                         .where(ResellerUser.reseller_id == reseller.id)) <= 1:
        raise DomainError(_("%(reseller)s needs at least one administrator: invite another one first.",
                            reseller=reseller.name))
    db.session.delete(link)
    audit.record(actor, "reseller.admin_removed", user, reseller=reseller, before={"email": user.email})
    notifications.send(user.email, _l("You are no longer an administrator of %(reseller)s on Seatdesk",
                                      reseller=reseller.name),
                       "email/reseller_admin_removed.txt", kind="admin_removed", user=user, reseller=reseller)
    db.session.flush()
    return user


@dataclass(frozen=True)
class ResellerRow:
    reseller: Reseller
    customers: int
    members: int
    revenue_minor: int  # invoiced this calendar year, less credit notes, VAT excluded
    open_minor: int  # left to pay on open invoices
    overdue_minor: int  # of which past the due day

    @property
    def over_organizations(self) -> bool:
        limit = self.reseller.allowed_organizations
        return limit is not None and self.customers >= limit

    @property
    def over_users(self) -> bool:
        limit = self.reseller.allowed_users
        return limit is not None and self.members >= limit


def rows(*, search: str = "", sort: str = "name", on: date) -> list[ResellerRow]:
    """Every reseller with its use, this year's revenue, what is open and what of it is overdue on ``on``; one
    query."""
    customers = (sa.select(Customer.reseller_id, sa.func.count().label("n")).group_by(Customer.reseller_id)
                 .subquery())
    year_start = date(on.year, 1, 1)
    left = Invoice.gross_minor - Invoice.paid_minor - Invoice.credited_minor
    is_open = Invoice.status == InvoiceStatus.OPEN
    # the three sums in one pass over the invoices, read from ix_invoices_reseller_sums alone (the rows are wide)
    money = (sa.select(Invoice.reseller_id,
                       sa.func.sum(Invoice.net_minor).filter(Invoice.issued_on >= year_start).label("net"),
                       sa.func.sum(left).filter(is_open).label("open"),
                       sa.func.sum(left).filter(is_open, Invoice.due_on < on).label("overdue"))
             .group_by(Invoice.reseller_id).subquery())
    credited = _credited_this_year(year_start)
    columns = {
        "customers": sa.func.coalesce(customers.c.n, 0), "members": Reseller.users_assigned,
        "revenue": sa.func.coalesce(money.c.net, 0) - sa.func.coalesce(credited.c.net, 0),
        "open": sa.func.coalesce(money.c.open, 0), "overdue": sa.func.coalesce(money.c.overdue, 0),
    }
    query = (sa.select(Reseller, *columns.values())
             .outerjoin(customers, customers.c.reseller_id == Reseller.id)
             .outerjoin(money, money.c.reseller_id == Reseller.id)
             .outerjoin(credited, credited.c.reseller_id == Reseller.id))
    if search:
        like = f"%{search}%"
        query = query.where(sa.or_(Reseller.name.ilike(like), Reseller.contact_email.ilike(like),
                                   Reseller.vat_number.ilike(like)))
    order = sa.func.lower(Reseller.name) if sort not in columns else columns[sort].desc()
    query = query.order_by(order, Reseller.id)
    return [ResellerRow(r, *map(int, figures)) for r, *figures in db.session.execute(query)]


def _credited_this_year(year_start: date) -> sa.Subquery:
    return (sa.select(Invoice.reseller_id, sa.func.sum(CreditNote.net_minor).label("net"))
            .join(Invoice, Invoice.id == CreditNote.invoice_id).where(CreditNote.issued_on >= year_start)
            .group_by(Invoice.reseller_id).subquery())


def usage_notice(reseller: Reseller, usage: dict | None = None) -> list[str]:
    """What the reseller cannot do because of its limits, as both consoles say it.

    ``usage`` is ``customers.reseller_usage(reseller)`` when the caller has it already.
    """
    usage = usage or reseller_usage(reseller)
    notes = []
    organizations, limit = usage["organizations"], usage["allowed_organizations"]
    if limit is not None and organizations >= limit:
        notes.append(_("%(used)s of %(limit)s allowed organizations are in use: new customers cannot be created.",
                       used=organizations, limit=limit))
    used, limit = usage["users"], usage["allowed_users"]
    if limit is not None and used >= limit:
        notes.append(_("%(used)s of %(limit)s allowed users are assigned: new members cannot be added.",
                       used=used, limit=limit))
    return notes
