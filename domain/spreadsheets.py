"""CSV files that people open in a spreadsheet.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula (CSV injection): a customer named ``=HYPERLINK("https://…")`` would become a live
link in the vendor's sheet. Such text is written after an apostrophe, which a spreadsheet takes as "this is text"
and does not show. Numbers, amounts and ids are not text and are written as they are: a negative amount stays a
number.

The file begins with the UTF-8 byte-order mark. Without it Excel on Windows reads a CSV in the computer's own
code page, and "Kraków" or "Gran Vía" come out garbled; LibreOffice, Google Sheets and Python's ``utf-8-sig``
read the mark and drop it.
"""

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"


def cell(value):
    """``value`` as a spreadsheet reads it as written: text that would start a formula behind an apostrophe."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def to_csv(header: list[str], rows: Iterable[Iterable]) -> str:
    """The header and the rows as CSV text after the byte-order mark, each cell through ``cell``."""
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()
