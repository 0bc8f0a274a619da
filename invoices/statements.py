"""Bank statements: CAMT.053 (ISO 20022 XML, read with lxml) and MT940 (SWIFT, read with mt-940).

Both become the same ``StatementEntry`` list. Only booked credits that are not reversals are
kept: they are the payments received. A file that does not parse is refused with the line or
element that is wrong; nothing of it is kept.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import mt940
from flask_babel import gettext as _
from lxml import etree

from domain.errors import DomainError
from domain.money import to_minor

MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class StatementEntry:
    bank_reference: str  # the bank's own reference of the entry: importing it twice is a no-op
    booked_on: date
    amount_minor: int
    currency: str
    payer_name: str | None
    payer_iban: str | None
    remittance: str  # the structured creditor reference and the free text, as the payer wrote them


@dataclass(frozen=True)
class Statement:
    statement_id: str
    entries: list[StatementEntry]  # booked credits only
    skipped: int  # debits, reversals and entries not booked


def parse(data: bytes) -> Statement:
    """Read a CAMT.053 or MT940 statement; raise DomainError saying where it is wrong."""
    if not data.strip():
        raise DomainError(_("The file is empty."), field="statement")
    if len(data) > MAX_BYTES:
        raise DomainError(_("The file is larger than 5 MB: split the statement."), field="statement")
    if data.lstrip().startswith(b"<"):
        return _parse_camt053(data)
    return _parse_mt940(data)


def _text(element, path: str) -> str | None:
    found = element.find(path)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _camt_error(element, message: str) -> DomainError:
    return DomainError(_("Line %(line)s, <%(element)s>: %(message)s", line=element.sourceline,
                         element=etree.QName(element).localname, message=message), field="statement")


def _parse_camt053(data: bytes) -> Statement:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise DomainError(_("Line %(line)s: not well-formed XML (%(detail)s).", line=error.lineno, detail=error.msg),
                          field="statement") from error
    if etree.QName(root).localname != "Document" or "camt.053" not in (etree.QName(root).namespace or ""):
        raise DomainError(_("This XML is not a CAMT.053 bank statement (expected a camt.053 <Document>)."),
                          field="statement")
    statements = root.findall("{*}BkToCstmrStmt/{*}Stmt")
    if not statements:
        raise _camt_error(root, _("no <Stmt> statement in the file."))
    entries, skipped, ids = [], 0, []
    for statement in statements:
        statement_id = _text(statement, "{*}Id")
        if statement_id is None:
            raise _camt_error(statement, _("the statement has no <Id>."))
        ids.append(statement_id)
        for entry in statement.findall("{*}Ntry"):
            parsed = _camt_entry(entry)
            if parsed is None:
                skipped += 1
            else:
                entries.extend(parsed)
    return Statement(", ".join(ids), entries, skipped)


def _camt_entry(entry) -> list[StatementEntry] | None:
    amount_element = entry.find("{*}Amt")
    if amount_element is None:
        raise _camt_error(entry, _("the entry has no <Amt>."))
    amount = _amount(amount_element)
    currency = amount_element.get("Ccy")
    if not currency or not re.fullmatch(r"[A-Z]{3}", currency):
        raise _camt_error(amount_element, _("the amount has no Ccy currency code."))
    indicator = _text(entry, "{*}CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise _camt_error(entry, _("<CdtDbtInd> must be CRDT or DBIT."))
    status = _text(entry, "{*}Sts") or _text(entry, "{*}Sts/{*}Cd")
    reversal = _text(entry, "{*}RvslInd") == "true"
    if indicator != "CRDT" or status != "BOOK" or reversal:
        return None
    booked = _text(entry, "{*}BookgDt/{*}Dt") or (_text(entry, "{*}BookgDt/{*}DtTm") or "")[:10]
    try:
        booked_on = date.fromisoformat(booked)
    except ValueError as error:
        raise _camt_error(entry, _("the entry has no valid <BookgDt>.")) from error
    reference = _text(entry, "{*}AcctSvcrRef")
    if reference is None:
        raise _camt_error(entry, _("the entry has no <AcctSvcrRef> (the bank's reference)."))
    details = entry.findall("{*}NtryDtls/{*}TxDtls") or [entry]
    found = []
    for n, detail in enumerate(details):
        tx_amount = detail.find("{*}AmtDtls/{*}TxAmt/{*}Amt")
        own = tx_amount is not None and len(details) > 1  # a batch entry: each transaction has its own amount
        minor = to_minor(_amount(tx_amount) if own else amount, currency)
        remittance = " ".join(filter(None, [_text(detail, "{*}RmtInf/{*}Strd/{*}CdtrRefInf/{*}Ref"),
                                            *(u.text.strip() for u in detail.findall("{*}RmtInf/{*}Ustrd")
                                              if u.text)]))
        found.append(StatementEntry(
            bank_reference=reference if n == 0 else f"{reference}/{n + 1}", booked_on=booked_on,
            amount_minor=minor, currency=currency,
            payer_name=(_text(detail, "{*}RltdPties/{*}Dbtr/{*}Nm")
                        or _text(detail, "{*}RltdPties/{*}Dbtr/{*}Pty/{*}Nm")),
            payer_iban=_text(detail, "{*}RltdPties/{*}DbtrAcct/{*}Id/{*}IBAN"), remittance=remittance))
    return found


def _amount(element) -> Decimal:
    text = (element.text or "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _camt_error(element, _("%(text)s is not an amount.", text=repr(text))) from None
    if not value.is_finite() or value < 0:
        raise _camt_error(element, _("%(text)s is not an amount.", text=repr(text)))
    return value


def _parse_mt940(data: bytes) -> Statement:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    text = text.replace("\x00", "")  # no text column can hold NUL; a statement has no use for it
    if ":20:" not in text or ":61:" not in text and ":62F:" not in text:
        raise DomainError(_("This file is neither a CAMT.053 XML statement nor an MT940 statement "
                            "(no :20: and :61: or :62F: fields)."), field="statement")
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(":61:") and "//" not in line:
            raise DomainError(_("Line %(line)s (%(text)s): the :61: line has no //bank reference.", line=number,
                                text=line.strip()[:40]), field="statement")
    try:
        transactions = mt940.parse(text)
    except (RuntimeError, ValueError, KeyError) as error:
        raise DomainError(_("%(where)s: this MT940 field cannot be read.", where=_mt940_where(text, error)),
                          field="statement") from error
    statement_id = transactions.data.get("transaction_reference") or "MT940"
    entries, skipped = [], 0
    for transaction in transactions:
        values = transaction.data
        amount = values["amount"].amount
        if values.get("status") != "C" or amount <= 0:
            skipped += 1
            continue
        reference = values["bank_reference"]
        remittance = " ".join(filter(None, [values.get("purpose"), values.get("transaction_details")]))
        booked = values.get("entry_date") or values["date"]
        entries.append(StatementEntry(
            bank_reference=reference, booked_on=date(booked.year, booked.month, booked.day),
            amount_minor=to_minor(amount, values["currency"]), currency=values["currency"],
            payer_name=values.get("applicant_name"), payer_iban=values.get("applicant_iban"),
            remittance=remittance.replace("\n", " ")))
    return Statement(statement_id, entries, skipped)


def _mt940_where(text: str, error: Exception) -> str:
    """The line holding the text mt-940 could not read (it names it in its error)."""
    bad = next((arg for arg in reversed(error.args) if isinstance(arg, str)), "")
    for number, line in enumerate(text.splitlines(), start=1):
        if bad and bad.splitlines()[0] in line:
            return _("Line %(line)s (%(text)s)", line=number, text=line.strip()[:40])
    return _("The file")
