"""CSV files that people open in a spreadsheet.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula (CSV injection): a customer named ``=HYPERLINK("https://…")`` would become a live
link in the vendor's sheet. Such text is written after an apostrophe, which a spreadsheet takes as "this is text"
and does not show. Numbers, amounts and ids are not text and are written as they are: a negative amount stays a
number.
"""

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """``value`` as a spreadsheet reads it as written: text that would start a formula behind an apostrophe."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def to_csv(header: list[str], rows: Iterable[Iterable]) -> str:
    """The header and the rows as CSV text, each cell through ``cell``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()
