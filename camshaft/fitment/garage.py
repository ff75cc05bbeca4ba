"""My Garage for guests: the chosen vehicles live in a signed cookie (C3).

The cookie holds ids only; vehicles are loaded once per request, lazily."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

SALT = "camshaft.garage"
MAX_AGE = 60 * 60 * 24 * 365


@dataclass
class Garage:
    vehicle_ids: list[int] = field(default_factory=list)
    selected_id: int | None = None

    @property
    def vehicles(self):
        from camshaft.fitment import selectors

        return selectors.vehicles_by_ids(self.vehicle_ids)

    @property
    def selected(self):
        if self.selected_id is None:
            return None
        return next((v for v in self.vehicles if v.id == self.selected_id), None)

    def add(self, vehicle_id: int) -> None:
        if vehicle_id in self.vehicle_ids:
            self.vehicle_ids.remove(vehicle_id)
        self.vehicle_ids.insert(0, vehicle_id)
        del self.vehicle_ids[settings.GARAGE_MAX_VEHICLES :]
        self.selected_id = vehicle_id

    def remove(self, vehicle_id: int) -> None:
        if vehicle_id in self.vehicle_ids:
            self.vehicle_ids.remove(vehicle_id)
        if self.selected_id == vehicle_id:
            self.selected_id = self.vehicle_ids[0] if self.vehicle_ids else None

    def select(self, vehicle_id: int) -> bool:
        if vehicle_id not in self.vehicle_ids:
            return False
        self.selected_id = vehicle_id
        return True


def read(request: HttpRequest) -> Garage:
    try:
        data = signing.loads(
            request.COOKIES.get(settings.GARAGE_COOKIE, ""), salt=SALT, max_age=MAX_AGE
        )
        ids = [int(v) for v in data.get("v", [])][: settings.GARAGE_MAX_VEHICLES]
        selected = data.get("s")
        selected = int(selected) if selected in ids else (ids[0] if ids else None)
        return Garage(vehicle_ids=ids, selected_id=selected)
    except (signing.BadSignature, ValueError, TypeError, AttributeError):
        return Garage()


def write(response: HttpResponse, garage: Garage) -> None:
    value = signing.dumps({"v": garage.vehicle_ids, "s": garage.selected_id}, salt=SALT)
    response.set_cookie(
        settings.GARAGE_COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def garage_for(request: HttpRequest):
    if not hasattr(request, "_garage"):
        request._garage = SimpleLazyObject(lambda: read(request))
    return request._garage
