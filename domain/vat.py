"""VAT (R7): the decision table, EU standard rates from a dated data file, VAT-number checks.

The seller is established in one EU member state (its country is configuration). For electronic
services: a customer in the seller's state pays the seller's rate; a customer in another EU state
with a valid VAT number is invoiced under reverse charge (0 %, with the mention); an EU customer
without one pays its own state's rate; a customer outside the EU pays no EU VAT.
Numbers are checked offline with python-stdnum; a VIES confirmation, when the vendor turns it on,
is one more condition for reverse charge.
"""

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat

from domain.errors import DomainError
from domain.money import percent

RATES_FILE = Path(__file__).parent / "data" / "eu_vat_rates.csv"

# The VAT of each member state, for reasons such as "Swedish VAT 25 %", in the reader's language.
VAT_NAMES = {
    "AT": _l("Austrian VAT"),
    "BE": _l("Belgian VAT"),
    "BG": _l("Bulgarian VAT"),
    "HR": _l("Croatian VAT"),
    "CY": _l("Cypriot VAT"),
    "CZ": _l("Czech VAT"),
    "DK": _l("Danish VAT"),
    "EE": _l("Estonian VAT"),
    "FI": _l("Finnish VAT"),
    "FR": _l("French VAT"),
    "DE": _l("German VAT"),
    "GR": _l("Greek VAT"),
    "HU": _l("Hungarian VAT"),
    "IE": _l("Irish VAT"),
    "IT": _l("Italian VAT"),
    "LV": _l("Latvian VAT"),
    "LT": _l("Lithuanian VAT"),
    "LU": _l("Luxembourgish VAT"),
    "MT": _l("Maltese VAT"),
    "NL": _l("Dutch VAT"),
    "PL": _l("Polish VAT"),
    "PT": _l("Portuguese VAT"),
    "RO": _l("Romanian VAT"),
    "SK": _l("Slovak VAT"),
    "SI": _l("Slovenian VAT"),
    "ES": _l("Spanish VAT"),
    "SE": _l("Swedish VAT"),
}
MENTION = {
    "reverse_charge": _l("Reverse charge: VAT to be accounted for by the customer (Art. 196 Directive 2006/112/EC)"),
    "outside_eu": _l("VAT not applicable: service supplied outside the EU (Art. 44 Directive 2006/112/EC)"),
}
CATEGORY = {"domestic": "S", "destination": "S", "reverse_charge": "AE", "outside_eu": "O"}


@dataclass(frozen=True)
class VatDecision:
    """How one sale is taxed, and why, in words a reseller understands."""

    treatment: str  # domestic, reverse_charge, destination, outside_eu
    rate_bp: int
    category: str  # EN 16931 VAT category: S standard, AE reverse charge, O not subject
    country: str  # whose VAT applies: the seller's (domestic) or the customer's
    customer_vat: str | None

    @property
    def reason(self) -> str:
        """Why, in the current language: "German VAT 19 %", "Reverse charge: valid ... VAT number ..."."""
        return reason(self.treatment, self.rate_bp, self.country, self.customer_vat)

    @property
    def mention(self) -> str | None:
        """The legal mention printed on the invoice, in the current language."""
        return mention(self.treatment)


def reason(treatment: str, rate_bp: int, country: str, customer_vat: str | None) -> str:
    """Why a sale is taxed as it is, in the current language."""
    if treatment == "outside_eu":
        return _("Outside the EU: no VAT")
    if treatment == "reverse_charge":
        return _("Reverse charge: valid %(vat)s number %(number)s", vat=vat_name(country), number=customer_vat)
    rate = percent(rate_bp)
    if treatment == "destination" and customer_vat:  # a number VIES did not confirm: VAT is charged
        return _("%(vat)s %(rate)s %% (VAT number not confirmed by VIES)", vat=vat_name(country), rate=rate)
    return _("%(vat)s %(rate)s %%", vat=vat_name(country), rate=rate)


def mention(treatment: str) -> str | None:
    """The legal mention an invoice of this treatment must carry, in the current language."""
    text = MENTION.get(treatment)
    return str(text) if text is not None else None


@cache
def _rates() -> dict[str, list[tuple[date, int]]]:
    table: dict[str, list[tuple[date, int]]] = {}
    with RATES_FILE.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            table.setdefault(row["country"], []).append((date.fromisoformat(row["effective_from"]),
                                                         int(row["rate_bp"])))
    return {country: sorted(entries) for country, entries in table.items()}


def is_eu(country: str) -> bool:
    return country in _rates()


def standard_rate(country: str, on: date) -> int:
    """The standard rate of an EU member state in force on ``on``, in basis points."""
    entries = [rate for since, rate in _rates().get(country, []) if since <= on]
    if not entries:
        raise DomainError(_("No VAT rate is known for %(country)s on %(date)s.", country=country, date=on.isoformat()))
    return entries[-1]


def vat_prefix(country: str) -> str:
    """The VAT-number prefix of a member state: Greece is EL, not GR."""
    return "EL" if country == "GR" else country


def _country_of_prefix(prefix: str) -> str:
    return "GR" if prefix == "EL" else prefix


def vat_name(country: str) -> str:
    """ "German VAT", in the current language."""
    return str(VAT_NAMES.get(country, country))


def normalise_vat_number(raw: str | None, country: str) -> str | None:
    """Check a VAT number offline and return its compact form (GR -> EL), or None when empty.

    Raises DomainError with a message for the form field when the number is malformed, fails its
    check digits, is a non-Union OSS number (EU...), or belongs to another country than ``country``.
    """
    if raw is None or not raw.strip():
        return None
    prefix = re.sub(r"[^A-Za-z0-9]", "", raw).upper()[:2]
    prefix = "EL" if prefix == "GR" else prefix
    if prefix in {"EU", "IM"}:
        raise DomainError(_("An EU… number is a non-Union OSS registration, not a member state's VAT number; "
                            "it cannot be used for VAT deduction."), field="vat_number")
    if not is_eu(_country_of_prefix(prefix)):
        raise DomainError(_("Enter a VAT number of an EU member state, starting with its country code "
                            "(for example FR, DE, EL)."), field="vat_number")
    if not is_eu(country):
        raise DomainError(_("Only customers in the EU can use a VAT number for VAT deduction; leave it empty."),
                          field="vat_number")
    if prefix != vat_prefix(country):
        raise DomainError(_("This is a %(vat)s number, but the customer is in %(country)s. Use the customer's own "
                            "VAT number or correct the country.", vat=vat_name(_country_of_prefix(prefix)),
                            country=country), field="vat_number")
    try:
        number = eu_vat.validate(raw)
    except stdnum_errors.InvalidChecksum as error:
        raise DomainError(_("The check digits of this VAT number do not match: look for a typing error."),
                          field="vat_number") from error
    except stdnum_errors.ValidationError as error:
        raise DomainError(_("This is not the format of a %(vat)s number.", vat=vat_name(country)),
                          field="vat_number") from error
    return "EL" + number[2:] if number.startswith("GR") else number


def decide(*, seller_country: str, customer_country: str, vat_number: str | None, on: date,
           vies_confirmed: bool | None = None) -> VatDecision:
    """Apply the decision table to a sale made on ``on``.

    ``vat_number`` must come from ``normalise_vat_number``. ``vies_confirmed`` is None when the
    VIES check is off, else whether VIES confirmed the number; False refuses reverse charge.
    """
    if customer_country == seller_country:
        rate = standard_rate(seller_country, on)
        return VatDecision("domestic", rate, "S", seller_country, vat_number)
    if not is_eu(customer_country):
        return VatDecision("outside_eu", 0, "O", customer_country, vat_number)
    if vat_number and vies_confirmed is not False:
        return VatDecision("reverse_charge", 0, "AE", customer_country, vat_number)
    return VatDecision("destination", standard_rate(customer_country, on), "S", customer_country, vat_number)


def check_vies(vat_number: str) -> bool:
    """Ask the EU's VIES service whether ``vat_number`` is registered; False when it cannot answer.

    Only called when the vendor turns the VIES check on; tests replace it, as VIES cannot be
    reached from here.
    """
    try:
        return bool(eu_vat.check_vies(vat_number, timeout=10)["valid"])
    except Exception:  # no SOAP client, network down, national database unavailable: not confirmed
        return False
