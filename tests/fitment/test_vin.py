"""C4 VIN lookup: validation (length, characters, check digit) and decoding."""

import datetime
import string
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from camshaft.fitment.vin import (
    DecodedVin,
    InvalidVin,
    _region_country,
    compute_check_digit,
    decode_vin,
    normalize_vin,
    validate_vin,
    wmi_table,
)

TODAY = datetime.date(2026, 3, 1)

# The check digit computed here from the published rule (49 CFR 565.15), not
# by the module under test, so each example VIN is verified independently.
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
LETTER_VALUES = "12345678123457923456789"  # A=1 ... H=8, J=1 ... N=5, P=7, R=9, S=2 ... Z=9
VALUES = {d: int(d) for d in string.digits} | {
    letter: int(value) for letter, value in zip(LETTERS, LETTER_VALUES, strict=True)
}
WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_CHARACTERS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"


def expected_check_digit(vin: str) -> str:
    remainder = sum(VALUES[c] * w for c, w in zip(vin, WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def with_check_digit(vin: str) -> str:
    """`vin` with position 9 replaced by its correct check digit."""
    return at(vin, 9, expected_check_digit(vin))


def with_wrong_check_digit(vin: str) -> str:
    return at(vin, 9, next(c for c in "0123456789X" if c != expected_check_digit(vin)))


def at(vin: str, position: int, character: str) -> str:
    """`vin` with the character at `position` (counted from 1, as VINs are) replaced."""
    return vin[: position - 1] + character + vin[position:]


# Real VINs from public documentation and decoder examples; the first test
# below proves each one's check digit.
HONDA_ACCORD_2003 = "1HGCM82633A004352"
CHECK_DIGIT_TEXTBOOK_EXAMPLE = "1M8GDM9AXKP042788"  # check digit X; a 1989 MCI coach
TESLA_MODEL_S_2015 = "5YJSA1H12FFP71790"
TESLA_SHANGHAI_2023 = "LRW3E7FS5PC695355"
RIVIAN_R1T_2023 = "7FCTGAAA7PN023076"
HARLEY_DAVIDSON_2008 = "1HD1GP4558K319097"
BUGATTI_CHIRON_2020 = "VF9SP3V34LM795264"
REAL_VINS = (
    HONDA_ACCORD_2003,
    CHECK_DIGIT_TEXTBOOK_EXAMPLE,
    TESLA_MODEL_S_2015,
    TESLA_SHANGHAI_2023,
    RIVIAN_R1T_2023,
    HARLEY_DAVIDSON_2008,
    BUGATTI_CHIRON_2020,
)


@pytest.mark.parametrize("vin", REAL_VINS)
def test_C4_real_vins_carry_a_correct_check_digit(vin):
    assert vin[8] == expected_check_digit(vin)
    assert compute_check_digit(vin) == vin[8]
    assert validate_vin(vin) == vin


@pytest.mark.parametrize(
    ("vin", "make", "country", "year"),
    [
        (HONDA_ACCORD_2003, "Honda", "United States", 2003),
        (CHECK_DIGIT_TEXTBOOK_EXAMPLE, "Motor Coach Industries", "United States", 1989),
        (TESLA_MODEL_S_2015, "Tesla", "United States", 2015),
        (TESLA_SHANGHAI_2023, "Tesla", "China", 2023),
        (RIVIAN_R1T_2023, "Rivian", "United States", 2023),
        (HARLEY_DAVIDSON_2008, "Harley-Davidson", "United States", 2008),
    ],
)
def test_C4_valid_vin_decodes_year_and_make(vin, make, country, year):
    decoded = decode_vin(vin, today=TODAY)
    assert decoded.vin == vin
    assert decoded.wmi == vin[:3]
    assert (decoded.make, decoded.country, decoded.model_year) == (make, country, year)
    assert decoded.candidate_years[0] == year


def test_C4_decoded_vin_is_immutable():
    decoded = decode_vin(HONDA_ACCORD_2003, today=TODAY)
    assert isinstance(decoded, DecodedVin)
    with pytest.raises(AttributeError):
        decoded.make = "Acura"


def test_C4_decode_without_today_uses_the_current_date():
    assert decode_vin(HONDA_ACCORD_2003).model_year == 2003


@pytest.mark.parametrize(
    "raw",
    [
        "1hgcm82633a004352",
        "1HG-CM826-33A004352",
        "  1HG CM82 633A 004352 ",
        "1HG\tCM82633A004352\n",
        "1HG\u2013CM82633A004352",  # an en dash pasted from a document
    ],
)
def test_C4_lowercase_and_dashes_normalized(raw):
    assert normalize_vin(raw) == HONDA_ACCORD_2003
    assert validate_vin(raw) == HONDA_ACCORD_2003
    assert decode_vin(raw, today=TODAY).vin == HONDA_ACCORD_2003


def test_C4_only_ascii_letters_are_upper_cased():
    # "ﬁ" would upper-case to "FI"; it must stay a character a VIN cannot hold.
    assert normalize_vin("ﬁ") == "ﬁ"
    with pytest.raises(InvalidVin) as refused:
        validate_vin("1HGCM82633A00435ﬁ")
    assert refused.value.code == "characters"


@pytest.mark.parametrize(
    ("raw", "length"),
    [("1HGCM82633A0", 12), ("1HGCM82633A00435", 16), ("1HGCM82633A0043521", 18)],
)
def test_C4_wrong_length_refused(raw, length):
    with pytest.raises(InvalidVin) as refused:
        validate_vin(raw)
    assert str(refused.value) == f"A VIN has 17 characters; this one has {length}."
    assert refused.value.code == "length"


@pytest.mark.parametrize("raw", ["", "   ", "--"])
def test_C4_empty_input_asks_for_a_vin(raw):
    with pytest.raises(InvalidVin, match="Please enter a VIN") as refused:
        validate_vin(raw)
    assert refused.value.code == "length"


def test_C4_very_long_input_refused_quickly():
    start = time.perf_counter()
    with pytest.raises(InvalidVin, match="far longer") as refused:
        validate_vin("-" * 5_000_000 + HONDA_ACCORD_2003)
    assert refused.value.code == "length"
    assert time.perf_counter() - start < 0.1


@pytest.mark.parametrize("letter", ["I", "O", "Q", "i", "o", "q"])
def test_C4_letters_I_O_Q_refused(letter):
    raw = at(HONDA_ACCORD_2003, 12, letter)
    with pytest.raises(InvalidVin) as refused:
        validate_vin(raw)
    assert str(refused.value).startswith("A VIN never contains the letters I, O or Q")
    assert refused.value.code == "characters"


@pytest.mark.parametrize("stray", ["*", "_", ".", "é", "٣"])
def test_C4_characters_other_than_letters_and_digits_refused(stray):
    raw = at(HONDA_ACCORD_2003, 12, stray)
    with pytest.raises(InvalidVin, match="only letters and digits") as refused:
        validate_vin(raw)
    assert refused.value.code == "characters"


@pytest.mark.parametrize("code", ["U", "Z", "0"])
def test_C4_position_10_U_Z_0_is_not_a_model_year(code):
    vin = with_check_digit(at(HONDA_ACCORD_2003, 10, code))
    with pytest.raises(InvalidVin, match="10th character") as refused:
        validate_vin(vin)
    assert refused.value.code == "model_year"


@pytest.mark.parametrize("vin", REAL_VINS)
def test_C4_bad_check_digit_refused(vin):
    with pytest.raises(InvalidVin) as refused:
        validate_vin(with_wrong_check_digit(vin))
    assert str(refused.value) == (
        "This VIN's check digit does not match: please check it for typos."
    )
    assert refused.value.code == "check_digit"


def test_C4_typo_caught_by_check_digit():
    typo = at(HONDA_ACCORD_2003, 5, "N")  # CM -> CN
    with pytest.raises(InvalidVin) as refused:
        decode_vin(typo, today=TODAY)
    assert refused.value.code == "check_digit"


def test_C4_european_vin_without_check_digit_accepted_only_when_asked():
    # European VINs may fill position 9 (here with Z) instead of a check digit.
    european = "WVWZZZ1JZXW000001"
    with pytest.raises(InvalidVin) as refused:
        validate_vin(european)
    assert refused.value.code == "check_digit"
    decoded = decode_vin(european, today=TODAY, enforce_check_digit=False)
    assert (decoded.make, decoded.country, decoded.model_year) == (
        "Volkswagen",
        "Germany",
        1999,
    )


def test_C4_unknown_wmi_still_valid():
    vin = with_check_digit("1Z1AB1CC0LK123456")  # a letter in position 7: 2020
    assert "1Z1" not in wmi_table()
    decoded = decode_vin(vin, today=TODAY)
    assert (decoded.make, decoded.country, decoded.model_year) == (None, "United States", 2020)


def test_C4_unassigned_region_has_no_country():
    decoded = decode_vin(with_check_digit("0A0AB12C0LK123456"), today=TODAY)
    assert (decoded.make, decoded.country) == (None, None)


def test_C4_small_manufacturer_named_by_positions_12_to_14():
    assert decode_vin(BUGATTI_CHIRON_2020, today=TODAY).make == "Bugatti"
    # Another maker under the shared French small-maker WMI is not a Bugatti.
    other = decode_vin(with_check_digit(BUGATTI_CHIRON_2020[:11] + "123456"), today=TODAY)
    assert (other.make, other.country) == (None, "France")


@pytest.mark.parametrize(
    ("vin", "make", "year"),
    [
        ("1C4RJFAG0EC123456", "Jeep", 2014),  # Grand Cherokee
        ("1C6HJTAG0LL123456", "Jeep", 2020),  # Gladiator, on a truck WMI
        ("1C6RR7LT0HS123456", "Ram", 2017),  # 1500
        ("2C3CDXBG0KH123456", "Dodge", 2019),  # Charger
        ("2C3CCAAG0FH123456", "Chrysler", 2015),  # 300
        ("1C4GJ45R05B123456", "Chrysler", 2005),  # before brands shared the WMI
    ],
)
def test_C4_chrysler_group_brand_from_position_5_since_2011(vin, make, year):
    decoded = decode_vin(with_check_digit(vin), today=TODAY)
    assert (decoded.make, decoded.model_year) == (make, year)


def test_C4_year_cycle_uses_position_7():
    # Position 10 "A" is 1980 or 2010; a digit in position 7 says 1980, a letter 2010.
    year_a = at(HONDA_ACCORD_2003, 10, "A")
    numeric = decode_vin(with_check_digit(year_a), today=TODAY)
    alphabetic = decode_vin(with_check_digit(at(year_a, 7, "B")), today=TODAY)
    assert (numeric.model_year, numeric.candidate_years) == (1980, (1980, 2010))
    assert (alphabetic.model_year, alphabetic.candidate_years) == (2010, (2010, 1980))


def test_C4_digit_year_codes_span_2001_to_2009():
    vin = with_check_digit(at(HONDA_ACCORD_2003, 10, "9"))
    assert decode_vin(vin, today=TODAY).candidate_years == (2009,)  # 2039 is to come


def test_C4_next_model_year_is_allowed():
    vin = with_check_digit("5YJ3E1EA0VF000001")  # V: 1997 or 2027
    assert decode_vin(vin, today=datetime.date(2026, 8, 1)).model_year == 2027


def test_C4_future_year_never_chosen():
    vin = with_check_digit("5YJ3E1EA0WF000001")  # W: 1998 or 2028; letter in position 7
    decoded = decode_vin(vin, today=datetime.date(2026, 8, 1))
    assert (decoded.model_year, decoded.candidate_years) == (1998, (1998,))
    assert decode_vin(vin, today=datetime.date(2027, 1, 1)).candidate_years == (2028, 1998)


def test_C4_vin_entirely_from_the_future_refused():
    vin = with_check_digit(at(HONDA_ACCORD_2003, 10, "9"))  # 2009 at the earliest
    with pytest.raises(InvalidVin, match="still to come") as refused:
        decode_vin(vin, today=datetime.date(2005, 6, 1))
    assert refused.value.code == "model_year"


def test_C4_wmi_table_holds_real_codes_of_the_makes_shoppers_bring():
    table = wmi_table()
    assert len(table) >= 300
    for wmi, (make, country) in table.items():
        assert len(wmi) == 3 or (len(wmi) == 6 and wmi[2] == "9"), wmi
        assert set(wmi) <= set(VIN_CHARACTERS), wmi
        assert make and country, wmi
    makes = {make for make, _ in table.values()}
    # fmt: off
    assert makes >= {
        "Acura", "Audi", "BMW", "Buick", "Cadillac", "Chevrolet", "Chrysler", "Dodge",
        "Ford", "GMC", "Honda", "Hyundai", "Infiniti", "Jeep", "Kia", "Lexus", "Lincoln",
        "Mazda", "Mercedes-Benz", "Mini", "Mitsubishi", "Nissan", "Porsche", "Ram",
        "Subaru", "Tesla", "Toyota", "Volkswagen", "Volvo",
    }
    # fmt: on
    expected = {
        "1HG": "Honda",
        "JHM": "Honda",
        "1FT": "Ford",
        "1FA": "Ford",
        "1FM": "Ford",
        "WBA": "BMW",
        "WVW": "Volkswagen",
        "5YJ": "Tesla",
        "JTD": "Toyota",
        "4T1": "Toyota",
    }
    assert {wmi: table[wmi][0] for wmi in expected} == expected


def test_C4_wmi_table_country_agrees_with_its_iso_region():
    # A typo in the table would usually put a code in another country's range.
    table = wmi_table()
    disagreements = {}
    for wmi in (w for w in table if len(w) == 3):
        region = _region_country(wmi)
        if region not in {None, table[wmi][1]}:
            disagreements[wmi] = (table[wmi][1], region)
    assert disagreements == {}


@st.composite
def sixteen_characters(draw):
    """All of a VIN but its check digit: position 10 must be a year code."""
    head = draw(st.text(VIN_CHARACTERS, min_size=8, max_size=8))
    year = draw(st.sampled_from(YEAR_CODES))
    tail = draw(st.text(VIN_CHARACTERS, min_size=7, max_size=7))
    return head + year + tail


@given(
    body=sixteen_characters(),
    position=st.sampled_from([i for i, w in enumerate(WEIGHTS) if w]),
    data=st.data(),
)
def test_C4_property_check_digit_accepts_vin_and_catches_any_single_change(body, position, data):
    vin = with_check_digit(body[:8] + "0" + body[8:])
    assert compute_check_digit(vin) == vin[8]
    assert validate_vin(vin) == vin

    # Letters share values with digits (A, J and 1 all count 1), so a change
    # is caught only when the value changes; every weight is prime to 11.
    choices = YEAR_CODES if position == 9 else VIN_CHARACTERS
    replacement = data.draw(
        st.sampled_from([c for c in choices if VALUES[c] != VALUES[vin[position]]])
    )
    changed = vin[:position] + replacement + vin[position + 1 :]  # position counted from 0
    with pytest.raises(InvalidVin) as refused:
        validate_vin(changed)
    assert refused.value.code == "check_digit"


@given(body=sixteen_characters(), data=st.data())
def test_C4_property_any_other_check_digit_refused(body, data):
    vin = with_check_digit(body[:8] + "0" + body[8:])
    wrong = data.draw(st.sampled_from([c for c in VIN_CHARACTERS if c != vin[8]]))
    with pytest.raises(InvalidVin) as refused:
        validate_vin(at(vin, 9, wrong))
    assert refused.value.code == "check_digit"
