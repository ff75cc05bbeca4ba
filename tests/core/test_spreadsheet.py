"""CSV injection (OWASP): no cell the store writes starts a formula, and
reading our own cells back gives the value written."""

from hypothesis import given
from hypothesis import strategies as st

from camshaft.core.spreadsheet import FORMULA_STARTS, read_cell, write_cell


@given(st.text())
def test_B2_every_written_cell_reads_back_as_it_was(value):
    assert read_cell(write_cell(value)) == value


@given(st.text())
def test_B2_no_written_cell_starts_a_formula(value):
    assert not write_cell(value).startswith(FORMULA_STARTS)


def test_B2_numbers_and_plain_text_are_left_alone():
    assert write_cell(12) == 12 and write_cell("Brake pads") == "Brake pads"
    assert write_cell("=1+1") == "'=1+1" and write_cell("\tx") == "'\tx"
