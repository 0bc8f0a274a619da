"""What a payer needs to pay by bank transfer: the ISO 11649 RF reference and the EPC QR code."""

from decimal import Decimal

import segno
from schwifty import IBAN
from segno import helpers
from stdnum import iso11649

from domain.money import to_decimal


def rf_reference(reference: str) -> str:
    """Make the ISO 11649 creditor reference of ``reference`` (letters and digits kept, upper-cased).

    The check digits are 98 minus the remainder mod 97 of the reference followed by ``RF00``, with
    letters read as numbers (A=10 ... Z=35).
    """
    body = "".join(c for c in reference if c.isalnum()).upper()
    if not 1 <= len(body) <= 21:
        raise ValueError("An RF reference holds 1 to 21 letters and digits.")
    number = int("".join(str(int(c, 36)) for c in body + "RF00"))
    return f"RF{98 - number % 97:02d}{body}"


def format_rf(rf: str) -> str:
    """``RF18539007547034`` -> ``RF18 5390 0754 7034`` for print."""
    return iso11649.format(rf)


def epc_qr(*, name: str, iban: str, bic: str, amount: Decimal, reference: str) -> segno.QRCode:
    """The EPC QR code (version 002, UTF-8, structured RF reference) a banking app scans to pay."""
    return helpers.make_epc_qr(name=name[:70], iban=iban, amount=amount, reference=reference, bic=bic, encoding=1)


def transfer_details(snapshot: dict, *, amount_minor: int, currency: str) -> dict:
    """What a payer types or scans to pay an invoice by bank transfer: one source for the PDF and the pages."""
    seller, rf = snapshot["seller"], snapshot["rf_reference"]
    amount = to_decimal(amount_minor, currency)
    return {"name": seller["name"], "iban": IBAN(seller["iban"]).formatted, "bic": seller["bic"],
            "rf": format_rf(rf), "rf_compact": rf, "amount_minor": amount_minor,
            "qr_uri": epc_qr(name=seller["name"], iban=seller["iban"], bic=seller["bic"], amount=amount,
                             reference=rf).svg_data_uri(scale=4, border=0)}
