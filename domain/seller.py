"""The seller: its price list and the details printed on every invoice (one row, set by the vendor)."""

import sqlalchemy as sa
from flask_babel import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from app import db
from domain import audit
from domain.errors import DomainError
from domain.models import SellerSettings, User


def settings() -> SellerSettings:
    """The seller settings; a new installation must set them (seed-demo fills demo values)."""
    found = db.session.scalar(sa.select(SellerSettings).order_by(SellerSettings.id).limit(1))
    if found is None:
        raise DomainError(_("The vendor has not set its prices and seller details yet."))
    return found


def validate_bank_details(iban: str, bic: str) -> tuple[str, str]:
    """Check an IBAN and a BIC (schwifty, offline) and return their compact forms."""
    try:
        checked_iban = IBAN(iban)
    except SchwiftyException as error:
        raise DomainError(_("This IBAN is not valid: %(detail)s", detail=error), field="iban") from error
    try:
        checked_bic = BIC(bic)
    except SchwiftyException as error:
        raise DomainError(_("This BIC is not valid: %(detail)s", detail=error), field="bic") from error
    return checked_iban.compact, checked_bic.compact


SETTINGS_FIELDS = ("list_price_minor", "currency", "legal_name", "street", "postal_code", "city", "country",
                   "vat_number", "iban", "bic", "invoice_footer", "vies_enabled")
MAX_LOGO_BYTES = 200_000


def check_logo(data: bytes) -> str:
    """An SVG logo as text, refused unless it is a well-formed SVG document of at most 200 kB."""
    from lxml import etree

    if len(data) > MAX_LOGO_BYTES:
        raise DomainError(_("The logo is larger than 200 kB."), field="logo")
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise DomainError(_("The logo is not a valid SVG file (line %(line)s).", line=error.lineno),
                          field="logo") from error
    if etree.QName(root).localname != "svg":
        raise DomainError(_("The logo must be an SVG image."), field="logo")
    return etree.tostring(root, encoding="unicode")  # as parsed: a Latin-1 or UTF-16 file is text like any other


def update(values: dict, *, logo: bytes | None, actor: User) -> dict:
    """Set the price list and seller details for future orders and invoices; return what changed.

    Issued invoices keep the snapshot they were issued with. A new installation creates the row here.
    The caller commits.
    """
    values = dict(values)
    values["iban"], values["bic"] = validate_bank_details(values["iban"], values["bic"])
    current = db.session.scalar(sa.select(SellerSettings).order_by(SellerSettings.id).limit(1).with_for_update())
    if current is None:
        current = SellerSettings(**values)
        db.session.add(current)
        db.session.flush()  # its id, for the event
        before = {}
    else:
        before = {key: getattr(current, key) for key in SETTINGS_FIELDS}
    changed = {key: value for key, value in values.items() if before.get(key) != value}
    for key, value in changed.items():
        setattr(current, key, value)
    if logo:
        current.logo_svg = check_logo(logo)
        changed["logo_svg"] = f"{len(logo)} bytes"
    if changed:
        audit.record(actor, "seller.updated", current, before={k: before.get(k) for k in changed if k in before},
                     after=changed)
    db.session.flush()
    return changed
