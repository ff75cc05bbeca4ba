"""Every CSV the store writes goes through here, so no cell runs as a formula.

A spreadsheet reads a cell that starts with =, +, -, @, a tab or a carriage
return as a formula (CSV injection): a name typed as =HYPERLINK("http://...")
would become a live link in a data export. OWASP's rule is to put a single
quote before such a cell, which spreadsheets show as plain text. `restore`
undoes it, so the catalogue import reads back exactly what was exported
(a part named "-10% kit" stays "-10% kit")."""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _looks_like_formula(text: str) -> bool:
    # Quotes already in front are counted past, so a value that itself
    # starts with '= is quoted once more and restore gives it back intact.
    return text.lstrip(QUOTE).startswith(FORMULA_STARTS)


def neutralise(value) -> str:
    """`value` as a cell no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    return QUOTE + text if _looks_like_formula(text) else text


def restore(cell: str) -> str:
    """A cell `neutralise` wrote, as it was before."""
    if cell.startswith(QUOTE) and _looks_like_formula(cell):
        return cell[1:]
    return cell


class SafeWriter:
    """csv.writer whose every cell is neutralised."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row):
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """csv.DictWriter whose every cell, header included, is neutralised."""

    def writeheader(self):
        return self.writer.writerow([neutralise(name) for name in self.fieldnames])

    def writerow(self, rowdict):
        return super().writerow({key: neutralise(value) for key, value in rowdict.items()})
