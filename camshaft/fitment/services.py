"""Fitment use-cases: turning a VIN into Part Finder choices (C4)."""

from dataclasses import dataclass

from camshaft.fitment import selectors
from camshaft.fitment.models import Make
from camshaft.fitment.vin import decode_vin


@dataclass(frozen=True, slots=True)
class VinPrefill:
    vin: str
    year: int
    make_name: str | None
    make_id: int | None  # None when the catalogue has no vehicles of that make that year


def decode_vin_for_finder(raw: str) -> VinPrefill:
    """Validate and decode a VIN (InvalidVin says what is wrong) and match it
    to the catalogue: the first decoded year we carry, and our Make."""
    decoded = decode_vin(raw)
    carried = set(selectors.years())
    year = next((y for y in decoded.candidate_years if y in carried), decoded.model_year)
    make_id = None
    if decoded.make:
        make = Make.objects.filter(name__iexact=decoded.make).first()
        if make and any(c.id == make.id for c in selectors.makes(year=year)):
            make_id = make.id
    return VinPrefill(vin=decoded.vin, year=year, make_name=decoded.make, make_id=make_id)
