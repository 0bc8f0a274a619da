"""Seats of a subscription: adding and removing members, invitations, and customer administrators.

Rules: a member needs an unused license (R6), counted under a lock on the subscription row so two
requests can never hand out the same last license; the reseller's Allowed Users caps the members
of all its customers together (R11); removing a member frees the license, refunds nothing and does
not pause expiry (R5). A batch of addresses is all or nothing: one bad address, or more addresses
than unused licenses, and nothing is added. Someone who already has an active account becomes an
active member at once and is told by e-mail; anyone else gets an invitation to activate an account.
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app import db
from domain import accounts, audit, links, notifications, pricing
from domain.clock import today, utcnow
from domain.errors import DomainError
from domain.labels import status_label
from domain.models import (
    MEMBER_IS_LIVE,
    Customer,
    CustomerAdmin,
    Member,
    MemberStatus,
    Reseller,
    Subscription,
    SubscriptionStatus,
    User,
)
from domain.pages import Page, paginate

MAX_BATCH = 1000
_SEPARATORS = re.compile(r"[\n\r,;]+")


@dataclass(frozen=True)
class Line:
    """One address of a batch and what becomes of it."""

    number: int
    raw: str
    email: str | None
    outcome: str  # add, duplicate (twice in the batch), member (already one), invalid
    message: str = ""


@dataclass
class Batch:
    lines: list[Line]
    added: list[Member] = field(default_factory=list)
    refused: str | None = None
    missing_licenses: int = 0

    @property
    def problems(self) -> list[Line]:
        return [line for line in self.lines if line.outcome != "add"]


def split_addresses(text: str) -> list[str]:
    """Addresses pasted one per line or separated by commas or semicolons."""
    return [part.strip() for part in _SEPARATORS.split(text or "") if part.strip()]


def read_csv(data: bytes) -> list[str]:
    """Addresses from a CSV file as a spreadsheet saves it: its e-mail column if its first row names one (in
    English, French or Chinese), else its first column.

    Cells are separated by commas, or by semicolons or tabs when the header row is separated so (Excel in French
    or German writes semicolons, its "Unicode Text" tabs); a file without a header is read as comma-separated
    unless its lines agree on another separator. The text is UTF-8, with or without a byte-order mark, or UTF-16
    with one; any other text is read as Windows-1252 (Excel's plain CSV on a Western European Windows), and
    then an address with a letter beyond ASCII is refused whole rather than risk adding a misread one."""
    text, guessed = _text_of(data)
    try:
        rows = [row for row in csv.reader(io.StringIO(text), delimiter=_separator(text))
                if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise DomainError(_("The file is not a readable CSV file: %(detail)s", detail=error),
                          field="csv_file") from error
    if not rows:
        return []
    column = _email_column(rows[0])
    if column is not None:
        rows = rows[1:]
    addresses = [row[column or 0].strip() for row in rows if len(row) > (column or 0) and row[column or 0].strip()]
    if guessed and not all(address.isascii() for address in addresses):
        raise DomainError(_("The file is not UTF-8 text, and the addresses it holds could be misread. Save it as "
                            "“CSV UTF-8” and upload it again."), field="csv_file")
    return addresses


EMAIL_HEADERS = {"email", "e-mail", "mail", "email address", "e-mail address", "courriel", "adresse e-mail",
                 "adresse email", "adresse électronique", "电子邮件", "电子邮箱", "邮箱"}


def _email_column(header: list[str]) -> int | None:
    return next((i for i, name in enumerate(header) if name.strip().lower() in EMAIL_HEADERS), None)


def _separator(text: str) -> str:
    """The cell separator: the one that makes the first row a header naming an e-mail column, else the one the
    lines agree on (``csv.Sniffer``, among comma, semicolon and tab), else a comma."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    for separator in ",;\t":
        if _email_column(next(csv.reader([first], delimiter=separator), [])) is not None:
            return separator
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _text_of(data: bytes) -> tuple[str, bool]:
    """The text of an uploaded file, and whether its encoding had to be guessed. A file holding NUL bytes and no
    UTF-16 mark is not text (an Excel workbook, a PDF) and is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = [] if b"\x00" in data else ["utf-8-sig", "cp1252"]
    for guessed, encoding in enumerate(encodings):
        try:
            return data.decode(encoding), bool(guessed)
        except UnicodeDecodeError:
            continue
    raise DomainError(_("The file cannot be read as CSV text. Save it as “CSV UTF-8” and upload it again."),
                      field="csv_file")


def live_members(subscription: Subscription) -> sa.Select:
    return sa.select(Member).where(Member.subscription_id == subscription.id, MEMBER_IS_LIVE)


def assigned_count(subscription: Subscription) -> int:
    """Members holding a license (invited or active), as of the last flush: the subscription's counter."""
    return subscription.assigned


def plan(subscription: Subscription, raws: list[str]) -> list[Line]:
    """Check and normalise each address; find those listed twice or already members (looked up by
    address, so a batch costs the same whatever the number of members)."""
    checked: list[tuple[int, str, str | None, str]] = []
    for number, raw in enumerate(raws, 1):
        try:
            checked.append((number, raw, accounts.validate_address(raw), ""))
        except DomainError as error:
            checked.append((number, raw, None, str(error)))
    wanted = {email for _, _, email, _ in checked if email}
    existing = set(db.session.scalars(live_members(subscription).with_only_columns(Member.email)
                                      .where(Member.email.in_(wanted)))) if wanted else set()
    seen: set[str] = set()
    lines = []
    for number, raw, email, error in checked:
        if email is None:
            lines.append(Line(number, raw, None, "invalid", error))
            continue
        if email in seen:
            lines.append(Line(number, raw, email, "duplicate", _("Listed twice: added once.")))
        elif email in existing:
            lines.append(Line(number, raw, email, "member", _("Already a member: skipped.")))
        else:
            lines.append(Line(number, raw, email, "add"))
        seen.add(email)
    return lines


def _lock_subscription(subscription: Subscription) -> Subscription:
    return db.session.scalar(sa.select(Subscription).where(Subscription.id == subscription.id).with_for_update()
                             .execution_options(populate_existing=True))


def _reseller_users_left(customer: Customer) -> int | None:
    reseller = db.session.scalar(sa.select(Reseller).where(Reseller.id == customer.reseller_id).with_for_update()
                                 .execution_options(populate_existing=True))  # the counter as locked
    if reseller.allowed_users is None:
        return None
    return max(0, reseller.allowed_users - reseller.users_assigned)


def adding_closed(subscription: Subscription) -> str | None:
    """Why no member can be added to ``subscription`` now (it is not active), or None: the pages say it in place
    of the form, and ``add_members`` refuses with the same words."""
    if subscription.status == SubscriptionStatus.ACTIVE:
        return None
    return _("Members can be added while the subscription is active; it is %(status)s.",
             status=status_label(subscription.status))


def add_members(customer: Customer, raws: list[str], *, actor: User) -> Batch:
    """Give unused licenses of ``customer`` to the addresses in ``raws``, all or none; the caller commits."""
    if not raws:
        raise DomainError(_("Enter at least one e-mail address."), field="emails")
    if len(raws) > MAX_BATCH:
        raise DomainError(_("%(num)s addresses is more than %(max)s at once. Split the list.",
                            num=format_number(len(raws)), max=format_number(MAX_BATCH)),
                          field="emails")
    users_left = _reseller_users_left(customer)  # locks the reseller first, always in this order
    subscription = _lock_subscription(customer.subscription)
    lines = plan(subscription, raws)
    batch = Batch(lines)
    if any(line.outcome == "invalid" for line in lines):
        batch.refused = _("Nothing was added: correct the addresses marked below.")
        return batch
    new = [line for line in lines if line.outcome == "add"]
    if not new:
        batch.refused = _("Nothing was added: every address is already a member.")
        return batch
    closed = adding_closed(subscription)
    if closed:
        batch.refused = closed
        return batch
    unused = subscription.licenses - assigned_count(subscription)
    if len(new) > unused:
        batch.missing_licenses = len(new) - unused
        batch.refused = " ".join((
            ngettext("Nothing was added: %(num)s new member needs %(num)s unused license",
                     "Nothing was added: %(num)s new members need %(num)s unused licenses", len(new)),
            ngettext("and %(num)s is left.", "and %(num)s are left.", unused),
            _("Purchase %(num)s more to add them all.", num=batch.missing_licenses)))
        return batch
    if users_left is not None and len(new) > users_left:
        batch.refused = _("Nothing was added: your reseller account may assign %(num)s more users "
                          "(Allowed Users, set by the vendor).", num=users_left)
        return batch
    batch.added = [_add_one(customer, subscription, line.email, actor) for line in new]
    db.session.flush()  # one insert for the batch, and the members' ids for their events
    for member in batch.added:
        audit.record(actor, "member.added", member, acting_on=customer,
                     after={"email": member.email, "status": str(member.status)})
    return batch


def _add_one(customer: Customer, subscription: Subscription, email: str, actor: User) -> Member:
    user = accounts.user_by_email(email)
    if user is None:
        user = User(email=email)
        db.session.add(user)
        db.session.flush()
    # Invited whether or not the address has an account: an active member at once would tell the reseller
    # that this person has an account somewhere (another reseller's customer, say). Both must act: the new
    # one activates the account, the existing one logs in (activate_memberships).
    member = Member(subscription=subscription, email=email, user=user, invite_sent_at=utcnow(),
                    status=MemberStatus.INVITED)
    db.session.add(member)
    _notify(customer, member, user)
    return member


def _notify(customer: Customer, member: Member, user: User) -> None:
    if user.is_active:
        notifications.send(member.email, _l("You have been added to %(customer)s's Business subscription",
                                            customer=customer.name),
                           "email/member_added.txt", kind="member_added", fallback=customer.locale, user=user,
                           customer=customer, login=links.external_url("auth.login"))
    else:
        link = links.external_url("auth.activate", token=accounts.make_link_token(user, "activate"))
        notifications.send(member.email, _l("%(customer)s invites you to its Business subscription",
                                            customer=customer.name),
                           "email/invitation.txt", kind="invitation", fallback=customer.locale, user=user,
                           customer=customer, link=link)


def resend_invitation(member: Member, *, actor: User) -> None:
    """Send the invitation again to a member who has not activated yet (or not logged in since), while the
    subscription is active: suspended or ended, the invitation would lead to no access (the pages hide the button)."""
    if member.status != MemberStatus.INVITED:
        raise DomainError(_("Only invited members who have not activated yet can be sent a new invitation."))
    subscription = member.subscription
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise DomainError(_("Invitations can be sent again while the subscription is active; it is %(status)s.",
                            status=status_label(subscription.status)))
    customer = subscription.customer
    member.invite_sent_at = utcnow()
    _notify(customer, member, member.user)
    audit.record(actor, "member.invitation_resent", member, acting_on=customer, after={"email": member.email})


def remove_member(member: Member, *, actor: User) -> None:
    """Take the license back: it becomes unused; nothing is refunded and the period runs on (R5)."""
    if member.status == MemberStatus.REMOVED:
        raise DomainError(_("This member has already been removed."))
    before = str(member.status)
    member.status, member.removed_at = MemberStatus.REMOVED, utcnow()
    audit.record(actor, "member.removed", member, acting_on=member.subscription.customer,
                 before={"email": member.email, "status": before}, after={"status": "removed"})
    db.session.flush()


def activate_memberships(user: User) -> int:
    """Once ``user`` has activated its account, or logs in with it, or opens the portal, its invitations
    become active licenses; the caller commits."""
    members = db.session.scalars(sa.select(Member).where(Member.user_id == user.id,
                                                         Member.status == MemberStatus.INVITED)).all()
    for member in members:
        member.status, member.activated_at = MemberStatus.ACTIVE, utcnow()
    return len(members)


def member_page(subscription: Subscription, *, search: str = "", page: int = 1, size: int = 25,
                total: int | None = None) -> Page:
    """One page of the live members (invited or active) of ``subscription``, by e-mail; ``total`` is
    ``assigned_count`` when the caller has it and there is no search, which saves counting again."""
    query, search = live_members(subscription), search.strip().lower()
    if search:
        query = query.where(Member.email.like(f"%{search}%"))
    return paginate(query, page=page, size=size, order_by=(Member.email,), options=(joinedload(Member.user),),
                    total=total, counted_with_rows=bool(search))


# Customer administrators (R3)

def administrators(customer: Customer) -> list[CustomerAdmin]:
    return list(db.session.scalars(sa.select(CustomerAdmin).where(CustomerAdmin.customer_id == customer.id)
                                   .options(joinedload(CustomerAdmin.user)).order_by(CustomerAdmin.id)))


def administrators_of(customer_ids: list[int], *, besides: User) -> dict[int, list[User]]:
    """The administrators of each of ``customer_ids`` other than ``besides``, by customer, in one statement:
    whom a member asks about its license."""
    found: dict[int, list[User]] = {}
    if customer_ids:
        for customer_id, user in db.session.execute(
                sa.select(CustomerAdmin.customer_id, User).join(User, User.id == CustomerAdmin.user_id)
                .where(CustomerAdmin.customer_id.in_(customer_ids), User.id != besides.id).order_by(CustomerAdmin.id)):
            found.setdefault(customer_id, []).append(user)
    return found


def invited_user_ids(subscription: Subscription, user_ids: set[int]) -> set[int]:
    """Those of ``user_ids`` whose license at ``subscription`` waits for them to accept: their names are
    not shown to whoever added them (an account's name would tell that the address has one)."""
    if not user_ids:
        return set()
    return set(db.session.scalars(sa.select(Member.user_id).where(
        Member.subscription_id == subscription.id, Member.status == MemberStatus.INVITED,
        Member.user_id.in_(user_ids))))


def admin_user_ids(customer: Customer) -> set[int]:
    return set(db.session.scalars(sa.select(CustomerAdmin.user_id).where(CustomerAdmin.customer_id == customer.id)))


def discount_at_stake(customer: Customer) -> dict | None:
    """What making a customer user administrator would cost: the next renewal and one extra license."""
    reseller, subscription = customer.reseller, customer.subscription
    if not reseller.discount_bp or subscription is None or admin_user_ids(customer):
        return None
    on = today()

    def both(licenses: int, months: int) -> tuple:
        kept = pricing.price(reseller_discount_bp=reseller.discount_bp, country=customer.country,
                             vat_number=customer.vat_number, licenses=licenses, months=months, on=on)
        lost = pricing.price(reseller_discount_bp=0, country=customer.country, vat_number=customer.vat_number,
                             licenses=licenses, months=months, on=on)
        return kept, lost

    renewal = both(subscription.licenses, subscription.term_months)
    months_left = (pricing.remaining_months(subscription.period_start, subscription.period_end, on)
                   if subscription.period_start and subscription.period_start <= on < subscription.period_end
                   else subscription.term_months)
    extra = both(1, months_left)
    return {"discount_bp": reseller.discount_bp, "renewal": renewal, "extra": extra, "extra_months": months_left}


def promote(member: Member, *, actor: User) -> CustomerAdmin:
    """Make a member an administrator of its customer; from now on purchases are at list price (R3)."""
    customer = member.subscription.customer
    if member.status == MemberStatus.REMOVED:
        raise DomainError(_("A removed member cannot be made administrator."))
    if member.user_id in admin_user_ids(customer):
        raise DomainError(_("%(email)s is already an administrator.", email=member.email))
    admin = CustomerAdmin(customer_id=customer.id, user_id=member.user_id, granted_by_id=actor.id)
    db.session.add(admin)
    audit.record(actor, "customer_admin.granted", member, acting_on=customer,
                 after={"email": member.email, "reseller_discount": "lost"})
    db.session.flush()
    return admin


def revoke(admin: CustomerAdmin, *, actor: User) -> bool:
    """Take administration back; return True when the reseller discount applies again (no admin left)."""
    customer = admin.customer
    if admin.user_id == actor.id:
        raise DomainError(_("You cannot revoke your own administration; ask another administrator."))
    email = admin.user.email
    db.session.delete(admin)
    db.session.flush()
    restored = not admin_user_ids(customer)
    audit.record(actor, "customer_admin.revoked", customer, acting_on=customer,
                 before={"email": email}, after={"reseller_discount": "restored" if restored else "still lost"})
    return restored
