"""Part Finder, VIN lookup, My Garage and a vehicle's parts (C3, C4)."""

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from camshaft.core import params
from camshaft.core.paging import BadPage, page_request
from camshaft.fitment import garage as garage_cookie
from camshaft.fitment import selectors, services
from camshaft.fitment.vin import InvalidVin

FINDER_LEVELS = ("year", "make", "model", "submodel", "engine")


def finder(request):
    """Each step narrows the next list; works without JavaScript (one submit
    per step) and finder.js fills the next list in place when it can."""
    q = request.GET
    choice = {name: params.int_param(q, name, label=name.capitalize()) for name in FINDER_LEVELS}
    state = selectors.finder_state(
        year=choice["year"],
        make_id=choice["make"],
        model_id=choice["model"],
        submodel_id=choice["submodel"],
        engine_id=choice["engine"],
    )
    if state.vehicle is not None:
        response = redirect("vehicle_parts", vehicle_id=state.vehicle.id)
        garage = garage_cookie.read(request)
        garage.add(state.vehicle.id)
        garage_cookie.write(response, garage)
        return response
    status = 400 if state.problem else 200
    return render(request, "fitment/finder.html", {"finder": state}, status=status)


def vin_lookup(request):
    raw = request.GET.get("vin", "")
    try:
        decoded = services.decode_vin_for_finder(raw)
    except InvalidVin as problem:
        return render(
            request,
            "fitment/finder.html",
            {
                "finder": selectors.finder_state(),
                "vin": raw[:40],
                "vin_error": str(problem),
            },
            status=400,
        )
    messages.info(request, decoded.message)
    return redirect(f"{reverse('finder')}?{urlencode(decoded.finder_query)}")


def vehicle_parts(request, vehicle_id):
    try:
        page = page_request(request.GET.get("page"), size=50)
        category_id = params.int_param(request.GET, "category", label="Category")
    except (BadPage, BadRequest) as problem:
        return render(request, "400.html", {"message": str(problem)}, status=400)
    listing = selectors.vehicle_parts(vehicle_id=vehicle_id, category_id=category_id, page=page)
    return render(request, "fitment/vehicle_parts.html", {"listing": listing})


def garage(request):
    return render(request, "fitment/garage.html", {})


@require_POST
def garage_change(request):
    action = request.POST.get("action")
    vehicle_id = params.int_param(request.POST, "vehicle", label="Vehicle")
    if vehicle_id is None or action not in {"add", "remove", "select"}:
        raise BadRequest("Choose a vehicle and what to do with it.")
    state = garage_cookie.read(request)
    if action == "add":
        selectors.vehicle(vehicle_id=vehicle_id)  # 404 for an unknown vehicle
        state.add(vehicle_id)
    elif action == "remove":
        state.remove(vehicle_id)
    elif not state.select(vehicle_id):
        raise Http404("That vehicle is not in your garage.")
    target = request.POST.get("next") or reverse("garage")
    if not target.startswith("/") or target.startswith("//"):
        target = reverse("garage")
    response = redirect(target)
    garage_cookie.write(response, state)
    return response
