"""Fitment use-cases: turning a VIN into Part Finder choices (C4)."""

import re
from dataclasses import dataclass

from camshaft.fitment import selectors
from camshaft.fitment.models import Make
from camshaft.fitment.selectors import Choice
from camshaft.fitment.vin import DecodedVin, decode_vin

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_DISPLACEMENT = re.compile(r"(\d+(?:\.\d+)?)\s*L\b", re.IGNORECASE)
_CYLINDERS = re.compile(r"\b[LVHWR](\d{1,2})\b")


@dataclass(frozen=True, slots=True)
class VinPrefill:
    vin: str
    year: int
    make_name: str | None
    make_id: int | None  # None when the catalogue has no vehicles of that make that year
    decoded: DecodedVin
    model_id: int | None = None  # then as deep as the VIN and the catalogue agree
    submodel_id: int | None = None
    engine_id: int | None = None

    @property
    def depth(self) -> str:
        """The last finder level filled: year, make, model, submodel or engine."""
        levels = ("make", "model", "submodel", "engine")
        filled = [lvl for lvl in levels if getattr(self, f"{lvl}_id")]
        return filled[-1] if filled else "year"

    @property
    def message(self) -> str:
        """What the shopper is told above the finder."""
        decoded = self.decoded
        if not decoded.make:
            return (
                f"VIN {self.vin} is a {self.year} vehicle, but its maker's code "
                f"({self.vin[:3]}) is not in NHTSA's list: please pick the make."
            )
        said = f"VIN {self.vin}: {decoded.description}."
        if self.make_id is None:
            return f"{said} We carry no {self.year} {decoded.make} vehicles; please pick the make."
        if self.engine_id:
            return said
        next_level = {"make": "model", "model": "submodel", "submodel": "engine"}[self.depth]
        return f"{said} Please pick the {next_level}."

    @property
    def finder_query(self) -> dict[str, int]:
        query = {"year": self.year}
        for level in ("make", "model", "submodel", "engine"):
            value = getattr(self, f"{level}_id")
            if value is None:
                break
            query[level] = value
        return query


def decode_vin_for_finder(raw: str) -> VinPrefill:
    """Validate and decode a VIN (InvalidVin says what is wrong) and match it
    to the catalogue as deep as both go: the first decoded year we carry, our
    Make, then the model, trim and engine where vPIC's patterns name them and
    exactly one of ours fits."""
    decoded = decode_vin(raw)
    carried = set(selectors.years())
    year = next((y for y in decoded.candidate_years if y in carried), decoded.model_year)
    make_id = model_id = submodel_id = engine_id = None
    if decoded.make:
        make = Make.objects.filter(name__iexact=decoded.make).first()
        if make and any(c.id == make.id for c in selectors.makes(year=year)):
            make_id = make.id
    if make_id and decoded.model:
        model_id = _match_model(decoded.model, selectors.models(year=year, make_id=make_id))
    if model_id:
        submodels = selectors.submodels(year=year, model_id=model_id)
        submodel_id = _match_name(decoded.trim, submodels)
        if submodel_id is None and len(submodels) == 1:
            submodel_id = submodels[0].id
    if submodel_id:
        engines = selectors.engines(year=year, model_id=model_id, submodel_id=submodel_id)
        engine_id = _match_engine(decoded, engines)
    return VinPrefill(
        vin=decoded.vin,
        year=year,
        make_name=decoded.make,
        make_id=make_id,
        model_id=model_id,
        submodel_id=submodel_id,
        engine_id=engine_id,
        decoded=decoded,
    )


def _key(name: str) -> str:
    return _NOT_ALNUM.sub("", name.lower())


def _match_name(name: str | None, choices: list[Choice]) -> int | None:
    if not name:
        return None
    found = [c.id for c in choices if _key(c.name) == _key(name)]
    return found[0] if len(found) == 1 else None


def _match_model(name: str, choices: list[Choice]) -> int | None:
    """vPIC's model name against ours: the same letters and digits ("F-150"
    is "F150"), else the one model of ours that begins with it ("Silverado"
    when we carry only "Silverado 1500" that year)."""
    exact = _match_name(name, choices)
    if exact is not None:
        return exact
    words = name.lower().split()
    starting = [c.id for c in choices if c.name.lower().split()[: len(words)] == words]
    return starting[0] if len(starting) == 1 else None


def _match_engine(decoded: DecodedVin, choices: list[Choice]) -> int | None:
    """The one engine whose displacement and cylinders agree with the VIN;
    none when the VIN does not say or several agree."""
    spec = decoded.engine
    if not spec.known:
        return None
    fitting = []
    for choice in choices:
        litres = _DISPLACEMENT.search(choice.name)
        cylinders = _CYLINDERS.search(choice.name)
        if spec.displacement_l is not None and (
            litres is None or round(float(litres.group(1)), 1) != round(spec.displacement_l, 1)
        ):
            continue
        if spec.cylinders and (cylinders is None or int(cylinders.group(1)) != spec.cylinders):
            continue
        fitting.append(choice.id)
    return fitting[0] if len(fitting) == 1 else None
