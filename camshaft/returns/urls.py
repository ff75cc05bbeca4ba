"""Storefront pages of the returns app."""

from django.urls import path

from camshaft.returns import views

urlpatterns = [
    path("orders/<str:number>/return/", views.return_form, name="return_form"),
    path("orders/<str:number>/core-return/", views.core_return, name="core_return"),
]
