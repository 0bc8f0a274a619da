"""CSV exports never hand a spreadsheet a formula, and keep numbers numbers."""

import csv
import io
from decimal import Decimal

import pytest

from domain import spreadsheets


@pytest.mark.parametrize("text", ["=1+1", "+33 1 23 45", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")'])
def test_text_that_would_start_a_formula_is_written_as_text(text):
    written = list(csv.reader(io.StringIO(spreadsheets.to_csv(["name"], [[text]]).removeprefix("\ufeff"))))
    assert written == [["name"], ["'" + text]]


def test_other_text_numbers_and_amounts_are_written_as_they_are():
    rows = [["Acme GmbH", Decimal("-12.50"), -3, 0, "", "a=b", "2026-12-01"]]
    written = list(csv.reader(io.StringIO(spreadsheets.to_csv(list("abcdefg"), rows).removeprefix("\ufeff"))))
    assert written[1] == ["Acme GmbH", "-12.50", "-3", "0", "", "a=b", "2026-12-01"]


def test_a_csv_begins_with_the_mark_that_tells_excel_it_is_utf_8():
    written = spreadsheets.to_csv(["customer"], [["Kraków Software sp. z o.o."]]).encode()
    assert written.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(written.decode("utf-8-sig")))) == [["customer"], ["Kraków Software sp. z o.o."]]
