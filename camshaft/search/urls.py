"""Storefront pages of the search app."""

from django.urls import path

from camshaft.search import views

urlpatterns = [path("search/", views.search, name="search")]
