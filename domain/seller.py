"""The seller: its price list and the details printed on every invoice (one row, set by the vendor)."""

import sqlalchemy as sa
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from app import db
from domain.errors import DomainError
from domain.models import SellerSettings


def settings() -> SellerSettings:
    """The seller settings; a new installation must set them (seed-demo fills demo values)."""
    found = db.session.scalar(sa.select(SellerSettings).order_by(SellerSettings.id).limit(1))
    if found is None:
        raise DomainError("The vendor has not set its prices and seller details yet.")
    return found


def validate_bank_details(iban: str, bic: str) -> tuple[str, str]:
    """Check an IBAN and a BIC (schwifty, offline) and return their compact forms."""
    try:
        checked_iban = IBAN(iban)
    except SchwiftyException as error:
        raise DomainError(f"This IBAN is not valid: {error}", field="iban") from error
    try:
        checked_bic = BIC(bic)
    except SchwiftyException as error:
        raise DomainError(f"This BIC is not valid: {error}", field="bic") from error
    return checked_iban.compact, checked_bic.compact
