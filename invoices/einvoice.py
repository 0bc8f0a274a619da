"""Factur-X EN 16931: the structured copy of an invoice or credit note, embedded in its PDF/A-3b."""

from datetime import date, timedelta

import facturx

from domain.money import to_decimal


def _amount(minor: int, currency: str) -> str:
    return str(to_decimal(minor, currency))


def _party(party: dict, *, with_vat: bool) -> dict:
    values = {"name": party["name"], "country_code": party["country"], "city": party["city"],
              "postcode": party["postal_code"], "addr_l1": party["street"]}
    if with_vat and party.get("vat_number"):
        values["vat_identifier"] = party["vat_number"]
    return values


def cii_data(document) -> dict:
    """The EN 16931 dictionary of an Invoice or CreditNote (python ``factur-x`` keys, amounts as text)."""
    snap, currency = document.snapshot, document.currency
    supply_start, supply_last = document_supply(document)
    category = snap["vat"]["category"]
    credit = snap["kind"] == "credit_note"
    lines = [line for line in snap["lines"] if line["amount_minor"] > 0]
    allowances = [line for line in snap["lines"] if line["amount_minor"] < 0]
    line_total = sum(line["amount_minor"] for line in lines)
    allowance_total = -sum(line["amount_minor"] for line in allowances)
    with_vat = category != "O"  # EN 16931 BR-O-02: no VAT identifiers on a "not subject to VAT" invoice
    exemption = {"AE": ("Reverse charge", "VATEX-EU-AE"), "O": ("Not subject to VAT", "VATEX-EU-O")}.get(category)

    def rate(rate_bp: int) -> str | None:
        return None if category == "O" else str(to_decimal(rate_bp, "EUR"))

    data = {
        "BT-1": document.number, "BT-2": document.issued_on, "BT-3": "381" if credit else "380", "BT-5": currency,
        "BT-20": snap["payment_terms"],
        "BT-72": supply_start, "BT-73": supply_start, "BT-74": supply_last,
        "BT-81": "58", "BT-83": snap.get("rf_reference"), "BT-84": snap["seller"]["iban"],
        "BT-86": snap["seller"]["bic"],
        "BG-4": _party(snap["seller"], with_vat=with_vat),
        "BG-7": _party(snap["buyer"], with_vat=with_vat),
        "BG-25": [{
            "BT-126": str(n), "BT-153": line["description"][:100],
            "BT-146": _amount(line["unit_price_minor"] or line["amount_minor"], currency),
            "BT-129": str(line["quantity"] * line["months"] if line["unit_price_minor"] else 1), "BT-130": "C62",
            "BT-151": category, "BT-152": rate(line["vat_rate_bp"]), "BT-131": _amount(line["amount_minor"], currency),
        } for n, line in enumerate(lines, 1)],
        "BG-20": [{"amount": _amount(-line["amount_minor"], currency), "reason": line["description"],
                   "vat_category_code": category, "vat_rate": rate(line["vat_rate_bp"])} for line in allowances],
        "BG-23": [{"BT-116": _amount(t["taxable_minor"], currency), "BT-117": _amount(t["vat_minor"], currency),
                   "BT-118": category, "BT-119": rate(t["rate_bp"]),
                   **({"BT-120": exemption[0], "BT-121": exemption[1]} if exemption else {})}
                  for t in snap["vat_totals"]],
        "BT-106": _amount(line_total, currency), "BT-107": _amount(allowance_total, currency) if allowances else None,
        "BT-109": _amount(document.net_minor, currency), "BT-110": _amount(document.vat_minor, currency),
        "BT-112": _amount(document.gross_minor, currency), "BT-115": _amount(document.gross_minor, currency),
    }
    if credit:
        data["BG-3"] = [{"BT-25": snap["invoice_number"], "BT-26": date.fromisoformat(snap["invoice_issued_on"])}]
    else:
        data["BT-9"] = document.due_on
    if snap["buyer"].get("po_reference"):
        data["BT-13"] = snap["buyer"]["po_reference"]
    return {key: value for key, value in data.items() if value is not None}


def document_supply(document):
    """The supply period as EN 16931 wants it: first and last day (our periods end exclusively)."""
    snap = document.snapshot
    start, end = date.fromisoformat(snap["supply_start"]), date.fromisoformat(snap["supply_end"])
    return start, end - timedelta(days=1)


def embed(pdf_a3: bytes, document, lang: str) -> bytes:
    """Attach the schema-checked Factur-X XML to a PDF/A-3b, as the alternative form of the document."""
    xml = facturx.generate_cii_xml(cii_data(document), level="en16931", check_xsd=True, check_schematron=False)
    return facturx.generate_from_binary(pdf_a3, xml, flavor="factur-x", level="en16931", check_xsd=True,
                                        afrelationship="alternative", lang=lang)
