"""CSV cells a spreadsheet will not run as formulas (OWASP, CSV injection).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
written with a leading single quote, which spreadsheets show as text. So
that reading our own files back is exact, a value that already starts with
quotes before such a character gets one more, and `read_cell` takes exactly
one away: "-10% kit" -> "'-10% kit" -> "-10% kit"; "'=x" -> "''=x" -> "'=x".
Every CSV the store writes goes through `write_cell` (or `SafeWriter`)."""

import csv
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _quoted_formula(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_STARTS)


def write_cell(value: Any) -> Any:
    """`value` as a CSV cell that cannot start a formula."""
    if isinstance(value, str) and _quoted_formula(value):
        return "'" + value
    return value


def read_cell(text: str) -> str:
    """A cell of a file `write_cell` wrote, as the value it was."""
    if text.startswith("'") and _quoted_formula(text[1:]):
        return text[1:]
    return text


class SafeWriter:
    """csv.writer whose rows cannot hold a formula."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row) -> None:
        self._writer.writerow([write_cell(value) for value in row])


class SafeDictWriter(csv.DictWriter):
    """csv.DictWriter whose rows cannot hold a formula."""

    def writerow(self, rowdict):
        return super().writerow({key: write_cell(value) for key, value in rowdict.items()})
