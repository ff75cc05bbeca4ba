"""Validate a 17-character VIN and decode its make, country and model year (C4).

A VIN (ISO 3779, and 49 CFR 565 in North America) reads:

- positions 1-3, the World Manufacturer Identifier (WMI): who built it, where;
- position 9, the check digit;
- position 10, the model year, on a 30-year cycle;
- positions 12-14, for a small manufacturer (a WMI ending in 9), who it is.

North American VINs always carry the check digit. European VINs need not:
many use a filler such as ``Z`` in position 9 and would fail the check. C4
says the check digit is validated, so every VIN is checked by default; a
caller that must accept such VINs passes ``enforce_check_digit=False``.

Pure: no database, no network. Makes come from NHTSA's vPIC list of every
WMI (``vpic.py``, over 12,000 of them), which also gives model, body, trim
and engine where the manufacturer's VIN patterns say them. ``data/wmi.csv``
(``wmi,make,country``) is our own short list of the makes shoppers bring
most, spelled as the catalogue spells them; it wins where both know a WMI.
A row whose ``wmi`` has six characters names a small manufacturer by its
WMI plus positions 12-14.
"""

import csv
import datetime
import re
import string
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from camshaft.fitment import vpic
from camshaft.fitment.vpic import EngineSpec

VIN_LENGTH = 17
# Anything this long is not a VIN with a few stray spaces or dashes; refuse it
# before doing any work on it.
MAX_RAW_LENGTH = 40
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]")  # spaces, hyphens and dashes
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)

# I, O and Q are never used: they read too easily as 1 and 0.
FORBIDDEN_LETTERS = frozenset("IOQ")
ALLOWED_CHARACTERS = frozenset(string.digits + string.ascii_uppercase) - FORBIDDEN_LETTERS

CHECK_DIGIT_INDEX = 8  # position 9
MODEL_YEAR_INDEX = 9  # position 10
YEAR_CYCLE_HINT_INDEX = 6  # position 7
SMALL_MANUFACTURER_MARK = "9"  # third WMI character of a maker of < 1,000 a year
SMALL_MANUFACTURER_CODE = slice(11, 14)  # positions 12-14

_TRANSLITERATION = {
    **{digit: int(digit) for digit in string.digits},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

# Position 10: 30 codes for 1980-2009, reused for 2010-2039. U, Z and 0 are
# never used, so they cannot be mistaken for V, 2 and O.
MODEL_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
FIRST_MODEL_YEAR = 1980
YEAR_CYCLE = len(MODEL_YEAR_CODES)
# A car of next year's model is on sale from about mid-year; none later.
MODEL_YEARS_AHEAD = 1

# Since 2011 Chrysler (FCA, now Stellantis) shares its WMIs across brands
# and names the brand in position 5: 1C4RJF... is a Jeep, 1C4RDJ... a Dodge.
SHARED_WMI_BRAND_INDEX = 4  # position 5
SHARED_WMI_FIRST_YEAR = 2011
SHARED_WMIS = frozenset({"1C3", "1C4", "1C6", "2C3", "2C4", "3C3", "3C4", "3C6", "3C7", "ZAC"})
SHARED_WMI_BRANDS = {"C": "Chrysler", "D": "Dodge", "F": "Fiat", "J": "Jeep", "R": "Ram"}

# ISO 3779 regions: first character, range of second characters, country.
# Used only when the WMI is not in our table, so an unknown maker still
# gets a country. Second characters run A-Z, then 1-9, then 0.
_SECOND_CHARACTER_ORDER = "ABCDEFGHJKLMNPRSTUVWXYZ1234567890"
_REGIONS = (
    ("A", "A", "H", "South Africa"),
    ("J", "A", "0", "Japan"),
    ("K", "L", "R", "South Korea"),
    ("L", "A", "0", "China"),
    ("M", "A", "E", "India"),
    ("M", "L", "R", "Thailand"),
    ("N", "L", "R", "Turkey"),
    ("S", "A", "M", "United Kingdom"),
    ("S", "N", "T", "Germany"),
    ("S", "U", "Z", "Poland"),
    ("T", "A", "H", "Switzerland"),
    ("T", "J", "P", "Czech Republic"),
    ("T", "R", "V", "Hungary"),
    ("V", "A", "E", "Austria"),
    ("V", "F", "R", "France"),
    ("V", "S", "W", "Spain"),
    ("W", "A", "0", "Germany"),
    ("X", "S", "W", "Russia"),
    ("Y", "A", "E", "Belgium"),
    ("Y", "F", "K", "Finland"),
    ("Y", "S", "W", "Sweden"),
    ("Z", "A", "R", "Italy"),
    ("1", "A", "0", "United States"),
    ("2", "A", "W", "Canada"),
    ("3", "A", "W", "Mexico"),
    ("4", "A", "0", "United States"),
    ("5", "A", "0", "United States"),
    ("6", "A", "W", "Australia"),
    ("8", "A", "E", "Argentina"),
    ("9", "A", "E", "Brazil"),
)


class InvalidVin(ValueError):
    """The text is not a valid VIN; ``str(exc)`` tells the shopper why.

    ``code`` names the rule broken, for API clients: ``length``,
    ``characters``, ``model_year`` or ``check_digit``."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class DecodedVin:
    vin: str  # normalized: upper-case, spaces and dashes removed
    wmi: str
    make: str | None  # None when the WMI is unknown (still a valid VIN)
    country: str | None
    model_year: int
    candidate_years: tuple[int, ...]  # every plausible model year, best first
    # What vPIC's VIN patterns tell beyond the make, when they do.
    model: str | None = None
    body: str | None = None
    trim: str | None = None
    engine: EngineSpec = field(default_factory=EngineSpec)

    @property
    def description(self) -> str:
        """ "2014 Jeep Grand Cherokee Laredo, 3.6L V6" as far as it is known."""
        words = [str(self.model_year), self.make or "vehicle", self.model, self.trim]
        text = " ".join(w for w in words if w)
        engine = str(self.engine)
        return f"{text}, {engine}" if engine else text


def normalize_vin(raw: str) -> str:
    """Remove spaces and dashes and upper-case ASCII letters.

    Only ASCII is upper-cased so that no other character can turn into a
    VIN character (the ligature "ﬁ" upper-cases to "FI")."""
    return _SEPARATORS.sub("", raw).translate(_ASCII_UPPER)


def compute_check_digit(vin: str) -> str:
    """The check digit (position 9) that the 17-character `vin` should carry.

    Each character's value (letters transliterated) times its position's
    weight, summed, modulo 11; a remainder of 10 is written X. Position 9
    weighs 0, so whatever it holds does not change the result."""
    total = sum(_TRANSLITERATION[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate_vin(raw: str, *, enforce_check_digit: bool = True) -> str:
    """Return the normalized VIN, or raise InvalidVin saying what is wrong."""
    if len(raw) > MAX_RAW_LENGTH:
        raise InvalidVin(f"A VIN has {VIN_LENGTH} characters; this is far longer.", code="length")
    vin = normalize_vin(raw)
    if not vin:
        raise InvalidVin(f"Please enter a VIN: it has {VIN_LENGTH} characters.", code="length")
    if len(vin) != VIN_LENGTH:
        raise InvalidVin(
            f"A VIN has {VIN_LENGTH} characters; this one has {len(vin)}.", code="length"
        )
    if FORBIDDEN_LETTERS.intersection(vin):
        raise InvalidVin(
            "A VIN never contains the letters I, O or Q; did you mean 1 or 0?",
            code="characters",
        )
    stray = next((c for c in vin if c not in ALLOWED_CHARACTERS), None)
    if stray is not None:
        raise InvalidVin(
            f"A VIN contains only letters and digits, not {stray!r}.", code="characters"
        )
    if vin[MODEL_YEAR_INDEX] not in MODEL_YEAR_CODES:
        raise InvalidVin(
            "The 10th character of a VIN gives the model year and is never U, Z or 0; "
            f"this one has {vin[MODEL_YEAR_INDEX]!r}. Please check it for typos.",
            code="model_year",
        )
    if enforce_check_digit and vin[CHECK_DIGIT_INDEX] != compute_check_digit(vin):
        raise InvalidVin(
            "This VIN's check digit does not match: please check it for typos.",
            code="check_digit",
        )
    return vin


def decode_vin(
    raw: str, *, today: datetime.date | None = None, enforce_check_digit: bool = True
) -> DecodedVin:
    """Validate `raw` and decode its maker, country and model year.

    Raises InvalidVin; a VIN from a maker we do not know is still valid and
    decodes with ``make=None``."""
    vin = validate_vin(raw, enforce_check_digit=enforce_check_digit)
    years = _model_years(vin, today=today or datetime.date.today())
    found = vpic.lookup(vin, model_year=years[0])
    make, country = _maker(vin, model_year=years[0], found=found)
    details = {}
    if found is not None and (found.make is None or found.make == make):
        details = {
            "model": found.model,
            "body": found.body,
            "trim": found.trim,
            "engine": found.engine,
        }
    return DecodedVin(
        vin=vin,
        wmi=vin[:3],
        make=make,
        country=country,
        model_year=years[0],
        candidate_years=years,
        **details,
    )


def _model_years(vin: str, *, today: datetime.date) -> tuple[int, ...]:
    """The model years position 10 can mean, best first, none in the future.

    Position 7 picks the cycle: North American passenger vehicles have a
    letter there from model year 2010 on and a digit before. Elsewhere the
    rule is not binding; a letter (often the filler Z) then favours the
    recent cycle, which is what most cars a shop sees belong to."""
    first = FIRST_MODEL_YEAR + MODEL_YEAR_CODES.index(vin[MODEL_YEAR_INDEX])
    cycle_years = (first, first + YEAR_CYCLE)
    if vin[YEAR_CYCLE_HINT_INDEX].isalpha():
        cycle_years = cycle_years[::-1]
    latest = today.year + MODEL_YEARS_AHEAD
    years = tuple(year for year in cycle_years if year <= latest)
    if not years:
        raise InvalidVin(
            f"This VIN's model year would be {first}, which is still to come: "
            "please check it for typos.",
            code="model_year",
        )
    return years


@cache
def wmi_table() -> dict[str, tuple[str, str]]:
    """WMI (or small maker's WMI + positions 12-14) -> (make, country)."""
    source = resources.files(__package__).joinpath("data", "wmi.csv")
    with source.open(encoding="utf-8", newline="") as rows:
        return {row["wmi"]: (row["make"], row["country"]) for row in csv.DictReader(rows)}


def _maker(
    vin: str, *, model_year: int, found: vpic.VpicVehicle | None
) -> tuple[str | None, str | None]:
    """Make and country: a make that vPIC's model patterns name first, then
    our own table, then the make vPIC files under the WMI."""
    table = wmi_table()
    wmi = vin[:3]
    known = None
    if wmi[2] == SMALL_MANUFACTURER_MARK:
        known = table.get(wmi + vin[SMALL_MANUFACTURER_CODE])
    known = known or table.get(wmi)
    if known is None:
        if found is None or not found.makes:
            return None, _region_country(wmi)
        make = found.make or found.makes[0]
        return make, found.country or _region_country(wmi)
    make, country = known
    if wmi in SHARED_WMIS and model_year >= SHARED_WMI_FIRST_YEAR:
        make = SHARED_WMI_BRANDS.get(vin[SHARED_WMI_BRAND_INDEX], make)
    # The same WMI for several brands (Chrysler's, GM's): the model decides.
    if (
        found is not None
        and found.make
        and found.make.casefold() != make.casefold()
        and any(m.casefold() == make.casefold() for m in found.makes)
    ):
        make = found.make
    return make, country


def _region_country(wmi: str) -> str | None:
    rank = _SECOND_CHARACTER_ORDER.index
    for first, low, high, country in _REGIONS:
        if wmi[0] == first and rank(low) <= rank(wmi[1]) <= rank(high):
            return country
    return None
