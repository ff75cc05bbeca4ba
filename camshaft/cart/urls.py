"""Storefront pages of the cart app."""

from django.urls import path

from camshaft.cart import views

urlpatterns = [
    path("cart/", views.cart_page, name="cart"),
    path("cart/add/", views.add, name="cart_add"),
    path("cart/lines/<id:line_id>/", views.update, name="cart_update"),
]
