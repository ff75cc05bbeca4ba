"""Storefront pages of the fitment app."""

from django.urls import path

from camshaft.fitment import views

urlpatterns = [
    path("finder/", views.finder, name="finder"),
    path("vin/", views.vin_lookup, name="vin"),
    path("vehicle/<id:vehicle_id>/", views.vehicle_parts, name="vehicle_parts"),
    path("garage/", views.garage, name="garage"),
    path("garage/change/", views.garage_change, name="garage_change"),
]
